"""Load local checkpoints weights-only, and refuse the rest clearly.

A ``.pth`` checkpoint is a pickle, and unpickling calls whatever globals the
file names: a checkpoint from an untrusted source can run any code when it
is loaded. mmengine's local loader leaves the choice to ``torch.load``'s
default and, when torch refuses, its message names neither the file nor a
switch of ours. This loader replaces it for every local path (registered by
``slp_mm.engine.install_checkpoint_safety()``, so training, testing,
``--resume``, ``load_from`` and :func:`slp_mm.apis.init_model` all use
it): it loads with
``weights_only=True`` and the allow-list of safe_globals.py, and a file that
needs any other global is refused with the file, the globals and the opt-in
for a file the user trusts, the environment variable
``SLP_MM_TRUST_CHECKPOINTS=1``.
"""
import logging
import os
import os.path as osp
import pickle
import struct

import torch
from torch import _weights_only_unpickler
from mmengine.logging import print_log
from mmengine.runner.checkpoint import CheckpointLoader

from .cli_errors import UserError

TRUST_ENV = 'SLP_MM_TRUST_CHECKPOINTS'


class UntrustedCheckpointError(pickle.UnpicklingError, UserError):
    """A checkpoint needs globals outside the weights-only allow-list."""


def load_from_local_weights_only(filename: str, map_location=None):
    """The checkpoint at a local path, unpickled weights-only unless
    ``SLP_MM_TRUST_CHECKPOINTS=1`` is set.

    Raises:
        UntrustedCheckpointError: If the file names globals outside the
            allow-list (nothing of the file has run).
    """
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'{filename} can not be found.')
    if os.environ.get(TRUST_ENV) == '1':
        print_log(
            f'{TRUST_ENV}=1: unpickling {filename} in full, which runs any '
            'code the file names', logger='current', level=logging.WARNING)
        return torch.load(
            filename, map_location=map_location, weights_only=False)
    try:
        return torch.load(
            filename, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as e:
        refused = _unsafe_globals(filename)
        if not refused:  # corrupt, or not a checkpoint: torch's error stands
            raise
        raise UntrustedCheckpointError(
            f'Refused to load the checkpoint {filename}: it needs the '
            f'global(s) {refused}, which are not allow-listed for '
            'weights-only loading. A checkpoint is a pickle, and unpickling '
            'those globals can run arbitrary code. If you trust this file '
            '(you made it, or its source), load it with the environment '
            f'variable {TRUST_ENV}=1 set, e.g. `{TRUST_ENV}=1 python '
            'tools/test.py ...`, and better re-save its weights with '
            'torch.save(model.state_dict(), path).') from e


def _unsafe_globals(filename: str) -> list:
    """The globals a checkpoint names outside the weights-only allow-list,
    read without unpickling; empty if the file cannot be read that way.

    torch lists them for its zip format only. A legacy (non-zip) file,
    ``torch.save(..., _use_new_zipfile_serialization=False)``, is a run of
    pickles (magic number, protocol, system info, the object, then raw
    storage bytes); its globals are in the first four.
    """
    try:
        return torch.serialization.get_unsafe_globals_in_checkpoint(filename)
    except ValueError:  # not the zip format
        pass
    allowed = set(_weights_only_unpickler._get_allowed_globals()) | set(
        _weights_only_unpickler._get_user_allowed_globals())
    named = set()
    try:
        with open(filename, 'rb') as f:
            for _ in range(4):
                named |= _weights_only_unpickler.get_globals_in_pkl(f)
    except (pickle.UnpicklingError, EOFError, ValueError, struct.error):
        pass  # what was listed before the unreadable part still counts
    return sorted(named - allowed)


def use_weights_only_checkpoints() -> None:
    """Make :func:`load_from_local_weights_only` mmengine's loader for every
    local path (the scheme with the empty prefix)."""
    CheckpointLoader.register_scheme(
        prefixes='', loader=load_from_local_weights_only, force=True)
