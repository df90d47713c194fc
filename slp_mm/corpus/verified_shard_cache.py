"""Remember which corpus shards were hashed and found intact, so that
integrity checking can be on by default for training.

Hashing every shard of SL-1.5M (~260 GB) at every start would cost minutes
per run and per rank; hashing only the shards this machine has not yet seen
in their current state costs that once. A shard's entry is keyed by its
recorded SHA-256 and by the file's identity as the OS reports it (resolved
path, device, inode, size, modification time in ns): copying, replacing or
rewriting a shard changes the key, so it is hashed again. What the key
cannot see is a change that keeps size and mtime (bit rot on disk, a write
that restores the mtime): ``SignCorpus.verify()`` /
``tools/data/verify_corpus.py`` hash everything regardless.

The cache is a directory of empty marker files, one per verified shard, so
concurrent processes (ranks, jobs sharing a home directory) share it without
a lock: a marker appears atomically when its shard is verified, and a
process skips shards whose marker another one already wrote.
"""
import hashlib
import logging
import os
import os.path as osp
from typing import Optional

from mmengine.logging import print_log

CACHE_ENV = 'SLP_MM_CACHE_DIR'


def default_cache_dir() -> str:
    """``$SLP_MM_CACHE_DIR``, else ``$XDG_CACHE_HOME/slp_mm``, else
    ``~/.cache/slp_mm``."""
    if os.environ.get(CACHE_ENV):
        return os.environ[CACHE_ENV]
    base = os.environ.get('XDG_CACHE_HOME') or osp.join(
        osp.expanduser('~'), '.cache')
    return osp.join(base, 'slp_mm')


class VerifiedShardCache:
    """Markers of shards whose SHA-256 matched their manifest entry.

    Args:
        cache_dir (str, optional): Root of the cache; markers go to its
            ``verified_shards`` folder. Default: :func:`default_cache_dir`.
    """

    def __init__(self, cache_dir: Optional[str] = None) -> None:
        self.dir = osp.join(cache_dir or default_cache_dir(),
                            'verified_shards')
        self._warned = False

    def _marker(self, file: str, sha256: str) -> str:
        stat = os.stat(file)
        identity = (f'{osp.realpath(file)}\0{stat.st_dev}\0{stat.st_ino}\0'
                    f'{stat.st_size}\0{stat.st_mtime_ns}')
        key = hashlib.sha256(identity.encode('utf-8')).hexdigest()[:32]
        return osp.join(self.dir, f'{sha256}-{key}')

    def contains(self, file: str, sha256: str) -> bool:
        """Whether ``file`` in its current state was verified against
        ``sha256``."""
        return osp.exists(self._marker(file, sha256))

    def add(self, file: str, sha256: str) -> None:
        """Record that ``file`` matched ``sha256``. A cache that cannot be
        written (read-only home, full disk) only costs re-hashing next
        time: warn once and go on."""
        try:
            os.makedirs(self.dir, exist_ok=True)
            with open(self._marker(file, sha256), 'w'):
                pass
        except OSError as e:
            if not self._warned:
                self._warned = True
                print_log(
                    f'Cannot record verified shards in {self.dir} ({e}); '
                    f'they will be hashed again next run (set {CACHE_ENV} '
                    'to a writable folder)', 'current', level=logging.WARNING)
