from typing import Dict, List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric

from slp_mm.registry import METRICS


def topk_hits(scores: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """(N, C) scores, (N,) labels -> (N,) bool: label among the top k."""
    k = min(k, scores.shape[1])
    topk = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    return (topk == labels[:, None]).any(1)


@METRICS.register_module()
class SignAccMetric(BaseMetric):
    """Per-instance and per-class top-k accuracy for isolated sign
    recognition, in percent, as ISLR papers report them (WLASL, MSASL:
    "P-I" and "P-C").

    mmaction2's ``AccMetric`` has per-instance top-k and per-class top-1
    only; ISLR tables need per-class top-5 too and the accuracy on named
    class subsets (NMFs-CSL's "Confusing" and "Normal" classes), so the
    computation is here, checked against mmaction2's functions in the tests.

    Args:
        topk (Sequence[int]): The k values.
        subsets (Dict[str, Sequence[int]], optional): Subset name -> class
            indexes; each subset reports its own per-instance accuracies.
    """
    default_prefix = 'islr'

    def __init__(self,
                 topk: Sequence[int] = (1, 5),
                 subsets: Optional[Dict[str, Sequence[int]]] = None,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.topk = tuple(topk)
        self.subsets = {k: list(v) for k, v in (subsets or {}).items()}

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for s in data_samples:
            score, label = s.get('pred_score'), s.get('gt_label')
            if score is None or label is None:
                raise ValueError(
                    f'sample {s.get("sample_id")!r}: SignAccMetric needs '
                    "'pred_score' (SignClsHead.predict) and 'gt_label'")
            self.results.append((np.asarray(score, dtype=np.float64),
                                 int(np.asarray(label).reshape(-1)[0])))

    def compute_metrics(self, results: List) -> Dict[str, float]:
        scores = np.stack([r[0] for r in results])
        labels = np.array([r[1] for r in results])
        metrics = {}
        for k in self.topk:
            hits = topk_hits(scores, labels, k)
            metrics[f'top{k}_acc'] = 100 * hits.mean()
            per_class = [hits[labels == c].mean() for c in np.unique(labels)]
            metrics[f'mean_class_top{k}_acc'] = 100 * float(
                np.mean(per_class))
            for name, classes in self.subsets.items():
                sel = np.isin(labels, classes)
                if sel.any():
                    metrics[f'{name}/top{k}_acc'] = 100 * hits[sel].mean()
        return {k: float(v) for k, v in metrics.items()}
