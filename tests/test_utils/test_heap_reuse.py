"""``reuse_freed_heap``: blocks of several MiB allocated and freed batch
after batch come back from the heap, not as fresh pages to fault in."""
import platform
import subprocess
import sys

import pytest

from slp_mm.utils.heap_reuse import reuse_freed_heap

# a batch buffer and two temporaries of 2-16 MiB a step, as the batched
# pipeline allocates them; prints page faults per step after a warm-up
STEPS = '''
import resource
import numpy as np
from slp_mm.utils.heap_reuse import reuse_freed_heap
applied = reuse_freed_heap()
sizes = np.random.default_rng(0).integers(2 << 20, 16 << 20, 200).tolist()
def step(n):
    batch = np.ones(n, np.uint8)
    temporary = np.ones(n // 3, np.uint8)
    other = batch[:n // 2] + 1
    del temporary, other, batch
for n in sizes[:50]:
    step(n)
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for n in sizes[50:]:
    step(n)
after = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
print(applied, (after - before) / 150)
'''

glibc = pytest.mark.skipif(
    platform.system() != 'Linux' or platform.libc_ver()[0] != 'glibc',
    reason='a glibc malloc setting')


def _faults_per_step():
    out = subprocess.run([sys.executable, '-c', STEPS],
                         capture_output=True, text=True, check=True)
    applied, faults = out.stdout.split()
    return applied, float(faults)


@glibc
def test_freed_blocks_are_reused_without_page_faults():
    applied, faults = _faults_per_step()
    assert applied == 'True'
    # each step touches 2-16 MiB (~500-4,000 pages) in three blocks; under
    # glibc's defaults ~95 of them fault again each step (measured)
    assert faults < 4


@glibc
def test_the_user_s_own_malloc_settings_are_kept(monkeypatch):
    monkeypatch.setenv('MALLOC_TRIM_THRESHOLD_', str(1 << 20))
    assert reuse_freed_heap() is False
