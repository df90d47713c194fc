"""Read OpenPose's per-frame JSON output into the data contract.

OpenPose (``--write_json``) writes one ``<video>_<frame:012d>_keypoints.json``
per video frame: ``{"version", "people": [{"person_id", "pose_keypoints_2d":
[x, y, c] * 25, "face_keypoints_2d": [x, y, c] * 70,
"hand_left_keypoints_2d": [x, y, c] * 21, "hand_right_keypoints_2d":
[x, y, c] * 21}]}``, x and y in pixels and ``x = y = c = 0`` for a point not
detected. BOBSL releases these files as one .tar per episode; the archive is
read member by member, never extracted (an hour of video is about 90,000
files), and a member that could escape a folder on extraction (an absolute
or ``..`` name, a link, a device) makes the whole archive suspect.
"""
import json
import numbers
import os
import os.path as osp
import re
import tarfile
from typing import Dict, Iterator, List, Tuple

import numpy as np

from slp_mm.structures import SourceLayout, get_layout
from .main_signer import Instance, keypoint_box, main_signer_keypoints
from .mmpose_json_reader import MAX_FRAME_SPAN

LAYOUT = 'openpose_137'
FRAME_FILE = re.compile(r'(?P<video>.*)_(?P<frame>[0-9]+)_keypoints\.json')
# OpenPose writes [] for these when run without --face / --hand
OPTIONAL_FIELDS = ('face_keypoints_2d', 'hand_left_keypoints_2d',
                   'hand_right_keypoints_2d')
# points scoring less than this do not widen a person's box (OpenPose's own
# default render threshold)
BOX_MIN_SCORE = 0.05
# one person takes about 5 kB: a larger frame file is not OpenPose output
MAX_FRAME_BYTES = 1 << 20
TAR_MEMBER_KINDS = {
    tarfile.SYMTYPE: 'symbolic link',
    tarfile.LNKTYPE: 'hard link',
    tarfile.CHRTYPE: 'character device',
    tarfile.BLKTYPE: 'block device',
    tarfile.FIFOTYPE: 'FIFO'
}


def read_openpose_json(path: str, width: float, height: float,
                       fps: float) -> dict:
    """Keypoints and scores of the main signer in OpenPose's per-frame JSON
    files, mapped onto COCO-WholeBody 133 through the ``openpose_137``
    layout.

    Row ``n`` of the arrays is video frame ``n``, the number in the file
    name: frames before the first file or between two files (a gap), and
    frames whose ``people`` is empty, get keypoints and scores 0 (missing
    frames at the end cannot be told from the end of the video). Where
    several people are detected the main signer is kept (see
    ``main_signer.py``), each person's box spanning their points scoring at
    least ``BOX_MIN_SCORE``; ``person_id`` (-1 unless OpenPose tracked) is
    not used. A face or hand given as ``[]`` is not detected. Files not
    named ``*_keypoints.json`` are ignored.

    Args:
        path (str): A folder of the frame files, or a .tar of them (in any
            folder inside it).
        width, height (float): Video size in pixels (the files store none).
        fps (float): Frame rate.

    Returns:
        dict: ``keypoints`` (T, 133, 2) float32, ``scores`` (T, 133)
        float32, ``width``, ``height``, ``fps`` and ``source_layout``
        (``'openpose_137'``).

    Raises:
        ValueError: If a frame file is not OpenPose output (the error names
            the file or member and the field), two files give one frame,
            files of several videos are mixed, or a .tar member is unsafe.
    """
    for key, value in (('width', width), ('height', height), ('fps', fps)):
        if not (isinstance(value, numbers.Real) and np.isfinite(value)
                and value > 0):
            raise ValueError(f'{path}: {key} {value!r} given, expected a '
                             'positive number (OpenPose JSON stores no '
                             'video size or frame rate)')
    layout = get_layout(LAYOUT)
    frames: Dict[int, Tuple[str, List[Instance]]] = {}
    videos: Dict[str, str] = {}  # video name -> its first file
    for name, where, content in _frame_files(path):
        match = FRAME_FILE.fullmatch(name)
        number = int(match['frame'])
        videos.setdefault(match['video'], where)
        if len(videos) > 1:
            raise ValueError(f'{path}: holds frames of several videos: '
                             f'{list(videos.values())}')
        if number in frames:
            raise ValueError(f'{where}: frame {number} was already given by '
                             f'{frames[number][0]}')
        if number >= MAX_FRAME_SPAN:
            raise ValueError(f'{where}: frame number {number} is beyond '
                             f'{MAX_FRAME_SPAN - 1}: a corrupt name?')
        frames[number] = where, _parse_frame(content, where, layout)
    if not frames:
        raise ValueError(f'{path}: holds no OpenPose frame files '
                         '(<video>_<frame>_keypoints.json)')
    timeline = [
        frames[t][1] if t in frames else [] for t in range(max(frames) + 1)
    ]
    keypoints, scores = main_signer_keypoints(
        timeline, width, height, layout.num_keypoints)  # (T, 137, 2)
    keypoints, scores = layout.to_coco_wholebody(keypoints,
                                                 scores)  # (T, 133, 2)
    return dict(
        keypoints=keypoints,
        scores=scores,
        width=float(width),
        height=float(height),
        fps=float(fps),
        source_layout=LAYOUT)


def _frame_files(path: str) -> Iterator[Tuple[str, str, bytes]]:
    """(file name, where to name it in errors, content) of each frame file
    of a folder or .tar, in listing order."""
    if osp.isdir(path):
        for name in sorted(os.listdir(path)):
            file = osp.join(path, name)
            if FRAME_FILE.fullmatch(name) and osp.isfile(file):
                _check_size(osp.getsize(file), file)
                with open(file, 'rb') as f:
                    yield name, file, f.read()
        return
    try:
        with tarfile.open(path) as tar:  # any compression; read in order
            for member in tar:
                where = f'{path}: member {member.name!r}'
                _check_member(member, where)
                name = member.name.replace('\\', '/').rsplit('/', 1)[-1]
                if member.isfile() and FRAME_FILE.fullmatch(name):
                    _check_size(member.size, where)
                    yield name, where, tar.extractfile(member).read()
    except (tarfile.TarError, EOFError) as e:  # not a tar, cut short
        raise ValueError(f'{path}: not a readable folder or .tar of OpenPose '
                         f'frames ({type(e).__name__}: {e})') from e


def _check_member(member: tarfile.TarInfo, where: str) -> None:
    parts = member.name.replace('\\', '/').split('/')
    if member.name.startswith(('/', '\\')) or '..' in parts:
        raise ValueError(f'{where}: absolute or ".." member names are '
                         'refused (the archive could write outside its '
                         'folder when extracted)')
    if not (member.isfile() or member.isdir()):
        kind = TAR_MEMBER_KINDS.get(member.type, f'type {member.type!r}')
        raise ValueError(f'{where}: is a {kind}, expected regular files '
                         'and folders only')


def _check_size(size: int, where: str) -> None:
    if size > MAX_FRAME_BYTES:
        raise ValueError(f'{where}: {size} bytes, more than the '
                         f'{MAX_FRAME_BYTES} of any OpenPose frame file')


def _parse_frame(content: bytes, where: str,
                 layout: SourceLayout) -> List[Instance]:
    try:
        frame = json.loads(content)
    except (ValueError, RecursionError) as e:  # also cut short, bad UTF-8
        raise ValueError(f'{where}: not valid JSON ({e})') from e
    if not isinstance(frame, dict) or 'people' not in frame:
        raise ValueError(f"{where}: field 'people' is missing")
    people = frame['people']
    if not isinstance(people, list):
        raise ValueError(f"{where}: field 'people' is a "
                         f'{type(people).__name__}, expected a list')
    return [
        _parse_person(person, f'{where}: person {i}', layout)
        for i, person in enumerate(people)
    ]


def _parse_person(person: dict, where: str,
                  layout: SourceLayout) -> Instance:
    """The 137 points of one person, (x, y, c) per point."""
    if not isinstance(person, dict):
        raise ValueError(f'{where}: is a {type(person).__name__}, expected '
                         'an object')
    xyc = []
    for field, points in layout.components:
        if field not in person:
            raise ValueError(f'{where}: field {field!r} is missing')
        try:
            array = np.asarray(person[field])
        except ValueError as e:  # ragged nesting
            raise ValueError(f'{where}: field {field!r} is not a flat list '
                             f'of numbers ({e})') from e
        # strings, null, booleans and ints beyond int64 are not coordinates
        if array.ndim != 1 or (array.size and array.dtype.kind not in 'iuf'):
            raise ValueError(f'{where}: field {field!r} holds '
                             f'{array.dtype} values of shape {array.shape}, '
                             'expected a flat list of numbers')
        if not array.size and field in OPTIONAL_FIELDS:
            array = np.zeros(3 * len(points))  # not estimated
        if array.size != 3 * len(points):
            raise ValueError(f'{where}: field {field!r} has {array.size} '
                             f'values, expected {3 * len(points)} '
                             f'({len(points)} points as x, y, c)')
        if not np.isfinite(array).all():
            raise ValueError(f'{where}: field {field!r} holds non-finite '
                             'values')
        xyc.append(array.reshape(-1, 3))
    xyc = np.concatenate(xyc).astype(np.float32)  # (137, 3)
    keypoints, scores = xyc[:, :2], xyc[:, 2]  # (137, 2), (137, )
    return Instance(keypoints, scores,
                    keypoint_box(keypoints, scores, BOX_MIN_SCORE))
