"""Give what ``tempfile`` creates the mode of a plain ``open`` / ``mkdir``.

Atomic writes and builds create a temporary file (``mkstemp``: 0600) or
directory (``mkdtemp``: 0700) and rename it into place, so checkpoints and
corpora kept the private mode: a team sharing a work dir could not read
them. The user's umask decides instead, as for any other file they write.
"""
import os


def current_umask() -> int:
    """The process's umask (read by setting it and setting it back, the
    portable way; umask is process-wide, so this races only with another
    thread changing it)."""
    umask = os.umask(0o022)
    os.umask(umask)
    return umask


def apply_umask(path: str) -> None:
    """chmod ``path`` to 0666 (a file) or 0777 (a directory) minus the
    umask."""
    full = 0o777 if os.path.isdir(path) else 0o666
    os.chmod(path, full & ~current_umask())
