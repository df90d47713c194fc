"""Draw the duration histogram of a corpus's statistics.json (written by
tools/data/build_corpus.py) to a PNG of 800 x 450 pixels.

    python tools/analysis/plot_duration_histogram.py \
        data/sl15m/statistics.json duration_histogram.png
"""
import argparse
import json
from typing import Optional, Sequence

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402

from slp_mm.corpus.corpus_statistics import duration_bin_labels  # noqa

FIGSIZE_INCHES = (8, 4.5)
DPI = 100


def main(argv: Optional[Sequence[str]] = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('statistics', help='statistics.json of a built corpus')
    p.add_argument('out_png')
    args = p.parse_args(argv)
    with open(args.statistics, encoding='utf-8') as f:
        statistics = json.load(f)
    try:
        histogram = statistics['duration_histogram']
        counts = histogram['counts']
        labels = duration_bin_labels(histogram)
    except KeyError as e:
        raise SystemExit(f'{args.statistics}: no field {e} (expected the '
                         'statistics.json of tools/data/build_corpus.py)')
    fig, ax = plt.subplots(figsize=FIGSIZE_INCHES, dpi=DPI)
    ax.bar(range(len(counts)), counts, color='tab:blue')
    ax.set_xticks(range(len(counts)), labels, rotation=45)
    ax.set_xlabel('duration (s)')
    ax.set_ylabel('samples')
    total = statistics['total']
    ax.set_title(f'{total["samples"]} samples, {total["hours"]:.1f} h')
    fig.tight_layout()
    fig.savefig(args.out_png, dpi=DPI)  # no bbox_inches: the size is fixed
    plt.close(fig)
    print(f'wrote {args.out_png}')


if __name__ == '__main__':
    main()
