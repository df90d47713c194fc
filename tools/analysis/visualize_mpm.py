"""Draw what a pre-training model's masked pose modelling (MPM) does on one
sample: input / masked / reconstructed poses side by side, masked joints
ringed in red.

    python tools/analysis/visualize_mpm.py configs/pretrain/demo.py \
        work_dirs/demo/epoch_12.pth --corpus data/demo_synthetic/corpus \
        --index 3 --out mpm.png
    python tools/analysis/visualize_mpm.py CONFIG CKPT clip.pose --out mpm.png

The sample goes through the config's training pipeline (so it is masked by
its HierarchicalPoseMask; --seed fixes the draw).
"""
import argparse

import cv2
from mmengine.config import Config, DictAction
from mmengine.runner import set_random_seed

from slp_mm.apis import init_model
from slp_mm.corpus import SignCorpus
from slp_mm.preparation.pose_readers import read_pose_file
from slp_mm.registry import TRANSFORMS
from slp_mm.visualization import (draw_mpm_reconstruction,
                                  prepare_sample_batch,
                                  reconstruct_masked_pose)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('config')
    p.add_argument('checkpoint')
    p.add_argument('pose_file', nargs='?', help='a .pose file (or --corpus)')
    p.add_argument('--corpus', help='corpus directory')
    p.add_argument('--index', type=int, default=0, help='corpus row')
    p.add_argument('--frames', type=int, nargs='+',
                   help='frame indexes to draw (default: 4 evenly spaced)')
    p.add_argument('--seed', type=int, default=0, help='masking seed')
    p.add_argument('--out', default='mpm.png')
    p.add_argument('--cfg-options', nargs='+', action=DictAction,
                   help='override config settings, e.g. '
                   'train_dataloader.dataset.pipeline.5.tokenizer=DIR')
    args = p.parse_args(argv)
    if (args.corpus is None) == (args.pose_file is None):
        p.error('give either POSE_FILE or --corpus DIR')
    cfg = Config.fromfile(args.config)
    cfg.merge_from_dict(args.cfg_options or {})
    model = init_model(cfg, args.checkpoint)
    if args.corpus:
        sample = SignCorpus(args.corpus)[args.index]
    else:
        sample = dict(read_pose_file(args.pose_file), id=args.pose_file)
    set_random_seed(args.seed)
    pipeline = cfg.train_dataloader.dataset.pipeline
    data = prepare_sample_batch(model, pipeline, sample)
    result = reconstruct_masked_pose(model, data['inputs'])
    # hands normalised to their own box are drawn as insets
    box_parts = next((TRANSFORMS.build(t).box_parts
                      for t in pipeline if t.type == 'NormalizeParts'), ())
    img = draw_mpm_reconstruction(
        **result,
        layout=data['data_samples'][0].layout,
        box_parts=box_parts,
        frames=args.frames)
    cv2.imwrite(args.out, img)
    print(f"{sample.get('id')}: {int(result['mpm_mask'].sum())} of "
          f"{result['mpm_mask'].size} joints masked; wrote {args.out} "
          f'({img.shape[1]}x{img.shape[0]})')
    return result


if __name__ == '__main__':
    main()
