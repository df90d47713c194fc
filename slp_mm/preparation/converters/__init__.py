from . import csl_daily, how2sign, phoenix2014, phoenix2014t
from . import msasl, nmfs_csl, slr500, wlasl
from .base import SPLITS, Annotations, make_record, make_reject
from .csl_daily import load_csl_daily
from .how2sign import load_how2sign
from .gloss_templates import GLOSS_TEMPLATES, gloss_to_text
from .msasl import load_msasl
from .nmfs_csl import load_nmfs_csl
from .phoenix2014 import load_phoenix2014
from .phoenix2014t import load_phoenix2014t
from .rejects_report import REJECTS, write_rejects
from .slr500 import load_slr500
from .wlasl import load_wlasl

# dataset name -> annotation loader, for tools/data/convert_sign_dataset.py
ANNOTATION_LOADERS = {
    how2sign.DATASET: load_how2sign,
    phoenix2014t.DATASET: load_phoenix2014t,
    phoenix2014.DATASET: load_phoenix2014,
    csl_daily.DATASET: load_csl_daily,
    **wlasl.SUBSET_LOADERS,  # wlasl100 ... wlasl2000
    **msasl.SUBSET_LOADERS,  # msasl100 ... msasl1000
    slr500.DATASET: load_slr500,
    nmfs_csl.DATASET: load_nmfs_csl,
}
# dataset name -> video width, height and fps, for pose files not storing them
VIDEO_INFO = {
    how2sign.DATASET: how2sign.VIDEO_INFO,
    phoenix2014t.DATASET: phoenix2014t.VIDEO_INFO,
    phoenix2014.DATASET: phoenix2014.VIDEO_INFO,
    csl_daily.DATASET: csl_daily.VIDEO_INFO,
    **{name: wlasl.VIDEO_INFO for name in wlasl.SUBSET_LOADERS},
    **{name: msasl.VIDEO_INFO for name in msasl.SUBSET_LOADERS},
    slr500.DATASET: slr500.VIDEO_INFO,
    nmfs_csl.DATASET: nmfs_csl.VIDEO_INFO,
}

__all__ = [
    'SPLITS', 'Annotations', 'make_record', 'make_reject',
    'load_phoenix2014t', 'load_phoenix2014', 'load_csl_daily', 'load_how2sign',
    'ANNOTATION_LOADERS', 'VIDEO_INFO',
    'load_wlasl', 'load_msasl', 'load_slr500', 'load_nmfs_csl',
    'GLOSS_TEMPLATES', 'gloss_to_text', 'REJECTS', 'write_rejects'
]
