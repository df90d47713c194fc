"""BLEU-1..4 and ROUGE-L (x 100) of sign language translation (SLT) under
the two scoring protocols of the field, each equal to its public scorer
(checked on Uni-Sign's test outputs in the tests, to 0.01):

- ``'slrt'``: neccam SLT -> SLRT (TwoStream-SLT) -> GFSLT-VLP
  (``SLRT_metrics.bleu`` / ``.rouge``): cumulative corpus BLEU without
  tokenisation, 'floor' smoothing with value 0 and effective order
  (sacrebleu 1.x ``raw_corpus_bleu``); ROUGE-L of tensorflow-nmt
  (:func:`rouge_l_sentence_level`) averaged over sentences.
- ``'uni-sign'``: Uni-Sign's ``translation_performance``: sacrebleu's
  default BLEU (13a tokenisation, exponential smoothing); ROUGE-L of the
  ``rouge`` package (:func:`rouge_l_summary_level`) averaged over sentences.

The same outputs score differently: Uni-Sign's How2Sign test BLEU-4 is 14.50
under 'uni-sign' and 13.06 under 'slrt'. Chinese is scored at character
level by both (whitespace removed, characters joined by spaces).
"""
import unicodedata
from dataclasses import dataclass, field
from typing import Callable, Dict, Sequence

from .rouge_l import rouge_l_sentence_level, rouge_l_summary_level

# Language -> unit of BLEU and ROUGE-L: words as written (de, en) or
# characters (zh: CSL-Daily, as every public system scores it).
LANGUAGE_UNITS = dict(de='word', en='word', zh='char')


@dataclass(frozen=True)
class TranslationProtocol:
    """How one public scorer computes BLEU and ROUGE-L.

    Args:
        bleu (dict): Keyword arguments of ``sacrebleu.metrics.BLEU`` besides
            ``max_ngram_order``.
        rouge_l (Callable): (hypothesis, reference) -> F in [0, 1] of one
            sentence pair, averaged over the sentences.
        char_reference_map (dict): Characters the scorer replaces in
            character-level references (only there) before scoring.
    """

    bleu: dict
    rouge_l: Callable[[str, str], float]
    char_reference_map: Dict[str, str] = field(default_factory=dict)


TRANSLATION_PROTOCOLS: Dict[str, TranslationProtocol] = {
    'slrt': TranslationProtocol(
        bleu=dict(tokenize='none', smooth_method='floor', smooth_value=0,
                  effective_order=True),
        rouge_l=rouge_l_sentence_level),
    # Uni-Sign turns CSL-Daily's full-width comma and question mark into
    # ASCII in the references (not in its outputs); '！' stays.
    'uni-sign': TranslationProtocol(
        bleu=dict(tokenize='13a'),
        rouge_l=rouge_l_summary_level,
        char_reference_map={'，': ',', '？': '?'}),
}
# The SLRT lineage scored most rows of the paper's Table IX.
DEFAULT_TRANSLATION_PROTOCOL = 'slrt'


def get_translation_protocol(name: str) -> TranslationProtocol:
    if name not in TRANSLATION_PROTOCOLS:
        raise ValueError(f'unknown translation scoring protocol {name!r}; '
                         f'known: {", ".join(TRANSLATION_PROTOCOLS)}')
    return TRANSLATION_PROTOCOLS[name]


def _characters(text: str) -> str:
    """'今天 下雨。' -> '今 天 下 雨 。'"""
    return ' '.join(''.join(text.split()))


def score_translations(hyps: Sequence[str],
                       refs: Sequence[str],
                       language: str,
                       protocol: str = DEFAULT_TRANSLATION_PROTOCOL,
                       nfkc: bool = False) -> Dict[str, float]:
    """Corpus BLEU-1..4 and mean sentence ROUGE-L F, x 100, of
    ``hyps[i]`` against ``refs[i]``.

    Args:
        hyps (Sequence[str]): Hypotheses, one sentence each.
        refs (Sequence[str]): References, one sentence each.
        language (str): ``'de'``, ``'en'`` (words) or ``'zh'``
            (characters).
        protocol (str): A name in :data:`TRANSLATION_PROTOCOLS`.
        nfkc (bool): NFKC-normalise both sides first, as the toolkit's
            tokenizers normalise the decoder's targets (CSL-Daily's '！'
            becomes '!'), so that a model's perfect output scores 100. The
            public scorers do not (False reproduces them): they count a '!'
            against a reference '！' as an error.

    Returns:
        dict: ``bleu1`` .. ``bleu4`` and ``rouge_l``.
    """
    spec = get_translation_protocol(protocol)
    if language not in LANGUAGE_UNITS:
        raise ValueError(f'no translation scoring for language {language!r};'
                         f' known: {", ".join(LANGUAGE_UNITS)}')
    if len(hyps) != len(refs):
        raise ValueError(f'{len(hyps)} hypotheses but {len(refs)} '
                         'references')
    if not refs:
        raise ValueError('no sentences to score')
    from sacrebleu.metrics import BLEU
    if nfkc:
        hyps = [unicodedata.normalize('NFKC', h) for h in hyps]
        refs = [unicodedata.normalize('NFKC', r) for r in refs]
    if LANGUAGE_UNITS[language] == 'char':
        table = str.maketrans(spec.char_reference_map)
        hyps = [_characters(h) for h in hyps]
        refs = [_characters(r.translate(table)) for r in refs]
    empty = [i for i, r in enumerate(refs) if not r.split()]
    if empty:
        raise ValueError(f'references {empty[:10]} are empty: BLEU and '
                         'ROUGE-L need reference words')
    scores = {
        f'bleu{n}': BLEU(max_ngram_order=n, **spec.bleu).corpus_score(
            list(hyps), [list(refs)]).score
        for n in range(1, 5)
    }
    scores['rouge_l'] = 100.0 * sum(
        spec.rouge_l(h, r) for h, r in zip(hyps, refs)) / len(refs)
    return scores
