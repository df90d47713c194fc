from .finetune_optim_wrapper_constructor import FinetuneOptimWrapperConstructor
from .guarded_optim_wrapper import GuardedOptimWrapper

__all__ = ['FinetuneOptimWrapperConstructor', 'GuardedOptimWrapper']
