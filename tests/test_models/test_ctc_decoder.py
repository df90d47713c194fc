import itertools
import math

import pytest
import torch

from slp_mm.models.utils.ctc_decoder import (ctc_greedy_decode,
                                             ctc_prefix_beam_search)


def _collapse(path, blank=0):
    out, prev = [], None
    for t in path:
        if t != prev and t != blank:
            out.append(t)
        prev = t
    return tuple(out)


def _exhaustive(log_probs):
    """Probability of every label sequence, summed over all alignments."""
    t, v = log_probs.shape
    probs = {}
    for path in itertools.product(range(v), repeat=t):
        lp = sum(log_probs[i, c].item() for i, c in enumerate(path))
        key = _collapse(path)
        probs[key] = probs.get(key, 0.0) + math.exp(lp)
    return probs


def test_greedy_merges_repeats_and_drops_blanks():
    path = [1, 1, 0, 1, 2, 2, 0, 0, 3]
    lp = torch.full((len(path) + 2, 4), -10.0)
    lp[torch.arange(len(path)), torch.tensor(path)] = 0.0
    assert ctc_greedy_decode(lp, len(path)) == [1, 1, 2, 3]


@pytest.mark.parametrize('seed', range(8))
def test_beam_search_matches_exhaustive_search(seed):
    g = torch.Generator().manual_seed(seed)
    t, v = 5, 3
    lp = torch.randn(t, v, generator=g).mul(2).log_softmax(-1)
    probs = _exhaustive(lp)
    best = max(probs, key=probs.get)
    hyps = ctc_prefix_beam_search(lp, t, beam_size=v ** t)
    assert tuple(hyps[0][0]) == best
    assert hyps[0][1] == pytest.approx(math.log(probs[best]), abs=1e-5)
    # every returned prefix carries its exact total probability
    for labels, score in hyps[:5]:
        assert score == pytest.approx(math.log(probs[tuple(labels)]),
                                      abs=1e-5)


def test_beam_search_can_beat_greedy():
    # best path is "blank blank" (0.36) but label 1 collects more mass over
    # its alignments (1-1, 1-b, b-1: 0.64)
    p = torch.tensor([[0.6, 0.4], [0.6, 0.4]])
    lp = p.log()
    assert ctc_greedy_decode(lp, 2) == []
    assert ctc_prefix_beam_search(lp, 2, beam_size=4)[0][0] == [1]


def test_length_limits_decoding():
    lp = torch.tensor([[0., -9.], [-9., 0.], [-9., 0.]])
    assert ctc_prefix_beam_search(lp, 1, 4)[0][0] == []
    assert ctc_greedy_decode(lp, 3) == [1]
