from .pose_format_reader import read_pose_file

__all__ = ['read_pose_file']
