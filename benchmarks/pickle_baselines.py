"""The two pickle layouts our corpus format is compared with, as baselines
for ``benchmarks/bench_loader.py`` only (our own formats never use pickle):

- per-clip pickles, Uni-Sign's way: a folder of ``<id>.pkl`` sample dicts,
  one open + unpickle per read;
- one whole-dataset pickle, SLRT's way: a list of sample dicts loaded into
  RAM when the dataset is built, shared with DataLoader workers by fork.

Both are read with :class:`NumpyOnlyUnpickler`, which refuses every global
but numpy's array reconstruction, so loading them runs no other code.
"""
import os
import os.path as osp
import pickle

import numpy as np

from slp_mm.datasets import SignPoseDataset

# the globals pickle needs to rebuild numpy arrays, dtypes and scalars
NUMPY_GLOBALS = frozenset([
    ('numpy.core.numeric', '_frombuffer'),  # protocol 5 arrays
    ('numpy.core.multiarray', '_reconstruct'),  # protocol <= 4 arrays
    ('numpy', 'ndarray'),
    ('numpy', 'dtype'),
    ('numpy.core.multiarray', 'scalar'),
])


class NumpyOnlyUnpickler(pickle.Unpickler):
    """Unpickler that resolves only :data:`NUMPY_GLOBALS`.

    Args:
        file: Binary file object.
        path (str): File name, for errors.
    """

    def __init__(self, file, path: str) -> None:
        super().__init__(file)
        self.path = path

    def find_class(self, module: str, name: str):
        if (module, name) not in NUMPY_GLOBALS:
            raise pickle.UnpicklingError(
                f'{self.path}: refusing global {module}.{name}; only numpy '
                f'array reconstruction is allowed ({sorted(NUMPY_GLOBALS)})')
        return super().find_class(module, name)


def load_pickle(path: str):
    with open(path, 'rb') as f:
        return NumpyOnlyUnpickler(f, path).load()


def write_clip_pickles(folder: str, samples) -> None:
    """Write each sample dict to ``folder/<id>.pkl``."""
    os.makedirs(folder, exist_ok=True)
    for sample in samples:
        with open(osp.join(folder, sample['id'] + '.pkl'), 'wb') as f:
            pickle.dump(sample, f, protocol=pickle.HIGHEST_PROTOCOL)


def write_dataset_pickle(file: str, samples) -> None:
    """Write all sample dicts as one pickled list (built in RAM first)."""
    os.makedirs(osp.dirname(file), exist_ok=True)
    data = list(samples)
    with open(file, 'wb') as f:
        pickle.dump(data, f, protocol=pickle.HIGHEST_PROTOCOL)


class ClipPickles:
    """Random access to a folder written by :func:`write_clip_pickles`; the
    ids are listed once, each read opens one file."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self.ids = sorted(name[:-len('.pkl')] for name in os.listdir(folder)
                          if name.endswith('.pkl'))
        if not self.ids:
            raise FileNotFoundError(f'{folder}: no <id>.pkl clip files')

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, index: int) -> dict:
        return load_pickle(osp.join(self.folder, self.ids[index] + '.pkl'))


class DatasetPickle:
    """Random access to the list of a file written by
    :func:`write_dataset_pickle`, loaded whole into RAM."""

    def __init__(self, file: str) -> None:
        self.samples = load_pickle(file)
        if not isinstance(self.samples, list):
            raise TypeError(f'{file}: expected a pickled list of sample '
                            f'dicts, found {type(self.samples).__name__}')

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, index: int) -> dict:
        # a shallow copy: the pipeline replaces keys, the stored dict stays
        return dict(self.samples[index])


class PickleSignPoseDataset(SignPoseDataset):
    """:class:`SignPoseDataset` reading rows from a pickle baseline instead
    of a sign corpus, so indexing, refetch and the pipeline are the same
    code and only the storage differs.

    Args:
        reader (ClipPickles | DatasetPickle): The storage.
        pipeline (Sequence): Transforms.
    """

    def __init__(self, reader, pipeline) -> None:
        self.reader = reader
        super().__init__(ann_file='', pipeline=pipeline)

    def full_init(self) -> None:
        if self._fully_initialized:
            return
        self.corpus = self.reader
        self._indexes = np.arange(len(self.reader), dtype=np.int64)
        self._fully_initialized = True
