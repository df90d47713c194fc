"""Fields of the data samples metrics receive: a dict (``to_dict()``,
possibly with a nested ``metainfo``) or a data element with attributes."""
from collections.abc import Mapping
from typing import Any


def get_field(sample: Any, name: str) -> Any:
    """A field of a data sample, looked up in its ``metainfo`` too."""
    if isinstance(sample, Mapping):
        value = sample.get(name)
        metainfo = sample.get('metainfo') or {}
    else:
        value = getattr(sample, name, None)
        metainfo = getattr(sample, 'metainfo', None) or {}
    return metainfo.get(name) if value is None else value


def get_sample_id(sample: Any) -> Any:
    """The ``sample_id`` every scored sample must carry (to name it in
    errors and prediction files)."""
    sample_id = get_field(sample, 'sample_id')
    if sample_id is None:
        raise ValueError(f'a data sample ({type(sample).__name__}) has no '
                         '"sample_id"')
    return sample_id
