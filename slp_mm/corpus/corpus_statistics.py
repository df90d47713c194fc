"""Statistics of a sign corpus in the shape of the paper's Tables I/II:
per source dataset and in total the distinct signers, hours and paired /
unpaired samples; per language the samples and distinct sentences; and a
duration histogram.

They are accumulated one sample at a time (:meth:`CorpusStatistics.add`), so
a 1.5M-sample corpus is summarised while it streams past; only the distinct
signer ids and one 16-byte digest per distinct sentence are kept.
"""
import hashlib
from collections import defaultdict
from typing import Dict, List, Optional, Set

import numpy as np
from rich.console import Console
from rich.table import Table

# Left edges of the duration bins in seconds; the last bin is open
# ([30 s, inf)). Isolated signs fall in the first bins, sentences in 2-15 s.
DURATION_BIN_EDGES_S = (0, 1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 30)


class _Tally:
    """Counts of one table row (a dataset, or the total)."""

    def __init__(self) -> None:
        self.signers: Set = set()
        self.seconds = 0.0
        self.paired = 0
        self.unpaired = 0
        self.rows = 0

    def add(self, seconds: float, paired: bool, signer, rows: int) -> None:
        self.seconds += seconds
        self.paired += paired
        self.unpaired += not paired
        self.rows += rows
        if signer is not None:
            self.signers.add(signer)

    def to_dict(self) -> dict:
        return dict(
            # None, not 0, where no sample names its signer
            signers=len(self.signers) if self.signers else None,
            hours=self.seconds / 3600,
            paired=self.paired,
            unpaired=self.unpaired,
            samples=self.paired + self.unpaired,
            rows=self.rows)


class CorpusStatistics:
    """Running statistics of the distinct samples of a corpus.

    ``rows`` counts the rows a sample occupies in the corpus, which is more
    than one when a rebalanced mixture repeats it; every other count (and
    the hours and the histogram) counts each distinct sample once, as the
    paper's tables do.
    """

    def __init__(self) -> None:
        self._datasets: Dict[str, _Tally] = defaultdict(_Tally)
        self._total = _Tally()
        self._language_samples: Dict[str, int] = defaultdict(int)
        self._language_rows: Dict[str, int] = defaultdict(int)
        self._sentences: Dict[str, Set[bytes]] = defaultdict(set)
        self._histogram = np.zeros(len(DURATION_BIN_EDGES_S), np.int64)

    def add(self, sample: dict, rows: int = 1) -> None:
        """Count one sample (fields ``dataset``, ``language``, ``text``,
        ``signer``, ``num_frames``, ``fps``) that fills ``rows`` rows."""
        seconds = sample['num_frames'] / sample['fps']
        paired = sample['text'] is not None
        dataset, signer = sample['dataset'], sample['signer']
        self._datasets[dataset].add(seconds, paired, signer, rows)
        # signer ids are only unique within a dataset
        self._total.add(seconds, paired,
                        None if signer is None else (dataset, signer), rows)
        language = sample['language']
        self._language_samples[language] += 1
        self._language_rows[language] += rows
        if paired:
            self._sentences[language].add(
                hashlib.blake2b(
                    sample['text'].encode('utf-8'), digest_size=16).digest())
        bin_index = np.searchsorted(DURATION_BIN_EDGES_S, seconds, 'right')
        self._histogram[bin_index - 1] += 1

    def to_dict(self) -> dict:
        """The statistics as JSON-ready dicts (statistics.json)."""
        return dict(
            datasets={
                name: tally.to_dict()
                for name, tally in sorted(self._datasets.items())
            },
            total=self._total.to_dict(),
            languages={
                language: dict(
                    samples=self._language_samples[language],
                    rows=self._language_rows[language],
                    sentences=len(self._sentences[language]))
                for language in sorted(self._language_samples)
            },
            duration_histogram=dict(
                bin_edges_s=list(DURATION_BIN_EDGES_S),
                counts=self._histogram.tolist()))


def format_statistics(statistics: dict, width: int = 100) -> str:
    """The statistics of :meth:`CorpusStatistics.to_dict` as plain-text
    tables: per dataset (Table I), per language (Table II) and the duration
    histogram."""
    datasets = Table(title='Sources (distinct samples; rows include repeats)')
    for column in ('dataset', 'signers', 'hours', 'paired', 'unpaired',
                   'samples', 'rows'):
        datasets.add_column(column, justify='left' if column == 'dataset'
                            else 'right')
    rows = dict(statistics['datasets'], total=statistics['total'])
    for i, (name, row) in enumerate(rows.items()):
        datasets.add_row(
            name, _or_dash(row['signers']), f'{row["hours"]:.2f}',
            *(str(row[key])
              for key in ('paired', 'unpaired', 'samples', 'rows')),
            end_section=i == len(rows) - 2)  # a rule above the total
    languages = Table(title='Languages')
    for column in ('language', 'samples', 'rows', 'sentences'):
        languages.add_column(column, justify='left' if column == 'language'
                             else 'right')
    for language, row in statistics['languages'].items():
        languages.add_row(language, str(row['samples']), str(row['rows']),
                          str(row['sentences']))
    histogram = Table(title='Duration histogram')
    histogram.add_column('seconds')
    histogram.add_column('samples', justify='right')
    for label, count in zip(
            duration_bin_labels(statistics['duration_histogram']),
            statistics['duration_histogram']['counts']):
        histogram.add_row(label, str(count))
    console = Console(width=width, color_system=None)
    with console.capture() as capture:
        for table in (datasets, languages, histogram):
            console.print(table)
    return capture.get()


def format_build_report(statistics: dict, out_dir: str) -> str:
    """What ``tools/data/build_corpus.py`` prints after a build: the
    statistics tables, then per source what was read, kept and dropped."""
    lines = [format_statistics(statistics)]
    for path, counts in statistics['sources'].items():
        dropped = ', '.join(f'{n} {stage}'
                            for stage, n in counts['dropped'].items())
        lines.append(f'{path} ({counts["split"] or "unknown split"}): '
                     f'{counts["read"]} read, {counts["kept"]} kept in '
                     f'{counts["rows"]} rows, dropped: {dropped or "none"}')
    lines.append(f'{statistics["total"]["rows"]} rows -> {out_dir}; dropped '
                 f'samples per source and reason in {out_dir}/rejects.json')
    return '\n'.join(lines)


def duration_bin_labels(histogram: dict) -> List[str]:
    """``'0-1'``, ``'1-2'``, ..., ``'>=30'`` for the bins of a
    ``duration_histogram`` dict."""
    edges = histogram['bin_edges_s']
    return [f'{lo:g}-{hi:g}' for lo, hi in zip(edges, edges[1:])
            ] + [f'>={edges[-1]:g}']


def _or_dash(value: Optional[int]) -> str:
    return '-' if value is None else str(value)
