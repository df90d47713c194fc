"""Ground-layer helpers. Exports load on first use (PEP 562), so a tool's
``--help`` that imports :mod:`slp_mm.utils.cli_errors` does not import
torch."""
import importlib

_EXPORTS = {
    'check_config': 'config_check',
    'load_published_checkpoint': 'published_checkpoint',
    'register_safe_globals': 'safe_globals',
    'TRUST_ENV': 'weights_only_checkpoint',
    'UntrustedCheckpointError': 'weights_only_checkpoint',
}

__all__ = list(_EXPORTS)


def __getattr__(name):
    if name not in _EXPORTS:
        raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
    return getattr(importlib.import_module(f'.{_EXPORTS[name]}', __name__),
                   name)
