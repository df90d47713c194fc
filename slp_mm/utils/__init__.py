from .config_check import check_config
from .published_checkpoint import load_published_checkpoint
from .safe_globals import register_safe_globals
from .weights_only_checkpoint import TRUST_ENV, UntrustedCheckpointError

__all__ = [
    'register_safe_globals', 'check_config', 'load_published_checkpoint',
    'TRUST_ENV', 'UntrustedCheckpointError'
]
