"""Run a recognition checkpoint on a config's test split and draw the
confusion matrix to PNG (rows: true class, columns: predicted).

    python tools/analysis/confusion_matrix.py \
        configs/islr/traduttore_asl_words_scratch.py CKPT --out cm.png
"""
import argparse

import numpy as np
from mmengine.config import Config
from mmengine.runner import Runner
from mmengine.utils import ProgressBar

from slp_mm.engine import install_checkpoint_safety, register_all_modules


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('config')
    p.add_argument('checkpoint')
    p.add_argument('--out', default='confusion.png')
    p.add_argument('--classes', help='text file with one class name a line')
    args = p.parse_args()
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
    cm = np.zeros((n, n), dtype=np.int64)
    bar = ProgressBar(len(loader.dataset))
    for batch in loader:
        samples = model.test_step(batch)
        for s in samples:
            cm[int(s.gt_label), int(s.pred_label)] += 1
        bar.update(len(samples))
    names = (open(args.classes).read().split()
             if args.classes else [str(i) for i in range(n)])
    acc = np.trace(cm) / cm.sum()
    print(f'\ntop-1 {100 * acc:.2f}% on {cm.sum()} samples')
    for i in np.argsort(cm.diagonal() / cm.sum(1).clip(1))[:3]:
        print(f'  weakest: {names[i]}: {cm[i, i]}/{cm[i].sum()}, most often '
              f'taken for {names[int(np.argsort(-cm[i])[0 if cm[i].argmax() != i else 1])]}')
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(0.5 * n + 2, 0.5 * n + 1.5))
    ax.imshow(cm, cmap='Blues')
    ax.set_xticks(range(n), names, rotation=90)
    ax.set_yticks(range(n), names)
    for i in range(n):
        for j in range(n):
            if cm[i, j]:
                ax.text(j, i, cm[i, j], ha='center', va='center', fontsize=7,
                        color='white' if cm[i, j] > cm.max() / 2 else 'black')
    ax.set_xlabel('predicted')
    ax.set_ylabel('true')
    ax.set_title(f'top-1 {100 * acc:.1f}%')
    fig.tight_layout()
    fig.savefig(args.out, dpi=120)
    print(f'wrote {args.out}')


if __name__ == '__main__':
    main()
