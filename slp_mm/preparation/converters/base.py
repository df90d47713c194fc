"""Shared parsing of the pipe-separated annotation files of continuous
sign-language corpora (PHOENIX-2014, PHOENIX-2014-T, CSL-Daily).

One bad row must not sink a split of thousands, so rows are checked one by
one: a corrupt row becomes a *reject* naming its file, line and reason, and
the rest is parsed.
"""
import codecs
import os.path as osp
from typing import (Callable, Dict, List, NamedTuple, Optional, Sequence,
                    Tuple)

from slp_mm.corpus.sign_corpus import SPLITS
from .gloss_characters import gloss_problem


class Annotations(NamedTuple):
    """What a dataset's annotation loader returns.

    ``records`` maps each split to its records (see :func:`make_record`);
    ``rejects`` lists the corrupt rows (see :func:`make_reject`).
    """
    records: Dict[str, List[dict]]
    rejects: List[dict]


def make_record(*, dataset: str, language: str, split: str, id: str,
                signer: str, gloss: str, text: Optional[str], video: str,
                num_frames: Optional[int]) -> dict:
    """One annotated video; ``gloss`` is split into tokens exactly as
    written (markers like ``__ON__`` kept, repeated spaces collapsed) and
    ``video`` is the name of its video folder, which names its pose file."""
    return dict(
        id=id,
        split=split,
        dataset=dataset,
        language=language,
        signer=signer,
        gloss=gloss.split(),
        text=text,
        video=video,
        num_frames=num_frames)


def make_reject(reason: str,
                *,
                stage: str = 'annotation',
                id: Optional[str] = None,
                split: Optional[str] = None,
                file: Optional[str] = None,
                line: Optional[int] = None) -> dict:
    """A rejected row or sample: where it came from and why it was dropped.

    ``stage`` is one of ``'annotation'``, ``'missing_pose'``,
    ``'unreadable_pose'`` and ``'invalid_sample'``.
    """
    return dict(
        id=id, split=split, stage=stage, reason=reason, file=file, line=line)


def check_splits(splits: Sequence[str]) -> None:
    unknown = [s for s in splits if s not in SPLITS]
    if unknown:
        raise ValueError(f'unknown split(s) {unknown}, expected some of '
                         f'{list(SPLITS)}')


def read_rows(path: str,
              columns: Sequence[str],
              required: Sequence[str] = (),
              split: Optional[str] = None,
              sep: str = '|',
              id_column: Optional[str] = None
              ) -> Tuple[List[Tuple[int, dict]], List[dict]]:
    """The rows of a ``sep``-separated file whose header is ``columns``.

    The row id is ``id_column`` (default: the first column). A row that is
    not UTF-8, has the wrong number of fields, an empty ``required`` field
    or an id seen before is rejected; empty lines are ignored. Fields are
    stripped of surrounding whitespace. Lines end at ``\\n``, ``\\r\\n`` or
    ``\\r`` only (a U+2028 inside a sentence does not split its row).

    Returns:
        tuple: ``(line number, row dict)`` pairs (lines count from 1, the
        header being line 1) and the rejects.

    Raises:
        ValueError: If the header is not ``columns`` (the file is not of the
            expected kind, so no row can be trusted).
    """
    with open(path, 'rb') as f:
        # decoded row by row: one non-UTF-8 row must not sink the file
        lines = f.read().removeprefix(codecs.BOM_UTF8).splitlines()
    header = lines[0].decode('utf-8', 'replace').split(sep) if lines else []
    if [h.strip() for h in header] != list(columns):
        raise ValueError(f'{path}, line 1: header is {sep.join(header)!r}, '
                         f'expected {sep.join(columns)!r}')
    rows, rejects, first_seen = [], [], {}
    for number, raw in enumerate(lines[1:], start=2):
        try:
            text = raw.decode('utf-8')
        except UnicodeDecodeError as e:
            rejects.append(
                make_reject(f'is not valid UTF-8 ({e})', split=split,
                            file=path, line=number))
            continue
        if not text.strip():
            continue
        fields = [v.strip() for v in text.split(sep)]
        id_index = columns.index(id_column) if id_column else 0
        row_id = (fields[id_index] if id_index < len(fields) else '') or None

        def reject(reason):
            rejects.append(
                make_reject(
                    reason, id=row_id, split=split, file=path, line=number))

        if len(fields) != len(columns):
            reject(f'has {len(fields)} fields, expected {len(columns)} '
                   f'({sep.join(columns)})')
            continue
        row = dict(zip(columns, fields))
        empty = [c for c in required if not row[c]]
        if empty:
            reject(f'field {empty[0]!r} is empty')
        elif row_id in first_seen:
            reject(f'duplicate id {row_id!r}, first seen on line '
                   f'{first_seen[row_id]}')
        else:
            first_seen[row_id] = number
            rows.append((number, row))
    return rows, rejects


def parse_frame_count(value: str) -> Optional[int]:
    """A positive frame count, or ``None`` if ``value`` is not one."""
    return int(value) if value.isdigit() and int(value) > 0 else None


def read_num_frames(path: str, id_column: str,
                    split: str) -> Tuple[Dict[str, int], List[dict]]:
    """Frame counts from an ``<id>|num_frames`` file; ``({}, [])`` if the
    file does not exist (the counts are optional)."""
    if not osp.isfile(path):
        return {}, []
    rows, rejects = read_rows(path, (id_column, 'num_frames'),
                              (id_column, 'num_frames'), split)
    counts = {}
    for number, row in rows:
        count = parse_frame_count(row['num_frames'])
        if count is None:
            rejects.append(
                make_reject(
                    f"field 'num_frames' is {row['num_frames']!r}, expected "
                    'a positive integer',
                    id=row[id_column],
                    split=split,
                    file=path,
                    line=number))
        else:
            counts[row[id_column]] = count
    return counts, rejects


def video_folder(path: str) -> str:
    """The video's folder name from a frame glob such as
    ``<name>/*.png`` (PHOENIX-2014-T) or ``<name>/1/*.png`` (PHOENIX-2014)."""
    return path.replace('\\', '/').split('/')[0]


def load_split_files(ann_dir: str, corpus_file: str, num_frames_file: str,
                     columns: Sequence[str], required: Sequence[str],
                     to_record: Callable[[dict, str, Optional[int]], dict],
                     splits: Sequence[str], *, gloss_column: str,
                     gloss_script: str) -> Annotations:
    """Annotations of a dataset with one corpus file (and one optional
    frame-count file) per split, as both PHOENIX releases have.

    Args:
        corpus_file, num_frames_file (str): File names with a ``{split}``
            field, relative to ``ann_dir``.
        to_record (callable): ``(row, split, num_frames) -> record``.
        gloss_column, gloss_script (str): The gloss column, whose rows with
            unknown characters are rejected (see ``gloss_characters.py``),
            and the dataset's gloss characters.
    """
    check_splits(splits)
    records, rejects = {}, []
    for split in splits:
        path = osp.join(ann_dir, corpus_file.format(split=split))
        rows, bad = read_rows(path, columns, required, split)
        counts, bad_counts = read_num_frames(
            osp.join(ann_dir, num_frames_file.format(split=split)),
            columns[0], split)
        rejects += bad + bad_counts
        records[split] = []
        for number, row in rows:
            problem = gloss_problem(row[gloss_column], gloss_column,
                                    gloss_script)
            if problem is None:
                records[split].append(
                    to_record(row, split, counts.get(row[columns[0]])))
            else:
                rejects.append(
                    make_reject(problem, id=row[columns[0]], split=split,
                                file=path, line=number))
    return Annotations(records, rejects)
