from .gloss_cleanup import (GLOSS_CLEANUPS, clean_phoenix2014_hypothesis,
                            cleanup_for, keep_raw, remove_markers)
from .retrieval import median_rank, recall_at_k, retrieval_ranks
from .rouge_l import (lcs_length, rouge_l_sentence_level,
                      rouge_l_summary_level)
from .translation_files import read_translation_file, read_translation_pairs
from .translation_scores import (DEFAULT_TRANSLATION_PROTOCOL,
                                 LANGUAGE_UNITS, TRANSLATION_PROTOCOLS,
                                 TranslationProtocol,
                                 get_translation_protocol, score_translations)
from .wer import WordErrors, align_words, word_errors

__all__ = [
    'GLOSS_CLEANUPS', 'clean_phoenix2014_hypothesis', 'cleanup_for',
    'keep_raw', 'remove_markers', 'WordErrors', 'align_words', 'word_errors',
    'median_rank', 'recall_at_k', 'retrieval_ranks', 'lcs_length',
    'rouge_l_sentence_level', 'rouge_l_summary_level',
    'read_translation_file', 'read_translation_pairs',
    'DEFAULT_TRANSLATION_PROTOCOL', 'LANGUAGE_UNITS', 'TRANSLATION_PROTOCOLS',
    'TranslationProtocol', 'get_translation_protocol', 'score_translations'
]
