from . import csl_daily, phoenix2014, phoenix2014t
from .base import SPLITS, Annotations, make_record, make_reject
from .csl_daily import load_csl_daily
from .phoenix2014 import load_phoenix2014
from .phoenix2014t import load_phoenix2014t

# dataset name -> annotation loader, for tools/data/convert_sign_dataset.py
ANNOTATION_LOADERS = {
    phoenix2014t.DATASET: load_phoenix2014t,
    phoenix2014.DATASET: load_phoenix2014,
    csl_daily.DATASET: load_csl_daily,
}
# dataset name -> video width, height and fps, for pose files not storing them
VIDEO_INFO = {
    phoenix2014t.DATASET: phoenix2014t.VIDEO_INFO,
    phoenix2014.DATASET: phoenix2014.VIDEO_INFO,
    csl_daily.DATASET: csl_daily.VIDEO_INFO,
}

__all__ = [
    'SPLITS', 'Annotations', 'make_record', 'make_reject',
    'load_phoenix2014t', 'load_phoenix2014', 'load_csl_daily',
    'ANNOTATION_LOADERS', 'VIDEO_INFO'
]
