from .mmpose_json_reader import read_mmpose_json
from .numpy_reader import read_numpy_pose
from .pose_format_reader import read_pose_file

__all__ = ['read_pose_file', 'read_numpy_pose', 'read_mmpose_json']
