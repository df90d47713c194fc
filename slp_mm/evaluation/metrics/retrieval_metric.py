"""Sign-text retrieval (SL-RT): text-to-video and video-to-text recall."""
from collections import Counter
from typing import Dict, List, Sequence

import torch
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log

from slp_mm.functional import fine_grained_similarity
from slp_mm.registry import METRICS
from ..functional import median_rank, recall_at_k, retrieval_ranks

EMBEDDING_FIELDS = ('clip_embeds', 'clip_mask', 'word_embeds', 'word_mask',
                    'word_temperature')


def _pad(seqs: List[torch.Tensor]):
    """(L_i, E) tensors -> zero-padded (N, max L_i, E) and (N, max L_i)
    mask of the real rows."""
    padded = torch.nn.utils.rnn.pad_sequence(seqs, batch_first=True)
    lengths = torch.tensor([len(s) for s in seqs])
    mask = torch.arange(padded.shape[1])[None] < lengths[:, None]
    return padded, mask


@METRICS.register_module()
class RetrievalMetric(BaseMetric):
    """R@1/5/10 and median rank of sign-text retrieval in both directions,
    as the paper's Table X reports them (T2V: a sentence queries the signs;
    V2T: a sign queries the sentences).

    Each data sample carries the STC embeddings of
    :meth:`SignPretrainer.predict` (``clip_embeds``, ``clip_mask``,
    ``word_embeds``, ``word_mask``, padded per batch) and the STC head's
    ``word_temperature``, so the test set is scored exactly as the model
    was trained, with one setting in one place; the embeddings are kept per
    sample, unpadded, on the CPU. The sign x sentence score matrix over the
    whole test set is the fine-grained STC similarity
    (:func:`fine_grained_similarity`), computed ``chunk_size`` signs at a
    time: its (chunk, N, T', L) intermediates are what bound the memory.

    Sample i's sentence is the only correct item for sample i and the other
    way round. A sentence that occurs several times in the test set (e.g.
    short PHOENIX-2014-T sentences) is therefore counted wrong at every
    index but its own, as the usual protocol does; the number of such
    samples is logged, since they cap R@1 below 100. Ties rank pessimistically
    (:func:`retrieval_ranks`).

    Args:
        chunk_size (int): Signs scored against all sentences at once.
        collect_device (str): ``'cpu'`` or ``'gpu'``, to gather results
            across ranks.
        prefix (str, optional): Prefix of the metric names. Defaults to
            ``'retrieval'``.
    """

    default_prefix = 'retrieval'

    def __init__(self,
                 chunk_size: int = 8,
                 collect_device: str = 'cpu',
                 prefix=None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if chunk_size < 1:
            raise ValueError(f'chunk_size must be >= 1, got {chunk_size}')
        self.chunk_size = chunk_size

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            sample_id = sample.get('sample_id')
            fields = {k: sample.get(k) for k in EMBEDDING_FIELDS}
            missing = [k for k, v in fields.items() if v is None]
            if missing:
                raise ValueError(
                    f'sample {sample_id!r}: no field(s) {missing}; '
                    'RetrievalMetric scores the outputs of '
                    "SignPretrainer's predict mode")
            clips = fields['clip_embeds'][fields['clip_mask']]  # (T'_i, E)
            words = fields['word_embeds'][fields['word_mask']]  # (L_i, E)
            for name, value in (('clip_mask', clips), ('word_mask', words)):
                if not len(value):
                    raise ValueError(f'sample {sample_id!r}: field {name!r} '
                                     'marks nothing real')
            self.results.append(
                dict(
                    sample_id=sample_id,
                    text=sample.get('text'),
                    clips=clips.detach().float().cpu(),
                    words=words.detach().float().cpu(),
                    word_temperature=float(fields['word_temperature'])))

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        if len(results) < 2:
            raise ValueError(f'retrieval needs at least 2 samples, got '
                             f'{len(results)}')
        self._log_duplicate_texts(results)
        temperatures = {r['word_temperature'] for r in results}
        if len(temperatures) > 1:
            raise ValueError(f'samples were embedded with different '
                             f"'word_temperature' values {temperatures}")
        sim = self.similarity_matrix([r['clips'] for r in results],
                                     [r['words'] for r in results],
                                     temperatures.pop())
        metrics = {}
        for task, scores in (('t2v', sim.t()), ('v2t', sim)):
            ranks = retrieval_ranks(scores)
            for k in (1, 5, 10):
                metrics[f'{task}/R{k}'] = recall_at_k(ranks, k)
            metrics[f'{task}/MedR'] = median_rank(ranks)
        return metrics

    def similarity_matrix(self, clips: List[torch.Tensor],
                          words: List[torch.Tensor],
                          word_temperature: float) -> torch.Tensor:
        """Per-sample (T'_i, E) clips and (L_j, E) words -> (N_v, N_t)
        scores, sign i (row) against sentence j (column)."""
        words, word_mask = _pad(words)  # (N_t, L, E), (N_t, L)
        rows = []
        for start in range(0, len(clips), self.chunk_size):
            chunk, clip_mask = _pad(clips[start:start + self.chunk_size])
            rows.append(
                fine_grained_similarity(chunk, clip_mask, words, word_mask,
                                        word_temperature))  # (c, N_t)
        return torch.cat(rows)

    @staticmethod
    def _log_duplicate_texts(results: List[dict]) -> None:
        counts = Counter(r['text'] for r in results if r['text'] is not None)
        shared = sum(n for n in counts.values() if n > 1)
        if shared:
            print_log(
                f'RetrievalMetric: {shared} of {len(results)} samples share '
                'their sentence with another sample; only the paired index '
                'counts as correct', 'current')
