"""The keypoint layout of another pose estimator (MediaPipe Holistic,
OpenPose, ...) and the map of its joints onto COCO-WholeBody 133.

The model's joint set is COCO-WholeBody 133; any other estimator's output is
mapped onto it once, when read. A COCO joint the estimator does not give is
kept with coordinates 0 and score 0, so models and losses ignore it instead
of learning from a guess.
"""
from typing import Dict, Sequence, Tuple

import numpy as np

from .coco_wholebody import COCO_WHOLEBODY_NAMES, coco_wholebody_133
from .keypoint_layout import KeypointLayout

NUM_COCO_WHOLEBODY = len(COCO_WHOLEBODY_NAMES)


class SourceLayout(KeypointLayout):
    """A layout whose joints are grouped into the estimator's own named
    components, with the COCO-WholeBody joint each one stands for.

    Keypoint names are ``'{component}/{point}'`` with the component and point
    names the estimator (and pose-format's ``.pose`` headers) use, e.g.
    ``'POSE_LANDMARKS/NOSE'``, so a file's points are matched by name and a
    file holding a subset or a superset of a component (a reduced face mesh,
    the 10 iris points of a refined one) still maps correctly.

    Bones between two mapped joints are those of COCO-WholeBody, carried over
    through the map; ``extra_edges`` connect the joints COCO lacks.

    Args:
        name (str): Registered name.
        components (Sequence[Tuple[str, Sequence[str]]]): Components in
            array order, each (component name, its point names).
        parts (Dict[str, Sequence[int]]): Part name -> joint indexes.
        coco_from_source (Dict[int, int]): COCO-WholeBody index -> index of
            the joint of this layout at the same place on the body.
        extra_edges (Sequence[Tuple[int, int]]): Bones (child, parent) of
            joints without a COCO counterpart.
    """

    def __init__(self, name: str,
                 components: Sequence[Tuple[str, Sequence[str]]],
                 parts: Dict[str, Sequence[int]],
                 coco_from_source: Dict[int, int],
                 extra_edges: Sequence[Tuple[int, int]] = ()) -> None:
        self.components = [(c, list(points)) for c, points in components]
        names = [f'{c}/{p}' for c, points in self.components for p in points]
        self.coco_from_source = dict(coco_from_source)
        bad = {c: s for c, s in self.coco_from_source.items()
               if not (0 <= c < NUM_COCO_WHOLEBODY and 0 <= s < len(names))}
        if bad:
            raise ValueError(f'Layout {name!r}: map entries {bad} outside '
                             f'COCO [0, {NUM_COCO_WHOLEBODY}) or own '
                             f'[0, {len(names)})')
        mapped = self.coco_from_source
        inherited = [(mapped[a], mapped[b])
                     for a, b in coco_wholebody_133().edges
                     if a in mapped and b in mapped]
        super().__init__(name, names, parts, inherited + list(extra_edges))

    def component_slices(self) -> Dict[str, slice]:
        """Component name -> its slice of the joint array."""
        slices, start = {}, 0
        for component, points in self.components:
            slices[component] = slice(start, start + len(points))
            start += len(points)
        return slices

    def to_coco_wholebody(self, keypoints: np.ndarray,
                          scores: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """(T, K, 2) keypoints and (T, K) scores of this layout -> (T, 133, 2)
        and (T, 133) float32; unmapped COCO joints get 0 and score 0."""
        k = self.num_keypoints
        if (keypoints.shape[1:] != (k, 2)
                or scores.shape != keypoints.shape[:2]):
            raise ValueError(f'Layout {self.name!r}: got keypoints '
                             f'{keypoints.shape} and scores {scores.shape}, '
                             f'expected (T, {k}, 2) and (T, {k})')
        t = keypoints.shape[0]
        coco = list(self.coco_from_source)
        source = list(self.coco_from_source.values())
        out_kpts = np.zeros((t, NUM_COCO_WHOLEBODY, 2), np.float32)
        out_scores = np.zeros((t, NUM_COCO_WHOLEBODY), np.float32)
        out_kpts[:, coco] = keypoints[:, source]  # (T, M, 2)
        out_scores[:, coco] = scores[:, source]  # (T, M)
        return out_kpts, out_scores
