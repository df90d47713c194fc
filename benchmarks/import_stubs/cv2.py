"""Stand-in for OpenCV where it is not installed (benchmarks/gpu_wheels.py).

mmengine.hooks and mmcv import cv2 and read its constants at import time;
the GPU check never calls it. Constants (``IMREAD_COLOR``, ``INTER_LINEAR``,
...) read as 0; calling anything raises ImportError, so a path that needs
OpenCV fails loudly instead of computing with a stub.
"""
__version__ = '0.0.0+stub'


def __getattr__(name):
    if name.startswith('__'):
        raise AttributeError(name)
    if name.isupper():
        return 0

    def unavailable(*args, **kwargs):
        raise ImportError(f'cv2.{name}: OpenCV is not installed (this is '
                          'the import stub of benchmarks/import_stubs)')

    return unavailable
