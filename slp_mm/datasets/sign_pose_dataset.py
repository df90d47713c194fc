import copy
import logging
import os.path as osp
from typing import Callable, Dict, List, Optional, Sequence, Union

import numpy as np
from mmengine.dataset import BaseDataset
from mmengine.logging import print_log

from slp_mm.corpus.language_weights import (check_language_weights,
                                            language_repeats,
                                            warn_absent_languages)
from slp_mm.corpus.sign_corpus import SignCorpus
from slp_mm.corpus.verified_shard_cache import VerifiedShardCache
from slp_mm.registry import DATASETS
from slp_mm.structures import GlossVocabulary


@DATASETS.register_module()
class SignPoseDataset(BaseDataset):
    """Sign sequences (pose + optional text) read from a sign corpus.

    Unlike mmengine's default, nothing is loaded into memory up front: the
    corpus is memory-mapped and each ``__getitem__`` reads one row, so the
    dataset scales to the 1.5M samples of SL-1.5M. Only the filtered row
    indexes (one int64 per sample) are kept.

    A sample the pipeline rejects (a transform returns ``None``, e.g.
    :class:`CheckPoseSample` on NaN keypoints) is skipped: another sample is
    drawn and the skipped ids ride along in the returned sample's metainfo
    (``skipped_ids``), where :class:`SkippedSampleLoggerHook` counts and
    logs them across workers and ranks.

    Args:
        ann_file (str): Corpus directory (holding ``corpus.json``), relative
            to ``data_root`` unless absolute.
        pipeline (Sequence): Transforms.
        data_root (str): Root prepended to ``ann_file``.
        datasets (Sequence[str], optional): Keep only these source datasets.
        paired_only (bool): Keep only samples with text.
        min_frames (int): Drop shorter samples when indexing (0 = keep all;
            zero-length samples are still caught by ``CheckPoseSample``).
        fraction (float): Keep a random ``round(fraction * N)`` of the
            samples left by the other filters (the data-scale ablation), in
            (0, 1]; the subset depends only on ``fraction_seed``, so it is
            the same on every rank and run.
        fraction_seed (int): Seed of the ``fraction`` subset.
        language_weights (dict, optional): Language code -> weight: a
            language's samples are repeated (weight > 1) or subsampled
            (< 1) to ``round(weight * n)`` per epoch, the paper's
            up-weighting of low-resource languages, without copying any pose
            data (only indexes repeat; the draw is seeded by
            ``fraction_seed``, as in ``tools/data/build_corpus.py``).
        gloss_vocab (str, optional): The gloss vocabulary of the corpus
            (``tools/data/build_gloss_vocab.py``), relative to ``data_root``
            unless absolute; given to each sample as ``gloss_vocab_file``,
            where :class:`EncodeGloss` finds it (so one CSLR pipeline serves
            every dataset).
        verify_shards (str): Integrity check of the corpus shards against
            their SHA-256 at start: ``'cached'`` (default: each shard hashed
            once per machine and file state, see
            :class:`VerifiedShardCache`), ``'always'`` or ``'off'``.
        corrupt_shards (str): ``'error'`` (default) stops with the corrupt
            shards named; ``'skip'`` drops their samples, logged and counted.
        test_mode (bool): Passed to mmengine (no random refetch in test).
        max_refetch (int): Attempts to replace a rejected sample.
    """
    VERIFY_MODES = ('cached', 'always', 'off')
    CORRUPT_MODES = ('error', 'skip')

    def __init__(self,
                 ann_file: str,
                 pipeline: Sequence[Union[dict, Callable]] = (),
                 data_root: str = '',
                 datasets: Optional[Sequence[str]] = None,
                 paired_only: bool = False,
                 min_frames: int = 0,
                 fraction: float = 1.0,
                 fraction_seed: int = 0,
                 language_weights: Optional[Dict[str, float]] = None,
                 gloss_vocab: Optional[str] = None,
                 verify_shards: str = 'cached',
                 corrupt_shards: str = 'error',
                 test_mode: bool = False,
                 max_refetch: int = 100,
                 **kwargs) -> None:
        self.source_datasets = list(datasets) if datasets else None
        self.paired_only = paired_only
        self.min_frames = min_frames
        if not 0 < fraction <= 1:
            raise ValueError(f'fraction must be in (0, 1], got {fraction}')
        self.fraction = fraction
        self.fraction_seed = fraction_seed
        self.language_weights = check_language_weights(language_weights)
        for key, value, modes in (
                ('verify_shards', verify_shards, self.VERIFY_MODES),
                ('corrupt_shards', corrupt_shards, self.CORRUPT_MODES)):
            if value not in modes:
                raise ValueError(f'{key} must be one of {modes}, got '
                                 f'{value!r}')
        self.verify_shards = verify_shards
        self.corrupt_shards = corrupt_shards
        self._bad_shards: Sequence[int] = ()
        self.gloss_vocab_file = (
            osp.join(data_root, gloss_vocab) if gloss_vocab else None)
        self.corpus: Optional[SignCorpus] = None
        self._indexes = np.zeros(0, dtype=np.int64)
        super().__init__(
            ann_file=ann_file,
            data_root=data_root,
            pipeline=list(pipeline),
            test_mode=test_mode,
            serialize_data=False,
            max_refetch=max_refetch,
            **kwargs)

    def full_init(self) -> None:
        if self._fully_initialized:
            return
        self.corpus = SignCorpus(self.ann_file)
        keep = self._intact_rows()
        if self.source_datasets is not None:
            keep &= np.isin(
                np.array(self._column('dataset'), dtype=object),
                self.source_datasets)
        if self.paired_only:
            keep &= np.array([t is not None for t in self._column('text')])
        if self.min_frames > 0:
            keep &= self._frames() >= self.min_frames
        self._indexes = np.flatnonzero(keep)
        if self.fraction < 1:
            n = int(round(self.fraction * len(self._indexes)))
            rng = np.random.default_rng(self.fraction_seed)
            self._indexes = np.sort(
                rng.choice(self._indexes, size=n, replace=False))
        if self.language_weights:
            self._indexes = self._reweighted(self._indexes)
        if self._indices is not None:
            self._indexes = self._get_subset_indexes(self._indices)
        # what the corpus says, unless the config's metainfo says otherwise
        self._metainfo = {**self._corpus_metainfo(), **self._metainfo}
        self._fully_initialized = True

    def _corpus_metainfo(self) -> dict:
        """What a model trained on this corpus needs to name its outputs,
        saved by mmengine's Runner in every checkpoint as ``dataset_meta``:
        ``classes`` (ISLR: the gloss of each label, None for a label no
        sample has), ``gloss_vocab`` (CSLR: the tokens by index) and
        ``languages`` (the text languages, e.g. the SLT target)."""
        meta = dict(languages=sorted(
            {lang for lang in self._column('language') if lang}))
        labels = self._column('label')
        if any(label is not None for label in labels):
            classes = [None] * (max(x for x in labels if x is not None) + 1)
            for label, gloss in zip(labels, self._column('gloss')):
                if label is not None and gloss and classes[label] is None:
                    classes[label] = gloss[0]
            meta['classes'] = classes
        if self.gloss_vocab_file is not None:
            meta['gloss_vocab'] = GlossVocabulary.load(
                self.gloss_vocab_file).tokens
        return meta

    def _intact_rows(self) -> np.ndarray:
        """(N, ) bool: rows outside corrupt shards. Raises ``IOError``
        naming the corrupt shards unless ``corrupt_shards='skip'``."""
        keep = np.ones(len(self.corpus), dtype=bool)
        if self.verify_shards == 'off':
            return keep
        cache = (VerifiedShardCache() if self.verify_shards == 'cached'
                 else None)
        problems = self.corpus.check_integrity(cache)
        if problems and self.corrupt_shards == 'error':
            raise IOError('\n'.join(problems.values()) + ' (set the '
                          "dataset's corrupt_shards='skip' to train on "
                          'without them)')
        for shard, problem in problems.items():
            rows = self.corpus.shard_rows(shard)
            keep[rows.start:rows.stop] = False
            print_log(f'{problem}: skipping its {len(rows)} samples',
                      'current', level=logging.WARNING)
        self._bad_shards = tuple(problems)
        return keep

    def _column(self, name: str) -> list:
        return self.corpus.column(name, skip_shards=self._bad_shards)

    def _frames(self) -> np.ndarray:
        """(N, ) frames per corpus row, -1 in skipped shards."""
        return np.array([-1 if n is None else n
                         for n in self._column('num_frames')], np.int64)

    def _reweighted(self, indexes: np.ndarray) -> np.ndarray:
        """Row indexes with each language repeated per its weight."""
        languages = np.array(self._column('language'),
                             dtype=object)[indexes]
        keys = np.array([str(lang) for lang in languages], dtype=object)
        counts = {k: int((keys == k).sum()) for k in sorted(set(keys))}
        warn_absent_languages(self.language_weights, counts, self.ann_file)
        repeats = language_repeats(counts, self.language_weights,
                                   self.fraction_seed)
        rows = np.zeros(len(indexes), np.int64)
        for lang, reps in repeats.items():
            rows[keys == lang] = reps
        return np.repeat(indexes, rows)

    def _get_subset_indexes(self, indices) -> np.ndarray:
        if isinstance(indices, int):
            return (self._indexes[:indices]
                    if indices >= 0 else self._indexes[indices:])
        return self._indexes[np.asarray(indices, dtype=np.int64)]

    def load_data_list(self) -> List[dict]:
        raise NotImplementedError(
            'SignPoseDataset reads rows lazily; use get_data_info')

    def __len__(self) -> int:
        if not self._fully_initialized:
            self.full_init()
        return len(self._indexes)

    def lengths(self) -> np.ndarray:
        """(N, ) frames of every sample, from the corpus metadata (no
        keypoints are read), for :class:`LengthBucketSampler`."""
        if not self._fully_initialized:
            self.full_init()
        return self._frames()[self._indexes]

    def get_data_info(self, idx: int) -> dict:
        info = self.corpus[int(self._indexes[idx])]
        info['sample_idx'] = idx
        if self.gloss_vocab_file is not None:
            info['gloss_vocab_file'] = self.gloss_vocab_file
        return info

    def __getitem__(self, idx: int) -> dict:
        if not self._fully_initialized:
            print_log('Please call `full_init()` first.', 'current')
            self.full_init()
        skipped = []
        for _ in range(self.max_refetch + 1):
            data = self.prepare_data(idx)
            if data is not None:
                if skipped:
                    data['data_samples'].set_metainfo(
                        dict(skipped_ids=skipped))
                return data
            skipped.append(self.corpus[int(self._indexes[idx])]['id'])
            if self.test_mode:
                break
            idx = self._rand_another()
        raise RuntimeError(
            f'{self.__class__.__name__}: {len(skipped)} consecutive samples '
            f'were rejected by the pipeline ({skipped[:5]}...); the corpus '
            f'at {self.ann_file!r} or the pipeline is likely wrong')

    def get_subset(self, indices):
        sub = copy.copy(self)
        sub._indexes = self._get_subset_indexes(indices)
        return sub
