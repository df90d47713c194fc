"""Local checkpoints load weights-only: a pickle that would run code is
refused before anything of it runs, with the file, the global and the
opt-in named; the opt-in loads it; a resume checkpoint still loads."""
import os

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.logging import HistoryBuffer
from mmengine.runner import CheckpointLoader

from slp_mm.apis import init_model
from slp_mm.utils import TRUST_ENV, UntrustedCheckpointError


class _Payload:
    """Unpickling this calls ``os.system(command)``."""

    def __init__(self, command):
        self.command = command

    def __reduce__(self):
        return os.system, (self.command, )


@pytest.fixture(params=['zip', 'legacy'])
def payload_checkpoint(tmp_path, monkeypatch, request):
    """A checkpoint in torch's zip format, or the legacy (non-zip) one for
    which torch lists no globals and suggests ``weights_only=False``."""
    monkeypatch.delenv(TRUST_ENV, raising=False)
    marker = tmp_path / 'payload_ran'
    path = str(tmp_path / 'evil.pth')
    torch.save(
        dict(state_dict=dict(weight=torch.ones(2)),
             meta=_Payload(f'touch {marker}')), path,
        _use_new_zipfile_serialization=request.param == 'zip')
    return path, marker


@pytest.mark.parametrize('load', [
    lambda path: CheckpointLoader.load_checkpoint(path),  # Runner, resume
    lambda path: init_model(Config(dict(model=dict(
        type='BaseDataPreprocessor'))), path),
], ids=['runner', 'init_model'])
def test_code_running_checkpoint_is_refused_before_it_runs(
        payload_checkpoint, load):
    path, marker = payload_checkpoint
    with pytest.raises(UntrustedCheckpointError) as error:
        load(path)
    assert not marker.exists()
    message = str(error.value)
    for part in (path, "['posix.system']", 'can run arbitrary code',
                 f'{TRUST_ENV}=1'):
        assert part in message


def test_opt_in_loads_a_trusted_file(payload_checkpoint, monkeypatch):
    path, marker = payload_checkpoint
    monkeypatch.setenv(TRUST_ENV, '1')
    checkpoint = CheckpointLoader.load_checkpoint(path)
    assert marker.exists()  # the file was unpickled in full
    assert torch.equal(checkpoint['state_dict']['weight'], torch.ones(2))


def test_resume_checkpoint_loads_weights_only(tmp_path, monkeypatch):
    monkeypatch.delenv(TRUST_ENV, raising=False)
    buffer = HistoryBuffer()
    buffer.update(np.float64(0.5))
    path = str(tmp_path / 'epoch_1.pth')
    torch.save(
        dict(state_dict=dict(weight=torch.arange(3.)),
             message_hub=dict(log_scalars={'train/loss': buffer}),
             meta=dict(epoch=1, np_rng=np.random.RandomState(3).get_state())),
        path)
    assert torch.serialization.get_unsafe_globals_in_checkpoint(path) == []
    checkpoint = CheckpointLoader.load_checkpoint(path)
    assert torch.equal(checkpoint['state_dict']['weight'], torch.arange(3.))
    assert checkpoint['message_hub']['log_scalars']['train/loss'].current() \
        == 0.5
    assert np.array_equal(checkpoint['meta']['np_rng'][1],
                          np.random.RandomState(3).get_state()[1])
