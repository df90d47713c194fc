"""Read per-video ``.npy``/``.npz`` keypoint arrays into the data contract:
the simplest format a custom pose-estimation script can dump."""
from typing import Dict, Optional

import numpy as np


def read_numpy_pose(path: str,
                    width: Optional[float] = None,
                    height: Optional[float] = None,
                    fps: Optional[float] = None,
                    num_keypoints: Optional[int] = 133) -> dict:
    """Keypoints, scores, video size and fps of a (T, K, 3) array of
    x, y (pixels) and score per point.

    A ``.npz`` holds the array under ``keypoints`` (or as its only array)
    and may store ``width``, ``height`` and ``fps`` scalars; a ``.npy`` is
    the array alone. Values stored in the file win over the arguments,
    which fill in what the file lacks.

    Args:
        path (str): The ``.npy`` or ``.npz`` file.
        width, height (float, optional): Video size in pixels.
        fps (float, optional): Frame rate.
        num_keypoints (int, optional): Expected points per frame; ``None``
            accepts any.

    Returns:
        dict: ``keypoints`` (T, K, 2) float32, ``scores`` (T, K) float32,
        ``width``, ``height``, ``fps``.
    """
    meta = {
        key: None if value is None else float(value)
        for key, value in dict(width=width, height=height, fps=fps).items()
    }
    try:
        arrays = _load(path)
    except Exception as e:  # numpy and zipfile raise a dozen kinds
        # (struct, tokenize, zlib, 'encrypted' ...) on damaged bytes
        raise ValueError(f'{path}: not a readable .npy/.npz file ({e})') from e
    for key in meta:
        if key in arrays:
            meta[key] = _scalar(arrays.pop(key), path, key)
    if 'keypoints' in arrays:
        array = arrays['keypoints']
    elif len(arrays) == 1:
        array = next(iter(arrays.values()))
    else:
        raise ValueError(f'{path}: no field "keypoints" among the arrays '
                         f'{sorted(arrays)}, expected it or a single array')
    if not _is_real(array):
        raise ValueError(f'{path}: field "keypoints" has dtype {array.dtype}, '
                         'expected numbers')
    if array.ndim != 3 or array.shape[-1] != 3:
        raise ValueError(f'{path}: field "keypoints" has shape '
                         f'{array.shape}, expected (T, K, 3) = x, y, score')
    if num_keypoints is not None and array.shape[1] != num_keypoints:
        raise ValueError(f'{path}: field "keypoints" has {array.shape[1]} '
                         f'points per frame, expected {num_keypoints}')
    missing = [k for k, v in meta.items() if v is None]
    if missing:
        raise ValueError(f'{path}: field "{missing[0]}" is neither stored in '
                         'the file nor given')
    # values beyond float32 become inf here; the sample check rejects them
    with np.errstate(over='ignore'):
        array = array.astype(np.float32)
    return dict(
        keypoints=np.ascontiguousarray(array[..., :2]),
        scores=np.ascontiguousarray(array[..., 2]),
        **meta)


def _load(path: str) -> Dict[str, np.ndarray]:
    """The arrays of a file by name; a ``.npy`` is named ``keypoints``."""
    data = np.load(path, allow_pickle=False)
    if not isinstance(data, np.lib.npyio.NpzFile):
        return dict(keypoints=data)
    with data:
        return {k: data[k] for k in data.files}


def _scalar(value: np.ndarray, path: str, key: str) -> float:
    if value.size != 1 or not _is_real(value):
        raise ValueError(f'{path}: field "{key}" is a {value.dtype} array of '
                         f'shape {value.shape}, expected a number')
    return float(value.reshape(()))


def _is_real(array: np.ndarray) -> bool:
    """Integers or floats: not bool, complex, strings, dates or objects."""
    return array.dtype.kind in 'iuf'
