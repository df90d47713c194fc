"""Check every shard of a sign corpus against its manifest (size, SHA-256,
row count).

    python tools/data/verify_corpus.py data/sl15m/corpus

Prints OK only when every shard was compared in full; a shard that differs,
is missing, or whose manifest entry records no size or checksum (so cannot
be verified) is listed and the exit status is 1.
"""
import argparse
import sys
from typing import Optional, Sequence

from slp_mm.utils.cli_errors import HelpFormatter


def main(argv: Optional[Sequence[str]] = None) -> None:
    p = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=HelpFormatter)
    p.add_argument('corpus', help='corpus directory (holding its manifest)')
    args = p.parse_args(argv)
    from slp_mm.corpus import SignCorpus  # heavy: not for --help
    try:
        corpus = SignCorpus(args.corpus)
        corpus.verify()
    except (OSError, ValueError) as e:
        sys.exit(f'FAILED: {e}')
    print(f'OK: {len(corpus.shard_files)} shards, {len(corpus)} samples')


if __name__ == '__main__':
    main()
