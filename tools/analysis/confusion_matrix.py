"""Run a recognition checkpoint on a config's test split and draw the
confusion matrix to PNG (rows: true class, columns: predicted).

    python tools/analysis/confusion_matrix.py \
        configs/islr/traduttore_asl_words_scratch.py CKPT --out cm.png
"""
import argparse

from slp_mm.utils.cli_errors import (HelpFormatter, add_debug_argument,
                                     run_cli)


def main():
    p = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=HelpFormatter)
    p.add_argument('config', help='recognition (ISLR) config')
    p.add_argument('checkpoint', help='its checkpoint')
    p.add_argument('--out',
                   default='confusion.png',
                   help='PNG to write (default: confusion.png)')
    p.add_argument('--classes',
                   help='text file with one class name a line '
                   '(names may hold spaces; default: the class indexes)')
    add_debug_argument(p)
    args = p.parse_args()
    import numpy as np
    from mmengine.config import Config
    from mmengine.runner import Runner
    from mmengine.utils import ProgressBar

    from slp_mm.engine import install_checkpoint_safety, register_all_modules
    from slp_mm.visualization.confusion_matrix import (count_confusions,
                                                       draw_confusion_matrix,
                                                       format_weakest,
                                                       load_class_names,
                                                       weakest_classes)
    register_all_modules()
    install_checkpoint_safety()
    cfg = Config.fromfile(args.config)
    cfg.work_dir = cfg.get('work_dir') or '/tmp/slp_mm_confusion'
    cfg.load_from = args.checkpoint
    runner = Runner.from_cfg(cfg)
    runner.load_checkpoint(args.checkpoint)
    model = runner.model.eval()
    loader = runner.build_dataloader(cfg.test_dataloader)
    n = model.head.num_classes
    gt, pred = [], []
    bar = ProgressBar(len(loader.dataset))
    for batch in loader:
        samples = model.test_step(batch)
        gt += [int(s.gt_label) for s in samples]
        pred += [int(s.pred_label) for s in samples]
        bar.update(len(samples))
    cm = count_confusions(gt, pred, n)
    names = (load_class_names(args.classes, n)
             if args.classes else [str(i) for i in range(n)])
    acc = np.trace(cm) / cm.sum()
    print(f'\ntop-1 {100 * acc:.2f}% on {cm.sum()} samples')
    print(format_weakest(weakest_classes(cm, names)) or '  no errors')
    draw_confusion_matrix(cm, names,
                          f'top-1 {100 * acc:.1f}%').savefig(args.out, dpi=120)
    print(f'wrote {args.out}')


if __name__ == '__main__':
    run_cli(main)
