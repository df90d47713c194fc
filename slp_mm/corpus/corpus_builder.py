"""Mix converted sign corpora into one pre-training corpus (the paper's
SL-1.5M, Sec. III-A): de-duplicate, filter, rebalance languages, and
summarise the result in the shape of Tables I/II.

Two streaming passes read the sources one sample at a time (memory-mapped,
so RAM holds one sample plus the id and digest sets of the de-duplication):

1. *check*: drop invalid samples, samples longer than ``max_frames`` and
   duplicates (the first occurrence, in source order, is kept) and count the
   kept samples per language;
2. *write*: give each kept sample its number of rows from its language's
   weight, write them and accumulate the statistics.

Language rebalancing: a weight ``w`` gives each sample of the language
``floor(w)`` rows, plus one more row to a seeded random ``round(frac(w) * n)``
of its ``n`` samples, i.e. ``round(w * n)`` rows in all. Up-weighting is done
by repetition, not by subsampling the large languages, because pre-training
should see all the data; weights below 1 subsample (each sample is kept
at most once), for an explicit cap. Repetition copies the pose bytes: the
corpus format cannot express a repeat cheaply, since ids must be unique, the
manifest lists each shard once and the reader has no row indirection. The
copies get the ids ``<id>#r1``, ``<id>#r2``, ... and count as rows, not as
samples, in the statistics.

Output ids are ``<dataset>/<id>``: converters keep each dataset's own ids,
which may collide across datasets, and the corpus needs unique ids.

Only training splits go in by default. The downstream benchmarks evaluate on
the dev and test splits of the same datasets, and for isolated signs the
template sentence *is* the test label ("This word is apple."), so a dev or
test corpus in pre-training leaks the answers. Each source's split is read
from its manifest (converters record it); a corpus written before splits
were recorded has none and is refused unless the caller states it
(``assume_split``): guessing it from a folder name is not safe. The
mixture's own manifest records ``'train'`` when every source is one, else
``'test'`` or ``'dev'`` when a source is one (in that order), else none, so
a mixture that holds evaluation data is refused in turn.
"""
import fnmatch
import hashlib
import json
import os
import os.path as osp
import shutil
import tempfile
from collections import Counter
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from tqdm import tqdm

from slp_mm.structures import get_layout
from slp_mm.utils.umask_mode import apply_umask
from .corpus_statistics import CorpusStatistics
from .language_weights import (check_language_weights, language_repeats,
                               warn_absent_languages)
from .pose_sample_check import find_sample_problem
from .sign_corpus import (MANIFEST, SignCorpus, SignCorpusWriter,
                          canonical_split)

DEDUPE_MODES = ('none', 'id', 'content')
BUILD_RECORD = 'build.json'
STATISTICS = 'statistics.json'
REJECTS = 'rejects.json'
REPEAT_MARK = '#r'
EVAL_SPLITS = ('test', 'dev')  # most held-out first


def check_source_splits(corpora: Sequence[SignCorpus],
                        allow_eval_splits: bool = False,
                        assume_split: Optional[str] = None
                        ) -> List[Optional[str]]:
    """The split of each source: its manifest's, else ``assume_split``.

    Raises:
        ValueError: Naming every source that is a dev or test split, or has
            no known split, unless ``allow_eval_splits``.
    """
    if assume_split is not None:
        assume_split = canonical_split(assume_split)
    splits = [corpus.split or assume_split for corpus in corpora]
    if allow_eval_splits:
        return splits
    unknown = [c.path for c, split in zip(corpora, splits) if split is None]
    if unknown:
        raise ValueError(
            f'{", ".join(unknown)}: {MANIFEST} records no split (written '
            'before slp_mm recorded splits): reconvert it, or state its '
            'split with assume_split (--assume-split)')
    held_out = [f'{c.path} (split {split!r})'
                for c, split in zip(corpora, splits) if split != 'train']
    if held_out:
        raise ValueError(
            f'{", ".join(held_out)}: a dev/test corpus in pre-training leaks '
            'the evaluation data of downstream tasks; give '
            'allow_eval_splits=True (--allow-eval-splits) to mix it anyway')
    return splits


def _mixture_split(splits: Sequence[Optional[str]]) -> Optional[str]:
    """The split a mixture of sources of ``splits`` records: ``'train'``
    only if every source is one, else the most held-out split present, else
    ``None`` (unknown)."""
    if all(split == 'train' for split in splits):
        return 'train'
    return next((split for split in EVAL_SPLITS if split in splits), None)


def _metadata_problem(sample: dict) -> Optional[str]:
    """What the mixture needs beyond :func:`find_sample_problem`: the fields
    that key the de-duplication, the rebalancing and the hours."""
    for field in ('dataset', 'language'):
        if not isinstance(sample[field], str) or not sample[field]:
            return f"field '{field}' is {sample[field]!r}, expected a " \
                   'non-empty string'
    if sample['fps'] is None:  # a present fps is checked by the caller
        return "field 'fps' is None, expected a positive number"
    return None


class CorpusBuilder:
    """Mix converted sign corpora into one corpus.

    :meth:`build` writes ``out_dir`` (a sign corpus) with
    ``statistics.json`` (:class:`CorpusStatistics` plus per-source counts),
    ``rejects.json`` (every dropped sample, its source, location and reason)
    and ``build.json`` (the options; written last, it marks the build
    complete). A build whose record matches the options and is newer than
    every input file is not redone.

    Args:
        out_dir (str): Output directory.
        sources (Sequence[str]): Corpus directories, in priority order: of
            duplicates, the one read first is kept.
        language_weights (dict, optional): Weight per language code
            (default 1; see the module docstring): 2 doubles a language,
            1.5 adds a copy of half its samples, 0.5 keeps half of them.
        balance_languages (bool): Weight every language ``n_max / n`` so
            that each has as many rows as the largest. Exclusive with
            ``language_weights``.
        dedupe (str): ``'id'`` drops a sample whose dataset and id were
            already read; ``'content'`` also drops one whose keypoints are
            byte-identical to a kept sample's (a hash of the keypoint
            bytes and shape); ``'none'`` does not look for duplicates and
            raises on a repeated dataset and id, which the corpus cannot
            hold twice.
        max_frames (int, optional): Drop samples with more frames.
        seed (int): Seed of the fractional repetition and subsampling.
        samples_per_shard (int): Rows per output shard.
        allow_eval_splits (bool): Accept sources that are dev or test
            splits, or of unknown split (see the module docstring); by
            default they raise ``ValueError``.
        assume_split (str, optional): The split of the sources whose
            manifest records none (corpora written before splits were
            recorded); a recorded split always wins.
    """

    def __init__(self,
                 out_dir: str,
                 sources: Sequence[str],
                 language_weights: Optional[Dict[str, float]] = None,
                 balance_languages: bool = False,
                 dedupe: str = 'id',
                 max_frames: Optional[int] = None,
                 seed: int = 0,
                 samples_per_shard: int = 20000,
                 allow_eval_splits: bool = False,
                 assume_split: Optional[str] = None) -> None:
        if not sources:
            raise ValueError('no source corpus given')
        if dedupe not in DEDUPE_MODES:
            raise ValueError(f'dedupe is {dedupe!r}, expected one of '
                             f'{DEDUPE_MODES}')
        if language_weights and balance_languages:
            raise ValueError('give language_weights or balance_languages, '
                             'not both')
        language_weights = check_language_weights(language_weights)
        if max_frames is not None and max_frames < 1:
            raise ValueError(f'max_frames is {max_frames}, expected >= 1')
        self.out_dir = out_dir
        self.sources = list(sources)
        paths = [osp.abspath(path) for path in self.sources]
        check_output_apart(out_dir, self.sources)
        # every source shard is hashed as it is first read: the mixture gets
        # fresh checksums, so corruption missed here would pass as valid
        self.corpora = [SignCorpus(path, verify=True) for path in self.sources]
        self.splits = check_source_splits(self.corpora, allow_eval_splits,
                                          assume_split)
        self.layout = self.corpora[0].layout
        for corpus in self.corpora[1:]:
            if corpus.layout != self.layout:
                raise ValueError(
                    f'{osp.join(corpus.path, MANIFEST)}: field "layout" is '
                    f'{corpus.layout!r}, but {self.sources[0]} is '
                    f'{self.layout!r}; all sources need the same layout')
        self.language_weights = language_weights
        self.balance_languages = balance_languages
        self.dedupe = dedupe
        self.max_frames = max_frames
        self.seed = seed
        self.samples_per_shard = samples_per_shard
        # what build.json records; a different value means a rebuild
        self.options = dict(
            sources=paths,
            splits=self.splits,
            language_weights=language_weights,
            balance_languages=balance_languages,
            dedupe=dedupe,
            max_frames=max_frames,
            seed=seed,
            samples_per_shard=samples_per_shard)

    def _out(self, name: str) -> str:
        return osp.join(self.out_dir, name)

    def _read_build_record(self) -> Optional[dict]:
        if not osp.isfile(self._out(BUILD_RECORD)):
            return None
        with open(self._out(BUILD_RECORD), encoding='utf-8') as f:
            return json.load(f)

    def _write_build_record(self, directory: str) -> None:
        with open(osp.join(directory, BUILD_RECORD), 'w',
                  encoding='utf-8') as f:
            json.dump(dict(status='complete', options=self.options), f,
                      indent=1)

    def is_up_to_date(self) -> bool:
        """Whether ``out_dir`` holds a complete build with these options,
        newer than every source's manifest and shards."""
        record = self._read_build_record()
        if record is None or record.get('status') != 'complete' or \
                record.get('options') != self.options:
            return False
        if not all(
                osp.isfile(self._out(name))
                for name in (MANIFEST, STATISTICS, REJECTS)):
            return False
        built = osp.getmtime(self._out(BUILD_RECORD))
        return all(
            osp.getmtime(file) <= built for corpus in self.corpora
            for file in [osp.join(corpus.path, MANIFEST), *corpus.shard_files])

    def build(self) -> Optional[dict]:
        """Build the mixture and return its statistics, or ``None`` if it
        is up to date (nothing is done).

        The corpus is written into a hidden folder beside ``out_dir`` and
        swapped in when complete: until then a previous build stays whole,
        and a failed build leaves nothing behind (a killed one leaves its
        ``.<name>.building-*`` folder).
        """
        if self.is_up_to_date():
            return None
        target = osp.realpath(self.out_dir)  # a link stays a link
        self._check_replaceable(target)
        os.makedirs(osp.dirname(target), exist_ok=True)
        staging = tempfile.mkdtemp(
            prefix=f'.{osp.basename(target)}.building-',
            dir=osp.dirname(target))
        apply_umask(staging)  # mkdtemp's 0700 would stay on the corpus
        try:
            statistics = self._build_into(staging)
            _swap_in(staging, target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return statistics

    def _build_into(self, directory: str) -> dict:
        """Write the mixture, its statistics, rejects and build record
        into ``directory``; return the statistics."""
        rejects: List[dict] = []
        sources = {
            path: dict(split=split, read=len(corpus), kept=0, rows=0,
                       dropped=Counter())
            for path, corpus, split in zip(self.sources, self.corpora,
                                           self.splits)
        }
        languages, kept = self._check(rejects, sources)
        counts = {
            language: sum(int(np.count_nonzero(codes == code))
                          for codes in kept)
            for code, language in enumerate(languages)
        }
        weights = self._weights(counts)
        statistics = self._write(directory, languages, kept,
                                 language_repeats(counts, weights, self.seed),
                                 rejects, sources)
        statistics.update(language_weights=weights, sources=sources)
        for name, data in ((STATISTICS, statistics), (REJECTS, rejects)):
            with open(osp.join(directory, name), 'w', encoding='utf-8') as f:
                json.dump(data, f, indent=1, ensure_ascii=False)
        self._write_build_record(directory)
        return statistics

    def _check_replaceable(self, target: str) -> None:
        """Refuse to replace a folder that holds anything this builder did
        not write: a corpus without a build record, or other files."""
        if not osp.exists(target):
            return
        if not osp.isdir(target):
            raise FileExistsError(f'{self.out_dir} is not a folder')
        if osp.isfile(osp.join(target, MANIFEST)) and \
                self._read_build_record() is None:
            raise FileExistsError(
                f'{self.out_dir} holds a corpus without {BUILD_RECORD}, so '
                'not one built by CorpusBuilder: refusing to overwrite it')
        ours = {MANIFEST, STATISTICS, REJECTS, BUILD_RECORD}
        foreign = sorted(
            name for name in os.listdir(target)
            if name.split('.partial')[0] not in ours
            and not fnmatch.fnmatch(name, 'shard-*.arrow*'))
        if foreign:
            raise FileExistsError(
                f'{self.out_dir} holds files CorpusBuilder did not write '
                f'({", ".join(foreign[:5])}): refusing to replace it')

    def _check(self, rejects: List[dict], sources: Dict[str, dict]
               ) -> Tuple[List[str], List[np.ndarray]]:
        """Pass 1: the language codes met and, per source, the code index
        of each row's language (-1 for a dropped row), shape (N, )."""
        num_keypoints = get_layout(self.layout).num_keypoints
        seen_ids: Dict[str, str] = {}  # output id -> source
        seen_content: Dict[bytes, str] = {}  # keypoint digest -> output id
        codes: Dict[str, int] = {}  # language -> index
        kept = []
        bar = tqdm(total=sum(map(len, self.corpora)), desc='check')
        for path, corpus in zip(self.sources, self.corpora):
            rows = np.full(len(corpus), -1, np.int16)
            for row in range(len(corpus)):
                sample = corpus[row]
                drop = self._admit(sample, path, num_keypoints, seen_ids,
                                   seen_content)
                if drop is None:
                    rows[row] = codes.setdefault(sample['language'],
                                                 len(codes))
                else:
                    rejects.append(_reject(path, sample, *drop))
                    sources[path]['dropped'][drop[0]] += 1
                bar.update()
            kept.append(rows)
        bar.close()
        return list(codes), kept

    def _admit(self, sample: dict, source: str, num_keypoints: int,
               seen_ids: Dict[str, str],
               seen_content: Dict[bytes, str]) -> Optional[Tuple[str, str]]:
        """``None`` if the sample is kept (and remembered for the
        de-duplication), else the ``(stage, reason)`` of its drop."""
        if self.max_frames is not None and \
                sample['num_frames'] > self.max_frames:
            return 'too_long', (f"{sample['num_frames']} frames, more than "
                                f'max_frames={self.max_frames}')
        problem = find_sample_problem(sample, num_keypoints) or \
            _metadata_problem(sample)
        if problem is not None:
            return 'invalid_sample', problem
        sample_id = _output_id(sample)
        if sample_id in seen_ids:
            if self.dedupe == 'none':
                raise ValueError(
                    f'{sample["corpus_location"]}: sample {sample["id"]!r} '
                    f'of dataset {sample["dataset"]!r} was already read from '
                    f'{seen_ids[sample_id]}; the corpus needs unique ids: '
                    "de-duplicate with dedupe='id' or 'content'")
            return 'duplicate_id', (f'same dataset and id as a sample of '
                                    f'{seen_ids[sample_id]}')
        if self.dedupe == 'content':
            kpts = sample['keypoints']  # (T, K, 2)
            digest = hashlib.blake2b(
                np.asarray(kpts.shape, np.int64), digest_size=16)
            digest.update(np.ascontiguousarray(kpts))
            first = seen_content.setdefault(digest.digest(), sample_id)
            if first != sample_id:
                return 'duplicate_content', f'same keypoints as {first}'
        seen_ids[sample_id] = source
        return None

    def _weights(self, counts: Dict[str, int]) -> Dict[str, float]:
        """The weight of each language present."""
        if self.balance_languages:
            largest = max(counts.values(), default=0)
            return {language: largest / n for language, n in counts.items()}
        warn_absent_languages(self.language_weights, counts, self.out_dir)
        return {
            language: self.language_weights.get(language, 1.0)
            for language in sorted(counts)
        }

    def _write(self, directory: str, languages: List[str],
               kept: List[np.ndarray],
               repeats: Dict[str, np.ndarray], rejects: List[dict],
               sources: Dict[str, dict]) -> dict:
        """Pass 2: write the rows of the samples kept by :meth:`_check`;
        returns the statistics."""
        statistics = CorpusStatistics()
        seen = Counter()  # samples of each language so far
        bar = tqdm(total=sum(map(len, repeats.values())), desc='write')
        with SignCorpusWriter(
                directory,
                layout=self.layout,
                samples_per_shard=self.samples_per_shard,
                split=_mixture_split(self.splits)) as writer:
            for path, corpus, codes in zip(self.sources, self.corpora,
                                           kept):
                for row in np.flatnonzero(codes >= 0).tolist():
                    language = languages[codes[row]]
                    rows = int(repeats[language][seen[language]])
                    seen[language] += 1
                    bar.update()
                    sample = corpus[row]
                    if rows == 0:
                        rejects.append(
                            _reject(path, sample, 'subsampled',
                                    f'language {language!r} subsampled '
                                    f'(seed {self.seed})'))
                        sources[path]['dropped']['subsampled'] += 1
                        continue
                    sample_id = _output_id(sample)
                    for copy in range(rows):
                        writer.write(
                            dict(
                                sample,
                                id=f'{sample_id}{REPEAT_MARK}{copy}'
                                if copy else sample_id))
                    statistics.add(sample, rows)
                    sources[path]['kept'] += 1
                    sources[path]['rows'] += rows
        bar.close()
        return statistics.to_dict()


def check_output_apart(out_dir: str, sources: Sequence[str]) -> None:
    """Raise ``ValueError`` unless ``out_dir`` and every source are apart
    once links are resolved: neither equal nor one inside the other, so
    that replacing the output cannot delete or overwrite an input. A source
    given twice is refused too."""
    out = osp.realpath(out_dir)
    seen: Dict[str, str] = {}  # resolved source -> as given
    for source in sources:
        real = osp.realpath(source)
        if real in seen:
            raise ValueError(f'a source is given twice: {seen[real]} and '
                             f'{source} are both {real}')
        seen[real] = source
        if real == out:
            raise ValueError(f'the output {out_dir} is also a source '
                             f'({source}; both are {real})')
        if osp.commonpath([out, real]) == real:
            raise ValueError(f'the output {out_dir} is inside the source '
                             f'{source} ({real})')
        if osp.commonpath([out, real]) == out:
            raise ValueError(f'the source {source} is inside the output '
                             f'{out_dir} ({out})')


def _swap_in(staging: str, target: str) -> None:
    """Rename the finished ``staging`` folder to ``target``, replacing a
    previous build there (renamed aside first, then removed)."""
    if not osp.exists(target):
        os.rename(staging, target)
        return
    previous = tempfile.mkdtemp(prefix=f'.{osp.basename(target)}.previous-',
                                dir=osp.dirname(target))
    os.rename(target, osp.join(previous, 'build'))
    os.rename(staging, target)
    shutil.rmtree(previous)


def _output_id(sample: dict) -> str:
    return f'{sample["dataset"]}/{sample["id"]}'


def _reject(source: str, sample: dict, stage: str, reason: str) -> dict:
    """A dropped sample: where it was and why (``stage`` is one of
    ``'too_long'``, ``'invalid_sample'``, ``'duplicate_id'``,
    ``'duplicate_content'``, ``'subsampled'``)."""
    return dict(
        source=source,
        location=sample['corpus_location'],
        id=sample['id'],
        dataset=sample['dataset'],
        stage=stage,
        reason=reason)
