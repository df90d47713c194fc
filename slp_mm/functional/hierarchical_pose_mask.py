"""The hierarchical random masking of masked pose modelling (MPM), batched.

One definition for both data paths: :class:`HierarchicalPoseMask` calls it
on a batch of one in the dataset pipeline, the data preprocessor on a
padded batch on the model's device. Draws come from torch's generator of
that device, whose state the RNG state hook saves for an exact resume.
"""
from typing import Callable, Dict, List, Sequence, Tuple

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
    real = torch.arange(t, device=dev) < lengths[:, None]  # (B, T)
    target = torch.round(ratio * lengths.double() * k).long()  # (B, )
    # each level stops at its cumulative share of the target
    shares = torch.tensor(_cumulative_shares(level_weights),
                          dtype=torch.double, device=dev)
    goals = dict(zip(MASK_LEVELS[:-1],
                     torch.round(shares[:, None] * target).long()))
    hidden = _mask_clips(lengths, real, goals['clip'] // k, clip_len)
    count = hidden.sum(1) * k  # (B, ) masked joints so far
    free = real & ~hidden
    hidden |= _take_random(
        lambda pos: free.gather(1, pos),
        lambda num: _draw_below(lengths, num), (goals['frame'] - count) // k,
        1 - count / (lengths * k).clamp(min=1), t)
    count = hidden.sum(1) * k
    units, in_parts = _mask_parts(real & ~hidden, goals['part'] - count,
                                  parts)  # (B, T, P), (B, )
    # (frame, part) units -> joints: a bool op per part on its joints (a
    # slice where consecutive), ~3x cheaper than a membership matmul
    free = (real & ~hidden)[..., None].expand(b, t, k).clone()  # (B, T, K)
    for p, idx in enumerate(parts):
        free[..., joint_index(idx, dev)] &= ~units[..., p, None]
    count = count + in_parts
    joints = _take_random(lambda pos: free.view(b, -1).gather(1, pos),
                          lambda num: _draw_below(lengths * k, num),
                          target - count,
                          1 - count / (lengths * k).clamp(min=1), t * k)
    # hidden: every real joint not free, and the joint level's
    return free.logical_not_().logical_and_(real[..., None]).logical_or_(
        joints.view(b, t, k))


def _argsort_rows(keys: torch.Tensor) -> torch.Tensor:
    """(B, N) long: the indexes that sort each row of ``keys`` ascending.

    Hand-written for CPU tensors, which numpy sorts: torch's CPU sort takes
    ~4x longer on rows of a few hundred keys (a batch's (frame, part) units:
    ~1 ms of the ~7 ms masking of a batch of 64). Tie order is unspecified,
    as with ``Tensor.argsort``.
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


def _draw_below(limit: torch.Tensor, num: int) -> torch.Tensor:
    """(B, num) long: uniform random integers in [0, limit_b) per row."""
    pos = (torch.rand(limit.shape[0], num, device=limit.device)
           * limit[:, None]).long()
    return pos.minimum((limit - 1).clamp(min=0)[:, None])


def _positions(b: int, n: int, dev) -> torch.Tensor:
    """(B, N) long: 0 .. N - 1 in every row."""
    return torch.arange(n, device=dev).expand(b, n).contiguous()


def _mask_clips(lengths, real, want, clip_len):
    """(B, T) bool: ``min(want, T_b)`` frames in runs of random lengths."""
    (b, t), dev = real.shape, real.device
    lo, hi = clip_len
    num_runs = (t + hi) // lo + 1  # the runs cover [0, t) from any phase
    run_len = torch.randint(lo, hi + 1, (b, num_runs), device=dev)
    ends = run_len.cumsum(1) - torch.randint(0, hi, (b, 1), device=dev)
    starts = (ends - run_len).clamp(min=0)  # (B, R)
    inside = (ends.minimum(lengths[:, None]) - starts).clamp(min=0)
    order = _argsort_rows(torch.rand(b, num_runs, device=dev))
    inside_sorted = inside.gather(1, order)
    before = inside_sorted.cumsum(1) - inside_sorted
    take = torch.zeros_like(inside).scatter_(
        1, order, (want.minimum(lengths)[:, None] - before).clamp(
            min=0).minimum(inside_sorted))  # (B, R) frames taken per run
    run = torch.searchsorted(ends, _positions(b, t, dev),
                             right=True).clamp(max=num_runs - 1)  # (B, T)
    return (_positions(b, t, dev) - starts.gather(1, run)
            < take.gather(1, run)) & real


def _take_random(is_free: Callable[[torch.Tensor], torch.Tensor],
                 draw: Callable[[int], torch.Tensor], count: torch.Tensor,
                 hit_rate: torch.Tensor, size: int) -> torch.Tensor:
    """(B, N = size) bool: a uniform random subset of ``count`` (B, ) free
    positions of each row (count <= the free positions).

    ``draw(D)`` gives (B, D) uniform random positions of each row's span,
    ``is_free`` maps them to (B, D) bool, ``hit_rate`` (B, ) is the free
    share of the span. Positions are drawn with replacement and free ones
    kept in draw order until the count is reached (repeats of one position
    make a round fall short, and another round fills in). The procedure
    treats every free position alike, so the subset is uniform; its random
    draws and work scale with the count, not N: sorting N random keys per
    row costs ~40 ms for a batch's 10^6 joints on a CPU core. Up to
    :data:`SORT_LIMIT` positions (a sample, a small batch) the free
    positions with the ``count`` smallest random keys are taken: fewer
    operations, the same distribution.
    """
    b, dev = count.shape[0], count.device
    if b * size <= SORT_LIMIT:  # few positions: the smallest random keys
        keys = torch.rand(b, size, device=dev).masked_fill_(
            ~is_free(_positions(b, size, dev)), 2)
        most = int(count.max())
        if most <= 0:
            return torch.zeros((b, size), dtype=torch.bool, device=dev)
        first = keys.topk(most, 1, largest=False).indices  # (B, most) sorted
        return torch.zeros((b, size), dtype=torch.bool, device=dev).scatter_(
            1, first, _positions(b, most, dev) < count[:, None])
    taken = torch.zeros((b, size), dtype=torch.uint8, device=dev)
    short = count.clamp(min=0)
    while bool((short > 0).any()):
        # ~1.3x the draws expected to give ``short`` free hits, + slack
        num = int((short / hit_rate.clamp(min=1e-3)).max() * 1.3) + 16
        pos = draw(num)  # (B, D)
        keep = is_free(pos) & (taken.gather(1, pos) == 0)
        keep &= keep.cumsum(1) <= short[:, None]
        taken.scatter_add_(1, pos, keep.to(torch.uint8))
        # a position kept c times this round adds c * 1 / c
        repeats = taken.gather(1, pos).clamp(min=1).float()
        short = short - (keep / repeats).sum(1).round().long()
    return taken != 0


def _mask_parts(free: torch.Tensor, budget: torch.Tensor,
                parts: Sequence[Sequence[int]]
                ) -> Tuple[torch.Tensor, torch.Tensor]:
    """(B, T, P) bool: (frame, part) units of free frames taken greedily in a
    random order while the joints they hide stay within ``budget`` (B, );
    and (B, ) the joints they hide.

    Each pass takes the prefix of the still fitting units up to the first
    that overshoots; that unit is larger than what is left, so each pass
    shrinks the largest fitting size, and P + 1 passes are the greedy walk.
    """
    (b, t), dev, p = free.shape, free.device, len(parts)
    sizes = torch.tensor([len(i) for i in parts], device=dev).repeat(t)
    units = free[..., None].expand(b, t, p).reshape(b, t * p)
    order = _argsort_rows(
        torch.rand(b, t * p, device=dev).masked_fill_(~units, 2))
    size_sorted = sizes[order]  # (B, T * P) in the random order
    cand = units.gather(1, order)
    taken, left = torch.zeros_like(cand), budget
    for _ in range(p + 1):
        fits = cand & ~taken & (size_sorted <= left[:, None])
        if not fits.any():
            break
        new = fits & ((size_sorted * fits).cumsum(1) <= left[:, None])
        taken |= new
        left = left - (size_sorted * new).sum(1)
    units = torch.zeros_like(taken).scatter_(1, order, taken)
    return units.view(b, t, p), budget - left
