"""How long ``--help`` of every tool under tools/ takes (the aim: under 2 s,
heavy modules imported inside ``main``).

    python benchmarks/bench_tool_help.py --repeat 3

Runs each tool's ``--help`` in a fresh interpreter ``--repeat`` times and
prints the median wall time per tool, slowest first, as a Markdown table.
The machine's load moves the figures: compare tools within one run.
"""
import argparse
import glob
import os
import os.path as osp
import statistics
import subprocess
import sys
import time

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))


def help_seconds(tool: str, repeat: int) -> float:
    """Median wall time of ``python TOOL --help``."""
    env = dict(os.environ, PYTHONPATH=REPO)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, tool, '--help'], cwd=REPO, env=env,
                       capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    p = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument('--repeat', type=int, default=3,
                   help='runs per tool (the median is printed)')
    args = p.parse_args()
    tools = sorted(osp.relpath(f, REPO) for f in glob.glob(
        osp.join(REPO, 'tools', '**', '*.py'), recursive=True))
    seconds = {t: help_seconds(t, args.repeat) for t in tools}
    print('| tool | `--help` (s, median) |\n|---|---|')
    for tool, s in sorted(seconds.items(), key=lambda kv: -kv[1]):
        print(f'| `{tool}` | {s:.2f} |')


if __name__ == '__main__':
    main()
