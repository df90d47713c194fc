from .hand_source_merge import merge_hand_source
from .mmaction_skeleton_reader import read_mmaction_skeleton
from .mmpose_json_reader import read_mmpose_json
from .numpy_reader import read_numpy_pose
from .openpose_json_reader import read_openpose_json
from .pose_file_formats import POSE_FORMATS, find_pose_file
from .pose_format_reader import SUPPORTED_LAYOUTS, read_pose_file

__all__ = [
    'read_pose_file', 'read_numpy_pose', 'read_mmpose_json',
    'read_openpose_json', 'read_mmaction_skeleton', 'merge_hand_source',
    'SUPPORTED_LAYOUTS', 'POSE_FORMATS', 'find_pose_file'
]
