"""What a fuzz case may end in, checked and counted.

A reader given damaged input either returns data that meets the data
contract or raises one of the documented exception types with the file named
in the message; anything else (``IndexError``, ``KeyError``,
``struct.error``, a bare ``UnicodeDecodeError`` or ``JSONDecodeError`` that
names no file ...) fails the test. :data:`CASES` counts the outcomes per
target for the session summary (conftest.py).
"""
import json
from collections import Counter, defaultdict
from typing import Callable, Optional, Tuple, Type

import numpy as np

# target -> outcome -> number of cases
CASES = defaultdict(Counter)

# ValueError subclasses raised by library internals, whose message names no
# file: a reader must wrap them
RAW_VALUE_ERRORS = (UnicodeDecodeError, json.JSONDecodeError)


def count(target: str, outcome: str, n: int = 1) -> None:
    CASES[target][outcome] += n


def read_or_refuse(target: str,
                   read: Callable,
                   path: str,
                   errors: Tuple[Type[Exception], ...] = (ValueError, )
                   ) -> Optional[object]:
    """``read()``'s result, or ``None`` if it refused the input with one of
    ``errors`` naming ``path``."""
    try:
        result = read()
    except errors as e:
        assert not isinstance(e, RAW_VALUE_ERRORS), \
            f'raw {type(e).__name__} leaked: {e}'
        assert path in str(e), f'{type(e).__name__} does not name {path}: {e}'
        count(target, 'refused')
        return None
    count(target, 'read')
    return result


def assert_pose_contract(pose: dict, num_keypoints: int = 133) -> None:
    """The reader output contract: (T, K, 2) keypoints and (T, K) scores,
    float32, and the video size and fps as floats."""
    kpts, scores = pose['keypoints'], pose['scores']
    assert kpts.dtype == np.float32 and scores.dtype == np.float32
    assert kpts.ndim == 3 and kpts.shape[1:] == (num_keypoints, 2)
    assert scores.shape == kpts.shape[:2]
    for key in ('width', 'height', 'fps'):
        assert isinstance(pose[key], float), key
