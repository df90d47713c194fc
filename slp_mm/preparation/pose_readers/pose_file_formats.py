"""The per-video pose file formats the converters accept, and how to find a
video's file. Each format is a reader registered in ``POSE_FORMATS`` with
:func:`pose_format`, so a plugin project adds one with the same decorator.
"""
import os.path as osp
from typing import Callable, Optional, Sequence, Tuple

from slp_mm.registry import POSE_FORMATS

from ..registered import get_registered
from .mmpose_json_reader import read_mmpose_json
from .numpy_reader import read_numpy_pose
from .openpose_json_reader import read_openpose_json
from .pose_format_reader import read_pose_file

# the "extension" of a format stored as a folder named after the video
FOLDER = '/'


def pose_format(name: str,
                extensions: Sequence[str],
                stores_video_info: bool = True) -> Callable:
    """Register ``read(path, width=, height=, fps=) -> dict`` (the data
    contract) as the pose format ``name``::

        @pose_format('my-format', extensions=('.my', ))
        def read_my_format(path, width=None, height=None, fps=None): ...

    Args:
        name (str): The format name the converters are given.
        extensions (Sequence[str]): File extensions tried in order;
            :data:`FOLDER` for a folder named after the video.
        stores_video_info (bool): Whether a file may store the video size
            and fps; if not, a converter needs them from the dataset or the
            user before reading any file.
    """

    def register(read: Callable) -> Callable:
        read.extensions = tuple(extensions)
        read.stores_video_info = stores_video_info
        POSE_FORMATS.register_module(name=name, module=read)
        return read

    return register


def get_pose_format(name: str) -> Callable:
    """The reader of a registered pose format, with the attributes
    ``extensions`` and ``stores_video_info`` (see :func:`pose_format`).

    Raises:
        ValueError: Unknown format; the message lists the registered ones.
    """
    return get_registered(POSE_FORMATS, name)


pose_format('npz', extensions=('.npz', '.npy'))(read_numpy_pose)
# per-frame JSON stores no video size or fps
pose_format('mmpose-json', extensions=('.json', ),
            stores_video_info=False)(read_mmpose_json)
# OpenPose's per-frame files, in a folder or a .tar (as BOBSL has them)
pose_format('openpose-json', extensions=(FOLDER, '.tar'),
            stores_video_info=False)(read_openpose_json)


@pose_format('pose', extensions=('.pose', ))
def read_pose_format_file(path: str, **video_info) -> dict:
    """A pose-format ``.pose`` file; it stores the video size and fps
    itself, so ``video_info`` is ignored."""
    return read_pose_file(path)


def find_pose_file(pose_dir: str, split: str, video: str,
                   extensions: Sequence[str]) -> Tuple[Optional[str], list]:
    """The pose file of a video, POSE_DIR/<split>/<video>.<ext> or
    POSE_DIR/<video>.<ext> (``None`` if there is none), and the paths
    tried; the extension ``FOLDER`` names the folder POSE_DIR/.../<video>/.
    """
    tried = [
        osp.join(folder, video + ext)
        for folder in (osp.join(pose_dir, split), pose_dir)
        for ext in extensions
    ]
    found = (path for path in tried if (
        osp.isdir(path) if path.endswith(FOLDER) else osp.isfile(path)))
    return next(found, None), tried
