import datetime
import warnings

from mmengine import DefaultScope

from .atomic_local_backend import use_atomic_local_writes
from .safe_globals import register_safe_globals
from .weights_only_checkpoint import use_weights_only_checkpoints


def register_all_modules(init_default_scope: bool = True) -> None:
    """Import every slp_mm module into its registry, allow-list the classes
    mmengine checkpoints need for weights-only loading, load local
    checkpoints weights-only (refusing other globals unless
    ``SLP_MM_TRUST_CHECKPOINTS=1``), make local writes (checkpoints) atomic,
    and make ``slp_mm`` the default scope."""
    import slp_mm.datasets  # noqa: F401
    import slp_mm.engine  # noqa: F401
    import slp_mm.evaluation  # noqa: F401
    import slp_mm.models  # noqa: F401
    import slp_mm.structures  # noqa: F401
    register_safe_globals()
    use_weights_only_checkpoints()
    use_atomic_local_writes()
    if not init_default_scope:
        return
    never_created = (DefaultScope.get_current_instance() is None
                     or not DefaultScope.check_instance_created('slp_mm'))
    if never_created:
        DefaultScope.get_instance('slp_mm', scope_name='slp_mm')
        return
    current_scope = DefaultScope.get_current_instance()
    if current_scope.scope_name != 'slp_mm':
        warnings.warn('The current default scope '
                      f'"{current_scope.scope_name}" is not "slp_mm", '
                      '`register_all_modules` will force the current'
                      'default scope to be "slp_mm". If this is not '
                      'expected, please set `init_default_scope=False`.')
        new_instance_name = f'slp_mm-{datetime.datetime.now()}'
        DefaultScope.get_instance(new_instance_name, scope_name='slp_mm')
