"""Export the pose side of a trained model to ONNX (ISLR: poses -> class
logits; pre-training / retrieval: poses -> STC clip embeddings) and check it
under onnxruntime.

    python tools/model_converters/export_onnx.py \
        publish/traduttore_islr-<sha8>.safetensors islr.onnx
    # -> islr.onnx; prints the max abs difference PyTorch vs onnxruntime

Inputs of the graph: ``pose`` (B, T, K, 3) and ``pose_mask`` (B, T), as the
data preprocessor gives them; batch and time are dynamic. Needs the
deployment extra: ``pip install -e .[deploy]``.
"""
import argparse

from slp_mm.utils.cli_errors import HelpFormatter


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=HelpFormatter)
    p.add_argument('checkpoint',
                   help='.pth checkpoint, published .safetensors file, Hub '
                   'folder or Hub repo id in the local cache')
    p.add_argument('out', help='output .onnx file')
    p.add_argument('--config',
                   help='model config (default: the one the checkpoint '
                   'carries)')
    p.add_argument('--no-check', action='store_true',
                   help='skip the onnxruntime parity check (default: run it '
                   'and print the max abs difference)')
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    from slp_mm.apis import init_model
    from slp_mm.apis.onnx_export import export_onnx, onnx_max_abs_difference
    model = init_model(args.config, args.checkpoint)
    outputs = export_onnx(model, args.out)
    print(f'wrote {args.out} (inputs pose, pose_mask; outputs '
          f'{", ".join(outputs)})')
    if args.no_check:
        return None
    diff = onnx_max_abs_difference(model, args.out)
    print(f'max abs difference PyTorch vs onnxruntime: {diff:.3g}')
    return diff


if __name__ == '__main__':
    main()
