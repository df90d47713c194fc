"""Ranks, recall@k and median rank of cross-modal retrieval.

The queries are the rows of a square similarity matrix and the gallery its
columns; query i's only correct item is item i (the paired protocol of
video-text and sign-text retrieval: an identical sentence at another index
counts as a wrong item).
"""
from typing import Union

import numpy as np
import torch

ArrayLike = Union[torch.Tensor, np.ndarray, list]


def retrieval_ranks(sim: ArrayLike) -> torch.Tensor:
    """1-based rank of the paired item of every query.

    Ties are broken pessimistically: every other item scoring at least as
    high as the paired one ranks before it. The rank then depends neither on
    the gallery order nor on luck, and a model that scores everything alike
    gets rank N, not 1.

    Args:
        sim: (N, N) scores, ``sim[i, j]`` of gallery item j for query i.

    Returns:
        (N,) long ranks in [1, N].
    """
    sim = torch.as_tensor(sim)
    if sim.ndim != 2 or sim.shape[0] != sim.shape[1]:
        raise ValueError('retrieval needs a square (N, N) similarity '
                         'matrix (item i pairs with query i), got '
                         f'{tuple(sim.shape)}')
    bad = torch.nonzero(~torch.isfinite(sim).all(1)).flatten()
    if len(bad):
        raise ValueError(f'similarity rows {bad[:10].tolist()} hold NaN or '
                         'inf; their ranks would be meaningless')
    paired = sim.diagonal()[:, None]  # (N, 1)
    return (sim >= paired).sum(1)  # counts the paired item itself: 1-based


def recall_at_k(ranks: ArrayLike, k: int) -> float:
    """Percentage of queries whose paired item ranks in the top ``k``."""
    ranks = torch.as_tensor(ranks)
    return 100.0 * float((ranks <= k).double().mean())


def median_rank(ranks: ArrayLike) -> float:
    """Median of the 1-based ranks (MedR); for an even count the mean of the
    two middle ranks, as ``np.median`` gives it."""
    return float(np.median(torch.as_tensor(ranks).numpy()))
