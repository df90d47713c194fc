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

    Args:
        layout (str): Registered target layout. Defaults to ``'sign79'``.
    """

    def __init__(self, layout: str = 'sign79') -> None:
        self.layout = get_layout(layout)
        if self.layout.source_indexes is None:
            raise ValueError(f'Layout {layout!r} is not a selection (it has '
                             'no source_indexes)')

    def transform(self, results: dict) -> dict:
        idx = self.layout.source_indexes
        results['keypoints'] = results['keypoints'][:, idx]
        results['scores'] = results['scores'][:, idx]
        results['layout'] = self.layout.name
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(layout={self.layout.name!r})'
