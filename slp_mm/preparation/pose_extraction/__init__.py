"""Extract pose keypoints from videos with MediaPipe Holistic, rtmlib or
MMPose and save them as pose-format ``.pose`` files
(``tools/data/extract_pose.py``)."""
from .base_pose_extractor import BasePoseExtractor, ExtractedPose
from .extract_video import (build_pose_extractor, extract_video,
                            extract_video_sample)
from .extraction_run import (check_backend_options, check_previous_runs,
                             extract_videos, find_videos, is_up_to_date,
                             resolve_shard)
from .mediapipe_holistic_extractor import MediaPipeHolisticExtractor
from .mmpose_wholebody_extractor import MMPoseWholebodyExtractor
from .pose_file_writer import write_pose_file
from .pose_layouts import (COCO_WHOLEBODY_133, MEDIAPIPE_HOLISTIC,
                           layout_components)
from .rtmlib_wholebody_extractor import RTMLibWholebodyExtractor
from .video_frames import VIDEO_EXTENSIONS, VideoDecodeError, VideoFrames

__all__ = [
    'BasePoseExtractor', 'ExtractedPose', 'check_backend_options',
    'check_previous_runs', 'extract_videos', 'find_videos', 'is_up_to_date',
    'resolve_shard',
    'build_pose_extractor', 'extract_video', 'extract_video_sample', 'MediaPipeHolisticExtractor',
    'MMPoseWholebodyExtractor', 'RTMLibWholebodyExtractor',
    'write_pose_file', 'COCO_WHOLEBODY_133', 'MEDIAPIPE_HOLISTIC',
    'layout_components', 'VIDEO_EXTENSIONS', 'VideoDecodeError',
    'VideoFrames'
]
