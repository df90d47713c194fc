"""Language weights: how many rows each sample of a language gets when a
corpus is rebalanced (the paper's SL-1.5M mixture, Sec. III-A).

The corpus builder applies them when it writes a mixture; the runtime dataset
applies the same rule to an existing corpus (``SignPoseDataset``'s
``language_weights``), so both read them from here.
"""
import logging
from typing import Dict, Optional

import numpy as np
from mmengine.logging import print_log


def parse_language_weights(text: str) -> Dict[str, float]:
    """``'zh=2,de=1'`` -> ``{'zh': 2.0, 'de': 1.0}`` (the command-line
    form); anything else raises ValueError quoting the bad item."""
    weights = {}
    for item in text.split(','):
        language, _, weight = item.partition('=')
        try:
            if not language.strip():
                raise ValueError
            weights[language.strip()] = float(weight)
        except ValueError:
            raise ValueError(
                f'{item!r} is not LANGUAGE=WEIGHT (e.g. zh=2,de=1)') from None
    return weights


def check_language_weights(
        weights: Optional[Dict[str, float]]) -> Dict[str, float]:
    """Language code -> weight as floats; a weight that is not a finite
    number >= 0 raises ValueError naming the language."""
    out = {}
    for language, weight in (weights or {}).items():
        try:
            out[language] = float(weight)
        except (TypeError, ValueError):
            out[language] = float('nan')
        if not np.isfinite(out[language]) or out[language] < 0:
            raise ValueError(f'language weight of {language!r} is '
                             f'{weight!r}, expected a number >= 0')
    return out


def warn_absent_languages(weights: Dict[str, float], present,
                          where: str) -> None:
    """Log the weighted languages no sample has (a typo, e.g. 'cn' for
    'zh', would otherwise silently weight nothing)."""
    absent = sorted(set(weights) - set(present))
    if absent:
        print_log(f'{where}: language_weights names {absent}, which no '
                  f'sample has (languages: {sorted(present)})',
                  logger='current', level=logging.WARNING)


def language_repeats(counts: Dict[str, int], weights: Dict[str, float],
                     seed: int) -> Dict[str, np.ndarray]:
    """The rows each sample of a language gets, in stream order.

    Args:
        counts (dict): Samples per language code.
        weights (dict): Weight per language code (1 where missing).
        seed (int): Seed of the draws; each language draws from its own
            stream, so its rows do not depend on the other languages.

    Returns:
        dict: Per language, an int array of shape (n, ) summing to
        ``round(w * n)`` (rounded half up).
    """
    repeats = {}
    for language, n in counts.items():
        weight = weights.get(language, 1.0)
        rows = np.full(n, int(weight), np.int64)
        extra = int((weight - int(weight)) * n + 0.5)
        rng = np.random.default_rng([seed, *language.encode('utf-8')])
        rows[rng.choice(n, extra, replace=False)] += 1
        repeats[language] = rows
    return repeats
