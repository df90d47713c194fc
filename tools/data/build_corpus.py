"""Mix converted sign corpora into one pre-training corpus (de-duplicated,
filtered, languages rebalanced) and print its statistics.

    python tools/data/build_corpus.py data/sl15m \
        data/wlasl/train data/msasl/train data/nmfs-csl/train \
        data/slr500/train data/phoenix2014t/train data/csl-daily/train \
        data/how2sign/train data/bobsl/train data/phoenix2014/train \
        --language-weights zh=2 --dedupe content --max-frames 400

Only train splits are mixed: a dev or test corpus (its split is recorded in
its corpus.json by the converters) is refused, since pre-training on it
leaks the downstream evaluation data, unless --allow-eval-splits is given.
A corpus converted before splits were recorded has none: reconvert it, or
state its split with --assume-split.

OUT_DIR receives the corpus, statistics.json (Tables I/II of the paper and a
duration histogram; draw it with tools/analysis/plot_duration_histogram.py),
rejects.json (every dropped sample and why) and build.json. Running it again
with the same sources and options does nothing while OUT_DIR is newer than
the sources; see slp_mm/corpus/corpus_builder.py for the rules.
"""
import argparse
import json
import os.path as osp
import sys
from typing import Dict, Optional, Sequence

from slp_mm.corpus.corpus_builder import (DEDUPE_MODES, STATISTICS,
                                          CorpusBuilder)
from slp_mm.corpus.corpus_statistics import format_build_report
from slp_mm.corpus.language_weights import parse_language_weights
from slp_mm.corpus.sign_corpus import SPLITS
from slp_mm.utils.cli_errors import HelpFormatter


def language_weights(text: str) -> Dict[str, float]:
    """argparse type of --language-weights."""
    try:
        return parse_language_weights(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0].replace('\n', ' '),
        formatter_class=HelpFormatter)
    parser.add_argument('out_dir', help='output folder')
    parser.add_argument(
        'sources',
        nargs='+',
        help='converted corpus folders; of duplicates, the first is kept')
    weighting = parser.add_mutually_exclusive_group()
    weighting.add_argument(
        '--language-weights',
        type=language_weights,
        help='rows per sample by language, e.g. zh=2,de=1 (default 1; '
        'fractions repeat or keep a seeded random share)')
    weighting.add_argument(
        '--balance-languages',
        action='store_true',
        help='repeat every language up to the size of the largest')
    parser.add_argument('--dedupe', choices=DEDUPE_MODES, default='id',
                        help='drop repeated samples by id or by content')
    parser.add_argument(
        '--max-frames', type=int, help='drop samples with more frames')
    parser.add_argument('--seed', type=int, default=0,
                        help='seed of the sampling of the mixture')
    parser.add_argument(
        '--allow-eval-splits',
        action='store_true',
        help='also mix dev/test corpora and corpora of unknown split (their '
        'samples then leak into pre-training: for ablations only)')
    parser.add_argument(
        '--assume-split',
        choices=SPLITS,
        help='the split of sources whose corpus.json records none (written '
        'before splits were recorded); a recorded split always wins')
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> None:
    args = parse_args(argv)
    try:
        builder = CorpusBuilder(
            args.out_dir,
            args.sources,
            language_weights=args.language_weights,
            balance_languages=args.balance_languages,
            dedupe=args.dedupe,
            max_frames=args.max_frames,
            seed=args.seed,
            allow_eval_splits=args.allow_eval_splits,
            assume_split=args.assume_split)
        statistics = builder.build()
    except (OSError, ValueError) as e:
        sys.exit(f'Cannot build {args.out_dir}: {e}')
    if statistics is None:
        print(f'{args.out_dir} is complete and newer than its sources, '
              'built with the same options: nothing to do')
        with open(osp.join(args.out_dir, STATISTICS), encoding='utf-8') as f:
            statistics = json.load(f)
    print(format_build_report(statistics, args.out_dir))


if __name__ == '__main__':
    main()
