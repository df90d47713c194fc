"""The hierarchical random masking of masked pose modelling (MPM), batched.

One definition for both data paths: :class:`HierarchicalPoseMask` calls it
on a batch of one in the dataset pipeline, the data preprocessor on a
padded batch on the model's device. Every draw is a function of torch's
generator of that device, whose state the RNG state hook saves for an exact
resume (see :class:`RandomDraws`).
"""
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch

from .normalize_parts import joint_index

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
        (B, T, K) bool, True = hidden from the encoder.
    """
    dev, b, t, k = lengths.device, lengths.shape[0], num_frames, num_keypoints
    draws = RandomDraws(dev)
    real = torch.arange(t, device=dev) < lengths[:, None]  # (B, T)
    target = torch.round(ratio * lengths.double() * k).long()  # (B, )
    # each level stops at its cumulative share of the target
    shares = torch.tensor(_cumulative_shares(level_weights),
                          dtype=torch.double, device=dev)
    goals = dict(zip(MASK_LEVELS[:-1],
                     torch.round(shares[:, None] * target).long()))
    hidden = _mask_clips(lengths, real, goals['clip'] // k, clip_len,
                         draws)  # (B, T)
    count = hidden.sum(1) * k  # (B, ) masked joints so far
    hidden |= uniform_subset(hidden, lengths, (goals['frame'] - count) // k,
                             draws)
    count = hidden.sum(1) * k
    units, in_parts = _mask_parts(real & ~hidden, goals['part'] - count,
                                  parts, draws)  # (B, T, P), (B, )
    count = count + in_parts
    # every joint of a hidden frame and of a taken (frame, part) unit
    mask = hidden[..., None].expand(b, t, k).clone()  # (B, T, K)
    for p, idx in enumerate(parts):
        mask[..., joint_index(idx, dev)] |= units[..., p, None]
    flat = mask.view(b, t * k)  # real joints first in each row
    return flat.logical_or_(
        uniform_subset(flat, lengths * k, target - count, draws,
                       lengths * k - count)).view(b, t, k)


def uniform_subset(blocked: torch.Tensor,
                   limit: torch.Tensor,
                   count: torch.Tensor,
                   draws: 'RandomDraws',
                   num_free: Optional[torch.Tensor] = None) -> torch.Tensor:
    """(B, N) bool: a uniform random subset of ``count`` (B, ) of the free
    positions of each row: below ``limit`` (B, ) and not ``blocked`` (B, N)
    (``count`` must not exceed them; ``blocked`` lies below ``limit``).
    ``num_free`` (B, ), their number where the caller knows it, saves a
    pass.

    Up to :data:`SORT_LIMIT` positions (a sample, a small batch): the free
    positions with the ``count`` smallest random keys. Above it (a batch's
    10^6 joints, where sorting costs ~40 ms on a CPU core): every free
    position is kept with one probability ``q_b <= count_b / free_b`` (a
    random byte below a threshold), then a uniform random subset of the kept
    ones is dropped, or of the others added, to reach ``count`` exactly
    (:func:`_draw_free` on both kinds of rows at once, a few dozen
    positions a row). Conditioned on how
    many it keeps, the first step keeps a uniform subset of that size, so
    the result is uniform too; its cost is a few byte-wide passes a row.
    """
    (b, n), dev = blocked.shape, blocked.device
    count = count.clamp(min=0)
    if b * n <= SORT_LIMIT:
        free = torch.arange(n, device=dev) < limit[:, None]  # (B, N)
        free &= ~blocked
        keys = draws.uniform(b, n).to(dev).masked_fill_(~free, 2)
        most = int(count.max())
        if most <= 0:
            return torch.zeros((b, n), dtype=torch.bool, device=dev)
        first = keys.topk(most, 1, largest=False).indices  # (B, most) sorted
        return torch.zeros((b, n), dtype=torch.bool, device=dev).scatter_(
            1, first, torch.arange(most, device=dev) < count[:, None])
    if num_free is None:
        num_free = limit - _row_counts(blocked)  # (B, )
    # q = j / 256 two standard deviations under count / free: adding to a
    # row (hit rate ~1 - q) takes far fewer draws than dropping (~q)
    want = (count - 2 * count.sqrt()).clamp(min=0)
    thr = (want * 256 // num_free.clamp(min=1)).long().clamp(max=255)
    kept = draws.bernoulli_rows(thr, limit, n)
    kept &= ~blocked
    surplus = _row_counts(kept) - count  # (B, )
    # rows over the count drop some kept positions, rows under it add some
    drop = surplus > 0

    def toggles(pos):  # (B, D) positions -> (B, D) bool
        was = kept.gather(1, pos)
        return torch.where(drop[:, None], was,
                           ~(was | blocked.gather(1, pos)))

    on = torch.where(drop, count + surplus, num_free - count - surplus)
    return kept.logical_xor_(_draw_free(toggles, limit, surplus.abs(),
                                        on / limit.clamp(min=1), n, draws))


def _row_counts(mask: torch.Tensor) -> torch.Tensor:
    """(B, ) long: True entries of each row of a (B, N) bool tensor. numpy
    sums a CPU tensor's bytes: torch's CPU ``sum`` converts the bools
    first and takes ~8x longer."""
    if mask.device.type == 'cpu':
        return torch.from_numpy(np.add.reduce(
            mask.numpy().view(np.uint8), axis=1, dtype=np.int64))
    return mask.sum(1)


class RandomDraws:
    """Random numbers for one mask, each a function of torch's generator of
    ``device`` and its state.

    On CPU the bulk draws come from a numpy generator seeded by one draw of
    torch's CPU generator: numpy's PCG64 gives random bytes ~5x and uniform
    floats ~1.6x faster than torch's CPU generator (a batch's 5 * 10^5
    joint bytes: 0.15 vs 0.8 ms), and the seed keeps every mask replayable
    from torch's state (which ``RNGStateHook`` saves). Other devices draw
    with torch on the device.
    """

    def __init__(self, device: torch.device):
        self.device = device
        self.numpy = None
        if device.type == 'cpu':
            seed = int(torch.empty((), dtype=torch.int64).random_())
            self.numpy = np.random.default_rng(seed)

    def uniform(self, *shape: int) -> torch.Tensor:
        """float32 uniform in [0, 1)."""
        if self.numpy is None:
            return torch.rand(shape, device=self.device)
        return torch.from_numpy(self.numpy.random(shape, dtype=np.float32))

    def integers(self, low: int, high: int, *shape: int) -> torch.Tensor:
        """int64 uniform in [low, high)."""
        if self.numpy is None:
            return torch.randint(low, high, shape, device=self.device)
        return torch.from_numpy(self.numpy.integers(low, high, shape))

    def below(self, limit: torch.Tensor, num: int) -> torch.Tensor:
        """(B, num) int64: uniform in [0, limit_b) per row (0 where
        ``limit`` (B, ) is 0)."""
        if self.numpy is None:
            pos = (torch.rand(len(limit), num, device=self.device)
                   * limit[:, None]).long()
            return pos.minimum((limit - 1).clamp(min=0)[:, None])
        # float64 keys: a bias below 2^-30 at these spans, ~2x faster than
        # numpy's integers with a bound per row
        keys = self.numpy.random((len(limit), num))
        return torch.from_numpy(
            (keys * limit.numpy()[:, None]).astype(np.int64))

    def bernoulli_rows(self, threshold: torch.Tensor, limit: torch.Tensor,
                       n: int) -> torch.Tensor:
        """(B, n) bool: below ``limit`` (B, ) True with probability
        ``threshold / 256`` (B, ) long in [0, 255], from ``limit`` on
        False. On CPU numpy compares the random bytes (~10x faster than
        torch's CPU comparison)."""
        b = len(threshold)
        if self.numpy is None:
            kept = torch.randint(0, 256, (b, n), dtype=torch.uint8,
                                 device=self.device) < threshold.to(
                                     torch.uint8)[:, None]
            return kept & (torch.arange(n, device=self.device)
                           < limit[:, None])
        # raw 64-bit words as bytes: ~3x faster than Generator.bytes
        words = self.numpy.bit_generator.random_raw(-(-b * n // 8))
        kept = words.view(np.uint8)[:b * n].reshape(b, n) < (
            threshold.numpy().astype(np.uint8)[:, None])
        for row, end in enumerate(limit.tolist()):
            kept[row, end:] = False
        return torch.from_numpy(kept)


def _argsort_rows(keys: torch.Tensor) -> torch.Tensor:
    """(B, N) long: the indexes that sort each row of ``keys`` ascending.

    Hand-written for CPU tensors, which numpy sorts: torch's CPU sort takes
    ~4x longer on rows of a few hundred keys (a batch's (frame, part)
    units). Tie order is unspecified, as with ``Tensor.argsort``.
    """
    if keys.device.type == 'cpu':
        return torch.from_numpy(keys.numpy().argsort(1))
    return keys.argsort(1)


def _cumulative_shares(level_weights: Dict[str, float]) -> List[float]:
    """Cumulative shares of the clip, frame and part levels."""
    shares, total = [], 0.0
    for level in MASK_LEVELS[:-1]:
        total += level_weights.get(level, 0)
        shares.append(total)
    return shares


def _mask_clips(lengths, real, want, clip_len, draws):
    """(B, T) bool: ``min(want, T_b)`` frames in runs of random lengths."""
    (b, t), dev = real.shape, real.device
    lo, hi = clip_len
    num_runs = (t + hi) // lo + 1  # the runs cover [0, t) from any phase
    run_len = draws.integers(lo, hi + 1, b, num_runs).to(dev)
    ends = run_len.cumsum(1) - draws.integers(0, hi, b, 1).to(dev)
    starts = (ends - run_len).clamp(min=0)  # (B, R)
    inside = (ends.minimum(lengths[:, None]) - starts).clamp(min=0)
    order = _argsort_rows(draws.uniform(b, num_runs))
    inside_sorted = inside.gather(1, order)
    before = inside_sorted.cumsum(1) - inside_sorted
    take = torch.zeros_like(inside).scatter_(
        1, order, (want.minimum(lengths)[:, None] - before).clamp(
            min=0).minimum(inside_sorted))  # (B, R) frames taken per run
    positions = torch.arange(t, device=dev).expand(b, t).contiguous()
    run = torch.searchsorted(ends, positions,
                             right=True).clamp(max=num_runs - 1)  # (B, T)
    return (positions - starts.gather(1, run) < take.gather(1, run)) & real


def _draw_free(is_free: Callable[[torch.Tensor], torch.Tensor],
               limit: torch.Tensor, count: torch.Tensor,
               hit_rate: torch.Tensor, size: int,
               draws: 'RandomDraws') -> torch.Tensor:
    """(B, N = size) bool: a uniform random subset of ``count`` (B, ) free
    positions of each row, drawn in [0, ``limit``) (B, ) with replacement;
    its random draws and work scale with the count, not N.

    ``is_free`` maps (B, D) positions to (B, D) bool; ``hit_rate`` (B, ) is
    the free share of the span. Free positions are kept in draw order until
    the count is reached (repeats of one position make a round fall short,
    and another round fills in). The procedure treats every free position
    alike, so the subset is uniform.
    """
    b, dev = count.shape[0], count.device
    taken = torch.zeros((b, size), dtype=torch.uint8, device=dev)  # kept
    short = count.clamp(min=0)
    while bool((short > 0).any()):
        # ~1.5x the draws expected to give ``short`` free hits, + slack
        num = int((short / hit_rate.clamp(min=1e-3)).max() * 1.5) + 16
        pos = draws.below(limit, num)  # (B, D)
        keep = is_free(pos) & (taken.gather(1, pos) == 0)
        keep &= keep.cumsum(1) <= short[:, None]
        taken.scatter_add_(1, pos, keep.to(torch.uint8))
        # a position kept c times this round adds c * 1 / c
        repeats = taken.gather(1, pos).clamp(min=1).float()
        short = short - (keep / repeats).sum(1).round().long()
    return taken.clamp_(max=1).view(torch.bool)


def _mask_parts(free: torch.Tensor, budget: torch.Tensor,
                parts: Sequence[Sequence[int]], draws: 'RandomDraws'
                ) -> Tuple[torch.Tensor, torch.Tensor]:
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
    (b, t), dev, p = free.shape, free.device, len(parts)
    sizes = torch.tensor([len(i) for i in parts], device=dev)
    units = free[..., None].expand(b, t, p).reshape(b, t * p)
    # free units first, in random order
    order = _argsort_rows(draws.uniform(b, t * p).to(dev).masked_fill_(
        ~units, 2))
    # (B, T * P) unit sizes in the random order
    size_sorted = sizes.repeat(t).expand(b, t * p).gather(1, order)
    avail = units.gather(1, order)
    taken = torch.zeros_like(avail)
    left = budget.clamp(min=0)
    num_sizes = len({len(i) for i in parts})
    window = min(t * p, int(left.max()) // max(int(sizes.min()), 1) + 32)
    for span in (slice(0, window), slice(window, t * p)):
        part_sizes, part_avail = size_sorted[:, span], avail[:, span]
        part_taken = taken[:, span]
        for _ in range(num_sizes + 1):
            fits = part_avail & (part_sizes <= left[:, None])
            if not bool(fits.any()):
                break
            sized = part_sizes * fits
            new = fits & (sized.cumsum(1) <= left[:, None])
            part_taken |= new
            part_avail &= ~new
            left = left - (part_sizes * new).sum(1)
    units = torch.zeros_like(taken).scatter_(1, order, taken)
    return units.view(b, t, p), budget.clamp(min=0) - left
