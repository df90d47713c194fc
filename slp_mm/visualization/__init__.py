from .pose_drawer import draw_pose_frame, draw_pose_grid

__all__ = ['draw_pose_frame', 'draw_pose_grid']
