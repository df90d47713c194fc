"""One definition of a usable pose sample, shared by the corpus writer (which
refuses or skips bad input) and the dataset pipeline (which skips it)."""
import math
from typing import Optional

import numpy as np

# no video is a million pixels wide and no detector scores that high: a
# larger keypoint coordinate or score is corrupt data, and would overflow
# float32 in normalisation and the model
MAX_ABS_VALUE = 1e6
# a score is a confidence in [0, 1] (0 = missing), but estimators overshoot
# 1 (on the shared real clips: MMPose whole-body up to 1.06, OpenPose 1.006)
# and float32 rounding can land a hair below 0: scores in [-SCORE_TOLERANCE,
# MAX_SCORE] pass here and the corpus writer clips them onto [0, 1]
# (counted in the manifest's num_scores_clipped); anything further out is a
# score of another scale or corrupt data, and is refused
SCORE_TOLERANCE = 1e-6
MAX_SCORE = 1.5
# the version of what find_sample_problem accepts, recorded by the corpus
# writer for the shards it checked: raise it whenever the check accepts
# less, so that shards checked by an older definition are checked again
CONTRACT_VERSION = 1


class InvalidSampleError(ValueError):
    """A sample that cannot be used; the message names the sample and field."""


def find_sample_problem(sample: dict,
                        num_keypoints: int,
                        max_frames: Optional[int] = None) -> Optional[str]:
    """Describe what is wrong with a sample, or return ``None`` if usable.

    Checks the data contract: ``keypoints`` (T, K, 2) and ``scores``
    (T, K), finite numbers within :data:`MAX_ABS_VALUE`, scores in
    [-:data:`SCORE_TOLERANCE`, :data:`MAX_SCORE`], with ``T > 0`` and
    ``K == num_keypoints``; a ``width`` / ``height`` that is present must be
    a finite size of at least one pixel, an ``fps`` a finite positive rate,
    a ``text`` a non-blank UTF-8 string.
    """
    problem = find_shape_problem(sample, num_keypoints, max_frames)
    if problem is not None:
        return problem
    kpts = np.asarray(sample['keypoints'])
    scores = np.asarray(sample['scores'])
    ranges = {}  # field -> (min, max): one pass each, reused below
    for key, array in (('keypoints', kpts), ('scores', scores)):
        if array.dtype.kind not in 'iuf':
            return f'field {key!r} has dtype {array.dtype}, expected numbers'
        # a clean array (every training sample) costs two reductions, not
        # five passes with temporaries: NaN fails both comparisons
        if not array.size:
            continue
        # Python floats: numpy scalar comparisons cost ~1 us each
        ranges[key] = lo, hi = float(array.min()), float(array.max())
        if -MAX_ABS_VALUE <= lo and hi <= MAX_ABS_VALUE:
            continue
        n_bad = int(np.count_nonzero(~np.isfinite(array)))
        if n_bad:
            return f'field {key!r} has {n_bad} NaN/inf values'
        n_bad = int(np.count_nonzero(np.abs(array) > MAX_ABS_VALUE))
        if n_bad:
            return (f'field {key!r} has {n_bad} values beyond '
                    f'+-{MAX_ABS_VALUE:g}')
    lo, hi = ranges.get('scores', (0, 0))
    if not (-SCORE_TOLERANCE <= lo and hi <= MAX_SCORE):
        n_bad = int(np.count_nonzero((scores < -SCORE_TOLERANCE)
                                     | (scores > MAX_SCORE)))
        return (f"field 'scores' has {n_bad} values outside [0, "
                f'{MAX_SCORE:g}] (from {lo:g} to {hi:g}), expected '
                'confidences')
    for key in ('width', 'height'):
        value = sample.get(key)
        if value is None or (type(value) in (int, float)
                             and 1 <= value < math.inf):
            continue  # the corpus reader's Python numbers: no numpy
        size = np.asarray(value)
        if not (size.ndim == 0 and size.dtype.kind in 'iuf'
                and 1 <= size < np.inf):
            return (f'field {key!r} is {value!r}, expected a size of '
                    'at least 1 pixel')
    fps = sample.get('fps')
    if fps is not None and not (type(fps) in (int, float)
                                and 0 < fps < math.inf):
        rate = np.asarray(fps)
        if not (rate.ndim == 0 and rate.dtype.kind in 'iuf'
                and 0 < rate < np.inf):
            return (f"field 'fps' is {fps!r}, expected a positive "
                    'frame rate')
    text = sample.get('text')
    if text is not None:
        if isinstance(text, bytes):
            try:
                text = text.decode('utf-8')
            except UnicodeDecodeError as e:
                return f"field 'text' is not valid UTF-8 ({e})"
        if not isinstance(text, str):
            return f"field 'text' is {type(text).__name__}, expected str"
        if not text.strip():
            return "field 'text' is empty (use text=None for unpaired data)"
    return None


def find_shape_problem(sample: dict,
                       num_keypoints: int,
                       max_frames: Optional[int] = None) -> Optional[str]:
    """The shape part of :func:`find_sample_problem` (what a pipeline may
    ask beyond the corpus writer: its keypoint count and frame limit),
    without reading a value: all a row of a shard the writer checked and
    whose SHA-256 was verified needs (:class:`CheckPoseSample`)."""
    kpts = np.asarray(sample.get('keypoints'))
    scores = np.asarray(sample.get('scores'))
    if kpts.ndim != 3 or kpts.shape[-1] != 2:
        return f"field 'keypoints' has shape {kpts.shape}, expected (T, K, 2)"
    if kpts.shape[0] == 0:
        return "field 'keypoints' has zero frames"
    if max_frames is not None and kpts.shape[0] > max_frames:
        return (f"field 'keypoints' has {kpts.shape[0]} frames, more than "
                f'the limit of {max_frames}')
    if kpts.shape[1] != num_keypoints:
        return (f"field 'keypoints' has {kpts.shape[1]} keypoints per frame, "
                f'expected {num_keypoints}')
    if scores.shape != kpts.shape[:2]:
        return (f"field 'scores' has shape {scores.shape}, expected "
                f'{kpts.shape[:2]}')
    return None
