"""Run a trained model on pose files, videos or a corpus split; print results.

    # ISLR / CSLR / GF-SLT: top-k glosses, a gloss sequence or a sentence
    python tools/infer.py configs/islr/wlasl2000.py epoch_60.pth clip.pose \
        --class-names classes.txt --topk 5 --out results.json
    # the config is optional when the checkpoint carries it (published
    # .safetensors files, and .pth checkpoints written by tools/train.py)
    python tools/infer.py wlasl2000-1a2b3c4d.safetensors clips/
    # a whole corpus split: one JSON line per sample
    python tools/infer.py epoch_60.pth --corpus data/wlasl/test
    # sign -> text: rank sentences for each clip (pre-training / retrieval)
    python tools/infer.py configs/retrieval/phoenix2014t.py best.pth clips/ \
        --texts candidates.txt --language de
    # text -> sign: rank the clips of a folder for one sentence
    python tools/infer.py configs/retrieval/phoenix2014t.py best.pth clips/ \
        --query "morgen regnet es" --language de
    # a video: poses extracted first (MediaPipe Holistic by default)
    python tools/infer.py configs/islr/wlasl2000.py epoch_60.pth sign.mp4

A file that cannot be read is reported and skipped; the other results are
kept and the exit status is 1 at the end.
"""
import argparse
import json
import os.path as osp

from slp_mm.utils.cli_errors import (HelpFormatter, UserError,
                                     add_debug_argument, run_cli)

def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f'must be 1 or more, got {value}')
    return value


def parse_args(argv=None):
    from mmengine.config import DictAction
    p = argparse.ArgumentParser(
        description=__doc__.split('\n')[0], formatter_class=HelpFormatter,
        usage='%(prog)s [CONFIG] CHECKPOINT [INPUT ...] [options]')
    p.add_argument(
        'paths', nargs='+', metavar='[CONFIG] CHECKPOINT [INPUT ...]',
        help='an optional config (.py; default: the one the checkpoint '
        'carries), the checkpoint (.pth, published .safetensors or Hub '
        'folder), then pose files (.pose/.npz/.npy), videos or folders')
    p.add_argument('--corpus',
                   help='run over every sample of this corpus directory '
                   '(a split, e.g. data/wlasl/test) through the config\'s '
                   'test pipeline and write one JSON line per sample')
    p.add_argument('--device', default='cpu', help='cpu, cuda, cuda:1...')
    p.add_argument('--batch-size', type=_positive_int, default=8,
                   help='clips per forward pass')
    p.add_argument('--topk', type=_positive_int, default=5,
                   help='classes (ISLR) or sentences (--texts) per clip')
    p.add_argument('--class-names',
                   help='ISLR class names, one per line (default: the '
                   'names the checkpoint carries)')
    p.add_argument('--texts',
                   help='sentences to rank for each clip, one per line')
    p.add_argument('--query', help='a sentence to rank the clips for')
    p.add_argument('--language', help='language code of --texts/--query')
    p.add_argument('--pose-backend', default='mediapipe',
                   help='pose estimator for video inputs')
    p.add_argument('--pose-options', nargs='+', action=DictAction,
                   default={}, help='pose backend options as key=value, '
                   'e.g. det=yolox.onnx pose=rtmw.onnx (rtmlib)')
    for key in ('width', 'height', 'fps'):
        p.add_argument(f'--{key}', type=float,
                       help=f'video {key} of .npy inputs (not stored there)')
    p.add_argument('--out',
                   help='write the results to this JSON file (JSON lines '
                   'with --corpus; default there: '
                   'infer_<corpus name>.jsonl in --work-dir)')
    p.add_argument('--work-dir',
                   help='where --corpus results go (default: '
                   './work_dirs/<config or checkpoint name>)')
    add_debug_argument(p)
    args = p.parse_args(argv)
    paths = list(args.paths)
    args.config = paths.pop(0) if paths[0].endswith('.py') else None
    if not paths:
        p.error('give the checkpoint after the config')
    args.checkpoint = paths.pop(0)
    args.inputs = paths
    if bool(args.inputs) == bool(args.corpus):
        p.error('give input files or folders, or --corpus DIR (one of them)')
    if args.texts and args.query:
        p.error('give --texts (sign -> text) or --query (text -> sign), '
                'not both')
    if args.query is not None and not args.query.strip():
        p.error('--query is empty: give the sentence to rank the clips for')
    return args


def _read_texts(path: str) -> list:
    with open(path, encoding='utf-8') as f:
        texts = [line.strip() for line in f if line.strip()]
    if not texts:
        raise UserError(f'--texts {path}: the file has no sentence (one '
                        'per line expected)')
    return texts


def _work_dir(args) -> str:
    if args.work_dir:
        return args.work_dir
    name = osp.splitext(osp.basename(args.config or args.checkpoint))[0]
    return osp.join('work_dirs', name)


def main(argv=None):
    """Returns the results (one dict per clip that could be read); exits
    with status 1 after printing them if some clip could not be read."""
    args = parse_args(argv)
    texts = _read_texts(args.texts) if args.texts else None
    from slp_mm.apis import SignInferencer
    from slp_mm.apis.batch_inference import (check_task, format_result,
                                             infer_corpus,
                                             map_skipping_unreadable,
                                             rank_clips)
    from slp_mm.apis.sign_inferencer import list_clips
    video_info = {key: getattr(args, key)
                  for key in ('width', 'height', 'fps')
                  if getattr(args, key) is not None}
    inferencer = SignInferencer(
        args.config, args.checkpoint, args.device, topk=args.topk,
        class_names=args.class_names, pose_backend=args.pose_backend,
        pose_backend_options=args.pose_options, video_info=video_info)
    if args.corpus:
        name = osp.basename(osp.normpath(args.corpus))
        out = args.out or osp.join(_work_dir(args), f'infer_{name}.jsonl')
        count = infer_corpus(inferencer, args.corpus, out, args.batch_size)
        print(f'wrote {count} predictions of {args.corpus} to {out}')
        return []
    check_task(inferencer, texts, args.query)
    files = list_clips(args.inputs)
    if args.query:
        results, failed = rank_clips(inferencer, files, args.query,
                                     args.language, args.batch_size)
        print(f'clips ranked for {args.query!r}:')
    else:
        results, failed = map_skipping_unreadable(
            lambda chunk: inferencer(chunk, batch_size=args.batch_size,
                                     texts=texts, language=args.language),
            files, args.batch_size)
    inferencer.close()  # the pose model of video inputs
    for r in results:
        sep = '\n' if 'ranked_texts' in r else ' '
        print(f'{osp.basename(r["file"])}:{sep}{format_result(r)}')
    if args.out:
        with open(args.out, 'w', encoding='utf-8') as f:
            json.dump(results, f, ensure_ascii=False, indent=1)
        print(f'wrote {args.out}')
    if failed:
        raise UserError(f'{len(failed)} of {len(files)} input(s) could not '
                        f'be read: {sorted(failed)}')
    return results


if __name__ == '__main__':
    run_cli(main)
