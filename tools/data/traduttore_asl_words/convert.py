"""Convert the traduttore ASL words sample (MediaPipe Holistic vectors, 14
classes; see its SOURCE.md) into two sign corpora split by recording block:
the first block of every class trains, the other tests.

    python tools/data/traduttore_asl_words/convert.py \
        ../shared/data/traduttore-asl-words data/traduttore_asl_words
"""
import argparse
import os.path as osp
import sys

from slp_mm.preparation.converters.traduttore_asl_words import \
    convert_traduttore
from slp_mm.utils.cli_errors import HelpFormatter


def main():
    p = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=HelpFormatter)
    p.add_argument('src', help='folder holding traduttore_asl_words_*.npz/csv')
    p.add_argument('out', help='output folder (train/ and test/ corpora)')
    args = p.parse_args()
    if not osp.isdir(args.src):
        sys.exit(f'{args.src} does not exist')
    for split, n in convert_traduttore(args.src, args.out).items():
        print(f'{split}: {n} samples -> {osp.join(args.out, split)}')


if __name__ == '__main__':
    main()
