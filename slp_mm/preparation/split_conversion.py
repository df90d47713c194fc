"""Write sign corpora split by split from any source: the loop every
converter shares (stale shards removed, invalid samples and unreadable
inputs recorded in ``rejects.json``, complete splits kept, a run that
rejects every input of a split refused)."""
import glob
import os
import os.path as osp
from typing import (Any, Callable, Dict, Iterable, List, Optional, Sequence,
                    Tuple)

from tqdm import tqdm

from slp_mm.corpus.sign_corpus import MANIFEST, SignCorpusWriter

from .converters import REJECTS, make_reject, write_rejects

# read_samples(split, item) -> (samples, rejects, path of the pose file)
ReadSamples = Callable[[str, Any], Tuple[List[dict], List[dict],
                                         Optional[str]]]


def check_folders(*paths: str) -> None:
    """Raise ``ValueError`` naming the first path that is not a folder."""
    for path in paths:
        if not osp.isdir(path):
            raise ValueError(f'{path} is not a folder')


def merge_video_info(defaults: dict, overrides: Optional[dict]) -> dict:
    """A dataset's video ``width``, ``height`` and ``fps`` with the values
    the user gave (``None`` values are ignored)."""
    info = dict(defaults)
    info.update({k: v for k, v in (overrides or {}).items() if v is not None})
    return info


def convert_split(split: str, items: Sequence, read_samples: ReadSamples,
                  out: str, rejects: Iterable[dict] = (),
                  unit: str = 'video') -> Tuple[dict, List[dict]]:
    """Write one split's corpus and its rejects.json.

    Args:
        split (str): ``train``, ``dev`` or ``test``.
        items (Sequence): The split's inputs (annotation records, episodes).
        read_samples (callable): ``read_samples(split, item)`` gives the
            item's samples, its rejects and the pose file they came from.
        out (str): The split's corpus folder.
        rejects (Iterable[dict]): Rejects found before (annotation rows).
        unit (str): What an item is, for the progress bar.

    Returns:
        tuple: The corpus manifest and every reject of the split.
    """
    rejects = list(rejects)
    for stale in glob.glob(osp.join(glob.escape(out), 'shard-*.arrow')):
        os.remove(stale)  # left by an interrupted run
    writer = SignCorpusWriter(out, on_invalid='skip', split=split)
    for item in tqdm(items, desc=split, unit=unit):
        samples, bad, path = read_samples(split, item)
        rejects += bad
        for sample in samples:
            if not writer.write(sample):
                rejects.append(
                    make_reject(
                        writer.skipped[-1],
                        stage='invalid_sample',
                        id=sample['id'],
                        split=split,
                        file=path))
    write_rejects(out, rejects)
    return writer.close(), rejects  # corpus.json last: the split is complete


def convert_splits(out_dir: str,
                   inputs: Dict[str, Tuple[Sequence, List[dict]]],
                   read_samples: ReadSamples,
                   unit: str = 'video') -> Dict[str, dict]:
    """Convert each split into OUT_DIR/<split>/, keeping a split whose
    corpus is complete (corpus.json written), so an interrupted run is
    simply started again.

    Args:
        out_dir (str): The output folder, one corpus per split.
        inputs (dict): Split -> (its items, its annotation rejects).
        read_samples (callable): See :func:`convert_split`.
        unit (str): What an item is, for the messages.

    Returns:
        dict: Split -> manifest of each split converted by this call.

    Raises:
        ValueError: Every input of a split was rejected (a wrong folder or
            format, not a finished conversion), after all splits are
            written; the message names their rejects.json.
    """
    manifests, all_rejected = {}, []
    for split, (items, rejects) in inputs.items():
        out = osp.join(out_dir, split)
        if osp.isfile(osp.join(out, MANIFEST)):
            print(f'{split}: {out} is complete, skipped (delete it to '
                  'rebuild)')
            continue
        manifest, rejects = convert_split(split, items, read_samples, out,
                                          rejects, unit)
        manifests[split] = manifest
        print(f'{split}: {manifest["num_samples"]} samples from '
              f'{len(items)} {unit}s -> {out}, {len(rejects)} rejected '
              f'(see {osp.join(out, REJECTS)})')
        if not manifest['num_samples'] and rejects:
            all_rejected.append(osp.join(out, REJECTS))
    if all_rejected:
        raise ValueError(f'Every input of {len(all_rejected)} split(s) was '
                         f'rejected: see {", ".join(all_rejected)}')
    return manifests
