from typing import List, Sequence, Tuple

import torch
from mmcv.transforms import BaseTransform

from slp_mm.registry import TRANSFORMS
from slp_mm.structures import get_layout


@TRANSFORMS.register_module()
class SelectKeypoints(BaseTransform):
    """Keep the joints of a selected layout (the paper's 79 by default).

    The target layout names its ``source_indexes`` into the stored layout
    (COCO-WholeBody 133 for ``'sign79'``: 1-based 1-11, 24-40, 54, 84-91,
    92-133). Register another layout to change the selection.

    Required keys: ``keypoints`` (T, K, 2), ``scores`` (T, K).
    Modified keys: ``keypoints`` (T, K', 2), ``scores`` (T, K').
    Added keys: ``layout`` (the target layout's name).

    :meth:`transform_batch` does the same to a padded batch in the data
    preprocessor (``SignDataPreprocessor.batch_transforms``).

    Args:
        layout (str): Registered target layout. Defaults to ``'sign79'``.
    """

    def __init__(self, layout: str = 'sign79') -> None:
        self.layout = get_layout(layout)
        if self.layout.source_indexes is None:
            raise ValueError(f'Layout {layout!r} is not a selection (it has '
                             'no source_indexes)')
        self._runs = _consecutive_runs(self.layout.source_indexes)
        self._num_source = get_layout(self.layout.source).num_keypoints

    def transform(self, results: dict) -> dict:
        idx = self.layout.source_indexes
        results['keypoints'] = results['keypoints'][:, idx]
        results['scores'] = results['scores'][:, idx]
        results['layout'] = self.layout.name
        return results

    def transform_batch(self, batch: dict) -> dict:
        """The same on ``pose`` (B, T, K, C).

        A leading ``SelectKeypoints`` of ``batch_transforms`` does not run:
        the data preprocessor copies only :meth:`source_joints` into its
        batch buffer (one gather while padding instead of a copy of all).
        """
        self.source_joints(batch['pose'].shape[2])
        # sign79's joints are four runs of consecutive source joints: a copy
        # per run is ~2x faster than a gather of the inner dimension
        batch['pose'] = torch.cat(
            [batch['pose'][:, :, run] for run in self._runs], 2)
        batch['layout'] = self.layout.name
        return batch

    def source_joints(self, num_source: int) -> List[int]:
        """The kept joints' indexes into poses of ``num_source`` joints (the
        stored layout's, else a clear error)."""
        if num_source != self._num_source:
            raise ValueError(
                f'SelectKeypoints (batched) takes {self.layout.source!r} '
                f'poses but got {num_source} keypoints: is it also in the '
                'pipeline?')
        return list(self.layout.source_indexes)

    def source_runs(self, num_source: int) -> List[Tuple[slice, slice]]:
        """(kept, source) slices of each run of consecutive kept joints, for
        poses of ``num_source`` joints: a copy per run is several times
        faster than a gather of the joints."""
        self.source_joints(num_source)
        runs, start = [], 0
        for run in self._runs:
            end = start + run.stop - run.start
            runs.append((slice(start, end), run))
            start = end
        return runs

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(layout={self.layout.name!r})'


def _consecutive_runs(indexes: Sequence[int]) -> List[slice]:
    """The indexes as slices of consecutive values, in order."""
    runs, start = [], 0
    for i in range(1, len(indexes) + 1):
        if i == len(indexes) or indexes[i] != indexes[i - 1] + 1:
            runs.append(slice(indexes[start], indexes[i - 1] + 1))
            start = i
    return runs
