"""BLEU-1..4 and ROUGE-L of sign language translation (SLT)."""
import json
import os
import os.path as osp
from typing import Any, Dict, List, Optional, Sequence

from mmengine.evaluator import BaseMetric

from slp_mm.registry import METRICS
from .sample_fields import get_field, get_sample_id

# Data language -> sacrebleu tokenizer: 13a for German and English; Chinese
# at character level (every character a token, as public SLT systems score
# CSL-Daily), which is sacrebleu's 'char'.
TOKENIZERS = dict(de='13a', en='13a', zh='char')


class _SacreBLEUTokens:
    """sacrebleu's tokenisation as a rouge-score tokenizer, so ROUGE-L and
    BLEU count the same tokens. (rouge-score's default tokenizer keeps only
    [a-z0-9]: it would split German umlauts and drop Chinese entirely.)"""

    def __init__(self, tokenize) -> None:
        self.tokenize_line = tokenize

    def tokenize(self, text: str) -> List[str]:
        return self.tokenize_line(text).split()


def _get_sentence(sample: Any, name: str, sample_id: str) -> str:
    text = get_field(sample, name)
    if not isinstance(text, str):
        raise ValueError(f'sample {sample_id!r}: {name!r} must be a '
                         f'sentence string, got {text!r}')
    return text


@METRICS.register_module()
class TranslationMetric(BaseMetric):
    """Corpus BLEU-1..4 (sacrebleu) and sentence-averaged ROUGE-L F1
    (rouge-score), both x 100, as SLT papers report them.

    BLEU-n is sacrebleu's corpus BLEU with ``max_ngram_order=n`` (uniform
    weights over 1..n-grams, one brevity penalty, default exponential
    smoothing, case-sensitive). ROUGE-L uses the same tokens as BLEU.

    Each data sample carries ``sample_id``, the hypothesis ``pred_text`` and
    the reference ``text`` (a field or in the metainfo), both strings.

    Args:
        language (str): Target language: ``'de'`` or ``'en'`` (13a
            tokenisation) or ``'zh'`` (character level).
        output_dir (str, optional): Where each evaluation writes its
            predictions and references, one JSON line per sample
            (``predictions_<n>.jsonl``, n counting evaluations).
        collect_device (str): ``'cpu'`` or ``'gpu'``, to gather results
            across ranks.
        prefix (str, optional): Prefix of the metric names in the logs.
            Defaults to ``'slt'``.
    """

    default_prefix = 'slt'

    def __init__(self,
                 language: str = 'de',
                 output_dir: Optional[str] = None,
                 collect_device: str = 'cpu',
                 prefix=None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        from rouge_score.rouge_scorer import RougeScorer
        from sacrebleu.metrics import BLEU
        if language not in TOKENIZERS:
            raise ValueError(f'TranslationMetric: language {language!r} has '
                             f'no scoring protocol; known: '
                             f'{sorted(TOKENIZERS)}')
        self.language = language
        self.output_dir = output_dir
        self._evaluations = 0
        self.bleus = [
            BLEU(tokenize=TOKENIZERS[language], max_ngram_order=n)
            for n in range(1, 5)
        ]
        self.rouge = RougeScorer(
            ['rougeL'], tokenizer=_SacreBLEUTokens(self.bleus[0].tokenizer))

    def process(self, data_batch: Any, data_samples: Sequence[Any]) -> None:
        for sample in data_samples:
            sample_id = get_sample_id(sample)
            ref = _get_sentence(sample, 'text', sample_id)
            if not ref.strip():
                raise ValueError(f'sample {sample_id!r}: reference "text" is '
                                 'empty')
            self.results.append(
                dict(sample_id=str(sample_id),
                     ref=ref,
                     hyp=_get_sentence(sample, 'pred_text', sample_id)))

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        if not results:
            raise ValueError('TranslationMetric got no samples to score')
        results = sorted(results, key=lambda r: r['sample_id'])
        hyps = [r['hyp'] for r in results]
        refs = [[r['ref'] for r in results]]
        metrics = {
            f'bleu{n}': bleu.corpus_score(hyps, refs).score
            for n, bleu in enumerate(self.bleus, 1)
        }
        metrics['rouge_l'] = 100.0 * sum(
            self.rouge.score(r['ref'], r['hyp'])['rougeL'].fmeasure
            for r in results) / len(results)
        if self.output_dir is not None:
            self._write(results)
        return metrics

    def _write(self, results: List[dict]) -> None:
        self._evaluations += 1
        os.makedirs(self.output_dir, exist_ok=True)
        path = osp.join(self.output_dir,
                        f'predictions_{self._evaluations}.jsonl')
        with open(path, 'w', encoding='utf-8') as f:
            for r in results:
                f.write(json.dumps(r, ensure_ascii=False) + '\n')
