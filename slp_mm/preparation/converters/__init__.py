# importing each converter module registers its annotation loaders
from . import csl_daily, how2sign, phoenix2014, phoenix2014t
from . import msasl, nmfs_csl, slr500, wlasl
from .annotation_loader import annotation_loader, get_annotation_loader
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

__all__ = [
    'SPLITS', 'Annotations', 'make_record', 'make_reject',
    'load_phoenix2014t', 'load_phoenix2014', 'load_csl_daily', 'load_how2sign',
    'annotation_loader', 'get_annotation_loader',
    'load_wlasl', 'load_msasl', 'load_slr500', 'load_nmfs_csl',
    'GLOSS_TEMPLATES', 'gloss_to_text', 'REJECTS', 'write_rejects'
]
