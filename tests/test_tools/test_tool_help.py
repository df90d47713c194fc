"""Issue 19: ``--help`` of every tool under tools/ exits 0 with a whole
one-line description and help plus default for every option, and no tool
prints mmcv-lite's MultiScaleDeformableAttention warning. Seconds per
``--help`` are printed (not asserted: they depend on the machine's load;
benchmarks/bench_tool_help.py measures them)."""
import glob
import os
import os.path as osp
import re
import subprocess
import sys
import time

import pytest

from ..conftest import REPO

TOOLS = sorted(
    osp.relpath(f, REPO)
    for f in glob.glob(osp.join(REPO, 'tools', '**', '*.py'), recursive=True))
MSDA_WARNING = 'MultiScaleDeformableAttention'


def _help(tool):
    env = dict(os.environ, PYTHONPATH=REPO)
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, tool, '--help'], cwd=REPO,
                          env=env, capture_output=True, text=True,
                          timeout=120)
    print(f'{tool} --help: {time.perf_counter() - start:.2f} s')
    return proc


def parse_help(text):
    """(description, {invocation: help text}) of an argparse help page."""
    blocks = text.split('\n\n')
    description = ' '.join(blocks[1].split()) if len(blocks) > 1 else ''
    actions, current = {}, None
    for line in text.splitlines():
        if re.match(r'^  \S', line):  # an argument's first line
            current, _, rest = line.strip().partition('  ')
            actions[current] = rest.strip()
        elif re.match(r'^ {3,}\S', line) and current is not None:
            actions[current] = (actions[current] + ' ' + line.strip()).strip()
        else:
            current = None
    return description, actions


def test_parse_help_reads_an_argparse_page():
    text = ('usage: x.py [-h] [--out OUT] src\n\nMake a thing from src.\n\n'
            'positional arguments:\n  src         the input\n\n'
            'options:\n  -h, --help  show this help message and exit\n'
            '  --out OUT   where the output goes, a rather long help that\n'
            '              wraps (default: out.txt)\n  --bare\n')
    description, actions = parse_help(text)
    assert description == 'Make a thing from src.'
    assert actions == {
        'src': 'the input', '-h, --help': 'show this help message and exit',
        '--out OUT': 'where the output goes, a rather long help that wraps '
        '(default: out.txt)', '--bare': ''}


@pytest.mark.slow
@pytest.mark.parametrize('tool', TOOLS)
def test_help_is_complete(tool):
    proc = _help(tool)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert MSDA_WARNING not in proc.stderr
    description, actions = parse_help(proc.stdout)
    # a whole sentence, not the first line of a longer one
    assert re.search(r'[.)]$', description), description
    no_help = [a for a, h in actions.items() if not h]
    assert not no_help, f'{tool}: arguments without help: {no_help}'
    no_default = [a for a, h in actions.items()
                  if a.startswith('-') and a != '-h, --help'
                  and 'default' not in h]
    assert not no_default, f'{tool}: options without default: {no_default}'
    twice = [a for a, h in actions.items() if h.count('(default') > 1]
    assert not twice, f'{tool}: default said twice: {twice}'


@pytest.mark.slow
def test_importing_every_module_prints_no_mmcv_lite_warning():
    """mmaction's model zoo imports mmcv's transformer bricks, which warn on
    every command that mmcv-lite lacks a compiled op no slp_mm model uses;
    it is silenced where slp_mm imports mmaction."""
    env = dict(os.environ, PYTHONPATH=REPO)
    proc = subprocess.run(
        [sys.executable, '-c', 'from slp_mm.engine import '
         'register_all_modules; register_all_modules(); import slp_mm.apis'],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert MSDA_WARNING not in proc.stderr
