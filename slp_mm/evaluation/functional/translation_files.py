"""Reading translation outputs and references from text files, to score
published SLT outputs (``tools/analysis/score_translations.py``).

Two layouts, told apart by the first line:

- one sentence a line; hypothesis and reference files pair by line number
  (an empty line is an empty hypothesis);
- ``sample: <id>, <field>: <text>`` a line, as Uni-Sign writes its
  ``test_tmp_pres.txt`` / ``test_tmp_refs.txt`` (``<field>`` is
  ``prediction`` or ``ground-truth`` there); the files pair by id.
"""
import re
from typing import List, Optional, Tuple

SAMPLE_LINE = re.compile(r'sample: (?P<id>.+?), (?P<field>[\w-]+):'
                         r'(?: (?P<text>.*))?')


def read_translation_file(
        path: str) -> Tuple[Optional[List[str]], List[str]]:
    """``(ids, sentences)`` of a file; ``ids`` is None for one sentence a
    line."""
    with open(path, encoding='utf-8') as f:
        lines = [line.rstrip('\n') for line in f]
    if not lines:
        raise ValueError(f'{path}: empty file')
    if not SAMPLE_LINE.fullmatch(lines[0]):
        return None, lines
    texts = {}  # id -> sentence, in file order
    for number, line in enumerate(lines, 1):
        match = SAMPLE_LINE.fullmatch(line)
        if match is None:
            raise ValueError(f'{path}, line {number}: expected "sample: '
                             f'<id>, <field>: <text>" as on line 1, got '
                             f'{line[:80]!r}')
        if match['id'] in texts:
            raise ValueError(f'{path}, line {number}: sample '
                             f'{match["id"]!r} appears twice')
        texts[match['id']] = match['text'] or ''
    return list(texts), list(texts.values())


def read_translation_pairs(
        hyp_path: str,
        ref_path: str) -> Tuple[List[str], List[str], List[str]]:
    """``(ids, hypotheses, references)`` of two files, in the reference
    file's order; ids are line numbers (from 1) for one sentence a line."""
    hyp_ids, hyps = read_translation_file(hyp_path)
    ref_ids, refs = read_translation_file(ref_path)
    if (hyp_ids is None) != (ref_ids is None):
        raise ValueError(f'{hyp_path} and {ref_path}: one holds "sample: '
                         '<id>, ..." lines and the other does not')
    if ref_ids is None:
        if len(hyps) != len(refs):
            raise ValueError(f'{hyp_path} has {len(hyps)} lines but '
                             f'{ref_path} has {len(refs)}')
        return [str(i) for i in range(1, len(refs) + 1)], hyps, refs
    by_id = dict(zip(hyp_ids, hyps))
    for a, a_ids, b, b_ids in ((ref_path, ref_ids, hyp_path, hyp_ids),
                               (hyp_path, hyp_ids, ref_path, ref_ids)):
        missing = sorted(set(a_ids) - set(b_ids))
        if missing:
            raise ValueError(f'{b} has no line for {len(missing)} sample(s) '
                             f'of {a}, e.g. {missing[:3]}')
    return ref_ids, [by_id[i] for i in ref_ids], refs
