"""slp_mm: multimodal sign-language pre-training and understanding on OpenMMLab."""
from .version import __version__

__all__ = ['__version__']
