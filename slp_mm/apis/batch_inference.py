"""Running a :class:`SignInferencer` over many clips the way a user's batch
job needs it: one unreadable clip costs only itself, arguments the model's
task cannot use are refused before any clip is read, a whole corpus split
gives one JSON line per sample, and each result prints as one readable
line (what ``tools/infer.py`` does, callable from scripts and tests)."""
import copy
import json
import os
import os.path as osp
import sys
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from slp_mm.registry import DATASETS
from slp_mm.utils.cli_errors import UserError

# what a clip that cannot be read raises (pose readers, video decoding)
UNREADABLE = (ValueError, OSError, UserError)


def map_skipping_unreadable(fn: Callable[[List[str]], list],
                            files: Sequence[str],
                            batch_size: int) -> Tuple[list, Dict]:
    """``fn`` over ``files`` in chunks of ``batch_size``; a chunk that fails
    is run file by file, so one unreadable file costs only itself.

    Returns:
        tuple: The outputs of the files that worked, and ``{file: error}``
        of those that did not (each also reported on stderr). An error that
        names no file of its chunk is not the file's fault (a missing
        tokenizer, a bug): it is raised.
    """
    outputs, failed = [], {}

    def run(chunk):
        try:
            outputs.extend(fn(chunk))
        except UNREADABLE as e:
            if len(chunk) > 1:
                for path in chunk:
                    run([path])
                return
            if chunk[0] not in str(e):
                raise
            failed[chunk[0]] = e
            print(f'skipped: {e}', file=sys.stderr)  # e names the file

    for start in range(0, len(files), batch_size):
        run(list(files[start:start + batch_size]))
    return outputs, failed


def check_task(inferencer, texts: Optional[Sequence[str]],
               query: Optional[str]) -> None:
    """Refuse arguments the model's task has no use for, before any clip is
    read (a refusal per clip would read as unreadable clips)."""
    name = type(inferencer.model).__name__
    if (texts or query) and not inferencer.is_retrieval:
        raise UserError(f'{name} does not embed text: --texts/--query need '
                        'a pre-training or retrieval model')
    if inferencer.is_retrieval and not (texts or query):
        raise UserError(f'{name} is a sign-text model: give --texts '
                        '(sentences to rank for each clip) or --query')


def rank_clips(inferencer, files: Sequence[str], query: str,
               language: Optional[str], batch_size: int) -> Tuple[list, Dict]:
    """Text -> sign: ``{'file', 'score'}`` of the readable ``files``, best
    match of ``query`` first, and the unreadable ones as
    :func:`map_skipping_unreadable` gives them."""
    scored, failed = map_skipping_unreadable(
        lambda chunk: [
            dict(file=f, score=s[0].item()) for f, s in zip(
                chunk, inferencer.similarity(chunk, [query], language,
                                             batch_size))
        ], files, batch_size)
    return sorted(scored, key=lambda r: -r['score']), failed


def format_result(result: dict) -> str:
    """One clip's result as people read it: labels with scores, a gloss
    sequence, a sentence, ranked sentences (one per line) or a score."""
    if 'topk' in result:
        return ', '.join(f"{r['label']} ({r['score']:.3f})"
                         for r in result['topk'])
    if 'gloss' in result:
        return ' '.join(result['gloss'])
    if 'text' in result:
        return result['text']
    if 'ranked_texts' in result:
        return '\n'.join(f'  {s:8.4f}  {t}' for t, s in result['ranked_texts'])
    return f"{result['score']:.4f}"


def infer_corpus(inferencer, corpus: str, out: str, batch_size: int) -> int:
    """Predict every sample of the corpus split ``corpus`` through the
    config's test pipeline; write one JSON line per sample (``id`` and the
    prediction) to ``out``. Returns the number of samples."""
    if inferencer.is_retrieval:
        raise UserError('--corpus runs recognition and translation models; '
                        'score a retrieval model with tools/test.py')
    loader = inferencer.cfg.get('test_dataloader') or inferencer.cfg.get(
        'val_dataloader')
    if loader is None:
        raise UserError('the config has no test_dataloader to read the '
                        f'corpus {corpus} with')
    dataset = DATASETS.build(
        dict(copy.deepcopy(loader.dataset), data_root='', ann_file=corpus,
             test_mode=True))
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    with open(out, 'w', encoding='utf-8') as f:
        for start in range(0, len(dataset), batch_size):
            batch = inferencer.collate_fn([
                dataset[i]
                for i in range(start, min(start + batch_size, len(dataset)))
            ])
            for result in inferencer.postprocess(inferencer.forward(batch)):
                result['id'] = result.pop('file')
                f.write(json.dumps(result, ensure_ascii=False) + '\n')
    return len(dataset)
