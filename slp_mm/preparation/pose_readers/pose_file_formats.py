"""The per-video pose file formats the converters accept, and how to find a
video's file: one table shared by every conversion tool."""
import os.path as osp
from typing import Callable, Dict, Optional, Sequence, Tuple

from .mmpose_json_reader import read_mmpose_json
from .numpy_reader import read_numpy_pose
from .openpose_json_reader import read_openpose_json
from .pose_format_reader import read_pose_file

# the "extension" of a format stored as a folder named after the video
FOLDER = '/'
# format -> (file extensions tried in order,
#            reader(path, width=, height=, fps=) of the data contract)
POSE_FORMATS: Dict[str, Tuple[Tuple[str, ...], Callable[..., dict]]] = {
    'npz': (('.npz', '.npy'), read_numpy_pose),
    # .pose files store the video size and fps themselves
    'pose': (('.pose', ), lambda path, **video_info: read_pose_file(path)),
    'mmpose-json': (('.json', ), read_mmpose_json),
    # OpenPose's per-frame files, in a folder or a .tar (as BOBSL has them)
    'openpose-json': ((FOLDER, '.tar'), read_openpose_json),
}


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
