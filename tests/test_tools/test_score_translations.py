import os.path as osp
import runpy
import sys

import pytest

from ..conftest import REPO

TOOL = osp.join(REPO, 'tools', 'analysis', 'score_translations.py')


def _run(monkeypatch, capsys, *args):
    monkeypatch.setattr(sys, 'argv', [TOOL, *args])
    runpy.run_path(TOOL, run_name='__main__')
    return capsys.readouterr().out.splitlines()


def test_scores_sample_files_under_each_protocol(tmp_path, monkeypatch,
                                                 capsys):
    pred, ref = tmp_path / 'pred.txt', tmp_path / 'ref.txt'
    pred.write_text('sample: b, prediction: the cat on mat\n'
                    'sample: a, prediction: it rains\n')
    ref.write_text('sample: a, ground-truth: it rains\n'
                   'sample: b, ground-truth: the cat sat on the mat\n')
    lines = _run(monkeypatch, capsys, str(pred), str(ref), '--language', 'en')
    assert lines[0].split() == [
        'protocol', 'n', 'bleu1', 'bleu2', 'bleu3', 'bleu4', 'rouge_l'
    ]
    rows = {line.split()[0]: line.split()[1:] for line in lines[1:]}
    assert list(rows) == ['slrt', 'uni-sign']
    # 6 of 6 hypothesis words match, brevity exp(1 - 8 / 6) = 71.65;
    # ROUGE-L: (1 + 26 / 35) / 2 and (1 + 8 / 9) / 2
    assert rows['slrt'][:2] == ['2', '71.65']
    assert rows['slrt'][-1] == '87.14'
    assert rows['uni-sign'][-1] == '94.44'
    lines = _run(monkeypatch, capsys, str(pred), str(ref), '--language', 'en',
                 '--protocol', 'uni-sign')
    assert [line.split()[0] for line in lines[1:]] == ['uni-sign']


def test_refuses_an_unknown_protocol(tmp_path, monkeypatch, capsys):
    pred = tmp_path / 'pred.txt'
    pred.write_text('es regnet\n')
    with pytest.raises(SystemExit):
        _run(monkeypatch, capsys, str(pred), str(pred), '--language', 'de',
             '--protocol', 'bleurt')
    assert "invalid choice: 'bleurt'" in capsys.readouterr().err
