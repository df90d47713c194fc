import pytest
import torch
import torch.nn.functional as F

from slp_mm.evaluation import (RetrievalMetric, median_rank, recall_at_k,
                               retrieval_ranks)
from slp_mm.models.heads import FineGrainedContrastiveHead

KEYS = [f'{task}/{m}' for task in ('t2v', 'v2t')
        for m in ('R1', 'R5', 'R10', 'MedR')]


def test_ranks_recall_and_median_by_hand():
    sim = torch.tensor([[0.9, 0.1, 0.5],
                        [0.8, 0.3, 0.7],
                        [0.2, 0.6, 0.4]])
    # rows: 0.9 is the best of row 0; 0.3 beaten by 0.8 and 0.7; 0.4 by 0.6
    ranks = retrieval_ranks(sim)
    assert ranks.tolist() == [1, 3, 2]
    assert recall_at_k(ranks, 1) == pytest.approx(100 / 3)
    assert recall_at_k(ranks, 2) == pytest.approx(200 / 3)
    assert recall_at_k(ranks, 5) == 100.0
    assert median_rank(ranks) == 2.0
    # columns: 0.9 best; 0.3 beaten by 0.6; 0.4 beaten by 0.5 and 0.7
    assert retrieval_ranks(sim.t()).tolist() == [1, 2, 3]
    assert median_rank([1, 2, 3, 10]) == 2.5  # even count: mean of middles


def test_ties_rank_pessimistically():
    sim = torch.tensor([[0.5, 0.5, 0.1],   # tie after the paired item
                        [0.2, 0.2, 0.2],   # everything alike
                        [0.1, 0.3, 0.3]])  # tie before the paired item
    assert retrieval_ranks(sim).tolist() == [2, 3, 2]
    assert retrieval_ranks(torch.zeros(4, 4)).tolist() == [4] * 4


def test_ranks_reject_bad_matrices():
    with pytest.raises(ValueError, match='square'):
        retrieval_ranks(torch.zeros(2, 3))
    sim = torch.eye(3)
    sim[1, 2] = float('nan')
    with pytest.raises(ValueError, match=r'rows \[1\]'):
        retrieval_ranks(sim)


def _random_samples(n, dims=8, batch=4, seed=0, word_temperature=1.0):
    """Per-sample (T'_i, E) clips / (L_i, E) words, and the same packed as
    predict packs them: padded per batch of ``batch``, garbage in padding."""
    g = torch.Generator().manual_seed(seed)
    clips = [F.normalize(torch.randn(int(t), dims, generator=g), dim=-1)
             for t in torch.randint(1, 7, (n, ), generator=g)]
    words = [F.normalize(torch.randn(int(l), dims, generator=g), dim=-1)
             for l in torch.randint(2, 8, (n, ), generator=g)]
    samples = []
    for start in range(0, n, batch):
        c, w = clips[start:start + batch], words[start:start + batch]
        tc, tw = max(map(len, c)), max(map(len, w))
        for i, (ci, wi) in enumerate(zip(c, w)):
            pc = torch.randn(tc, dims, generator=g)
            pw = torch.randn(tw, dims, generator=g)
            pc[:len(ci)], pw[:len(wi)] = ci, wi
            samples.append(
                dict(sample_id=f's{start + i}',
                     text=f'sentence {start + i}',
                     clip_embeds=pc,
                     clip_mask=torch.arange(tc) < len(ci),
                     word_embeds=pw,
                     word_mask=torch.arange(tw) < len(wi),
                     word_temperature=word_temperature))
    return clips, words, samples


def _evaluate(samples, batch=4, **kwargs):
    metric = RetrievalMetric(**kwargs)
    for start in range(0, len(samples), batch):
        metric.process(None, samples[start:start + batch])
    return metric, metric.compute_metrics(metric.results)


def test_metric_matches_brute_force_per_pair():
    """The metric scores with the word temperature the samples were
    embedded with (the head's), without being told."""
    clips, words, samples = _random_samples(13, word_temperature=0.5)
    head = FineGrainedContrastiveHead(word_temperature=0.5)
    sim = torch.tensor([[
        head.similarity(c[None], torch.ones(1, len(c), dtype=torch.bool),
                        w[None], torch.ones(1, len(w), dtype=torch.bool))
        .item() for w in words
    ] for c in clips])  # (13, 13), sign i x sentence j
    metric, out = _evaluate(samples, chunk_size=3)
    assert list(out) == KEYS
    got = metric.similarity_matrix([r['clips'] for r in metric.results],
                                   [r['words'] for r in metric.results], 0.5)
    assert torch.allclose(got, sim, atol=1e-6)
    for task, scores in (('t2v', sim.t()), ('v2t', sim)):
        ranks = [1 + sum(scores[i, j] >= scores[i, i]
                         for j in range(13) if j != i) for i in range(13)]
        for k in (1, 5, 10):
            assert out[f'{task}/R{k}'] == pytest.approx(
                100 * sum(r <= k for r in ranks) / 13), (task, k)
        assert out[f'{task}/MedR'] == sorted(ranks)[6]
    assert len({out['v2t/R1'], out['v2t/R5'], out['v2t/R10']}) > 1


def test_chunked_equals_unchunked():
    _, _, samples = _random_samples(11, seed=1)
    metric, whole = _evaluate(samples, chunk_size=100)
    chunked, by_one = _evaluate(samples, chunk_size=1)
    args = ([r['clips'] for r in metric.results],
            [r['words'] for r in metric.results], 1.0)
    assert torch.allclose(
        metric.similarity_matrix(*args),
        chunked.similarity_matrix(*args),
        atol=1e-6)
    assert whole == by_one


def test_duplicate_sentence_counts_only_the_paired_index():
    e = torch.eye(3)
    # a perfect model: both signs of the repeated sentence match it equally
    samples = [
        dict(sample_id=f's{i}', text=text, clip_embeds=e[[c]],
             clip_mask=torch.ones(1, dtype=torch.bool), word_embeds=e[[w]],
             word_mask=torch.ones(1, dtype=torch.bool), word_temperature=1.0)
        for i, (text, c, w) in enumerate([('a', 0, 0), ('b', 1, 1),
                                          ('b', 1, 1)])
    ]
    _, out = _evaluate(samples)
    # samples 1 and 2 tie with each other's sentence -> rank 2 each
    assert out['v2t/R1'] == pytest.approx(100 / 3)
    assert out['t2v/R1'] == pytest.approx(100 / 3)
    assert out['v2t/MedR'] == 2.0


def test_samples_of_different_word_temperatures_are_refused():
    _, _, samples = _random_samples(4)
    samples[3]['word_temperature'] = 0.5
    with pytest.raises(ValueError, match='different .word_temperature'):
        _evaluate(samples)


def test_metric_names_sample_without_embeddings():
    _, _, samples = _random_samples(2)
    del samples[1]['word_embeds']
    with pytest.raises(ValueError, match=r"s1.*word_embeds"):
        RetrievalMetric().process(None, samples)
