"""register_all_modules only registers; install_checkpoint_safety is the one
named call that patches torch and mmengine. Checked in a fresh interpreter
(the test session installs the safety in conftest, as the tools do)."""
import subprocess
import sys

from ..conftest import REPO

PROBE = '''
import torch
import mmengine.fileio.backends.registry_utils as io
from mmengine.logging.history_buffer import HistoryBuffer
from mmengine.runner.checkpoint import CheckpointLoader

def state():
    return (CheckpointLoader._schemes[''].__module__,
            io.prefix_to_backends[''].__name__,
            HistoryBuffer in torch.serialization.get_safe_globals())

before = state()
from slp_mm.engine import install_checkpoint_safety, register_all_modules
from slp_mm.registry import MODELS
register_all_modules()
assert MODELS.get('SignPretrainer') is not None
registered = state()
install_checkpoint_safety()
print(before, registered, state(), sep='\\n')
'''


def test_register_all_modules_only_registers():
    out = subprocess.run([sys.executable, '-c', PROBE], cwd=REPO, check=True,
                         capture_output=True, text=True, timeout=120).stdout
    before, registered, installed = [
        eval(line) for line in out.strip().splitlines()[-3:]]
    assert registered == before
    assert before == ('mmengine.runner.checkpoint', 'LocalBackend', False)
    # weights-only local loads, atomic local writes, resume's globals
    assert installed == ('slp_mm.utils.weights_only_checkpoint',
                         'AtomicLocalBackend', True)
