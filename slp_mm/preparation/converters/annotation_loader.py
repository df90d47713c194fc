"""The source datasets a converter can read: each is an annotation loader
registered in ``ANNOTATION_LOADERS`` with :func:`annotation_loader`, so a
plugin project adds a dataset with the same decorator."""
from typing import Callable, Optional

from slp_mm.registry import ANNOTATION_LOADERS

from ..registered import get_registered

VIDEO_KEYS = ('width', 'height', 'fps')


def annotation_loader(name: str,
                      video_info: Optional[dict] = None) -> Callable:
    """Register ``load(ann_dir, splits) -> Annotations`` as the loader of
    the dataset ``name``::

        @annotation_loader('my-dataset', video_info=dict(fps=25.0))
        def load_my_dataset(ann_dir, splits=SPLITS): ...

    Args:
        name (str): The dataset name the converter is given.
        video_info (dict, optional): The dataset's video ``width``,
            ``height`` and ``fps``, for pose files that do not store them;
            a key left out (videos differ) must come from the pose files.
    """

    def register(load: Callable) -> Callable:
        load.video_info = {key: (video_info or {}).get(key)
                           for key in VIDEO_KEYS}
        ANNOTATION_LOADERS.register_module(name=name, module=load)
        return load

    return register


def get_annotation_loader(name: str) -> Callable:
    """The loader of a registered dataset; its ``video_info`` attribute
    holds the dataset's video width, height and fps (``None`` where
    unknown).

    Raises:
        ValueError: Unknown dataset; the message lists the registered ones.
    """
    return get_registered(ANNOTATION_LOADERS, name)
