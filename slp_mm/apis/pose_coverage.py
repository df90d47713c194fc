"""Which parts of the model's keypoint layout a clip lacks: a model answers
on a clip without hands or face, only worse, so inference says so."""
import logging
from typing import Dict

import numpy as np
from mmengine.logging import print_log

from slp_mm.structures import KeypointLayout

#: A part missing in more frames than this share is reported.
MISSING_PART_SHARE = 0.5


def missing_part_shares(keypoints: np.ndarray, scores: np.ndarray,
                        layout: KeypointLayout) -> Dict[str, float]:
    """Share of frames in which each part of ``layout`` has no detected
    joint at all (score 0 or a non-finite coordinate, as pose readers mark
    what the estimator dropped).

    Args:
        keypoints (np.ndarray): (T, K, 2) coordinates in the layout's
            source keypoint set (COCO-WholeBody 133 for ``sign79``).
        scores (np.ndarray): (T, K) confidences.
        layout (KeypointLayout): The model's layout; its ``source_indexes``
            pick its joints from the K (all K when it has none).
    """
    index = (np.arange(scores.shape[1]) if layout.source_indexes is None
             else np.asarray(layout.source_indexes))
    present = (scores[:, index] > 0) & np.isfinite(
        keypoints[:, index]).all(-1)  # (T, K')
    if not len(present):
        return {part: 1.0 for part in layout.parts}
    return {
        part: float((~present[:, joints].any(1)).mean())
        for part, joints in layout.parts.items()
    }


def warn_missing_parts(keypoints: np.ndarray, scores: np.ndarray,
                       layout: KeypointLayout, name: str,
                       threshold: float = MISSING_PART_SHARE) -> list:
    """Log a warning for every part of ``layout`` missing in more than
    ``threshold`` of the frames of clip ``name`` (e.g. a hand MediaPipe
    dropped); returns the (part, share) pairs reported."""
    shares = missing_part_shares(keypoints, scores, layout)
    missing = [(part, share) for part, share in shares.items()
               if share > threshold]
    for part, share in missing:
        print_log(
            f'{name}: {part} missing in {share:.0%} of {len(scores)} frames; '
            f'the model was trained with it ({layout.name}), so its answer '
            'may be degraded', 'current', level=logging.WARNING)
    return missing
