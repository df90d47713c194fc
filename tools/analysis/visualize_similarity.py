"""Draw the fine-grained sign-text similarity (STC) of one paired sample:
clip x word heatmaps before and after the softmax re-weighting over words.

    python tools/analysis/visualize_similarity.py configs/pretrain/demo.py \
        work_dirs/demo/epoch_12.pth --corpus data/demo_synthetic/corpus \
        --index 3 --out similarity.png

The sample goes through the config's test pipeline (the training pipeline
if it has none; --seed fixes its random frame sampling) and the tokens are
decoded with its TokenizeText tokenizer.
"""
import argparse

from mmengine.config import DictAction

from slp_mm.utils.cli_errors import (HelpFormatter, UserError,
                                     add_debug_argument, run_cli)


def main(argv=None):
    p = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=HelpFormatter)
    p.add_argument('config', help='pre-training config')
    p.add_argument('checkpoint', help='its checkpoint')
    p.add_argument('--corpus', required=True, help='corpus directory')
    p.add_argument('--index',
                   type=int,
                   default=0,
                   help='corpus row (default: 0)')
    p.add_argument('--seed',
                   type=int,
                   default=0,
                   help='frame sampling seed (default: 0)')
    p.add_argument('--out',
                   default='similarity.png',
                   help='PNG to write (default: similarity.png)')
    p.add_argument('--cfg-options',
                   nargs='+',
                   action=DictAction,
                   help='override config settings, e.g. '
                   'train_dataloader.dataset.pipeline.5.tokenizer=DIR')
    add_debug_argument(p)
    args = p.parse_args(argv)
    from mmengine.config import Config
    from mmengine.runner import set_random_seed

    from slp_mm.apis import init_model, test_pipeline_cfg
    from slp_mm.corpus import SignCorpus
    from slp_mm.structures import load_tokenizer
    from slp_mm.visualization import (SignLocalVisualizer,
                                      pair_similarity_maps,
                                      prepare_sample_batch)
    cfg = Config.fromfile(args.config)
    cfg.merge_from_dict(args.cfg_options or {})
    model = init_model(cfg, args.checkpoint)
    sample = SignCorpus(args.corpus)[args.index]
    if sample['text'] is None:
        raise UserError(f"{args.corpus}, row {args.index} (sample "
                        f"{sample['id']!r}): field 'text' is empty; the "
                        'similarity needs a sign-text pair')
    # the whole clip, as SignInferencer scores it; a config without a test
    # pipeline falls back to its (randomly cropping) training pipeline
    try:
        pipeline = test_pipeline_cfg(cfg)
    except KeyError:
        pipeline = cfg.train_dataloader.dataset.pipeline
    tokenizer = next((load_tokenizer(t.tokenizer)
                      for t in pipeline if t.type == 'TokenizeText'), None)
    set_random_seed(args.seed)
    data = prepare_sample_batch(model, pipeline, sample)
    maps = pair_similarity_maps(model, data, tokenizer)
    SignLocalVisualizer(name='visualize_similarity').add_similarity_heatmap(
        'similarity',
        maps,
        title=f"{sample['id']}: {sample['text']!r} (score "
        f"{maps['score']:.3f})",
        out_file=args.out)
    print(f"{sample['id']}: score {maps['score']:.4f}; wrote {args.out}")
    return maps


if __name__ == '__main__':
    run_cli(main)
