"""Run a trained model on pose files or videos and print a readable result.

    # ISLR / CSLR / GF-SLT: top-k glosses, a gloss sequence or a sentence
    python tools/infer.py configs/islr/wlasl2000.py epoch_60.pth clip.pose \
        --class-names classes.txt --topk 5 --out results.json
    # sign -> text: rank sentences for each clip (pre-training / retrieval)
    python tools/infer.py configs/retrieval/phoenix2014t.py best.pth clips/ \
        --texts candidates.txt --language de
    # text -> sign: rank the clips of a folder for one sentence
    python tools/infer.py configs/retrieval/phoenix2014t.py best.pth clips/ \
        --query "morgen regnet es" --language de
    # a video: poses extracted first (MediaPipe Holistic by default)
    python tools/infer.py configs/islr/wlasl2000.py epoch_60.pth sign.mp4

The results (one entry per input) are also written as JSON with ``--out``.
"""
import argparse
import json
import os.path as osp

from mmengine.config import DictAction

from slp_mm.apis import SignInferencer


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('config')
    p.add_argument('checkpoint', help='.pth or published .safetensors')
    p.add_argument('inputs', nargs='+',
                   help='pose files (.pose/.npz/.npy), videos, or a folder')
    p.add_argument('--device', default='cpu')
    p.add_argument('--batch-size', type=int, default=8)
    p.add_argument('--topk', type=int, default=5)
    p.add_argument('--class-names', help='ISLR class names, one per line')
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
    p.add_argument('--out', help='write the results to this JSON file')
    return p.parse_args(argv)


def _readable(result: dict) -> str:
    if 'topk' in result:
        names = (result.get('label_names')
                 or [label for label, _ in result['topk']])
        return ', '.join(f'{n} ({s:.3f})'
                         for n, (_, s) in zip(names, result['topk']))
    if 'gloss' in result:
        return ' '.join(result['gloss'])
    if 'text' in result:
        return result['text']
    if 'ranked_texts' in result:
        return '\n'.join(f'  {s:8.4f}  {t}' for t, s in result['ranked_texts'])
    return f"{result['score']:.4f}"


def main(argv=None):
    args = parse_args(argv)
    if args.texts and args.query:
        raise SystemExit('give --texts (sign -> text) or --query '
                         '(text -> sign), not both')
    video_info = {key: getattr(args, key)
                  for key in ('width', 'height', 'fps')
                  if getattr(args, key) is not None}
    inferencer = SignInferencer(
        args.config, args.checkpoint, args.device, topk=args.topk,
        class_names=args.class_names, pose_backend=args.pose_backend,
        pose_backend_options=args.pose_options, video_info=video_info)
    inputs = args.inputs[0] if len(args.inputs) == 1 else args.inputs
    if args.query:
        results = inferencer.search(args.query, inputs, args.language,
                                    args.batch_size)
        print(f'clips ranked for {args.query!r}:')
    else:
        texts = None
        if args.texts:
            with open(args.texts, encoding='utf-8') as f:
                texts = [line.strip() for line in f if line.strip()]
        results = inferencer(inputs, args.batch_size, texts=texts,
                             language=args.language)
    inferencer.close()  # the pose model of video inputs
    for r in results:
        sep = '\n' if 'ranked_texts' in r else ' '
        print(f'{osp.basename(r["file"])}:{sep}{_readable(r)}')
    if args.out:
        with open(args.out, 'w', encoding='utf-8') as f:
            json.dump(results, f, ensure_ascii=False, indent=1)
        print(f'wrote {args.out}')
    return results


if __name__ == '__main__':
    main()
