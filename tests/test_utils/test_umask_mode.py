"""Issue 18 #14: checkpoints (atomic writes) and corpora (built in a
temporary directory) get the user's umask, not tempfile's private 0600 /
0700, so a team sharing a work dir can read them."""
import os
import stat

import pytest

from slp_mm.corpus.synthetic_sign_corpus import build_synthetic_corpus
from slp_mm.utils.atomic_local_backend import AtomicLocalBackend


@pytest.fixture(params=[0o022, 0o027])
def umask(request):
    old = os.umask(request.param)
    yield request.param
    os.umask(old)


def _mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_checkpoint_writes_follow_the_umask(umask, tmp_path):
    path = tmp_path / 'epoch_1.pth'
    AtomicLocalBackend().put(b'weights', path)
    assert _mode(path) == 0o666 & ~umask  # 0o644 / 0o640


def test_synthetic_corpus_directory_follows_the_umask(umask, tmp_path):
    out = build_synthetic_corpus(str(tmp_path / 'corpus'), num_samples=4,
                                 vocab_size=200)
    assert _mode(out) == 0o777 & ~umask  # 0o755 / 0o750
    assert all(_mode(os.path.join(out, f)) == 0o666 & ~umask
               for f in os.listdir(out)
               if os.path.isfile(os.path.join(out, f)))
