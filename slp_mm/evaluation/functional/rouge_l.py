"""The two ROUGE-L definitions of sign language translation (SLT) papers.

They differ enough to move a How2Sign score by 3.5 points (see
docs/evaluation.md), so each is kept under the name of its source:

- :func:`rouge_l_sentence_level`: the tensorflow-nmt ``rouge.py`` that the
  SLRT lineage copies (``external_metrics/Rouge.py`` of neccam SLT, SLRT,
  GFSLT-VLP). It exists only inside those projects, so it is written here
  from its definition.
- :func:`rouge_l_summary_level`: the ``rouge`` package (PyPI ``rouge``
  1.0.1), which Uni-Sign calls; used as is.
"""
from typing import Sequence


def lcs_length(a: Sequence[str], b: Sequence[str]) -> int:
    """Length of the longest common subsequence of two token sequences."""
    prev = [0] * (len(b) + 1)
    for x in a:
        row = [0]
        for j, y in enumerate(b):
            row.append(prev[j] + 1 if x == y else max(prev[j + 1], row[j]))
        prev = row
    return prev[-1]


def rouge_l_sentence_level(hyp: str, ref: str) -> float:
    """tensorflow-nmt sentence-level ROUGE-L F of one sentence pair, in
    [0, 1]; the SLRT lineage averages it over the sentences.

    With ``l`` the LCS of the whitespace-split words, ``P = l / len(hyp)``,
    ``R = l / len(ref)`` and ``F = (1 + b^2) P R / (R + b^2 P)`` with
    ``b = P / R``: not F1 (b = 1) nor ROUGE-1.5.5's fixed b = 1.2. A
    hypothesis with no words scores 0.
    """
    hyp_words, ref_words = hyp.split(), ref.split()
    lcs = lcs_length(hyp_words, ref_words)
    if lcs == 0:
        return 0.0
    p, r = lcs / len(hyp_words), lcs / len(ref_words)
    beta2 = (p / r)**2
    return (1 + beta2) * p * r / (r + beta2 * p)


def rouge_l_summary_level(hyp: str, ref: str) -> float:
    """ROUGE-L F1 of the ``rouge`` package (1.0.1) for one pair, in [0, 1];
    Uni-Sign averages it over the sentences.

    The package cuts both texts into sentences at every '.', takes the
    union LCS of each reference sentence with all hypothesis sentences, and
    counts it against the number of distinct words on each side (its default
    ``exclusive=True``); F = 2 P R / (P + R). A hypothesis with no sentence
    (empty, or only '.'), where the package raises, scores 0.
    """
    from rouge import Rouge
    if not hyp.strip('.'):
        return 0.0
    scores = Rouge(metrics=['rouge-l'], stats=['f']).get_scores(hyp, ref)
    return scores[0]['rouge-l']['f']
