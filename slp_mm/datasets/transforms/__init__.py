from .check_pose_sample import CheckPoseSample
from .encode_gloss import EncodeGloss
from .hierarchical_pose_mask import HierarchicalPoseMask
from .normalize_parts import NormalizeParts
from .pack_sign_inputs import PackSignInputs
from .random_affine_pose import RandomAffinePose
from .select_keypoints import SelectKeypoints
from .temporal_sample import TemporalSample
from .tokenize_text import TokenizeText

__all__ = [
    'CheckPoseSample', 'SelectKeypoints', 'NormalizeParts', 'TemporalSample',
    'HierarchicalPoseMask', 'TokenizeText', 'PackSignInputs',
    'RandomAffinePose', 'EncodeGloss'
]
