"""Publish a training checkpoint: weights + config as a hash-named
safetensors file, without the optimizer / scheduler / message hub state.

    python tools/model_converters/publish_model.py \
        work_dirs/demo/epoch_12.pth publish/slp_mm_demo
    # -> publish/slp_mm_demo-<sha8>.safetensors, publish/slp_mm_demo-<sha8>.py

Load it with ``slp_mm.utils.load_published_checkpoint`` (no pickle). A
frozen pretrained text encoder is not in it (nor in the checkpoint): the
model built from the config loads it by name (see ``HFTextEncoder``).
"""
import argparse
import os
import os.path as osp

import torch
from mmengine.config import Config

from slp_mm.utils import register_safe_globals
from slp_mm.utils.published_checkpoint import publish_checkpoint


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('in_file', help='training checkpoint (.pth)')
    p.add_argument('out_prefix',
                   help='output path without -<sha8>.safetensors')
    p.add_argument('--config',
                   help='config file to publish (default: the one the '
                   'Runner stored in the checkpoint meta)')
    args = p.parse_args(argv)
    register_safe_globals()  # resume checkpoints hold a HistoryBuffer
    checkpoint = torch.load(args.in_file, map_location='cpu',
                            weights_only=True)
    config_text = None
    if args.config:  # resolved: its _base_ files do not travel with it
        config_text = Config.fromfile(args.config).pretty_text
    os.makedirs(osp.dirname(osp.abspath(args.out_prefix)), exist_ok=True)
    out = publish_checkpoint(checkpoint, args.out_prefix, config_text)
    print(f'wrote {out} ({osp.getsize(out) / 2**20:.1f} MiB, '
          f'{len(checkpoint["state_dict"])} tensors; '
          f'{osp.getsize(args.in_file) / 2**20:.1f} MiB in)')
    return out


if __name__ == '__main__':
    main()
