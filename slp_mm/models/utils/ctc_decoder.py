"""CTC decoding: greedy and prefix beam search.

Hand-written because the maintained decoders do not fit this stack:
torchaudio's ``ctc_decoder`` (flashlight) ties torchaudio to one torch build
(a second multi-GB install here) and ``pyctcdecode`` targets character-level
ASR with KenLM. Gloss CTC needs neither a language model nor a lexicon, and
the prefix beam search below is checked against exhaustive search over all
alignments in tests/test_models/test_ctc_decoder.py.
"""
import math
from collections import defaultdict
from typing import List, Tuple

import torch


def ctc_greedy_decode(log_probs: torch.Tensor, length: int,
                      blank: int = 0) -> List[int]:
    """Best path: argmax per frame, merge repeats, drop blanks.

    Args:
        log_probs: (T, V) log-probabilities of one sequence.
        length: Number of real frames.
    """
    best = log_probs[:length].argmax(-1).tolist()
    out, prev = [], None
    for t in best:
        if t != prev and t != blank:
            out.append(t)
        prev = t
    return out


def _logsumexp(a: float, b: float) -> float:
    if a == -math.inf:
        return b
    if b == -math.inf:
        return a
    m = max(a, b)
    return m + math.log(math.exp(a - m) + math.exp(b - m))


def ctc_prefix_beam_search(log_probs: torch.Tensor,
                           length: int,
                           beam_size: int = 10,
                           blank: int = 0) -> List[Tuple[List[int], float]]:
    """Prefix beam search over label sequences.

    Each prefix keeps the log-probabilities of ending in a blank and in its
    last label, so all alignments that collapse to the same labels are
    summed (unlike best-path decoding). Returns up to ``beam_size``
    (labels, log-probability) pairs, best first.

    Args:
        log_probs: (T, V) log-probabilities of one sequence.
        length: Number of real frames.
        beam_size: Prefixes kept after each frame.
    """
    lp = log_probs[:length].float().cpu()
    beams = {(): (0.0, -math.inf)}  # prefix -> (log p_blank, log p_label)
    # only the most likely labels of a frame can enter the beam
    k = min(beam_size, lp.shape[1])
    for t in range(lp.shape[0]):
        frame = lp[t].tolist()
        cands = set(lp[t].topk(k).indices.tolist()) | {blank}
        nxt = defaultdict(lambda: (-math.inf, -math.inf))
        for prefix, (pb, pnb) in beams.items():
            total = _logsumexp(pb, pnb)
            for c in cands:
                p = frame[c]
                if c == blank:
                    b, nb = nxt[prefix]
                    nxt[prefix] = (_logsumexp(b, total + p), nb)
                    continue
                last = prefix[-1] if prefix else None
                new = prefix + (c, )
                b, nb = nxt[new]
                # a repeated label needs a blank in between
                add = pb + p if c == last else total + p
                nxt[new] = (b, _logsumexp(nb, add))
                if c == last:  # staying on the same label
                    b, nb = nxt[prefix]
                    nxt[prefix] = (b, _logsumexp(nb, pnb + p))
        beams = dict(
            sorted(nxt.items(), key=lambda kv: -_logsumexp(*kv[1]))
            [:beam_size])
    return [(list(p), _logsumexp(*s)) for p, s in sorted(
        beams.items(), key=lambda kv: -_logsumexp(*kv[1]))]
