"""The one field every scored data sample must carry."""
from typing import Any


def get_sample_id(sample: Any) -> Any:
    """The ``sample_id`` of a data sample (the dict mmengine's evaluator
    passes, or a :class:`SignDataSample`), which names it in errors and
    prediction files."""
    sample_id = sample.get('sample_id')
    if sample_id is None:
        raise ValueError(f'a data sample ({type(sample).__name__}) has no '
                         '"sample_id"')
    return sample_id
