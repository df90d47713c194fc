"""Let weights-only ``torch.load`` (the default since torch 2.6) read
mmengine resume checkpoints.

mmengine 0.10.7 saves the message hub (``HistoryBuffer`` holding numpy
arrays) and numpy RNG state in checkpoints; with ``weights_only=True`` those
globals are refused and ``--resume`` fails. Allow-listing exactly these
classes keeps loading safe (no arbitrary code runs) and resume exact. The
list is the one recorded in ../shared/STACK.md; mmengine fixed it upstream
after 0.10.7 (PR #1670).
"""
import numpy as np
import torch


def register_safe_globals() -> None:
    from mmengine.logging.history_buffer import HistoryBuffer
    try:
        from numpy.core.multiarray import _reconstruct, scalar
    except ImportError:  # numpy >= 2
        from numpy._core.multiarray import _reconstruct, scalar
    dtype_classes = [
        getattr(np.dtypes, name) for name in dir(np.dtypes)
        if name.endswith('DType')
    ]
    torch.serialization.add_safe_globals(
        [HistoryBuffer, _reconstruct, np.ndarray, np.dtype, scalar, getattr] +
        dtype_classes)
