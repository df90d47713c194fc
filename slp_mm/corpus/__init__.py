"""The on-disk sign corpus: its format, writer and reader, the builder that
mixes converted sources into one pre-training corpus, its statistics and
language weights, and the synthetic corpus for the demo and tests. Offline
preparation writes it and the runtime datasets read it."""
from .corpus_builder import CorpusBuilder
from .corpus_statistics import CorpusStatistics, format_statistics
from .language_weights import check_language_weights, language_repeats
from .pose_sample_check import InvalidSampleError, find_sample_problem
from .sign_corpus import MANIFEST, SPLITS, SignCorpus, SignCorpusWriter
from .synthetic_sign_corpus import build_synthetic_corpus

__all__ = [
    'SignCorpus', 'SignCorpusWriter', 'MANIFEST', 'SPLITS', 'CorpusBuilder',
    'CorpusStatistics', 'format_statistics', 'check_language_weights',
    'language_repeats', 'InvalidSampleError', 'find_sample_problem',
    'build_synthetic_corpus'
]
