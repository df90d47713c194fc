import os
import os.path as osp
import subprocess
import sys

from ..conftest import REPO

TOOL = osp.join(REPO, 'tools', 'analysis', 'score_translations.py')


def _tool(*args):
    """The tool run as a program."""
    return subprocess.run([sys.executable, TOOL, *args], capture_output=True,
                          text=True, env=dict(os.environ, PYTHONPATH=REPO))


def _run(*args):
    """The lines the tool printed; it must succeed."""
    proc = _tool(*args)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout.splitlines()


def test_scores_sample_files_under_each_protocol(tmp_path):
    pred, ref = tmp_path / 'pred.txt', tmp_path / 'ref.txt'
    pred.write_text('sample: b, prediction: the cat on mat\n'
                    'sample: a, prediction: it rains\n')
    ref.write_text('sample: a, ground-truth: it rains\n'
                   'sample: b, ground-truth: the cat sat on the mat\n')
    lines = _run(str(pred), str(ref), '--language', 'en')
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
    lines = _run(str(pred), str(ref), '--language', 'en',
                 '--protocol', 'uni-sign')
    assert [line.split()[0] for line in lines[1:]] == ['uni-sign']


def test_refuses_an_unknown_protocol(tmp_path):
    pred = tmp_path / 'pred.txt'
    pred.write_text('es regnet\n')
    proc = _tool(str(pred), str(pred), '--language', 'de', '--protocol',
                 'bleurt')
    assert proc.returncode != 0
    assert "invalid choice: 'bleurt'" in proc.stderr
