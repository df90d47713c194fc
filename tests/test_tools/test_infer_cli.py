"""tools/infer.py as users run it (issues 18 #12 and 19): wrong arguments
get one line before the model loads, a folder is read past a broken file,
the config comes from the checkpoint, a corpus split gives JSON lines, and
a relative path of a config run from elsewhere is named as such."""
import json
import os
import os.path as osp
import re
import shutil
import subprocess
import sys

import pytest
import torch
from mmengine.config import Config

from slp_mm.registry import MODELS

from ..conftest import REPO, shared_file

ISLR = osp.join(REPO, 'configs', 'islr', 'traduttore_asl_words_scratch.py')


def _infer(*args, cwd=REPO):
    env = dict(os.environ, PYTHONPATH=REPO, OMP_NUM_THREADS='1')
    return subprocess.run([sys.executable, osp.join(REPO, 'tools',
                                                    'infer.py'), *args],
                          cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=600)


def _checkpoint(cfg, path):
    """A checkpoint as tools/train.py writes it: weights + the config."""
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    torch.save(dict(state_dict=model.state_dict(),
                    meta=dict(cfg=cfg.pretty_text)), path)
    return str(path)


@pytest.fixture(scope='module')
def islr_checkpoint(tmp_path_factory):
    path = tmp_path_factory.mktemp('islr') / 'epoch_1.pth'
    return _checkpoint(Config.fromfile(ISLR), path)


def _error_line(proc):
    assert proc.returncode != 0
    assert 'Traceback' not in proc.stderr, proc.stderr[-3000:]
    return proc.stderr.strip().splitlines()[-1]


@pytest.mark.parametrize('args, message', [
    (['--batch-size', '0'], 'argument --batch-size: must be 1 or more'),
    (['--batch-size', '-2'], 'argument --batch-size: must be 1 or more'),
    (['--query', '  '], '--query is empty'),
])
def test_wrong_arguments_get_one_line(args, message):
    """Refused before anything is read: the files need not exist."""
    proc = _infer(ISLR, 'model.pth', 'clip.pose', *args)
    assert message in _error_line(proc)


def test_empty_texts_file_is_named(tmp_path):
    texts = tmp_path / 'texts.txt'
    texts.write_text('\n  \n', encoding='utf-8')
    proc = _infer(ISLR, 'model.pth', 'clip.pose', '--texts', str(texts))
    assert _error_line(proc) == (
        f'infer.py: error: --texts {texts}: the file has no sentence (one '
        'per line expected)  (--debug for the traceback)')


@pytest.mark.slow
def test_folder_past_a_broken_file_with_the_checkpoint_config(
        islr_checkpoint, tmp_path):
    """No config given: the checkpoint's own is used; the broken file is
    reported, the two others answered, and the exit status is 1."""
    for word in ('SOUP', 'FOOTBALL'):
        shutil.copy(shared_file('slp-pose-wholebody133',
                                f'{word}.mmposewholebody.pose'),
                    tmp_path / f'{word}.pose')
    (tmp_path / 'broken.pose').write_bytes(b'\x00\x01garbage')
    out = tmp_path / 'results.json'
    proc = _infer(islr_checkpoint, str(tmp_path), '--batch-size', '3',
                  '--topk', '2', '--out', str(out))
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert re.search(rf'skipped: .*{tmp_path}/broken.pose', proc.stderr)
    assert _error_line(proc).startswith(
        "infer.py: error: 1 of 3 input(s) could not be read: "
        f"['{tmp_path}/broken.pose']")
    answered = [line.split(':')[0] for line in proc.stdout.splitlines()
                if line.endswith(')')]
    assert answered == ['FOOTBALL.pose', 'SOUP.pose']
    saved = json.loads(out.read_text(encoding='utf-8'))
    assert [osp.basename(r['file']) for r in saved] == answered
    assert all(len(r['topk']) == 2 for r in saved)


@pytest.mark.slow
def test_corpus_split_gives_one_json_line_per_sample(synthetic_corpus,
                                                     tmp_path):
    cfg = Config.fromfile(ISLR)
    cfg.model.head.num_classes = 16
    cfg.test_dataloader.dataset.datasets = ['synthetic-isolated']
    cfg_file = str(tmp_path / 'islr16.py')
    cfg.dump(cfg_file)
    ckpt = _checkpoint(cfg, tmp_path / 'islr16.pth')
    work = tmp_path / 'work'
    proc = _infer(cfg_file, ckpt, '--corpus', synthetic_corpus,
                  '--work-dir', str(work), '--topk', '3')
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = work / 'infer_corpus.jsonl'
    assert f'wrote 14 predictions of {synthetic_corpus} to {out}' \
        in proc.stdout
    lines = [json.loads(line) for line in
             out.read_text(encoding='utf-8').splitlines()]
    assert len(lines) == 14  # the synthetic isolated signs
    assert len({r['id'] for r in lines}) == 14
    assert all(len(r['topk']) == 3 for r in lines)


@pytest.mark.slow
def test_relative_config_path_run_elsewhere_is_named(demo_cfg, tmp_path):
    """The demo's tokenizer path is relative to the repository; run from
    another directory the error used to blame the Hugging Face cache."""
    ckpt = _checkpoint(demo_cfg, tmp_path / 'demo.pth')
    texts = tmp_path / 'texts.txt'
    texts.write_text('a sentence\n', encoding='utf-8')
    clip = shared_file('slp-pose-wholebody133', 'SOUP.mmposewholebody.pose')
    proc = _infer(osp.join(REPO, 'configs', 'pretrain', 'demo.py'), ckpt,
                  clip, '--texts', str(texts), '--language', 'en',
                  cwd=str(tmp_path))
    assert _error_line(proc) == (
        "infer.py: error: Tokenizer 'data/demo_synthetic/corpus/tokenizer' "
        'is not available offline: no such local directory under the '
        f'working directory {tmp_path}, and not in the Hugging Face cache '
        '(huggingface-cli download puts it there)  (--debug for the '
        'traceback)')
