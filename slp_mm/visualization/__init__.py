from .image_file import save_image
from .mpm_reconstruction import (draw_mpm_reconstruction,
                                 reconstruct_masked_pose)
from .pose_animation import (iter_video_frames, render_pose_animation,
                             save_animation, subsample_step)
from .pose_drawer import (check_pose_to_draw, draw_legend, draw_pose_frame,
                          draw_pose_grid, pose_in_pixels)
from .sample_batch import prepare_sample_batch
from .sign_local_visualizer import SignLocalVisualizer
from .similarity_heatmap import (draw_similarity_heatmap, figure_to_rgb,
                                 pair_similarity_maps)
from .training_curves import (load_scalar_log, plot_training_curves,
                              train_time_stats)

__all__ = [
    'SignLocalVisualizer', 'figure_to_rgb', 'save_image', 'draw_pose_frame',
    'draw_pose_grid', 'draw_legend', 'check_pose_to_draw', 'pose_in_pixels',
    'iter_video_frames', 'render_pose_animation', 'save_animation',
    'subsample_step', 'prepare_sample_batch', 'reconstruct_masked_pose',
    'draw_mpm_reconstruction', 'pair_similarity_maps',
    'draw_similarity_heatmap', 'load_scalar_log', 'plot_training_curves',
    'train_time_stats'
]
