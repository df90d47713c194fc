"""The command-line tools end to end on damaged inputs, as an adversary
would run them: each run exits non-zero (or skips the damaged input with a
count), names what it refused, leaves every input byte-identical and writes
nothing outside its output folder.

One subprocess per case (a tool start is ~3 s), so the damage is a fixed
set, not drawn: the shapes of damage that in-process fuzzing showed matter
(same-size bit flips, which only checksums see; truncation; an empty
file)."""
import hashlib
import os
import os.path as osp
import shutil
import subprocess
import sys

import pytest

from ..conftest import REPO

pytestmark = pytest.mark.slow


def _damage(path, kind):
    data = bytearray(open(path, 'rb').read())
    if kind == 'flip':  # 200 bytes in the middle; the size stays
        middle = len(data) // 2
        for i in range(middle - 100, middle + 100):
            data[i] ^= 0x5A
    elif kind == 'truncate':
        data = data[:len(data) // 2]
    else:
        assert kind == 'empty'
        data = b''
    with open(path, 'wb') as f:
        f.write(bytes(data))


def _snapshot(root, skip=()):
    """Relative path -> SHA-256 of every file under ``root`` outside
    ``skip`` folders."""
    out = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if osp.join(folder, d) not in skip]
        for name in files:
            path = osp.join(folder, name)
            with open(path, 'rb') as f:
                out[osp.relpath(path, root)] = hashlib.sha256(
                    f.read()).hexdigest()
    return out


def _run(tool, args, root, out=None):
    """Run ``tool`` from an empty working folder inside ``root``; assert no
    file under ``root`` outside ``out`` changed, appeared or vanished."""
    cwd = osp.join(root, 'cwd')
    os.makedirs(cwd, exist_ok=True)
    skip = (out, ) if out else ()
    before = _snapshot(root, skip)
    env = dict(os.environ, PYTHONPATH=REPO, OMP_NUM_THREADS='1')
    proc = subprocess.run([sys.executable, osp.join(REPO, tool)] + args,
                          cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300)
    assert _snapshot(root, skip) == before, 'an input or a bystander changed'
    return proc.returncode, proc.stdout + proc.stderr


@pytest.fixture
def corpus(tmp_path, synthetic_corpus):
    """A copy of the 48-sample synthetic corpus (one shard) and its
    tokenizer."""
    path = str(tmp_path / 'corpus')
    shutil.copytree(synthetic_corpus, path)
    return path


@pytest.mark.parametrize('kind', ['flip', 'truncate', 'empty'])
def test_verify_corpus_refuses_a_damaged_shard(tmp_path, corpus, kind):
    _damage(osp.join(corpus, 'shard-00000.arrow'), kind)
    rc, log = _run('tools/data/verify_corpus.py', [corpus], str(tmp_path))
    assert rc != 0 and 'shard-00000.arrow' in log


def test_build_corpus_refuses_a_corrupt_source(tmp_path, corpus):
    _damage(osp.join(corpus, 'shard-00000.arrow'), 'flip')
    out = str(tmp_path / 'mix')
    rc, log = _run('tools/data/build_corpus.py', [out, corpus],
                   str(tmp_path), out=out)
    assert rc != 0 and 'shard-00000.arrow' in log
    assert not osp.exists(osp.join(out, 'corpus.json'))


def _train_args(corpus, work, *options):
    tokenizer = osp.join(corpus, 'tokenizer')
    return [osp.join(REPO, 'configs', 'pretrain', 'demo.py'),
            '--work-dir', work, '--cfg-options',
            'train_dataloader.dataset.data_root=',
            f'train_dataloader.dataset.ann_file={corpus}',
            f'train_dataloader.dataset.pipeline.5.tokenizer={tokenizer}',
            'train_cfg.max_epochs=1',
            'train_dataloader.batch_size=8', *options]


@pytest.mark.parametrize('kind', ['flip', 'truncate'])
def test_train_stops_on_a_damaged_shard(tmp_path, corpus, kind):
    _damage(osp.join(corpus, 'shard-00000.arrow'), kind)
    work = str(tmp_path / 'work')
    rc, log = _run('tools/train.py', _train_args(corpus, work),
                   str(tmp_path), out=work)
    assert rc != 0 and 'shard-00000.arrow' in log
    assert not [f for f in os.listdir(work) if f.endswith('.pth')] \
        if osp.isdir(work) else True


def _release(root, damaged):
    """A PHOENIX-2014-T dev release of three clips in MMPose JSON, the
    ``damaged`` ones (kind by name) damaged."""
    from ..test_preparation.test_conversion_bad_inputs import (_mmpose_json,
                                                               _pose, _row,
                                                               _write_release)
    names = ('clip_a', 'clip_b', 'clip_c')
    _write_release(root, [_row(name) for name in names])
    for seed, name in enumerate(names):
        path = root / 'poses' / f'{name}.json'
        path.write_text(_mmpose_json(*_pose(seed)))
        if name in damaged:
            _damage(str(path), damaged[name])


def _convert(root):
    out = str(root / 'out')
    return _run('tools/data/convert_sign_dataset.py', [
        'phoenix2014t', str(root / 'ann'), str(root / 'poses'), out,
        '--pose-format', 'mmpose-json', '--splits', 'dev'], str(root), out)


def test_conversion_skips_a_damaged_pose_file_and_counts_it(tmp_path):
    _release(tmp_path, dict(clip_b='flip'))
    rc, log = _convert(tmp_path)
    assert rc == 0, log
    from slp_mm.corpus import SignCorpus
    assert SignCorpus(str(tmp_path / 'out' / 'dev')).column('id') == [
        'clip_a', 'clip_c']
    assert 'clip_b.json' in open(tmp_path / 'out' / 'dev' /
                                 'rejects.json').read()


def test_conversion_of_only_damaged_files_fails(tmp_path):
    _release(tmp_path, dict(clip_a='flip', clip_b='truncate',
                            clip_c='empty'))
    rc, log = _convert(tmp_path)
    assert rc != 0 and '3' in log


@pytest.fixture(scope='module')
def islr_checkpoint(tmp_path_factory):
    """A .pth of the 14-class ISLR model that carries its config."""
    import torch

    from slp_mm.apis import init_model
    model = init_model(osp.join(REPO, 'configs', 'islr',
                                'traduttore_asl_words_scratch.py'))
    path = str(tmp_path_factory.mktemp('islr') / 'islr.pth')
    torch.save(dict(meta=dict(cfg=model.cfg.pretty_text),
                    state_dict=model.state_dict()), path)
    return path


@pytest.mark.parametrize('kind', ['flip', 'truncate', 'empty'])
def test_infer_reads_past_a_damaged_clip(tmp_path, islr_checkpoint, kind):
    from ..conftest import shared_file
    clips = tmp_path / 'clips'
    clips.mkdir()
    for word in ('FOOTBALL', 'SOUP'):
        shutil.copy(shared_file('slp-pose-wholebody133',
                                f'{word}.mmposewholebody.pose'),
                    clips / f'{word}.pose')
    _damage(str(clips / 'SOUP.pose'), kind)
    out = str(tmp_path / 'out')
    rc, log = _run('tools/infer.py', [
        islr_checkpoint, str(clips), '--out', osp.join(out, 'results.json')
    ], str(tmp_path), out=out)
    assert rc != 0 and 'SOUP.pose' in log
    assert 'FOOTBALL.pose:' in log  # the readable clip's result
