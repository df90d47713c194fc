"""Build the gloss vocabulary of a CSLR dataset from its training corpus.

    python tools/data/build_gloss_vocab.py data/phoenix2014/train \
        data/phoenix2014/gloss_vocab.json
"""
import argparse

from slp_mm.corpus import SignCorpus
from slp_mm.structures import GlossVocabulary


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('train_corpus')
    p.add_argument('out')
    args = p.parse_args()
    glosses = [g for g in SignCorpus(args.train_corpus).column('gloss') if g]
    vocab = GlossVocabulary.build(glosses)
    vocab.save(args.out)
    print(f'{len(vocab) - 1} glosses (+ blank) from {len(glosses)} '
          f'sequences -> {args.out}')


if __name__ == '__main__':
    main()
