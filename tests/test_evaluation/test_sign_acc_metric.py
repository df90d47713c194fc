import numpy as np
import pytest
import torch
from mmaction.evaluation.functional import mean_class_accuracy, top_k_accuracy

from slp_mm.evaluation import SignAccMetric


def _run(scores, labels, **kw):
    metric = SignAccMetric(**kw)
    metric.process(None, [dict(pred_score=torch.tensor(s), gt_label=torch.tensor([l]))
                          for s, l in zip(scores, labels)])
    return metric.compute_metrics(metric.results)


def test_hand_computed():
    scores = np.array([[0.6, 0.3, 0.1], [0.2, 0.5, 0.3], [0.5, 0.1, 0.4],
                       [0.1, 0.2, 0.7]])
    labels = [0, 2, 2, 2]  # hits@1: T F F T; hits@2: T T T T
    m = _run(scores, labels, topk=(1, 2))
    assert m['top1_acc'] == pytest.approx(50.0)
    assert m['top2_acc'] == pytest.approx(100.0)
    # per class top-1: class 0 -> 1/1, class 2 -> 1/3
    assert m['mean_class_top1_acc'] == pytest.approx(100 * (1 + 1 / 3) / 2)


def test_matches_mmaction_reference_and_subsets():
    rng = np.random.default_rng(0)
    scores = rng.random((200, 10))
    labels = rng.integers(0, 10, 200)
    m = _run(scores, labels, topk=(1, 5),
             subsets=dict(confusing=[0, 1, 2], normal=list(range(3, 10))))
    ref1, ref5 = top_k_accuracy(list(scores), list(labels), (1, 5))
    assert m['top1_acc'] == pytest.approx(100 * ref1)
    assert m['top5_acc'] == pytest.approx(100 * ref5)
    assert m['mean_class_top1_acc'] == pytest.approx(
        100 * mean_class_accuracy(list(scores), list(labels)))
    sel = np.isin(labels, [0, 1, 2])
    sub1, = top_k_accuracy(list(scores[sel]), list(labels[sel]), (1, ))
    assert m['confusing/top1_acc'] == pytest.approx(100 * sub1)
