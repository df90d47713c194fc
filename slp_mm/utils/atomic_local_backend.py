"""Atomic file writes for mmengine's local storage backend.

mmengine writes checkpoints with ``LocalBackend.put``, which opens the final
path and writes into it: a job killed mid-write, or a full disk, leaves a
truncated ``epoch_N.pth`` where a checkpoint was expected. This backend
writes to a temporary file in the same directory, flushes it to disk and
renames it over the target (``os.replace`` is atomic on POSIX), so a path
holds either the complete new file or whatever was there before.
"""
import os
import os.path as osp
import tempfile
from pathlib import Path
from typing import Union

import mmengine
from mmengine.fileio import LocalBackend
from mmengine.fileio import io as mmengine_io
from mmengine.fileio.backends import register_backend

from .umask_mode import apply_umask


class AtomicLocalBackend(LocalBackend):
    """:class:`mmengine.fileio.LocalBackend` whose ``put`` is atomic."""

    def put(self, obj: bytes, filepath: Union[str, Path]) -> None:
        filepath = str(filepath)
        directory = osp.dirname(osp.abspath(filepath))
        mmengine.mkdir_or_exist(directory)
        fd, tmp = tempfile.mkstemp(
            prefix=f'.{osp.basename(filepath)}.', suffix='.tmp',
            dir=directory)
        try:
            with os.fdopen(fd, 'wb') as f:
                f.write(obj)
                f.flush()
                os.fsync(f.fileno())
            apply_umask(tmp)  # mkstemp's 0600 would stay on the target
            os.replace(tmp, filepath)
        except OSError as e:
            if osp.exists(tmp):
                os.remove(tmp)
            raise OSError(
                e.errno, f'Could not write {filepath} ({e.strerror}); the '
                'previous file at that path, if any, is untouched') from e


def use_atomic_local_writes() -> None:
    """Make every mmengine write to a local path atomic."""
    register_backend('local', AtomicLocalBackend, force=True, prefixes='')
    for key, backend in list(mmengine_io.backend_instances.items()):
        if type(backend) is LocalBackend:
            del mmengine_io.backend_instances[key]
