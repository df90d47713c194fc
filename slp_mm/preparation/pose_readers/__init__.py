from .hand_source_merge import merge_hand_source
from .mmaction_skeleton_reader import read_mmaction_skeleton
from .mmpose_json_reader import read_mmpose_json
from .numpy_reader import read_numpy_pose
from .openpose_json_reader import read_openpose_json
from .pose_file_formats import (FOLDER, find_pose_file, get_pose_format,
                                pose_format)
from .pose_format_reader import SUPPORTED_LAYOUTS, read_pose_file

__all__ = [
    'read_pose_file', 'read_numpy_pose', 'read_mmpose_json',
    'read_openpose_json', 'read_mmaction_skeleton', 'merge_hand_source',
    'SUPPORTED_LAYOUTS', 'FOLDER', 'pose_format', 'get_pose_format',
    'find_pose_file'
]
