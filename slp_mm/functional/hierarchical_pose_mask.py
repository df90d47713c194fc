"""The hierarchical random masking of masked pose modelling (MPM), batched.

One definition for both data paths: :class:`HierarchicalPoseMask` calls it
on a batch of one in the dataset pipeline, the data preprocessor on a
padded batch. The masks depend on the sequence lengths only, so they are
drawn on the host with numpy whatever the model's device, then copied to
it (one byte a joint): the ~200 small steps of a batch cost ~5x less as
numpy operations than as torch CPU operations (byte-wide comparisons
~10x less), and less than as ~200 GPU kernel launches. Every draw comes
from a numpy generator seeded by one draw of torch's CPU generator, whose
state the RNG state hook saves for an exact resume.
"""
from functools import lru_cache
from typing import Callable, Dict, List, Sequence, Tuple

import numpy as np
import torch

MASK_LEVELS = ('clip', 'frame', 'part', 'joint')
SORT_LIMIT = 2**15  # positions up to which random keys are sorted


def hierarchical_pose_mask(lengths: torch.Tensor,
                           num_frames: int,
                           num_keypoints: int,
                           parts: Sequence[Sequence[int]],
                           ratio: float,
                           level_weights: Dict[str, float],
                           clip_len: Tuple[int, int] = (2, 8)
                           ) -> torch.Tensor:
    """Hide ``round(ratio * T_b * K)`` joints of each real sequence, spread
    over four levels from coarse to fine.

    ``clip``: runs of ``clip_len`` consecutive frames, every joint (the runs
    tile time from a random phase and are taken in random order, the last
    one cut to fit); ``frame``: single frames in random order; ``part``: one
    part in one frame, greedily in random order, a unit that would overshoot
    skipped; ``joint``: a uniform random subset of the free joints that
    fills the remainder, so the overall count is exact. Each level stops at
    its cumulative share (``level_weights``) of the total. Padding frames
    are never masked.

    Args:
        lengths: (B, ) long, real frames of each sequence (<= num_frames).
        num_frames: T, the padded length.
        num_keypoints: K.
        parts: Joint indexes of each part the part level may hide.
        ratio: Overall masking ratio in [0, 1].
        level_weights: Level -> share of the masked joints, summing to 1.
        clip_len: Inclusive range of clip-level run lengths.

    Returns:
        (B, T, K) bool on the device of ``lengths``, True = hidden from the
        encoder.
    """
    rng = np.random.default_rng(
        int(torch.empty((), dtype=torch.int64).random_()))
    lens = lengths.cpu().numpy().astype(np.int64)
    b, t, k = len(lens), num_frames, num_keypoints
    real = np.arange(t) < lens[:, None]  # (B, T)
    target = np.round(ratio * lens * k).astype(np.int64)  # (B, )
    # each level stops at its cumulative share of the target
    goals = np.round(np.array(_cumulative_shares(level_weights))[:, None]
                     * target).astype(np.int64)  # (3, B)
    hidden = _mask_clips(rng, lens, t, goals[0] // k, clip_len)  # (B, T)
    count = hidden.sum(1) * k  # (B, ) masked joints so far
    hidden |= _uniform_subset(rng, hidden, lens, (goals[1] - count) // k,
                              lens - count // k)
    count = hidden.sum(1) * k
    units, in_parts = _mask_parts(rng, real & ~hidden, goals[2] - count,
                                  parts)  # (B, T, P), (B, )
    count += in_parts
    # every joint of a hidden frame and of a taken (frame, part) unit: each
    # joint reads its part's column, a joint of no part the frame's
    covered = np.concatenate([units | hidden[..., None], hidden[..., None]],
                             axis=2)  # (B, T, P + 1)
    column, repeats = _part_runs(tuple(map(tuple, parts)), k)
    # one repeat per run of joints of one part (sign79: 5): ~3x faster than
    # a gather of K columns, and C-ordered (a gather's result is not)
    mask = np.repeat(covered[..., column], repeats, axis=2)  # (B, T, K)
    flat = mask.reshape(b, t * k)  # a view: real joints first in each row
    flat |= _uniform_subset(rng, flat, lens * k, target - count,
                            lens * k - count)
    return torch.from_numpy(mask).to(lengths.device)


def _uniform_subset(rng: np.random.Generator, blocked: np.ndarray,
                    limit: np.ndarray, count: np.ndarray,
                    num_free: np.ndarray) -> np.ndarray:
    """(B, N) bool: a uniform random subset of ``count`` (B, ) of the
    ``num_free`` (B, ) free positions of each row: below ``limit`` (B, )
    and not ``blocked`` (B, N) (``count`` must not exceed them; ``blocked``
    lies below ``limit``).

    Up to :data:`SORT_LIMIT` positions (a sample, a small batch): the free
    positions with the ``count`` smallest random keys. Above it (a batch's
    10^6 joints, where sorting costs tens of ms): every free position is
    kept with one probability ``q_b <= count_b / free_b`` (a random byte
    below a threshold), then a uniform random subset of the kept ones is
    dropped, or of the others added, to reach ``count`` exactly
    (:func:`_toggle_free`, a few dozen positions a row). Conditioned on how
    many it keeps, the first step keeps a uniform subset of that size, so
    the result is uniform too; its cost is a few byte-wide passes a row.
    """
    (b, n), count = blocked.shape, np.maximum(count, 0)
    if b * n <= SORT_LIMIT:
        keys = rng.random((b, n), dtype=np.float32)
        keys[blocked | (np.arange(n) >= limit[:, None])] = 2
        most = int(count.max(initial=0))
        taken = np.zeros((b, n), dtype=bool)
        if most > 0:
            first = np.argpartition(keys, most - 1, axis=1)[:, :most]
            first = np.take(first, _flat(np.take(keys, _flat(
                first, n)).argsort(1), most))  # (B, most) smallest first
            np.put(taken, _flat(first, n), np.arange(most) < count[:, None])
        return taken
    # q = j / 256 two standard deviations under count / free: adding to a
    # row (hit rate ~1 - q) takes far fewer draws than dropping (~q)
    want = np.maximum(count - 2 * np.sqrt(count), 0)
    thr = np.minimum(want * 256 // np.maximum(num_free, 1), 255)
    # raw 64-bit words as bytes: ~3x faster than Generator.bytes
    words = rng.bit_generator.random_raw(-(-b * n // 8))
    kept = words.view(np.uint8)[:b * n].reshape(b, n) < thr.astype(
        np.uint8)[:, None]
    for row, end in enumerate(limit.tolist()):
        kept[row, end:] = False
    np.greater(kept, blocked, out=kept)  # kept and not blocked, one pass
    surplus = _row_counts(kept) - count  # (B, )
    # rows over the count drop some kept positions, rows under it add some
    # (each group draws as much as its own rows need)
    drop = np.flatnonzero(surplus > 0)
    _toggle_free(rng, kept, drop, lambda rows, pos: kept[rows, pos],
                 limit, surplus, (count + surplus) / np.maximum(limit, 1))
    add = np.flatnonzero(surplus < 0)
    _toggle_free(rng, kept, add,
                 lambda rows, pos: ~(kept[rows, pos] | blocked[rows, pos]),
                 limit, -surplus,
                 (num_free - count - surplus) / np.maximum(limit, 1))
    return kept


def _toggle_free(rng: np.random.Generator, target: np.ndarray,
                 rows: np.ndarray,
                 is_free: Callable[[np.ndarray, np.ndarray], np.ndarray],
                 limit: np.ndarray, count: np.ndarray,
                 hit_rate: np.ndarray) -> None:
    """Flip a uniform random subset of ``count`` (B, ) free positions in
    the ``rows`` (R, ) of ``target`` (B, N) bool, in place: positions drawn
    in [0, ``limit``) (B, ) with replacement, free ones kept in draw order
    up to the count (a repeated position counts once, and another round
    fills in); its random draws and work scale with the count, not N. The
    procedure treats every free position alike, so the subset is uniform.

    ``is_free(rows, pos)`` says whether positions (R, D) of rows (R, 1)
    are free, given the flips so far; ``hit_rate`` (B, ) is the free share
    of the span.
    """
    n = target.shape[1]
    short = np.maximum(count, 0)
    rows = rows[short[rows] > 0]
    while len(rows):
        # ~1.5x the draws expected to give ``short`` free hits, + slack
        num = int((short[rows] / np.maximum(hit_rate[rows], 1e-3)).max()
                  * 1.5) + 16
        pos = (rng.random((len(rows), num)) * limit[rows, None]).astype(
            np.int64)  # (R, D)
        keep = is_free(rows[:, None], pos)
        keep &= keep.cumsum(1) <= short[rows, None]
        hit_rows, hit_cols = np.nonzero(keep)
        flat = np.unique(rows[hit_rows] * n + pos[hit_rows, hit_cols])
        target.reshape(-1)[flat] ^= True
        short -= np.bincount(flat // n, minlength=len(short))
        rows = rows[short[rows] > 0]


def _row_counts(mask: np.ndarray) -> np.ndarray:
    """(B, ) int64: True entries of each row of a (B, N) bool array (one
    ``count_nonzero`` a row: ~4x faster than along an axis, or than summing
    the bytes)."""
    return np.array([np.count_nonzero(row) for row in mask], np.int64)


def _cumulative_shares(level_weights: Dict[str, float]) -> List[float]:
    """Cumulative shares of the clip, frame and part levels."""
    shares, total = [], 0.0
    for level in MASK_LEVELS[:-1]:
        total += level_weights.get(level, 0)
        shares.append(total)
    return shares


def _flat(index: np.ndarray, n: int) -> np.ndarray:
    """(B, M) flat positions of the per-row indexes ``index`` (B, M) of a
    C-ordered (B, n) array: ``np.take`` / ``np.put`` through them cost
    ~2.5x less than ``take_along_axis`` / ``put_along_axis``."""
    return index + (np.arange(len(index)) * n)[:, None]


@lru_cache(maxsize=None)
def _part_runs(parts: Tuple[Tuple[int, ...], ...],
               k: int) -> Tuple[np.ndarray, np.ndarray]:
    """The runs of consecutive joints of one part: (R, ) the part of each
    run (``len(parts)`` for joints of no part) and (R, ) its length (made
    once per layout, read only). The parts must not overlap."""
    owner = np.full(k, len(parts))
    for p, idx in enumerate(parts):
        if (owner[list(idx)] != len(parts)).any():
            raise ValueError(f'masking parts overlap: part {p} repeats '
                             'joints of an earlier part')
        owner[list(idx)] = p
    starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    runs = owner[starts], np.diff(np.r_[starts, k])
    for run in runs:
        run.flags.writeable = False
    return runs


def _mask_clips(rng, lens, t, want, clip_len) -> np.ndarray:
    """(B, T) bool: ``min(want, T_b)`` frames in runs of random lengths."""
    b, (lo, hi) = len(lens), clip_len
    num_runs = (t + hi) // lo + 1  # the runs cover [0, t) from any phase
    run_len = rng.integers(lo, hi + 1, (b, num_runs))
    ends = run_len.cumsum(1) - rng.integers(0, hi, (b, 1))
    starts = np.maximum(ends - run_len, 0)  # (B, R)
    inside = np.maximum(np.minimum(ends, lens[:, None]) - starts, 0)
    order = rng.random((b, num_runs)).argsort(1)
    inside_sorted = np.take(inside, _flat(order, num_runs))
    before = inside_sorted.cumsum(1) - inside_sorted
    take = np.empty_like(inside)  # (B, R) frames taken per run
    np.put(take, _flat(order, num_runs), np.minimum(np.maximum(
        np.minimum(want, lens)[:, None] - before, 0), inside_sorted))
    # run r hides [starts_r, starts_r + take_r): +1 / -1 at the bounds
    rows = np.arange(b)[:, None] * (t + 1)
    bounds = np.bincount((rows + np.minimum(starts, t)).ravel(),
                         minlength=b * (t + 1)) - np.bincount(
        (rows + np.minimum(starts + take, t)).ravel(), minlength=b * (t + 1))
    return bounds.reshape(b, t + 1)[:, :t].cumsum(1) > 0


def _mask_parts(rng, free: np.ndarray, budget: np.ndarray,
                parts: Sequence[Sequence[int]]
                ) -> Tuple[np.ndarray, np.ndarray]:
    """(B, T, P) bool: (frame, part) units of free frames taken greedily in a
    random order while the joints they hide stay within ``budget`` (B, );
    and (B, ) the joints they hide.

    Each pass takes the prefix of the still fitting units up to the first
    that overshoots; that unit is larger than what is left, so each pass
    shrinks the largest fitting size, and (distinct sizes + 1) passes are
    the greedy walk. The walk runs over the first ``window`` units of the
    order (the budget's worth of the smallest units and a margin), then,
    only where budget is left for a unit beyond it, over the rest: the
    same walk at a fraction of the work.
    """
    (b, t), p = free.shape, len(parts)
    sizes = np.array([len(i) for i in parts])
    units = np.repeat(free, p, axis=1)  # (B, T * P): unit = frame * P + part
    # free units first, in random order
    keys = rng.random((b, t * p), dtype=np.float32)
    keys[~units] = 2
    order = keys.argsort(1)
    # (B, T * P) unit sizes in the random order, the free ones first
    size_sorted = np.take(np.tile(sizes, t), order)
    avail = np.arange(t * p) < (free.sum(1) * p)[:, None]
    taken = np.zeros_like(avail)
    left = np.maximum(budget, 0)
    window = min(t * p, int(left.max(initial=0)) // max(sizes.min(), 1) + 32)
    for span in (slice(0, window), slice(window, t * p)):
        part_sizes, part_avail = size_sorted[:, span], avail[:, span]
        for _ in range(len(set(sizes.tolist())) + 1):
            fits = part_avail & (part_sizes <= left[:, None])
            if not fits.any():
                break
            sized = np.where(fits, part_sizes, 0)
            new = fits & (sized.cumsum(1) <= left[:, None])
            taken[:, span] |= new
            part_avail &= ~new
            left = left - np.where(new, part_sizes, 0).sum(1)
    out = np.empty_like(taken)
    np.put(out, _flat(order, t * p), taken)
    return out.reshape(b, t, p), np.maximum(budget, 0) - left
