import numpy as np
from mmcv.transforms import BaseTransform

from slp_mm.registry import TRANSFORMS


@TRANSFORMS.register_module()
class TemporalSample(BaseTransform):
    """Bring a sequence to at most ``max_frames`` frames.

    Shorter sequences are kept whole (the data preprocessor pads them).
    Longer ones are subsampled over the whole sequence: ``'uniform'`` takes
    the centre frame of each of ``max_frames`` equal segments (testing),
    ``'random_uniform'`` a random frame of each segment (training; the
    SignBERT+ ISLR protocol with 32 frames). Every segment keeps a frame, so
    a sentence, gloss sequence or sign label still describes what is kept;
    the training and testing modes see the same frame rate. This is the
    policy of every config (docs/pretraining.md, "Temporal sampling
    policy"). ``'random_crop'`` (training) and ``'center_crop'`` (testing)
    cut a contiguous window instead, for data whose label survives a cut.

    Required keys: ``keypoints`` (T, K, 2), ``scores`` (T, K).
    Modified keys: ``keypoints``, ``scores``. Added keys: ``frame_inds``.

    Args:
        max_frames (int): Upper bound on frames. The paper uses 256.
        mode (str): One of :attr:`MODES`.
    """

    MODES = ('random_crop', 'center_crop', 'uniform', 'random_uniform')

    def __init__(self, max_frames: int = 256, mode: str = 'random_uniform'):
        if mode not in self.MODES:
            raise ValueError(f'mode must be one of {self.MODES}, got {mode!r}')
        if max_frames < 1:
            raise ValueError(f'max_frames must be >= 1, got {max_frames}')
        self.max_frames = max_frames
        self.mode = mode

    def transform(self, results: dict) -> dict:
        t = results['keypoints'].shape[0]
        n = self.max_frames
        if t <= n:  # kept whole: no copy of the (read-only) stored arrays
            results['frame_inds'] = np.arange(t)
            return results
        if self.mode in ('uniform', 'random_uniform'):
            offset = (np.random.uniform(0, 1, n)
                      if self.mode == 'random_uniform' else 0.5)
            inds = np.floor((np.arange(n) + offset) * t / n).astype(np.int64)
        else:
            start = (np.random.randint(0, t - n + 1)
                     if self.mode == 'random_crop' else (t - n) // 2)
            inds = np.arange(start, start + n)
        results['keypoints'] = results['keypoints'][inds]
        results['scores'] = results['scores'][inds]
        results['frame_inds'] = inds
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(max_frames={self.max_frames}, '
                f'mode={self.mode!r})')
