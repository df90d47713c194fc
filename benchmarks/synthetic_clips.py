"""Synthetic clips shared by the benchmarks: a paper-like length
distribution and random COCO-WholeBody 133 keypoints.

The keypoint values are random, not the stick figure of
:mod:`slp_mm.corpus.synthetic_sign_corpus`: that renderer costs ~0.5 ms per
frame, too slow for 10^5 clips, and neither storage nor the pose transforms
cost more or less with the values.
"""
import numpy as np

NUM_KEYPOINTS = 133
CLIP_TEXT = 'This word is apple.'  # the tokenizer is trained on it alone


def paper_like_lengths(n, seed=0):
    """(n, ) frames like SL-1.5M's: ~75% of 25-100 frames, ~20% of
    100-300, ~5% of 300-600 (median ~60, mean ~103)."""
    rng = np.random.default_rng(seed)
    part = rng.choice(3, n, p=[0.75, 0.2, 0.05])
    short = 25 + rng.gamma(2.0, 15.0, n).clip(0, 75)
    mid = rng.uniform(100, 300, n)
    long = rng.uniform(300, 600, n)
    return np.choose(part, [short, mid, long]).astype(np.int64)


def clip_bytes(lengths):
    """float32 bytes of the keypoints (T, K, 2) and scores (T, K) of clips
    of these lengths."""
    return int(np.sum(lengths)) * NUM_KEYPOINTS * 3 * 4


def random_clips(lengths, seed=0):
    """Yield one data-contract sample dict per length, in a 640x480 frame."""
    rng = np.random.default_rng(seed)
    for i, t in enumerate(lengths):
        t = int(t)
        yield dict(
            id=f'clip-{i:07d}',
            keypoints=640 * rng.random((t, NUM_KEYPOINTS, 2),
                                       dtype=np.float32),
            scores=rng.random((t, NUM_KEYPOINTS), dtype=np.float32),
            width=640,
            height=480,
            fps=25.0,
            text=CLIP_TEXT,
            language='en')
