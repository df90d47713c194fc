"""Memory stays flat across epochs: the demo pre-training with persistent
DataLoader workers, the RSS of the main process plus its workers taken at
each epoch end."""
import copy
import ctypes
import gc

import psutil
import pytest
from mmengine.hooks import Hook
from mmengine.runner import Runner

EPOCHS = 6
# glibc keeps freed heap memory for reuse; trimming it before measuring
# separates a leak from what the allocator holds
_LIBC = ctypes.CDLL('libc.so.6')
# growth allowed after epoch 3, see test_memory_is_flat_across_epochs
GROWTH_BOUND_MB = 16


class EpochMemoryHook(Hook):
    """Record the memory (MB) summed over this process and its DataLoader
    workers after each training epoch: ``rss``, and ``uss`` and ``pss``
    (private pages; each page divided among its sharers) for the log."""

    def __init__(self):
        self.mb = dict(pss=[], rss=[], uss=[])

    def after_train_epoch(self, runner):
        gc.collect()
        _LIBC.malloc_trim(0)
        main = psutil.Process()
        totals = dict.fromkeys(self.mb, 0)
        for proc in [main] + main.children(recursive=True):
            try:
                info = proc.memory_full_info()
            except psutil.NoSuchProcess:  # a worker that just exited
                continue
            for key in totals:
                totals[key] += getattr(info, key)
        for key, total in totals.items():
            self.mb[key].append(total / 2**20)


@pytest.fixture
def shrunk_demo_cfg(demo_cfg, synthetic_corpus, tmp_path):
    cfg = copy.deepcopy(demo_cfg)
    cfg.work_dir = str(tmp_path)
    loader = cfg.train_dataloader
    loader.update(batch_size=8, num_workers=2, persistent_workers=True)
    # 24 samples in batches of 8: 3 iterations an epoch
    loader.dataset.update(data_root='', ann_file=synthetic_corpus,
                          indices=24)
    for step in loader.dataset.pipeline:
        if step['type'] == 'TokenizeText':
            step['tokenizer'] = f'{synthetic_corpus}/tokenizer'
    cfg.train_cfg.max_epochs = EPOCHS
    cfg.param_scheduler[1].end = EPOCHS
    cfg.default_hooks.checkpoint = None  # memory, not disk, is measured
    cfg.default_hooks.logger.interval = 100
    return cfg


def test_memory_is_flat_across_epochs(shrunk_demo_cfg):
    """The first three epochs pay one-off costs (allocator pools, lazily
    built modules, worker start-up, then per-shape caches as clips of new
    lengths arrive), so growth is measured from the end of the third.

    Measured on 2 shared CPU cores: the main process holds every gain (the
    workers stay within 1 MB), Python objects and tensors stay constant
    (gc, tracemalloc), while anonymous native memory grows: 5-9 MB in the
    third epoch, ~2.3 MB in each other one (half of it oneDNN's primitive
    cache, keyed by input shape: ~1 MB an epoch with
    ``ONEDNN_PRIMITIVE_CACHE_CAPACITY=0``). From epoch 1 that made 12.6-16.8
    MB by epoch 5 (2026-12-06, 8 runs; 6.1-6.2 MB when first measured), so
    a bound from epoch 1 failed about one run in two; from epoch 3 to 6 it
    is ~7 MB. USS and PSS swing by up to 40 MB between epochs (copy-on-write
    of pages shared with the forked workers, allocator blocks) and so
    cannot carry a tight bound. 16 MB is over twice the measured growth; a
    leak of a batch of inputs (8 x 64 x 79 x 3 float32, 0.5 MB) every
    iteration of this run stays under it, a leak of one per sample or of
    activations does not.
    """
    runner = Runner.from_cfg(shrunk_demo_cfg)
    memory = EpochMemoryHook()
    runner.register_hook(memory, priority='LOWEST')
    runner.train()
    for key, mb in memory.mb.items():
        print(f'{key} after each epoch (MB):',
              ', '.join(f'{v:.1f}' for v in mb))
    rss = memory.mb['rss']
    assert len(rss) == EPOCHS
    growth = max(rss[3:]) - rss[2]
    assert growth < GROWTH_BOUND_MB, rss
