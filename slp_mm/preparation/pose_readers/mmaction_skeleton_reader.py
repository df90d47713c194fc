"""Read mmaction2 skeleton annotation pickles into the data contract.

mmaction2 stores 2D skeletons as a pickle: a dict ``{'split': ...,
'annotations': [...]}`` or the bare list, one annotation per clip with
``frame_dir`` (the clip id), ``img_shape`` (height, width), ``keypoint``
(M, T, V, 2) and ``keypoint_score`` (M, T, V) for M people. Unpickling
runs whatever code the file names, so only the globals numpy needs to
rebuild arrays are allowed.
"""
import pickle
from typing import List

import numpy as np

from .main_signer import box_prominence, keypoint_box

NUM_KEYPOINTS = 133
# the smallest positive float32: keypoint_box keeps the points scoring at
# least this, i.e. the visible ones (score > 0)
VISIBLE_SCORE = np.nextafter(np.float32(0), np.float32(1))
# the globals pickles of numpy arrays, dtypes and scalars name: numpy 1.x
# (numpy.core) or 2.x (numpy._core); protocol 2 stores the array bytes
# through _codecs.encode, protocol 5 rebuilds them with _frombuffer
ALLOWED_GLOBALS = {
    (module, name)
    for core in ('numpy.core', 'numpy._core')
    for module, name in ((f'{core}.multiarray', '_reconstruct'),
                         (f'{core}.multiarray', 'scalar'),
                         (f'{core}.numeric', '_frombuffer'))
} | {('numpy', 'ndarray'), ('numpy', 'dtype'), ('_codecs', 'encode')}


class _NumpyOnlyUnpickler(pickle.Unpickler):
    """An unpickler that rebuilds numpy arrays and plain Python values and
    refuses every other global (``os.system``, ``builtins.eval``...)."""

    def find_class(self, module: str, name: str):
        if (module, name) not in ALLOWED_GLOBALS:
            raise pickle.UnpicklingError(
                f'refused global {module}.{name}: a skeleton annotation '
                'pickle may only hold numpy arrays and plain Python values')
        return super().find_class(module, name)


def read_mmaction_skeleton(path: str, fps: float) -> List[dict]:
    """Keypoints and scores of the main signer of every clip in an mmaction2
    skeleton annotation pickle.

    The main signer is the person whose keypoint box is largest and most
    central summed over the clip (as for MMPose predictions); mmaction2
    keeps each person on one index ``m`` through the clip, so one index is
    chosen per clip.

    Args:
        path (str): The ``.pkl`` file.
        fps (float): Frame rate; the pickle does not store it.

    Returns:
        list[dict]: One per annotation: ``keypoints`` (T, 133, 2) float32,
        ``scores`` (T, 133) float32, ``width``, ``height``, ``fps``, ``id``
        (the ``frame_dir``) and ``label`` where the annotation has one.

    Raises:
        ValueError: Naming the file, annotation and field, for a pickle that
            is not such an annotation file, or an annotation whose
            ``keypoint`` holds no person (M = 0).
    """
    with open(path, 'rb') as f:
        try:
            content = _NumpyOnlyUnpickler(f).load()
        except Exception as e:  # a refused global, a cut or corrupt pickle
            raise ValueError(f'{path}: cannot unpickle ({e})') from e
    if isinstance(content, dict):
        if 'annotations' not in content:
            raise ValueError(f"{path}: field 'annotations' is missing "
                             f'(found keys {sorted(content)})')
        content = content['annotations']
    if not isinstance(content, list):
        raise ValueError(f'{path}: top level is a {type(content).__name__}, '
                         "expected a dict with 'annotations' or a list")
    return [
        _read_annotation(ann, f'{path}: annotation {i}', fps)
        for i, ann in enumerate(content)
    ]


def _read_annotation(ann: dict, where: str, fps: float) -> dict:
    if not isinstance(ann, dict):
        raise ValueError(f'{where}: is a {type(ann).__name__}, expected a '
                         'dict')
    missing = [
        k for k in ('frame_dir', 'img_shape', 'keypoint', 'keypoint_score')
        if k not in ann
    ]
    if missing:
        raise ValueError(f'{where}: field(s) {missing} missing')
    where = f"{where} ({ann['frame_dir']})"
    keypoint = np.asarray(ann['keypoint'], np.float32)  # (M, T, V, 2)
    score = np.asarray(ann['keypoint_score'], np.float32)  # (M, T, V)
    if keypoint.ndim != 4 or keypoint.shape[-1] != 2:
        raise ValueError(f"{where}: field 'keypoint' has shape "
                         f'{keypoint.shape}, expected (M, T, V, 2)')
    if keypoint.shape[0] == 0:
        raise ValueError(f"{where}: field 'keypoint' holds no person (M=0, "
                         f'shape {keypoint.shape}): no signer to read')
    if keypoint.shape[2] != NUM_KEYPOINTS:
        raise ValueError(f"{where}: field 'keypoint' has {keypoint.shape[2]} "
                         f'points (V), expected {NUM_KEYPOINTS} '
                         '(COCO-WholeBody)')
    if score.shape != keypoint.shape[:3]:
        raise ValueError(f"{where}: field 'keypoint_score' has shape "
                         f'{score.shape}, expected {keypoint.shape[:3]}')
    try:
        height, width = (float(v) for v in ann['img_shape'])
    except (TypeError, ValueError) as e:
        raise ValueError(f"{where}: field 'img_shape' is "
                         f"{ann['img_shape']!r}, expected (height, width)"
                         ) from e
    main = _main_person(keypoint, score, width, height)
    sample = dict(
        keypoints=keypoint[main],
        scores=score[main],
        width=width,
        height=height,
        fps=float(fps),
        id=str(ann['frame_dir']))
    if 'label' in ann:
        sample['label'] = int(ann['label'])
    return sample


def _main_person(keypoint: np.ndarray, score: np.ndarray, width: float,
                 height: float) -> int:
    """Index of the person with the largest summed box prominence; a frame
    where a person has no visible point adds nothing."""
    weights = np.zeros(keypoint.shape[0])
    for m, t in zip(*np.nonzero((score > 0).any(-1))):
        box = keypoint_box(keypoint[m, t], score[m, t], VISIBLE_SCORE)
        weights[m] += box_prominence(box, width, height)
    return int(weights.argmax())
