from .coco_wholebody import (COCO_WHOLEBODY_NAMES, PAPER_79_INDEXES,
                             PAPER_79_ONE_BASED)
from .gloss_vocabulary import GlossVocabulary
from .keypoint_layout import KeypointLayout, get_layout
from .mediapipe_holistic import mediapipe_holistic, mediapipe_to_coco_wholebody
from .openpose_137 import openpose_137
from .sign_data_sample import SignDataSample
from .source_layout import SourceLayout
from .tokenizer import MBART_LANGUAGE_TOKENS, load_tokenizer, train_tokenizer

__all__ = [
    'KeypointLayout', 'get_layout', 'SignDataSample', 'GlossVocabulary',
    'COCO_WHOLEBODY_NAMES', 'PAPER_79_INDEXES', 'PAPER_79_ONE_BASED',
    'SourceLayout', 'mediapipe_holistic', 'mediapipe_to_coco_wholebody',
    'openpose_137', 'MBART_LANGUAGE_TOKENS', 'load_tokenizer',
    'train_tokenizer'
]
