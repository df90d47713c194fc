from .coco_wholebody import (COCO_WHOLEBODY_NAMES, PAPER_79_INDEXES,
                             PAPER_79_ONE_BASED)
from .gloss_vocabulary import GlossVocabulary
from .keypoint_layout import KeypointLayout, get_layout
from .sign_data_sample import SignDataSample

__all__ = [
    'KeypointLayout', 'get_layout', 'SignDataSample', 'GlossVocabulary', 'COCO_WHOLEBODY_NAMES',
    'PAPER_79_INDEXES', 'PAPER_79_ONE_BASED'
]
