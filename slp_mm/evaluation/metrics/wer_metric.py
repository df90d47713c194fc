"""Word error rate of continuous sign language recognition (CSLR)."""
import os.path as osp
from typing import Any, Dict, List, Optional, Sequence

from mmengine.evaluator import BaseMetric
from mmengine.utils import mkdir_or_exist

from slp_mm.registry import METRICS
from ..functional import WordErrors, cleanup_for, word_errors
from .sample_fields import get_sample_id


def _get_glosses(sample: Any, name: str, sample_id: str) -> List[str]:
    glosses = sample.get(name)
    # Not any sequence: scoring the characters of a string is never meant.
    if not isinstance(glosses, (list, tuple)) or not all(
            isinstance(g, str) for g in glosses):
        raise ValueError(f'sample {sample_id!r}: {name!r} must be a list of '
                         f'gloss strings, got {glosses!r}')
    return list(glosses)


@METRICS.register_module()
class WERMetric(BaseMetric):
    """Corpus-level word error rate over gloss sequences, as sclite scores
    it: errors and reference words are pooled over all sentences, so long
    sentences weigh more than in a mean of sentence WERs.

    Each data sample (the dict of a :class:`SignDataSample`, or the sample
    itself) carries ``sample_id``, the hypothesis ``pred_gloss`` (set by
    :meth:`SignCTCHead.predict`) and the reference ``gloss``, both lists of
    gloss strings.

    Args:
        protocol (str): The dataset's clean-up before scoring, see
            :func:`slp_mm.evaluation.functional.cleanup_for`:
            ``'phoenix2014'``, ``'phoenix2014t'``, ``'csl-daily'`` or
            ``'raw'``. Defaults to ``'raw'``.
        ctm_file (str, optional): Where to write the cleaned hypotheses as a
            CTM file, so that ``sclite -h CTM ctm -r STM stm`` can check the
            numbers (sclite folds case unless given ``-s``). Sentences with
            no gloss get no line: sclite counts them as all deleted.
        stm_file (str, optional): Where to write the cleaned references as
            an STM file (speaker column: the ``signer`` metainfo).
        collect_device (str): ``'cpu'`` or ``'gpu'``, to gather results
            across ranks. Defaults to ``'cpu'``.
        prefix (str, optional): Prefix of the metric names in the logs,
            e.g. ``cslr/wer``. Defaults to ``'cslr'``.
    """

    default_prefix = 'cslr'

    def __init__(self,
                 protocol: str = 'raw',
                 ctm_file: Optional[str] = None,
                 stm_file: Optional[str] = None,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.protocol = protocol
        self.clean_ref, self.clean_hyp = cleanup_for(protocol)
        self.ctm_file = ctm_file
        self.stm_file = stm_file

    def process(self, data_batch: Any, data_samples: Sequence[Any]) -> None:
        for sample in data_samples:
            sample_id = get_sample_id(sample)
            ref = self.clean_ref(_get_glosses(sample, 'gloss', sample_id))
            if not ref:
                raise ValueError(
                    f'sample {sample_id!r}: reference "gloss" is empty after '
                    f'the {self.protocol!r} clean-up; WER needs reference '
                    'words')
            hyp = self.clean_hyp(_get_glosses(sample, 'pred_gloss', sample_id))
            self.results.append(
                dict(sample_id=str(sample_id),
                     signer=str(sample.get('signer') or 'unknown'),
                     ref=ref,
                     hyp=hyp))

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        results = sorted(results, key=lambda r: r['sample_id'])
        if self.ctm_file:
            self._write(self.ctm_file, [
                f'{r["sample_id"]} 1 {i * 0.01:.3f} 0.010 {gloss}\n'
                for r in results for i, gloss in enumerate(r['hyp'])
            ])
        if self.stm_file:
            self._write(self.stm_file, [
                f'{r["sample_id"]} 1 {r["signer"]} 0.0 1.79769e+308 '
                f'{" ".join(r["ref"])}\n' for r in results
            ])
        total = sum((word_errors(r['ref'], r['hyp']) for r in results),
                    WordErrors())
        n = total.num_ref_words
        if n == 0:
            raise ValueError('WERMetric got no samples to score')
        return {
            'wer': 100.0 * total.num_errors / n,
            'sub': 100.0 * total.substitutions / n,
            'del': 100.0 * total.deletions / n,
            'ins': 100.0 * total.insertions / n,
            'num_errors': total.num_errors,
            'num_ref_words': n,
        }

    @staticmethod
    def _write(path: str, lines: List[str]) -> None:
        mkdir_or_exist(osp.dirname(osp.abspath(path)))
        with open(path, 'w', encoding='utf-8') as f:
            f.writelines(lines)
