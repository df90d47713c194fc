"""Score translation outputs against references with the field's BLEU and
ROUGE-L protocols (docs/evaluation.md), e.g. to re-score published outputs.

    python tools/analysis/score_translations.py PRED REF --language zh \
        [--protocol slrt uni-sign] [--nfkc]

PRED and REF hold one sentence a line, or ``sample: <id>, <field>: <text>``
lines (as Uni-Sign writes them), paired by id.
"""
import argparse

from slp_mm.evaluation.functional import (LANGUAGE_UNITS,
                                          TRANSLATION_PROTOCOLS,
                                          read_translation_pairs,
                                          score_translations)
from slp_mm.utils.cli_errors import HelpFormatter

COLUMNS = ('bleu1', 'bleu2', 'bleu3', 'bleu4', 'rouge_l')


def main():
    p = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=HelpFormatter)
    p.add_argument('pred', help='hypothesis file')
    p.add_argument('ref', help='reference file')
    p.add_argument('--language', required=True, choices=list(LANGUAGE_UNITS),
                   help='language of the texts (sets the tokenisation)')
    p.add_argument('--protocol',
                   nargs='+',
                   choices=list(TRANSLATION_PROTOCOLS),
                   default=list(TRANSLATION_PROTOCOLS),
                   help='the scoring protocols to report')
    p.add_argument('--nfkc',
                   action='store_true',
                   help='NFKC-normalise both sides first, as '
                   'TranslationMetric does (the public scorers do not)')
    args = p.parse_args()
    ids, hyps, refs = read_translation_pairs(args.pred, args.ref)
    print(f'{"protocol":<10}{"n":>6}' + ''.join(f'{c:>9}' for c in COLUMNS))
    for protocol in args.protocol:
        scores = score_translations(hyps, refs, args.language, protocol,
                                    args.nfkc)
        print(f'{protocol:<10}{len(ids):>6}' + ''.join(f'{scores[c]:>9.2f}'
                                                       for c in COLUMNS))


if __name__ == '__main__':
    main()
