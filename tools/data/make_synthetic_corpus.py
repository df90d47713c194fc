"""Write a SYNTHETIC sign corpus and its tokenizer (OUT/tokenizer).

E.g. the SL-1.5M-like mix that rehearses the paper's run without any data
(docs/pretraining.md, 'Rehearsing the 8-GPU run'):

    python tools/data/make_synthetic_corpus.py data/sl15m_synthetic/corpus \
        --mix sl15m --num-samples 64

An existing corpus at OUT is kept as it is.
"""
import argparse

from slp_mm.corpus import SignCorpus
from slp_mm.corpus.corpus_statistics import CorpusStatistics, format_statistics
from slp_mm.corpus.synthetic_sign_corpus import (SYNTHETIC_MIXES,
                                                 build_synthetic_corpus)
from slp_mm.utils.cli_errors import HelpFormatter

STATISTICS_COLUMNS = ('dataset', 'language', 'text', 'signer', 'num_frames',
                      'fps')


def main():
    p = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=HelpFormatter)
    p.add_argument('out', help='corpus directory to write')
    p.add_argument(
        '--mix',
        choices=list(SYNTHETIC_MIXES),
        default='sl15m',
        help='sl15m: SL-1.5M\'s kinds of source, languages and '
        'lengths; demo: the short clips of configs/pretrain/demo.py')
    p.add_argument('--num-samples', type=int, default=64,
                   help='samples to write')
    p.add_argument('--seed', type=int, default=0,
                   help='seed of the random samples')
    args = p.parse_args()
    build_synthetic_corpus(args.out,
                           num_samples=args.num_samples,
                           seed=args.seed,
                           mix=args.mix)
    corpus = SignCorpus(args.out)
    statistics = CorpusStatistics()
    for row in zip(*(corpus.column(c) for c in STATISTICS_COLUMNS)):
        statistics.add(dict(zip(STATISTICS_COLUMNS, row)))
    print(format_statistics(statistics.to_dict()))
    print(f'{len(corpus)} samples in {args.out}, tokenizer in '
          f'{args.out}/tokenizer')


if __name__ == '__main__':
    main()
