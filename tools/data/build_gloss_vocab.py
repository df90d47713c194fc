"""Build the gloss vocabulary of a CSLR dataset from its training corpus.

    python tools/data/build_gloss_vocab.py data/phoenix2014/train \
        data/phoenix2014/gloss_vocab.json
"""
import argparse

from slp_mm.utils.cli_errors import HelpFormatter


def main():
    p = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=HelpFormatter)
    p.add_argument('train_corpus', help='training corpus directory')
    p.add_argument('out', help='the vocabulary file to write (.json)')
    args = p.parse_args()
    from slp_mm.corpus import SignCorpus  # heavy: not for --help
    from slp_mm.structures import GlossVocabulary
    glosses = [g for g in SignCorpus(args.train_corpus).column('gloss') if g]
    vocab = GlossVocabulary.build(glosses)
    vocab.save(args.out)
    print(f'{len(vocab) - 1} glosses (+ blank) from {len(glosses)} '
          f'sequences -> {args.out}')


if __name__ == '__main__':
    main()
