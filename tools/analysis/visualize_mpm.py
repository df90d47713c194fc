"""Draw what a pre-training model's masked pose modelling (MPM) does on one
sample: input / masked / reconstructed poses side by side, masked joints
ringed in red.

    python tools/analysis/visualize_mpm.py configs/pretrain/demo.py \
        work_dirs/demo/epoch_12.pth --corpus data/demo_synthetic/corpus \
        --index 3 --out mpm.png
    python tools/analysis/visualize_mpm.py CONFIG CKPT clip.pose --out mpm.png

The sample goes through the config's training stages, every one per sample
(a batched config's batch transforms and loader-drawn masks included:
``train_pipeline_cfg``), so it is masked by its HierarchicalPoseMask;
--seed fixes the draw.
"""
import argparse

from mmengine.config import DictAction

from slp_mm.utils.cli_errors import (HelpFormatter, add_debug_argument,
                                     run_cli)


def main(argv=None):
    p = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=HelpFormatter)
    p.add_argument('config', help='pre-training config')
    p.add_argument('checkpoint', help='its checkpoint')
    p.add_argument('pose_file', nargs='?', help='a .pose file (or --corpus)')
    p.add_argument('--corpus', help='corpus directory')
    p.add_argument('--index',
                   type=int,
                   default=0,
                   help='corpus row (default: 0)')
    p.add_argument('--frames',
                   type=int,
                   nargs='+',
                   help='frame indexes to draw (default: 4 evenly spaced)')
    p.add_argument('--seed',
                   type=int,
                   default=0,
                   help='masking seed (default: 0)')
    p.add_argument('--out',
                   default='mpm.png',
                   help='PNG to write (default: mpm.png)')
    p.add_argument('--cfg-options',
                   nargs='+',
                   action=DictAction,
                   help='override config settings, e.g. '
                   'train_dataloader.dataset.pipeline.5.tokenizer=DIR')
    add_debug_argument(p)
    args = p.parse_args(argv)
    if (args.corpus is None) == (args.pose_file is None):
        p.error('give either POSE_FILE or --corpus DIR')
    from mmengine.config import Config
    from mmengine.runner import set_random_seed

    from slp_mm.apis import init_model, train_pipeline_cfg
    from slp_mm.corpus import SignCorpus
    from slp_mm.preparation.pose_readers import read_pose_file
    from slp_mm.registry import TRANSFORMS
    from slp_mm.visualization import (SignLocalVisualizer,
                                      prepare_sample_batch,
                                      reconstruct_masked_pose)
    cfg = Config.fromfile(args.config)
    cfg.merge_from_dict(args.cfg_options or {})
    model = init_model(cfg, args.checkpoint)
    if args.corpus:
        sample = SignCorpus(args.corpus)[args.index]
    else:
        sample = dict(read_pose_file(args.pose_file), id=args.pose_file)
    set_random_seed(args.seed)
    pipeline = train_pipeline_cfg(cfg)  # every pose stage per sample
    data = prepare_sample_batch(model, pipeline, sample)
    result = reconstruct_masked_pose(model, data['inputs'])
    # hands normalised to their own box are drawn as insets
    box_parts = next((TRANSFORMS.build(t).box_parts
                      for t in pipeline if t.type == 'NormalizeParts'), ())
    img = SignLocalVisualizer(name='visualize_mpm').add_mpm_reconstruction(
        'mpm',
        **result,
        layout=data['data_samples'][0].layout,
        box_parts=box_parts,
        frames=args.frames,
        out_file=args.out)
    print(f"{sample.get('id')}: {int(result['mpm_mask'].sum())} of "
          f"{result['mpm_mask'].size} joints masked; wrote {args.out} "
          f'({img.shape[1]}x{img.shape[0]})')
    return result


if __name__ == '__main__':
    run_cli(main)
