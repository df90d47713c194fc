"""Confusion matrix of a recognition model: counting, the weakest classes
and the picture (rows: true class, columns: predicted)."""
from typing import List, Optional, Sequence

import numpy as np

from slp_mm.utils.cli_errors import UserError


def count_confusions(gt: Sequence[int], pred: Sequence[int],
                     num_classes: int) -> np.ndarray:
    """(C, C) int64 counts: ``[i, j]`` samples of class i predicted j."""
    cm = np.zeros((num_classes, num_classes), np.int64)
    np.add.at(cm, (np.asarray(gt, int), np.asarray(pred, int)), 1)
    return cm


def load_class_names(path: str, num_classes: int) -> List[str]:
    """One class name a line (names may hold spaces; blank lines at the end
    are ignored); the count must match the model's classes."""
    with open(path, encoding='utf-8') as f:
        names = [line.strip() for line in f.read().rstrip('\n').split('\n')]
    if len(names) != num_classes:
        raise UserError(f'{path}: {len(names)} class names (one a line) for '
                        f'a model of {num_classes} classes')
    return names


def weakest_classes(cm: np.ndarray,
                    names: Sequence[str],
                    k: int = 3) -> List[dict]:
    """The ``k`` classes with the lowest recall among those with errors,
    each with its errors and the classes it is taken for (most often
    first). A class without errors, or without samples, is never listed.

    Returns:
        list of dict: ``name``, ``correct``, ``total``, ``recall`` and
        ``taken_for`` [(name, count)] of every wrong prediction, most
        frequent first.
    """
    totals = cm.sum(1)
    errors = totals - cm.diagonal()
    recall = cm.diagonal() / np.maximum(totals, 1)
    candidates = np.flatnonzero(errors > 0)
    order = candidates[np.argsort(recall[candidates], kind='stable')]
    weakest = []
    for i in order[:k]:
        wrong = cm[i].copy()
        wrong[i] = 0
        taken = [j for j in np.argsort(-wrong, kind='stable') if wrong[j]]
        weakest.append(
            dict(name=names[i],
                 correct=int(cm[i, i]),
                 total=int(totals[i]),
                 recall=float(recall[i]),
                 taken_for=[(names[j], int(wrong[j])) for j in taken]))
    return weakest


def format_weakest(weakest: Sequence[dict]) -> str:
    """Lines ``weakest: NAME: 3/10, taken for OTHER (5), ...``."""
    return '\n'.join(
        f"  weakest: {w['name']}: {w['correct']}/{w['total']}, taken for " +
        ', '.join(f'{name} ({n})' for name, n in w['taken_for'])
        for w in weakest)


def draw_confusion_matrix(cm: np.ndarray,
                          names: Sequence[str],
                          title: Optional[str] = None):
    """Counts in every non-zero cell, white on dark cells.

    Returns:
        A matplotlib ``Figure`` (Agg canvas).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    n = len(cm)
    fig = Figure(figsize=(0.5 * n + 2, 0.5 * n + 1.5))
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    ax.imshow(cm, cmap='Blues')
    ax.set_xticks(range(n), names, rotation=90)
    ax.set_yticks(range(n), names)
    for i, j in zip(*np.nonzero(cm)):
        ax.text(j,
                i,
                cm[i, j],
                ha='center',
                va='center',
                fontsize=7,
                color='white' if cm[i, j] > cm.max() / 2 else 'black')
    ax.set_xlabel('predicted')
    ax.set_ylabel('true')
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig
