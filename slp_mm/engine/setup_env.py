"""Set up a process to run slp_mm: register its modules (no side effect
beyond the registries and the default scope) and, as a separate named call,
install the checkpoint safety it needs on torch and mmengine."""
import datetime
import warnings

from mmengine import DefaultScope

from slp_mm.utils.atomic_local_backend import use_atomic_local_writes
from slp_mm.utils.safe_globals import register_safe_globals
from slp_mm.utils.weights_only_checkpoint import use_weights_only_checkpoints


def register_all_modules(init_default_scope: bool = True) -> None:
    """Import every slp_mm module into its registry and make ``slp_mm`` the
    default scope. Registers only: mmengine's checkpoint loader and file
    backend stay as they are (see :func:`install_checkpoint_safety`).
    ``slp_mm.engine``'s own modules are imported with this one."""
    import slp_mm.datasets  # noqa: F401
    import slp_mm.evaluation  # noqa: F401
    import slp_mm.models  # noqa: F401
    import slp_mm.structures  # noqa: F401
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


def install_checkpoint_safety() -> None:
    """Patch torch and mmengine, process-wide, for safe checkpoints: allow-list
    the classes mmengine checkpoints need for weights-only loading (resume
    under torch >= 2.6), load local checkpoints weights-only (refusing other
    globals unless ``SLP_MM_TRUST_CHECKPOINTS=1``) and make local writes
    (checkpoints) atomic. Called by the tools and :func:`init_model`; safe
    to call more than once."""
    register_safe_globals()
    use_weights_only_checkpoints()
    use_atomic_local_writes()
