"""Check a config's components before anything is built.

mmengine reports a misspelt argument as a ``TypeError`` deep inside the
build of the one component, after the datasets and the model before it were
built, and an unknown ``type`` without suggestions. Walking the config first
gives every mistake at once, with its path in the config and the closest
valid names.
"""
import difflib
import inspect
from typing import Iterator, List, Set, Tuple

from mmengine.config import ConfigDict
from mmengine.registry import Registry

from slp_mm import registry as slp_registries

# the parts of a config whose dicts are plain ``type`` + constructor
# arguments (optimizer wrappers, schedulers and loops take extra build-time
# keys that mmengine consumes, so they are left to mmengine)
_CHECKED = ('model', 'train_dataloader.dataset', 'val_dataloader.dataset',
            'test_dataloader.dataset', 'val_evaluator', 'test_evaluator',
            'custom_hooks')


def _registries() -> List[Registry]:
    return [r for r in vars(slp_registries).values()
            if isinstance(r, Registry)]


def _lookup(name: str):
    for reg in _registries():
        obj = reg.get(name)
        if obj is not None:
            return obj
    return None


def _all_names() -> Set[str]:
    names = set()
    for reg in _registries():
        r = reg
        while r is not None:
            names.update(r.module_dict)
            r = r.parent
    return names


def _accepted_args(obj) -> Tuple[Set[str], bool]:
    """Argument names of a class (following ``**kwargs`` up the MRO) or
    function, and whether it takes arbitrary keyword arguments."""
    classes = obj.__mro__ if inspect.isclass(obj) else [obj]
    names: Set[str] = set()
    for cls in classes:
        fn = cls.__init__ if inspect.isclass(obj) else cls
        if inspect.isclass(obj) and '__init__' not in vars(cls):
            continue
        try:
            params = inspect.signature(fn).parameters.values()
        except (TypeError, ValueError):
            return names, True
        names.update(p.name for p in params
                     if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL))
        if not any(p.kind == p.VAR_KEYWORD for p in params):
            return names - {'self'}, False
        if cls is object:
            break
    return names - {'self'}, True


def _walk(node, path: str) -> Iterator[Tuple[str, dict]]:
    if isinstance(node, dict):
        if isinstance(node.get('type'), str):
            yield path, node
        for key, value in node.items():
            yield from _walk(value, f'{path}.{key}' if path else str(key))
    elif isinstance(node, (list, tuple)):
        for i, value in enumerate(node):
            yield from _walk(value, f'{path}[{i}]')


def _get(cfg, dotted: str):
    node = cfg
    for key in dotted.split('.'):
        node = node.get(key) if hasattr(node, 'get') else None
    return node


def check_config(cfg: ConfigDict) -> None:
    """Raise ``ValueError`` listing unknown component types and arguments
    that no component accepts, each with its config path and suggestions."""
    known = _all_names()
    problems = []
    for path, node in (item for part in _CHECKED
                       for item in _walk(_get(cfg, part), part)):
        name = node['type'].split('.')[-1]
        obj = _lookup(name)
        if obj is None:
            if name not in known:
                close = difflib.get_close_matches(name, known, n=3)
                problems.append(f'{path}.type: unknown component {name!r}'
                                f'; closest: {close}')
            continue
        accepted, open_kwargs = _accepted_args(obj)
        if open_kwargs:
            continue
        for key in node:
            if key in ('type', '_scope_', '_delete_') or key in accepted:
                continue
            close = difflib.get_close_matches(key, accepted, n=3)
            problems.append(f'{path}.{key}: {name} has no argument {key!r}'
                            f'; closest: {close}')
    if problems:
        raise ValueError('Config errors:\n  ' + '\n  '.join(problems))
