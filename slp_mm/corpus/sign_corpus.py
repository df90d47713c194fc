"""The on-disk sign corpus: sharded Arrow IPC files, memory-mapped.

Why Arrow IPC (see docs/data_format.md): it is a well-kept columnar format with
zero-copy memory mapping, so a 1.5M-sample corpus (~260 GB of float32
keypoints) is random-accessed without loading it into RAM; pages are shared
by every DataLoader worker and rank on a node through the OS page cache; it
is not pickle (no code runs on load); and pyarrow, pandas, polars and the
``datasets`` library read it directly.

Layout of a corpus directory::

    corpus.json              # manifest: format, version, layout, split,
                             # shards
    shard-00000.arrow        # Arrow IPC file, record batches of samples
    shard-00001.arrow
    ...

One row per sample; ``keypoints`` is the flattened (T, K, 2) float32 array
and ``scores`` the flattened (T, K) float32 array.
"""
import json
import logging
import mmap
import os
import os.path as osp
import time
from bisect import bisect_right
from concurrent.futures import ThreadPoolExecutor
from itertools import accumulate
from typing import Dict, Iterable, List, Optional, Sequence

import numpy as np
import pyarrow as pa
from mmengine.logging import print_log

from slp_mm.structures import get_layout
from slp_mm.utils.file_hash import file_sha256
from .pose_sample_check import (CONTRACT_VERSION, InvalidSampleError,
                                find_sample_problem)
from .verified_shard_cache import VerifiedShardCache

CORPUS_FORMAT = 'slp_mm.sign_corpus'
CORPUS_VERSION = 1
MANIFEST = 'corpus.json'
# the split a corpus was converted from, recorded in its manifest so that a
# pre-training mixture can refuse evaluation data
SPLITS = ('train', 'dev', 'test')
SPLIT_ALIASES = dict(val='dev', validation='dev')

SCHEMA = pa.schema([
    pa.field('id', pa.string(), nullable=False),
    pa.field('dataset', pa.string()),
    pa.field('signer', pa.string()),
    pa.field('language', pa.string()),
    pa.field('text', pa.string()),
    pa.field('gloss', pa.list_(pa.string())),
    pa.field('label', pa.int32()),
    pa.field('num_frames', pa.int32(), nullable=False),
    pa.field('num_keypoints', pa.int32(), nullable=False),
    pa.field('width', pa.float32()),
    pa.field('height', pa.float32()),
    pa.field('fps', pa.float32()),
    pa.field('keypoints', pa.large_list(pa.float32()), nullable=False),
    pa.field('scores', pa.large_list(pa.float32()), nullable=False),
])
META_COLUMNS = [f.name for f in SCHEMA if f.name not in ('keypoints',
                                                           'scores')]


class SignCorpusWriter:
    """Write samples into a sharded corpus directory.

    Each sample is a dict with the data-contract fields: ``id``,
    ``keypoints`` (T, K, 2), ``scores`` (T, K), ``width``, ``height``,
    ``fps``, and optionally ``text``, ``language``, ``gloss``, ``label``,
    ``dataset``, ``signer``.

    Args:
        out_dir (str): Corpus directory (created).
        layout (str): Keypoint layout of the stored arrays.
        samples_per_shard (int): Rows per shard file.
        batch_size (int): Rows per Arrow record batch (the unit of I/O).
        on_invalid (str): ``'error'`` raises :class:`InvalidSampleError` on
            a bad sample; ``'skip'`` drops it and counts it in
            :attr:`skipped`.
        split (str, optional): The split the samples come from (one of
            :data:`SPLITS`; ``'val'`` and ``'validation'`` mean ``'dev'``),
            recorded in the manifest. ``None`` records none, and
            :class:`~slp_mm.corpus.corpus_builder.CorpusBuilder` then
            refuses the corpus unless told its split.
    """

    def __init__(self,
                 out_dir: str,
                 layout: str = 'coco_wholebody_133',
                 samples_per_shard: int = 20000,
                 batch_size: int = 256,
                 on_invalid: str = 'error',
                 split: Optional[str] = None) -> None:
        if on_invalid not in ('error', 'skip'):
            raise ValueError(f"on_invalid must be 'error' or 'skip', got "
                             f'{on_invalid!r}')
        self.out_dir = out_dir
        self.layout = get_layout(layout)
        self.split = None if split is None else canonical_split(split)
        self.samples_per_shard = samples_per_shard
        self.batch_size = batch_size
        self.on_invalid = on_invalid
        self.skipped: List[str] = []
        self.num_scores_clipped = 0  # scores above 1 stored as 1
        self._shards: List[dict] = []
        self._rows: List[dict] = []
        self._writer: Optional[pa.ipc.RecordBatchFileWriter] = None
        self._rows_in_shard = 0
        self._ids = set()
        os.makedirs(out_dir, exist_ok=True)

    def write(self, sample: Dict) -> bool:
        """Add one sample; returns False if it was skipped as invalid."""
        sid = sample.get('id')
        problem = None
        if not isinstance(sid, str) or not sid:
            problem = f"field 'id' is {sid!r}, expected a non-empty string"
        elif sid in self._ids:
            problem = "field 'id' is a duplicate"
        else:
            problem = find_sample_problem(sample, self.layout.num_keypoints)
        if problem is None:
            kpts = np.asarray(sample['keypoints'], dtype=np.float32)
            scores = np.asarray(sample['scores'], dtype=np.float32)
            sizes = {key: _float32(sample.get(key))
                     for key in ('width', 'height', 'fps')}
            # in [-SCORE_TOLERANCE, MAX_SCORE] (checked): stored on [0, 1]
            stored = np.clip(scores, 0, 1)
            # the row as readers get it (float32: a finite 1e39 becomes
            # inf, a 1e-50 fps 0) must pass too: the manifest says so
            problem = find_sample_problem(
                dict(keypoints=kpts, scores=stored, **sizes),
                self.layout.num_keypoints)
            if problem is not None:
                problem += ' once stored as float32'
        if problem is not None:
            msg = f'Sample {sid!r}: {problem}'
            if self.on_invalid == 'error':
                raise InvalidSampleError(msg)
            self.skipped.append(msg)
            return False
        self._ids.add(sid)
        text = sample.get('text')
        if isinstance(text, bytes):
            text = text.decode('utf-8')
        gloss = sample.get('gloss')
        self.num_scores_clipped += int(np.count_nonzero(scores > 1))
        self._rows.append(
            dict(
                id=sid,
                dataset=sample.get('dataset'),
                signer=_opt_str(sample.get('signer')),
                language=sample.get('language'),
                text=text,
                gloss=list(gloss) if gloss is not None else None,
                label=sample.get('label'),
                num_frames=kpts.shape[0],
                num_keypoints=kpts.shape[1],
                **sizes,
                keypoints=kpts.reshape(-1),
                scores=stored.reshape(-1)))
        if len(self._rows) >= self.batch_size:
            self._flush()
        return True

    def write_all(self, samples: Iterable[Dict]) -> int:
        """Write every sample; returns how many were written."""
        return sum(self.write(s) for s in samples)

    def close(self) -> dict:
        """Flush, close the last shard and write the manifest."""
        self._flush()
        self._close_shard()
        manifest = dict(
            format=CORPUS_FORMAT,
            version=CORPUS_VERSION,
            layout=self.layout.name,
            split=self.split,
            num_samples=sum(s['num_samples'] for s in self._shards),
            num_skipped=len(self.skipped),
            num_scores_clipped=self.num_scores_clipped,
            shards=self._shards)
        # the manifest is written last and atomically: a corpus directory
        # with a manifest is complete
        tmp = osp.join(self.out_dir, MANIFEST + '.partial')
        with open(tmp, 'w') as f:
            json.dump(manifest, f, indent=2)
        os.replace(tmp, osp.join(self.out_dir, MANIFEST))
        return manifest

    def __enter__(self) -> 'SignCorpusWriter':
        return self

    def __exit__(self, exc_type, *args) -> None:
        if exc_type is None:
            self.close()
        elif self._writer is not None:
            self._writer.close()

    def _flush(self) -> None:
        while self._rows:
            if self._writer is None:
                name = f'shard-{len(self._shards):05d}.arrow'
                self._shards.append(dict(file=name, num_samples=0))
                # written under a temporary name: a killed writer never
                # leaves a file that looks like a finished shard
                self._writer = pa.ipc.new_file(
                    osp.join(self.out_dir, name + '.partial'), SCHEMA)
            room = self.samples_per_shard - self._rows_in_shard
            rows, self._rows = self._rows[:room], self._rows[room:]
            batch = pa.RecordBatch.from_pylist(rows, schema=SCHEMA)
            self._writer.write_batch(batch)
            self._rows_in_shard += len(rows)
            self._shards[-1]['num_samples'] += len(rows)
            if self._rows_in_shard >= self.samples_per_shard:
                self._close_shard()

    def _close_shard(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None
            self._rows_in_shard = 0
            shard = self._shards[-1]
            final = osp.join(self.out_dir, shard['file'])
            os.replace(final + '.partial', final)
            shard['bytes'] = osp.getsize(final)
            shard['sha256'] = file_sha256(final)
            # every row passed find_sample_problem as stored: a reader that
            # verified these bytes need not read the values again
            shard['checked'] = dict(contract=CONTRACT_VERSION,
                                    sha256=shard['sha256'])


def canonical_split(split) -> str:
    """The split name a manifest records: one of :data:`SPLITS`, with
    ``'val'`` and ``'validation'`` read as ``'dev'``; anything else raises
    ``ValueError``."""
    canonical = SPLIT_ALIASES.get(split, split) if isinstance(split,
                                                             str) else None
    if canonical not in SPLITS:
        raise ValueError(f'split is {split!r}, expected one of '
                         f'{list(SPLITS)} (or {list(SPLIT_ALIASES)} for '
                         "'dev')")
    return canonical


# field -> type of each shard entry of the manifest; ``bytes`` and
# ``sha256`` may be absent or null (then not checked)
SHARD_FIELDS = dict(file=str, num_samples=int, bytes=int, sha256=str)


def _check_manifest(manifest, where: str) -> None:
    """Raise ``ValueError`` naming the field if ``manifest`` is not one
    this version reads: a hand-edited manifest must not make rows vanish or
    indexes run past a shard."""
    if not isinstance(manifest, dict):
        raise ValueError(f'{where}: top level is a '
                         f'{type(manifest).__name__}, expected an object')
    if manifest.get('format') != CORPUS_FORMAT:
        raise ValueError(f'{where}: field "format" is '
                         f'{manifest.get("format")!r}, expected '
                         f'{CORPUS_FORMAT!r}')
    version = manifest.get('version', 0)
    if type(version) is not int or version > CORPUS_VERSION:
        raise ValueError(f'{where}: field "version" is {version!r}, expected '
                         f'an int up to {CORPUS_VERSION} (a newer corpus '
                         'needs a newer slp_mm)')
    if not isinstance(manifest.get('layout'), str):
        raise ValueError(f'{where}: field "layout" is '
                         f'{manifest.get("layout")!r}, expected a name')
    if manifest.get('split') is not None:
        try:
            canonical_split(manifest['split'])
        except ValueError as e:
            raise ValueError(f'{where}: field "split" is '
                             f'{manifest["split"]!r}, expected one of '
                             f'{list(SPLITS)} or null') from e
    shards = manifest.get('shards')
    if not isinstance(shards, list):
        raise ValueError(f'{where}: field "shards" is {shards!r}, expected '
                         'a list')
    for i, shard in enumerate(shards):
        for key, kind in SHARD_FIELDS.items():
            value = shard.get(key) if isinstance(shard, dict) else None
            if value is None and key in ('bytes', 'sha256'):
                continue
            if type(value) is not kind or (kind is int and value < 0):
                raise ValueError(f'{where}: field "shards[{i}].{key}" is '
                                 f'{value!r}, expected a {kind.__name__}')
    listed = sum(shard['num_samples'] for shard in shards)
    if manifest.get('num_samples') != listed:
        raise ValueError(f'{where}: field "num_samples" is '
                         f'{manifest.get("num_samples")!r}, but the shards '
                         f'hold {listed}: a shard entry is missing or extra')


def _opt_str(value) -> Optional[str]:
    return None if value is None else str(value)


def _float32(value) -> Optional[float]:
    """A checked size or rate as a float32 column stores it."""
    if value is None:
        return None
    with np.errstate(over='ignore'):
        return float(np.float32(value))


class SignCorpus:
    """Random access to a corpus directory written by
    :class:`SignCorpusWriter`.

    Shards are memory-mapped lazily and re-opened after a fork, so one
    instance can be shared by DataLoader workers: each process maps the files
    itself and the OS shares the pages. Each shard's size is checked against
    the manifest when it is first opened (cheap); with ``verify=True`` its
    SHA-256 too (reads the whole shard once per process: use it, or
    :meth:`verify`, after copying a corpus, not in every worker).

    A row's ``contract_checked`` is True when its shard's SHA-256 was
    verified in this process (or its parent, or by the machine's
    :class:`VerifiedShardCache`) and the manifest says the writer checked
    every row of exactly those bytes against the current sample contract
    (:data:`CONTRACT_VERSION`): :class:`CheckPoseSample` then checks only
    what its pipeline adds (keypoint count, frame limit), not the values
    again (~29 us a row, a seventh of the batched pre-training pipeline).

    Args:
        path (str): Corpus directory.
        verify (bool): Check shard checksums when they are first opened.
    """

    def __init__(self, path: str, verify: bool = False) -> None:
        self.path = path
        manifest_file = osp.join(path, MANIFEST)
        if not osp.isfile(manifest_file):
            raise FileNotFoundError(
                f'{path!r} is not a sign corpus: {MANIFEST} not found')
        try:
            with open(manifest_file, encoding='utf-8') as f:
                manifest = json.load(f)
        except (ValueError, RecursionError) as e:  # also bad UTF-8
            raise ValueError(f'{manifest_file}: not valid JSON ({e})') from e
        _check_manifest(manifest, manifest_file)
        self.manifest = manifest
        self.verify_checksums = verify
        self.layout = manifest['layout']
        # None for a corpus written before splits were recorded
        split = manifest.get('split')
        self.split = None if split is None else canonical_split(split)
        self.shard_files = [osp.join(path, s['file']) for s in manifest['shards']]
        counts = [s['num_samples'] for s in manifest['shards']]
        # first corpus row of each shard, and the end (a list: bisect on it
        # is ~10x cheaper than np.searchsorted on one value)
        self._starts = list(accumulate(counts, initial=0))
        # pyarrow imports pandas on its first to_numpy (~0.25 s): pay it
        # here, in the process that builds the dataset, so that forked
        # DataLoader workers inherit it rather than each paying it per epoch
        pa.array([0], pa.int64()).to_numpy()
        self._tables: Dict[int, pa.Table] = {}
        self._batches: Dict[int, list] = {}  # shard -> _RecordBatchRows
        self._batch_starts: Dict[int, List[int]] = {}
        self._pid = None
        # shards verified here whose rows the writer checked (see above)
        self._checked_shards = set()

    def __len__(self) -> int:
        return self._starts[-1]

    def _table(self, shard: int,
               checksum: Optional[bool] = None) -> pa.Table:
        """The shard's table, mapped and checked (``checksum``: as
        :meth:`_check_shard`) on first use in this process."""
        if self._pid != os.getpid():  # new process: drop inherited maps
            self._tables, self._pid = {}, os.getpid()
            self._batches, self._batch_starts = {}, {}
        table = self._tables.get(shard)
        if table is None:
            file = self.shard_files[shard]
            self._check_shard(shard, checksum)
            try:
                table = pa.ipc.open_file(_random_access_map(file)).read_all()
            except (OSError, ValueError, pa.ArrowInvalid) as e:
                # ValueError: mmap refuses an empty (zero-byte) file
                raise IOError(f'Cannot read corpus shard {file}: {e}') from e
            expected = self.manifest['shards'][shard]['num_samples']
            if table.num_rows != expected:
                raise IOError(f'Corpus shard {file} has {table.num_rows} '
                              f'rows, the manifest says {expected}')
            self._tables[shard] = table
        return table

    def _check_shard(self, shard: int, checksum: Optional[bool] = None):
        """Raise ``IOError`` if the shard is missing, its size differs from
        the manifest's ``bytes`` or (when checking checksums) its SHA-256
        from ``sha256``; a field that is absent or null is not checked."""
        info = self.manifest['shards'][shard]
        file = self.shard_files[shard]
        if not osp.isfile(file):
            raise IOError(f'Corpus shard {file} is missing')
        size = osp.getsize(file)
        if info.get('bytes') is not None and size != info['bytes']:
            raise IOError(f'Corpus shard {file} has {size} bytes, the '
                          f'manifest says {info["bytes"]}: truncated or '
                          'replaced')
        if (self.verify_checksums if checksum is None else checksum) and \
                info.get('sha256') is not None:
            if file_sha256(file) != info['sha256']:
                raise IOError(f'Corpus shard {file} does not match its '
                              'SHA-256 in the manifest: the file is corrupt')
            self._verified(shard)

    def _verified(self, shard: int) -> None:
        """Note that the shard's bytes match its manifest SHA-256."""
        info = self.manifest['shards'][shard]
        if info.get('checked') == dict(contract=CONTRACT_VERSION,
                                       sha256=info['sha256']):
            self._checked_shards.add(shard)

    def verify(self) -> None:
        """Check every shard against the manifest: its size, SHA-256 and
        row count. A shard whose entry records no ``bytes`` or ``sha256``
        cannot be verified and fails too, so that passing means every
        shard was compared in full.

        Raises:
            IOError: One line per shard that failed or could not be
                verified.
        """
        problems = []
        for shard, info in enumerate(self.manifest['shards']):
            unrecorded = [key for key in ('bytes', 'sha256')
                          if info.get(key) is None]
            if unrecorded:
                problems.append(
                    f'Corpus shard {self.shard_files[shard]} cannot be '
                    f'verified: the manifest records no '
                    f'{" and no ".join(unrecorded)}')
            try:
                self._check_shard(shard, checksum=True)
                # compares the row count; the file was just hashed
                self._table(shard, checksum=False)
            except IOError as e:
                problems.append(str(e))
        if problems:
            raise IOError('\n'.join(problems))

    def check_integrity(self,
                        cache: Optional[VerifiedShardCache] = None,
                        threads: int = 2) -> Dict[int, str]:
        """Hash every shard not in ``cache`` against its manifest SHA-256.

        Cheap enough to run at every start (``SignPoseDataset`` does): a
        shard is hashed once per machine and state (see
        :class:`VerifiedShardCache`), in ``threads`` threads (hashlib
        releases the GIL), and ranks (``RANK`` / ``WORLD_SIZE``) start at
        different shards, so together they hash each one about once.
        Shards whose entry records no ``sha256`` cannot be checked: they
        are counted in one warning.

        Returns:
            dict: Shard index -> one line naming the missing, truncated or
            corrupt shard, in shard order; empty when all are intact.
        """
        shards = self.manifest['shards']
        unrecorded = [i for i, s in enumerate(shards) if not s.get('sha256')]
        if unrecorded:
            print_log(
                f'{len(unrecorded)} of {len(shards)} shards of corpus '
                f'{self.path!r} record no sha256 in {MANIFEST}: not '
                'checked for corruption', 'current', level=logging.WARNING)
        rank = int(os.environ.get('RANK', 0))
        world = max(1, int(os.environ.get('WORLD_SIZE', 1)))
        start = rank * len(shards) // world
        order = [(start + i) % len(shards) for i in range(len(shards))]
        todo = [i for i in order if shards[i].get('sha256')]

        def check(shard: int) -> Optional[str]:
            file, sha256 = self.shard_files[shard], shards[shard]['sha256']
            try:
                if cache is not None and cache.contains(file, sha256):
                    self._verified(shard)
                    return None
                self._check_shard(shard, checksum=True)
            except OSError as e:  # also a shard deleted meanwhile
                return str(e)
            if cache is not None:
                cache.add(file, sha256)
            return None

        began, problems = time.monotonic(), {}
        with ThreadPoolExecutor(max(1, threads)) as pool:
            for shard, problem in zip(todo, pool.map(check, todo)):
                if problem:
                    problems[shard] = problem
        seconds = time.monotonic() - began
        if seconds > 5:  # a cold start: say what the wait was
            print_log(
                f'Checked {len(todo)} shards of corpus {self.path!r} against '
                f'their SHA-256 in {seconds:.0f} s (cached for the next run)',
                'current')
        return {i: problems[i] for i in sorted(problems)}

    def _locate(self, index: int):
        if not 0 <= index < len(self):
            raise IndexError(f'index {index} out of range for corpus '
                             f'{self.path!r} of {len(self)} samples')
        shard = bisect_right(self._starts, index) - 1
        return shard, index - self._starts[shard]

    def column(self, name: str, skip_shards: Sequence[int] = ()) -> list:
        """A metadata column over the whole corpus as a Python list; rows of
        ``skip_shards`` (corrupt ones, not read) are ``None``."""
        if name not in META_COLUMNS:
            raise KeyError(f'{name!r} is not a metadata column; known: '
                           f'{META_COLUMNS}')
        out = []
        for shard in range(len(self.shard_files)):
            if shard in skip_shards:
                out += [None] * len(self.shard_rows(shard))
            else:
                out += self._table(shard).column(name).to_pylist()
        return out

    def shard_rows(self, shard: int) -> range:
        """The corpus rows that ``shard`` holds."""
        return range(self._starts[shard], self._starts[shard + 1])

    def __getitem__(self, index: int) -> dict:
        shard, row = self._locate(index)
        batch, r = self._batch_of(shard, row)
        meta = {name: batch.meta[i][r].as_py()
                for i, name in enumerate(META_COLUMNS)}
        t, k = meta['num_frames'], meta['num_keypoints']
        # zero-copy views of the memory-mapped arrays
        meta['keypoints'] = batch.row('keypoints', r).reshape(t, k, 2)
        meta['scores'] = batch.row('scores', r).reshape(t, k)
        meta['corpus_location'] = f'{self.shard_files[shard]}, row {row}'
        meta['contract_checked'] = shard in self._checked_shards
        return meta

    def _batch_of(self, shard: int, row: int):
        """The record batch of a shard row and the row's index in it.

        Rows are read through per-batch column handles and numpy views of
        the list values (cached per process): slicing the table and
        converting one row with ``to_pylist`` costs ~100 us a row, more
        than reading a per-clip file, this ~25 us.
        """
        table = self._table(shard)
        batches = self._batches.get(shard)
        if batches is None:
            batches = self._batches[shard] = [
                _RecordBatchRows(b) for b in table.to_batches()]
            self._batch_starts[shard] = list(accumulate(
                [b.num_rows for b in batches[:-1]], initial=0))
        starts = self._batch_starts[shard]
        b = bisect_right(starts, row) - 1
        return batches[b], row - starts[b]


def _random_access_map(file: str) -> pa.BufferReader:
    """A read-only memory map of ``file`` advised for random access.

    Rows are read in random order; without the advice the kernel maps (and
    reads ahead) megabytes around every touched row, work that DataLoader
    workers repeat per process.
    """
    with open(file, 'rb') as f:
        mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    if hasattr(mmap, 'MADV_RANDOM'):  # POSIX only
        mapped.madvise(mmap.MADV_RANDOM)
    return pa.BufferReader(pa.py_buffer(mapped))


class _RecordBatchRows:
    """Row access to one record batch of a shard: its metadata columns, and
    numpy views (made once) of its keypoint and score lists."""

    def __init__(self, batch: pa.RecordBatch) -> None:
        self.meta = [batch.column(name) for name in META_COLUMNS]
        self.num_rows = batch.num_rows
        self._batch = batch
        self._lists = {}

    def row(self, name: str, r: int) -> np.ndarray:
        lists = self._lists.get(name)
        if lists is None:
            column = self._batch.column(name)
            lists = self._lists[name] = (
                column.offsets.to_numpy(),
                column.values.to_numpy(zero_copy_only=True))
        offsets, values = lists
        return values[offsets[r]:offsets[r + 1]]
