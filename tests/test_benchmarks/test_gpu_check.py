"""benchmarks/gpu_check.py's dry run (every path but CUDA, on CPU) and the
choice of wheels benchmarks/gpu_wheels.py installs on the GPU machine."""
import os.path as osp
import re
import subprocess
import sys

import pytest

from ..conftest import REPO

sys.path.insert(0, osp.join(REPO, 'benchmarks'))
from gpu_wheels import BUNDLE, wheels_to_install  # noqa: E402


@pytest.mark.slow
def test_dry_run_passes_every_check_and_prints_one_table(tmp_path):
    proc = subprocess.run(
        [sys.executable, 'benchmarks/gpu_check.py', '--dry-run',
         '--work-dir', str(tmp_path)],
        cwd=REPO, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    table = proc.stdout[proc.stdout.index('| check |'):].splitlines()
    rows = {cells[0]: cells[1:3] for cells in  # label: result, status
            (line.strip('| ').split(' | ') for line in table[2:])}
    assert list(rows) == [
        'CUDA-only tests', 'STC gathered vs local', 'train setup',
        'train b4 eager', 'train b4 torch.compile (eager)']
    assert all(status == 'PASS' for _, status in rows.values())
    # without CUDA the gpu-marked tests are collected and skipped
    assert re.fullmatch(r'\d+ skipped in [\d.]+s',
                        rows['CUDA-only tests'][0])
    assert rows['STC gathered vs local'][0].startswith('gloo, 1 rank')
    for variant in ('eager', 'torch.compile (eager)'):
        result = rows[f'train b4 {variant}'][0]
        assert re.match(r'[\d.]+ samples/s; MFU [\d.]+ % \([\d.]+ GFLOP a '
                        r'step\); data wait [\d.]+ %', result), result
    # one corpus of (0 warm-up + 1 timed + 1 spare) batches of 4
    assert 'corpus 8 clips' in rows['train setup'][0]


def _wheel(dist):
    return f'/w/{dist.replace("-", "_")}-1.0-py3-none-any.whl'


def test_only_wheels_of_missing_modules_are_installed():
    wheels = [_wheel(dist) for _, dist in BUNDLE]
    present = {'pytest', 'pluggy', 'iniconfig', 'PIL', 'pyarrow'}
    todo = wheels_to_install(wheels, lambda module: module in present)
    assert todo == [_wheel(d) for m, d in BUNDLE if m not in present]
    assert _wheel('mmcv-lite') in todo and _wheel('pillow') not in todo


def test_torch_or_numpy_wheels_are_refused():
    wheels = [_wheel(dist) for _, dist in BUNDLE] + [_wheel('numpy')]
    with pytest.raises(SystemExit, match=r"\['numpy'\].*image's own"):
        wheels_to_install(wheels, lambda module: False)


def test_a_missing_module_without_a_wheel_is_named():
    wheels = [_wheel(d) for _, d in BUNDLE if d != 'mmengine']
    with pytest.raises(SystemExit, match=r"\['mmengine'\] not importable"):
        wheels_to_install(wheels, lambda module: module != 'mmengine')
