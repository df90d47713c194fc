from .hooks import *  # noqa: F401,F403
from .optim_wrappers import *  # noqa: F401,F403
from .setup_env import install_checkpoint_safety, register_all_modules

__all__ = ['register_all_modules', 'install_checkpoint_safety']
