"""Issue 18 #13: a mistake in the user's input is one line on stderr (the
traceback with --debug or SLP_MM_DEBUG=1), the same way in every tool; a
bug keeps its traceback."""
import os
import os.path as osp
import subprocess
import sys

import pytest

from slp_mm.utils.cli_errors import UserError, run_cli

from ..conftest import REPO


def _run_cli(monkeypatch, capsys, error, argv=('tool.py', )):
    monkeypatch.setattr(sys, 'argv', list(argv))

    def main():
        raise error

    with pytest.raises(SystemExit) as exited:
        run_cli(main)
    return exited.value.code, capsys.readouterr().err


def test_user_error_is_one_line(monkeypatch, capsys):
    monkeypatch.delenv('SLP_MM_DEBUG', raising=False)
    code, err = _run_cli(monkeypatch, capsys,
                         UserError('a.json: field "fps" is missing'))
    assert code == 1
    assert err == ('tool.py: error: a.json: field "fps" is missing  '
                   '(--debug for the traceback)\n')


@pytest.mark.parametrize('argv, env', [(('tool.py', '--debug'), None),
                                       (('tool.py', ), '1')])
def test_debug_shows_the_traceback(monkeypatch, capsys, argv, env):
    if env:
        monkeypatch.setenv('SLP_MM_DEBUG', env)
    code, err = _run_cli(monkeypatch, capsys, FileNotFoundError('x.pose'),
                         argv)
    assert code == 1
    assert err.startswith('Traceback (most recent call last):')
    assert err.endswith('tool.py: error: x.pose  (--debug for the '
                        'traceback)\n')


def test_a_bug_keeps_its_traceback(monkeypatch):
    monkeypatch.setattr(sys, 'argv', ['tool.py'])

    def main():
        raise KeyError('bug')

    with pytest.raises(KeyError):
        run_cli(main)


@pytest.mark.slow
@pytest.mark.parametrize('tool, args, message', [
    ('tools/train.py', ['missing.py'],
     "[Errno 2] No such file or directory: 'missing.py'"),
    ('tools/test.py', [osp.join(REPO, 'configs/islr/wlasl100.py'),
                       'missing.pth'],
     'checkpoint missing.pth does not exist'),
    ('tools/infer.py', ['missing.pth', 'clip.pose'],
     'checkpoint missing.pth does not exist'),
    ('tools/analysis/draw_pose.py', ['missing.pose'],
     "[Errno 2] No such file or directory: 'missing.pose'"),
])
def test_every_tool_says_a_missing_file_in_one_line(tool, args, message,
                                                    tmp_path):
    env = dict(os.environ, PYTHONPATH=REPO)
    env.pop('SLP_MM_DEBUG', None)
    proc = subprocess.run([sys.executable, osp.join(REPO, tool), *args],
                          cwd=str(tmp_path), env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 1
    assert 'Traceback' not in proc.stderr, proc.stderr[-2000:]
    assert proc.stderr.strip().splitlines()[-1] == (
        f'{osp.basename(tool)}: error: {message}  (--debug for the '
        'traceback)')


def test_a_config_that_does_not_parse_is_a_config_error(tmp_path):
    from slp_mm.utils.config_check import load_config
    bad = tmp_path / 'bad.py'
    bad.write_text('model = dict(\n')
    with pytest.raises(UserError, match=f'^{bad} is not a valid config: '):
        load_config(str(bad))
