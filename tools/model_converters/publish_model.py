"""Publish a training checkpoint as a hash-named safetensors file or a
Hugging Face Hub folder (weights, config as data, class names; no optimizer
state).

    python tools/model_converters/publish_model.py \
        work_dirs/demo/epoch_12.pth publish/slp_mm_demo
    # -> publish/slp_mm_demo-<sha8>.safetensors, publish/slp_mm_demo-<sha8>.py
    python tools/model_converters/publish_model.py \
        work_dirs/demo/epoch_12.pth --hub-dir publish/slp_mm_demo_hub
    # -> README.md (model card), model.safetensors, config.json, classes.txt

Load either with ``slp_mm.apis.init_model(None, PATH)`` (no pickle, no code
from the config runs). A frozen pretrained text encoder is not in it (nor in
the checkpoint): the model built from the config loads it by name (see
``HFTextEncoder``).
"""
import argparse
import os.path as osp

from slp_mm.utils.cli_errors import HelpFormatter


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=HelpFormatter)
    p.add_argument('in_file', help='training checkpoint (.pth)')
    p.add_argument('out_prefix', nargs='?',
                   help='output path without -<sha8>.safetensors (give this '
                   'or --hub-dir)')
    p.add_argument('--hub-dir',
                   help='write a Hugging Face Hub-layout folder here instead '
                   '(push it with `hf upload ORG/NAME DIR`)')
    p.add_argument('--config',
                   help='config file to publish (default: the one the '
                   'Runner stored in the checkpoint meta)')
    p.add_argument('--metrics',
                   help='JSON file of {metric: value} for the model card '
                   '(default: the last validation metrics in the checkpoint)')
    args = p.parse_args(argv)
    if (args.out_prefix is None) == (args.hub_dir is None):
        p.error('give an out_prefix or --hub-dir (one of them)')
    if args.metrics and not args.hub_dir:
        p.error('--metrics goes on the model card of --hub-dir')
    return args


def main(argv=None):
    args = parse_args(argv)
    from slp_mm.apis.model_publishing import publish_model
    out = publish_model(args.in_file, args.out_prefix, args.hub_dir,
                        args.config, args.metrics)
    print(f'wrote {out} ({osp.getsize(out) / 2**20:.1f} MiB; '
          f'{osp.getsize(args.in_file) / 2**20:.1f} MiB in)')
    return out


if __name__ == '__main__':
    main()
