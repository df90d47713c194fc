"""Pick the checkpoint ``--resume`` continues from, and say which and why.

mmengine resumes from the file its ``last_checkpoint`` names: when that file
was deleted or is truncated (a copy cut short, a disk that filled up outside
our atomic writes), the run fails inside ``torch.load``; with no checkpoint
at all it logs "resumed from None" and starts from scratch. This resolves
the path before the runner is built: a named file must be complete, and the
automatic choice falls back to the newest complete checkpoint of the work
dir with a warning naming each file it passed over.
"""
import glob
import logging
import os.path as osp
import zipfile
from typing import Optional

from mmengine.logging import print_log

LAST_CHECKPOINT = 'last_checkpoint'  # mmengine's record of the latest save
CHECKPOINT_PATTERNS = ('epoch_*.pth', 'iter_*.pth')  # CheckpointHook's names


def checkpoint_problem(path: str) -> Optional[str]:
    """Why ``path`` cannot be resumed from, or ``None`` if it looks
    complete: a torch zip checkpoint whose central directory (at the end
    of the file, so lost by truncation) lists the pickled object. A legacy
    (non-zip) pickle cannot be checked without loading it and passes."""
    if not osp.isfile(path):
        return 'missing'
    with open(path, 'rb') as f:
        magic = f.read(2)
    if magic == b'\x80':  # pickle protocol marker: legacy torch.save
        return None
    if magic != b'PK':
        return 'not a torch checkpoint'
    try:
        with zipfile.ZipFile(path) as archive:
            if not any(name.endswith('/data.pkl')
                       for name in archive.namelist()):
                return 'incomplete (no data.pkl)'
    except (zipfile.BadZipFile, OSError) as e:
        return f'truncated or corrupt ({e})'
    return None


def resume_checkpoint(work_dir: str,
                      path: Optional[str] = None) -> Optional[str]:
    """The checkpoint to resume from.

    Args:
        work_dir (str): The run's work dir.
        path (str, optional): A checkpoint the user named; ``None`` picks
            the one ``last_checkpoint`` names, else the newest complete
            ``epoch_*.pth`` / ``iter_*.pth``.

    Returns:
        str or None: ``None`` when ``path`` is not given and the work dir
        holds no checkpoint (logged: training starts from scratch).

    Raises:
        FileNotFoundError: If the named ``path`` is missing or incomplete,
            or every checkpoint of the work dir is.
    """
    if path is not None:
        problem = checkpoint_problem(path)
        if problem is not None:
            raise FileNotFoundError(f'--resume {path}: the checkpoint is '
                                    f'{problem}')
        return path
    candidates = sorted(
        (file for pattern in CHECKPOINT_PATTERNS
         for file in glob.glob(osp.join(work_dir, pattern))),
        key=osp.getmtime, reverse=True)
    record = osp.join(work_dir, LAST_CHECKPOINT)
    if osp.isfile(record):
        with open(record, encoding='utf-8') as f:
            last = f.read().strip()
        candidates = [last] + [c for c in candidates
                               if osp.realpath(c) != osp.realpath(last)]
    passed_over = []
    for candidate in candidates:
        problem = checkpoint_problem(candidate)
        if problem is None:
            if passed_over:
                print_log(
                    f'Resuming from {candidate}, the newest complete '
                    f'checkpoint in {work_dir}; passed over: '
                    f'{"; ".join(passed_over)}',
                    logger='current', level=logging.WARNING)
            return candidate
        passed_over.append(f'{candidate} ({problem})')
    if passed_over:  # starting over would overwrite them: the user decides
        raise FileNotFoundError(
            f'--resume: no complete checkpoint in {work_dir}: '
            f'{"; ".join(passed_over)}')
    print_log(f'--resume: no checkpoint in {work_dir}, starting from scratch',
              logger='current', level=logging.WARNING)
    return None
