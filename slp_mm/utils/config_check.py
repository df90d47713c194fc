"""Check a config's components before anything is built.

mmengine reports a misspelt argument as a ``TypeError`` deep inside the
build of the one component, after the datasets and the model before it were
built (or, for a hook that takes ``**kwargs``, at its first call, an epoch
later), and an unknown ``type`` without suggestions; a string where a number
belongs fails inside torch without the config key. Walking the config first
gives every mistake at once, with its path in the config, the closest valid
names and the expected types.
"""
import difflib
import inspect
import typing
from typing import Dict, Iterator, List, Optional, Set, Tuple

from mmengine.config import Config, ConfigDict
from mmengine.registry import Registry

from slp_mm import registry as slp_registries
from .cli_errors import ConfigError

# the parts of a config whose dicts are ``type`` + constructor arguments,
# with the keys mmengine consumes at build time besides ``type``
_CHECKED = {
    'model': (),
    'train_dataloader.dataset': (),
    'val_dataloader.dataset': (),
    'test_dataloader.dataset': (),
    'val_evaluator': (),
    'test_evaluator': (),
    'custom_hooks': (),
    'default_hooks': (),
    'optim_wrapper': ('constructor', 'paramwise_cfg'),
    'param_scheduler': ('convert_to_iter_based', ),
    'train_cfg': (),
    'val_cfg': (),
    'test_cfg': (),
}
_BUILD_KEYS = ('type', '_scope_', '_delete_')


def _implicit_loop(part: str, cfg: dict) -> Tuple[type, Tuple[str, ...]]:
    """The loop the Runner builds from a ``*_cfg`` without ``type`` and the
    keys it consumes itself (``runner`` and the dataloader it passes)."""
    from mmengine.runner import (EpochBasedTrainLoop, IterBasedTrainLoop,
                                 TestLoop, ValLoop)
    if part == 'train_cfg':
        return (EpochBasedTrainLoop if cfg.get('by_epoch') else
                IterBasedTrainLoop), ('by_epoch', )
    return (ValLoop if part == 'val_cfg' else TestLoop), ()


def _forwarded_kwargs(cls: type):
    """The callable that a component's ``**kwargs`` go to, which decides
    what they may hold (None: not known)."""
    from mmengine.runner import Runner
    return {'CheckpointHook': Runner.save_checkpoint}.get(cls.__name__)


_SCALARS = (bool, int, float, str)


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


def _parameters(fn) -> Optional[List[inspect.Parameter]]:
    try:
        return list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return None


def _accepted_args(obj) -> Tuple[Dict[str, inspect.Parameter], bool]:
    """Parameters of a class (following ``**kwargs`` up the MRO, and to
    the callable of :func:`_forwarded_kwargs`) or function by name, and
    whether it takes arbitrary keyword arguments."""
    if inspect.isclass(obj):
        fns = [cls.__init__ for cls in obj.__mro__ if '__init__' in vars(cls)]
        forwarded = _forwarded_kwargs(obj)
        fns += [forwarded] if forwarded else []
    else:
        fns = [obj]
    accepted: Dict[str, inspect.Parameter] = {}
    for fn in fns:
        params = _parameters(fn)
        if params is None:
            return accepted, True
        for p in params:
            if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL):
                accepted.setdefault(p.name, p)
        if not any(p.kind == p.VAR_KEYWORD for p in params):
            accepted.pop('self', None)
            return accepted, False
    accepted.pop('self', None)
    return accepted, True


def _scalar_types(param: inspect.Parameter) -> Tuple[type, ...]:
    """The scalar types a parameter takes, from its annotation (or its
    numeric default: a string default like ``'dynamic'`` often stands
    for a mode beside numbers); empty when it takes anything else."""
    hint = param.annotation
    if hint is param.empty:
        return (type(param.default), ) if type(
            param.default) in (bool, int, float) else ()
    options = (typing.get_args(hint)
               if typing.get_origin(hint) is typing.Union else (hint, ))
    options = tuple(o for o in options if o is not type(None))
    return options if options and all(o in _SCALARS
                                      for o in options) else ()


def _type_problem(value, expected: Tuple[type, ...]) -> bool:
    """A string where only numbers go. Only that direction: annotations of
    the libraries we build from are not always right about strings
    (mmengine's ``AmpOptimWrapper.loss_scale: str`` takes floats too)."""
    return bool(expected) and isinstance(value, str) and str not in expected


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


def _components(cfg) -> Iterator[Tuple[str, dict, object, Tuple[str, ...]]]:
    """(config path, dict, class or None, build-time keys) of every
    checked component; None marks an unknown ``type``."""
    for part, build_keys in _CHECKED.items():
        for path, node in _walk(_get(cfg, part), part):
            yield path, node, _lookup(node['type'].split('.')[-1]), build_keys
    for part in ('train_cfg', 'val_cfg', 'test_cfg'):
        node = cfg.get(part)
        if isinstance(node, dict) and 'type' not in node:
            yield (part, node, *_implicit_loop(part, node))


def _problems(path: str, node: dict, obj, build_keys) -> Iterator[str]:
    name = getattr(obj, '__name__', node.get('type'))
    accepted, open_kwargs = _accepted_args(obj)
    for key, value in node.items():
        if key in _BUILD_KEYS or key in build_keys:
            continue
        if key not in accepted:
            if not open_kwargs:
                close = difflib.get_close_matches(key, accepted, n=3)
                yield (f'{path}.{key}: {name} has no argument {key!r}'
                       f'; closest: {close}')
            continue
        expected = _scalar_types(accepted[key])
        if _type_problem(value, expected):
            names = ' or '.join(t.__name__ for t in expected)
            yield (f'{path}.{key}: {name} expects {names}, got {value!r} '
                   f'({type(value).__name__})')


def check_config(cfg: ConfigDict) -> None:
    """Raise :class:`ConfigError` (a ``ValueError``) listing unknown
    component types, arguments that no component accepts (hooks and the
    Runner's loops, optimizer and schedulers too) and values of the wrong
    type, each with its config path and the closest names."""
    known = _all_names()
    problems = []
    for path, node, obj, build_keys in _components(cfg):
        if obj is None:
            name = node['type'].split('.')[-1]
            if name not in known:
                close = difflib.get_close_matches(name, known, n=3)
                problems.append(f'{path}.type: unknown component {name!r}'
                                f'; closest: {close}')
            continue
        problems.extend(_problems(path, node, obj, build_keys))
    if problems:
        where = f' in {cfg.filename}' if getattr(cfg, 'filename', None) \
            else ''
        raise ConfigError(f'Config errors{where}:\n  ' +
                          '\n  '.join(problems))


def load_config(path: str) -> Config:
    """``Config.fromfile``, with a file that does not parse as
    :class:`ConfigError` (mmengine raises a bare ``SyntaxError``)."""
    try:
        return Config.fromfile(path)
    except SyntaxError as e:
        raise ConfigError(f'{path} is not a valid config: {e}') from e
