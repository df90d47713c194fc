"""One raw sample -> the batch of one a model sees, for the model pictures."""
import copy
from typing import Sequence

from mmengine.dataset import Compose, pseudo_collate

from slp_mm.datasets.transforms import PackSignInputs


def prepare_sample_batch(model, pipeline: Sequence[dict],
                         sample: dict) -> dict:
    """Run a :class:`SignCorpus` row (or a :func:`read_pose_file` result)
    through a config's data ``pipeline`` and ``model``'s data preprocessor.

    The pipeline is the one the model was trained with, so the picture
    shows what training does (e.g. the MPM mask of
    :class:`HierarchicalPoseMask`). The keypoint ``layout`` and the frame
    indexes picked by :class:`TemporalSample` (``frame_inds``) are kept in
    the data sample's metainfo, so pictures can draw the joints and name
    the source frames.

    Returns:
        dict: ``inputs`` (batched, see :class:`SignDataPreprocessor`) and
        ``data_samples`` (one :class:`SignDataSample`).
    """
    pipeline = copy.deepcopy(list(pipeline))
    for t in pipeline:
        if t.get('type') in ('PackSignInputs', PackSignInputs):
            keys = t.get('meta_keys', PackSignInputs().meta_keys)
            t['meta_keys'] = tuple(keys) + ('layout', 'frame_inds')
    data = Compose(pipeline)(dict(sample))
    if data is None:
        raise ValueError(f"sample {sample.get('id')!r} was rejected by the "
                         'pipeline (see the warning above)')
    return model.data_preprocessor(pseudo_collate([data]))
