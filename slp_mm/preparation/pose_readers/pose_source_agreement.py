"""How closely two pose estimators agree on the same clip, region by region:
the check behind every map of another estimator onto COCO-WholeBody
(``tools/analysis/pose_source_agreement.py`` prints it as a table)."""
from typing import Dict, Mapping, Sequence

import numpy as np

from slp_mm.structures.mediapipe_holistic import FACE_REGIONS

FACE = 23  # first COCO-WholeBody face joint
# region -> COCO-WholeBody indexes (the legs are left out: signing clips
# rarely show them)
COCO_WHOLEBODY_REGIONS: Dict[str, Sequence[int]] = dict(
    upper_body=range(0, 13),
    left_hand=range(91, 112),
    right_hand=range(112, 133),
    **{f'face_{name}': range(FACE + ibug.start, FACE + ibug.stop)
       for name, ibug in FACE_REGIONS.items()})


def pose_source_agreement(
        reference: dict,
        other: dict,
        regions: Mapping[str, Sequence[int]] = COCO_WHOLEBODY_REGIONS,
        min_score: float = 0.5) -> Dict[str, dict]:
    """Pixel distance between two readings of one clip (the data contract:
    ``keypoints`` (T, 133, 2), ``scores`` (T, 133)), per region, over the
    joints both estimators score at least ``min_score``.

    Returns:
        dict: Region -> ``median`` and ``p95`` distance (px) and ``count``
        of joints compared (``median``/``p95`` are NaN when none is).

    Raises:
        ValueError: The two readings differ in frame count.
    """
    if reference['keypoints'].shape != other['keypoints'].shape:
        raise ValueError(f'keypoints of shape {other["keypoints"].shape}, '
                         f'expected those of the reference, '
                         f'{reference["keypoints"].shape}')
    # (T, 133) distances and joints both estimators detect
    distance = np.linalg.norm(
        other['keypoints'] - reference['keypoints'], axis=-1)
    both = (reference['scores'] >= min_score) & (other['scores'] >= min_score)
    agreement = {}
    for name, joints in regions.items():
        joints = list(joints)
        values = distance[:, joints][both[:, joints]]
        agreement[name] = dict(
            median=float(np.median(values)) if values.size else np.nan,
            p95=float(np.percentile(values, 95)) if values.size else np.nan,
            count=int(values.size))
    return agreement
