"""Check every shard of a sign corpus against its manifest (size, SHA-256).

    python tools/data/verify_corpus.py data/sl15m/corpus
"""
import argparse
import sys

from slp_mm.corpus import SignCorpus


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('corpus')
    args = p.parse_args()
    corpus = SignCorpus(args.corpus)
    try:
        corpus.verify()
    except IOError as e:
        sys.exit(f'FAILED: {e}')
    print(f'OK: {len(corpus.shard_files)} shards, {len(corpus)} samples')


if __name__ == '__main__':
    main()
