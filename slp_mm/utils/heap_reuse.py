"""Keep freed heap memory for reuse in a training process and its loader
workers, instead of handing it back to the OS after every batch."""
import ctypes
import os

# mallopt parameters, glibc's malloc.h
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
USER_SETTINGS = ('MALLOC_MMAP_THRESHOLD_', 'MALLOC_TRIM_THRESHOLD_')


def reuse_freed_heap(mmap_threshold: int = 32 << 20,
                     trim_threshold: int = 256 << 20) -> bool:
    """Make glibc's malloc serve blocks up to ``mmap_threshold`` bytes from
    its heap and keep up to ``trim_threshold`` bytes of freed heap, for
    this process and the loader workers it forks afterwards.

    Why: every training batch allocates and frees blocks of several MiB
    (the padded batch, the normalisation's temporaries, the masks). Under
    glibc's defaults (an mmap threshold that adapts to the largest block
    freed so far, and freed heap beyond twice it returned to the OS) those
    blocks kept coming back as fresh pages, which the kernel faults in and
    zeroes on first touch: 10-20 page faults a sample on the batched
    pre-training pipeline, ~10% of its time on one core
    (``benchmarks/bench_pipeline.py``). A process keeps at most what it
    once used; an explicit ``malloc_trim`` still returns it.

    Does nothing where the C library is not glibc, or where the user chose
    (``MALLOC_MMAP_THRESHOLD_`` / ``MALLOC_TRIM_THRESHOLD_`` set).

    Returns:
        bool: Whether both settings were applied.
    """
    if any(name in os.environ for name in USER_SETTINGS):
        return False
    try:
        libc = ctypes.CDLL(None)
        libc.gnu_get_libc_version  # glibc only
    except (AttributeError, OSError):
        return False
    return bool(libc.mallopt(M_MMAP_THRESHOLD, int(mmap_threshold))
                and libc.mallopt(M_TRIM_THRESHOLD, int(trim_threshold)))
