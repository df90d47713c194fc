from .mpm_reconstruction import (draw_mpm_reconstruction,
                                 reconstruct_masked_pose)
from .pose_animation import (read_video_frames, render_pose_animation,
                             save_animation)
from .pose_drawer import draw_pose_frame, draw_pose_grid
from .sample_batch import prepare_sample_batch
from .similarity_heatmap import draw_similarity_heatmap, pair_similarity_maps
from .training_curves import (load_scalar_log, plot_training_curves,
                              train_time_stats)

__all__ = [
    'draw_pose_frame', 'draw_pose_grid', 'read_video_frames',
    'render_pose_animation', 'save_animation', 'prepare_sample_batch',
    'reconstruct_masked_pose', 'draw_mpm_reconstruction',
    'pair_similarity_maps', 'draw_similarity_heatmap', 'load_scalar_log',
    'plot_training_curves', 'train_time_stats'
]
