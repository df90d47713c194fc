"""Build a config's model on CPU and print its parameter counts.

    python tools/analysis/count_params.py configs/pretrain/sl15m.py
"""
import argparse

from slp_mm.utils.cli_errors import HelpFormatter


def count(module, trainable_only=False):
    return sum(p.numel() for p in module.parameters()
               if p.requires_grad or not trainable_only)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=HelpFormatter)
    parser.add_argument('config', help='config file of the model')
    args = parser.parse_args()
    from mmengine.config import Config  # heavy: not for --help

    from slp_mm.engine import register_all_modules
    from slp_mm.registry import MODELS
    register_all_modules()
    model = MODELS.build(Config.fromfile(args.config).model)
    print(f'{"module":<16}{"parameters":>16}{"trainable":>16}')
    for name, child in model.named_children():
        if name == 'data_preprocessor':
            continue
        print(f'{name:<16}{count(child):>16,}{count(child, True):>16,}')
    print(f'{"total":<16}{count(model):>16,}{count(model, True):>16,}')


if __name__ == '__main__':
    main()
