"""The report of every row or sample a conversion dropped, and why."""
import json
import os.path as osp
from typing import List

REJECTS = 'rejects.json'


def write_rejects(folder: str, rejects: List[dict]) -> str:
    """Write ``folder``/rejects.json (UTF-8, readable) and return its
    path."""
    path = osp.join(folder, REJECTS)
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(rejects, f, indent=1, ensure_ascii=False)
    return path
