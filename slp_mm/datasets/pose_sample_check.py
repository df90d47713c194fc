"""One definition of a usable pose sample, shared by the corpus writer (which
refuses or skips bad input) and the dataset pipeline (which skips it)."""
from typing import Optional

import numpy as np


class InvalidSampleError(ValueError):
    """A sample that cannot be used; the message names the sample and field."""


def find_sample_problem(sample: dict,
                        num_keypoints: int,
                        max_frames: Optional[int] = None) -> Optional[str]:
    """Describe what is wrong with a sample, or return ``None`` if usable.

    Checks the data contract: ``keypoints`` (T, K, 2) finite floats and
    ``scores`` (T, K) with ``T > 0`` and ``K == num_keypoints``; a ``text`` that
    is present must be a non-blank UTF-8 string.
    """
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
    n_bad = int(np.count_nonzero(~np.isfinite(kpts)))
    if n_bad:
        return f"field 'keypoints' has {n_bad} NaN/inf values"
    n_bad = int(np.count_nonzero(~np.isfinite(scores)))
    if n_bad:
        return f"field 'scores' has {n_bad} NaN/inf values"
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
