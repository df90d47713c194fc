"""What the isolated-sign loaders (WLASL, MS-ASL, SLR500, NMFs-CSL) share:
the record of a one-sign video and the checks of their annotation entries.

As in base.py, one bad entry must not sink a file of thousands: an entry
that fails a check becomes a reject whose reason names the entry and the
field, and the rest is read. A file that is not the expected kind at all
(not JSON, wrong top level, wrong number of classes) raises ``ValueError``.
"""
import json
import os.path as osp
from typing import Dict, List, Optional

from .base import make_record
from .gloss_templates import gloss_to_text

# official split name -> this toolkit's: WLASL and MS-ASL call dev 'val'
OFFICIAL_SPLITS = {'train': 'train', 'val': 'dev', 'test': 'test'}


def make_sign_record(*,
                     dataset: str,
                     language: str,
                     split: str,
                     id: str,
                     signer: Optional[str],
                     label: int,
                     gloss: str,
                     video: str,
                     templates: Optional[Dict[str, str]] = None) -> dict:
    """A :func:`make_record` record with the class ``label``.

    ``gloss`` is the class name kept as one token (``'thank you'`` is one
    sign) and ``text`` is its template sentence (gloss_templates.py).
    """
    record = make_record(
        dataset=dataset,
        language=language,
        split=split,
        id=id,
        signer=signer,
        gloss='',
        text=gloss_to_text(gloss, language, templates),
        video=video,
        num_frames=None)
    record.update(gloss=[gloss], label=label)
    return record


def read_json(path: str, kind: type, what: str):
    """The parsed JSON file, whose top level must be a ``kind`` of
    ``what``."""
    with open(path, encoding='utf-8') as f:
        try:
            data = json.load(f)
        except (ValueError, RecursionError) as e:  # also cut short, bad
            # UTF-8, or nested deeper than the parser goes
            raise ValueError(f'{path}: not valid JSON ({e})') from e
    if not isinstance(data, kind):
        raise ValueError(f'{path}: top level is a {type(data).__name__}, '
                         f'expected a {kind.__name__} of {what}')
    return data


def entry_problem(entry, fields: Dict[str, type]) -> Optional[str]:
    """Why a JSON entry is unusable, or ``None``: it must be an object whose
    ``fields`` are non-empty strings (``str``) or integers (``int``)."""
    if not isinstance(entry, dict):
        return f'is a {type(entry).__name__}, expected an object'
    for name, kind in fields.items():
        if name not in entry:
            return f'field {name!r} is missing'
        value = entry[name]
        if kind is str and not (isinstance(value, str) and value.strip()):
            return f'field {name!r} is {value!r}, expected a non-empty string'
        if kind is int and (isinstance(value, bool)
                            or not isinstance(value, int)):
            return f'field {name!r} is {value!r}, expected an integer'
        if kind not in (str, int) and not isinstance(value, kind):
            return (f'field {name!r} is a {type(value).__name__}, expected '
                    f'a {kind.__name__}')
    return None


def read_gloss_list(path: str, num_classes: int) -> List[str]:
    """Class names from a file with the gloss of class ``i`` on line
    ``i + 1``; it must have ``num_classes`` non-blank lines (every label
    depends on the order, so a damaged list cannot be used)."""
    with open(path, encoding='utf-8-sig') as f:
        glosses = [line.strip() for line in f.read().splitlines()]
    while glosses and not glosses[-1]:
        glosses.pop()
    blank = [i + 1 for i, gloss in enumerate(glosses) if not gloss]
    if blank:
        raise ValueError(f'{path}, line {blank[0]}: blank, expected the '
                         f'gloss of class {blank[0] - 1}')
    if len(glosses) != num_classes:
        raise ValueError(f'{path}: has {len(glosses)} glosses, expected '
                         f'{num_classes} (one per line, in label order)')
    return glosses


def class_folder_label(video: str) -> Optional[int]:
    """The label of a video in a folder named by its class index
    (``'000123/name'`` -> 123), or ``None`` if the folder is not a number."""
    folder = video.replace('\\', '/').split('/')[0]
    return int(folder) if folder.isdigit() and folder != video else None


def strip_extension(path: str) -> str:
    """``'000/P01_01_00_0._color.mp4'`` -> ``'000/P01_01_00_0._color'``."""
    return osp.splitext(path.replace('\\', '/'))[0]
