"""Per-dataset gloss clean-up applied before WER scoring.

Published CSLR numbers are comparable only under each dataset's own scoring
protocol, so the metric looks the protocol up by name with
:func:`cleanup_for`.
"""
import re
from typing import Callable, Dict, List, Sequence, Tuple

GlossFn = Callable[[Sequence[str]], List[str]]

# The official PHOENIX-2014 ``preprocess.sh`` (RWTH release, copied by
# VAC/CorrNet) as (pattern, replacement) pairs in its order: sed BRE and the
# perl repeat rule rewritten for ``re``, ASCII word classes as in perl.
_PHOENIX2014_RULES = [
    (re.compile(pattern, re.ASCII), replacement) for pattern, replacement in [
        # 1. prefixes, spelling variants and markers
        (r'loc-', ''),
        (r'cl-', ''),
        (r'qu-', ''),
        (r'poss-', ''),
        (r'lh-', ''),
        (r'S0NNE', 'SONNE'),
        (r'HABEN2', 'HABEN'),
        (r'__EMOTION__', ''),
        (r'__PU__', ''),
        (r'__LEFTHAND__', ''),
        # 2. compounds
        (r'WIE AUSSEHEN', 'WIE-AUSSEHEN'),
        (r'ZEIGEN ', 'ZEIGEN-BILDSCHIRM '),
        (r'ZEIGEN$', 'ZEIGEN-BILDSCHIRM'),
        # 3. spelled letters: A B -> A+B, S+H A -> S+H+A; SCH and NN count as
        # letters (the script's rule for a letter at the line start is left
        # out: its glosses never start a line, see the function below)
        (r'[ +]([A-Z]) ([A-Z]) ', r' \1+\2 '),
        (r'([ +][A-Z]) ([A-Z][ +])', r'\1+\2'),
        (r'([ +][A-Z]) ([A-Z][ +])', r'\1+\2'),
        (r'([ +][A-Z]) ([A-Z][ +])', r'\1+\2'),
        (r'([ +]SCH) ([A-Z][ +])', r'\1+\2'),
        (r'([ +]NN) ([A-Z][ +])', r'\1+\2'),
        (r'([ +][A-Z]) (NN[ +])', r'\1+\2'),
        (r'([ +][A-Z]) ([A-Z])$', r'\1+\2'),
        # 4. NORDRAUM -> NORD
        (r'([A-Z][A-Z])RAUM', r'\1'),
        # 5. repetition marks
        (r'-PLUSPLUS', ''),
        # 6. repeated plain words, up to 16 in a row (four passes)
        *[(r'(?<![\w-])(\b[A-Z]+(?![\w-])) \1(?![\w-])', r'\1')] * 4,
    ]
]
_MARKER = re.compile(r'__\S+__')


def clean_phoenix2014_hypothesis(glosses: Sequence[str]) -> List[str]:
    """The official PHOENIX-2014 hypothesis clean-up.

    Runs the script's substitutions, in its order, on the space-joined
    sentence: (1) delete ``loc-``, ``cl-``, ``qu-``, ``poss-``, ``lh-``,
    ``S0NNE`` -> ``SONNE``, ``HABEN2`` -> ``HABEN``, delete ``__EMOTION__``,
    ``__PU__``, ``__LEFTHAND__``; (2) ``WIE AUSSEHEN`` -> ``WIE-AUSSEHEN``,
    ``...ZEIGEN`` -> ``...ZEIGEN-BILDSCHIRM``; (3) join spelled letters
    (``A B`` -> ``A+B``); (4) ``NORDRAUM`` -> ``NORD``; (5) delete
    ``-PLUSPLUS``; (6) collapse immediately repeated plain words (letters
    only: ``REGEN REGEN`` -> ``REGEN``, ``IN-KOMMEND IN-KOMMEND`` stays, and
    a deleted marker in between keeps both). Then drop ``__EPENTHESIS__``
    and fill an empty result with ``[EMPTY]``, as the scorer does so that
    every sentence is aligned (it then counts one substitution).

    Step order matters: 5 before 6 makes ``REGEN-PLUSPLUS REGEN`` one
    ``REGEN``. ``__ON__``/``__OFF__`` are kept. Applied to the sentence this
    turns the raw PHOENIX-2014 train annotation into the released train STM
    exactly; the official scorer applies it to a CTM file, one gloss per
    line, where steps 3, 6 and ``WIE AUSSEHEN`` cannot fire. On hypotheses
    without repeats or spelled letters both give the same result.
    """
    # Leading space: in the script's input lines (CTM/STM) glosses follow
    # other fields; it makes ``E R Z`` -> ``E+R+Z``, as in the train STM.
    sentence = ' ' + ' '.join(glosses)
    for pattern, replacement in _PHOENIX2014_RULES:
        sentence = pattern.sub(replacement, sentence)
    tokens = [t for t in sentence.split() if '__EPENTHESIS__' not in t]
    return tokens or ['[EMPTY]']


def remove_markers(glosses: Sequence[str]) -> List[str]:
    """PHOENIX-2014-T: drop every ``__X__`` token (``__ON__``, ``__OFF__``,
    ...) from reference and hypothesis alike."""
    return [g for g in glosses if not _MARKER.fullmatch(g)]


def keep_raw(glosses: Sequence[str]) -> List[str]:
    return list(glosses)


GLOSS_CLEANUPS: Dict[str, Tuple[GlossFn, GlossFn]] = {
    # PHOENIX-2014 dev/test references are scored as annotated.
    'phoenix2014': (keep_raw, clean_phoenix2014_hypothesis),
    'phoenix2014t': (remove_markers, remove_markers),
    'csl-daily': (keep_raw, keep_raw),
    'raw': (keep_raw, keep_raw),
}


def cleanup_for(dataset: str) -> Tuple[GlossFn, GlossFn]:
    """``(reference_fn, hypothesis_fn)`` of a dataset's scoring protocol."""
    if dataset not in GLOSS_CLEANUPS:
        raise ValueError(f'unknown WER protocol {dataset!r}; known: '
                         f'{", ".join(GLOSS_CLEANUPS)}')
    return GLOSS_CLEANUPS[dataset]
