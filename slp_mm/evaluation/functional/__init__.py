from .gloss_cleanup import (GLOSS_CLEANUPS, clean_phoenix2014_hypothesis,
                            cleanup_for, keep_raw, remove_markers)
from .retrieval import median_rank, recall_at_k, retrieval_ranks
from .wer import WordErrors, align_words, word_errors

__all__ = [
    'GLOSS_CLEANUPS', 'clean_phoenix2014_hypothesis', 'cleanup_for',
    'keep_raw', 'remove_markers', 'WordErrors', 'align_words', 'word_errors',
    'median_rank', 'recall_at_k', 'retrieval_ranks'
]
