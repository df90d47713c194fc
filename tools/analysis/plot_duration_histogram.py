"""Draw the duration histogram of a corpus's statistics.json (written by
tools/data/build_corpus.py) to a PNG of 800 x 450 pixels.

    python tools/analysis/plot_duration_histogram.py \
        data/sl15m/statistics.json duration_histogram.png
"""
import argparse
import json
from typing import Optional, Sequence

from slp_mm.utils.cli_errors import (HelpFormatter, add_debug_argument,
                                     run_cli)

DPI = 100  # the figure is 8 x 4.5 inches: 800 x 450 pixels


def main(argv: Optional[Sequence[str]] = None) -> None:
    p = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=HelpFormatter)
    p.add_argument('statistics', help='statistics.json of a built corpus')
    p.add_argument('out_png', help='the histogram image to write (.png)')
    add_debug_argument(p)
    args = p.parse_args(argv)
    from slp_mm.visualization.duration_histogram import draw_duration_histogram
    with open(args.statistics, encoding='utf-8') as f:
        statistics = json.load(f)
    fig = draw_duration_histogram(statistics, args.statistics)
    fig.savefig(args.out_png, dpi=DPI)  # no bbox_inches: the size is fixed
    print(f'wrote {args.out_png}')


if __name__ == '__main__':
    run_cli(main)
