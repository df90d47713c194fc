"""Look-ups in the preparation registries that name the registered entries
when a name is unknown (mmengine's ``Registry.get`` returns ``None``)."""
from typing import Any, List

from mmengine.registry import Registry


def registered_names(registry: Registry) -> List[str]:
    """The sorted names in ``registry``, after importing its locations."""
    registry.import_from_location()
    return sorted(registry.module_dict)


def get_registered(registry: Registry, name: str) -> Any:
    """The entry registered as ``name``.

    Raises:
        ValueError: ``name`` is not registered; the message lists the
            registered names.
    """
    names = registered_names(registry)
    if name not in names:
        raise ValueError(f'unknown {registry.name} {name!r}, expected one '
                         f'of {names}')
    return registry.get(name)
