"""CorpusBuilder, its statistics and its tools on two tiny corpora.

Source ``a`` (phoenix, de): p1 (50 frames at 25 fps = 2 s, 'Hallo Welt.',
signer 1), p2 (3 s, the same sentence, signer 2), p3 (4 s, unpaired,
signer 1). Source ``b``: c1 (csl, zh, 30 frames at 30 fps = 1 s), c2 (1.5 s),
c3 (c1's keypoints under another id), phoenix/p1 again (an id duplicate)
and c4 (no fps: invalid). No csl sample names its signer. Both are train
splits.
"""
import hashlib
import subprocess
import sys
import json
import os
import os.path as osp
import time

import matplotlib.image
import numpy as np
import pytest

from slp_mm.corpus import SignCorpus, SignCorpusWriter
from slp_mm.corpus.corpus_builder import CorpusBuilder
from slp_mm.corpus.corpus_statistics import (format_build_report,
                                             format_statistics)
from slp_mm.corpus.language_weights import (language_repeats,
                                            parse_language_weights)
from slp_mm.visualization.duration_histogram import \
    draw_duration_histogram
from ..conftest import REPO


def _sample(id, dataset, language, frames, fps, text, signer=None, seed=0):
    rng = np.random.default_rng(seed)
    return dict(
        id=id,
        dataset=dataset,
        language=language,
        text=text,
        signer=signer,
        fps=fps,
        width=640,
        height=480,
        keypoints=rng.uniform(0, 640, (frames, 133, 2)).astype(np.float32),
        scores=np.ones((frames, 133), np.float32))


@pytest.fixture
def sources(tmp_path):
    a = [
        _sample('p1', 'phoenix', 'de', 50, 25, 'Hallo Welt.', 1, seed=1),
        _sample('p2', 'phoenix', 'de', 75, 25, 'Hallo Welt.', 2, seed=2),
        _sample('p3', 'phoenix', 'de', 100, 25, None, 1, seed=3),
    ]
    b = [
        _sample('c1', 'csl', 'zh', 30, 30, '你好。', seed=4),
        _sample('c2', 'csl', 'zh', 45, 30, '谢谢。', seed=5),
        _sample('c3', 'csl', 'zh', 30, 30, '你好。', seed=4),
        _sample('p1', 'phoenix', 'de', 20, 25, 'Anders.', 3, seed=6),
        _sample('c4', 'csl', 'zh', 10, None, '坏。', seed=7),
    ]
    return [_write(str(tmp_path / 'a'), a, 'train'),
            _write(str(tmp_path / 'b'), b, 'train')]


def _write(path, samples, split):
    with SignCorpusWriter(path, batch_size=2, split=split) as writer:
        writer.write_all(samples)
    return path


def _build(tmp_path, sources, **kwargs):
    out = str(tmp_path / 'mix')
    return CorpusBuilder(out, sources, **kwargs).build(), out


def _ids(out):
    return SignCorpus(out).column('id')


def test_mixture_statistics_and_rejects(tmp_path, sources):
    stats, out = _build(tmp_path, sources, dedupe='content')
    corpus = SignCorpus(out)
    assert corpus.split == 'train'
    assert _ids(out) == [
        'phoenix/p1', 'phoenix/p2', 'phoenix/p3', 'csl/c1', 'csl/c2'
    ]
    assert corpus.column('text') == [
        'Hallo Welt.', 'Hallo Welt.', None, '你好。', '谢谢。'
    ]
    assert corpus.column('language') == ['de'] * 3 + ['zh'] * 2
    np.testing.assert_array_equal(
        corpus[3]['keypoints'],
        _sample('c1', 'csl', 'zh', 30, 30, '', seed=4)['keypoints'])
    assert stats['datasets'] == {
        'csl': dict(signers=None, hours=pytest.approx(2.5 / 3600), paired=2,
                    unpaired=0, samples=2, rows=2),
        'phoenix': dict(signers=2, hours=pytest.approx(9 / 3600), paired=2,
                        unpaired=1, samples=3, rows=3),
    }
    assert stats['total'] == dict(
        signers=2, hours=pytest.approx(11.5 / 3600), paired=4, unpaired=1,
        samples=5, rows=5)
    assert stats['languages'] == {
        'de': dict(samples=3, rows=3, sentences=1),
        'zh': dict(samples=2, rows=2, sentences=2),
    }
    # durations 2, 3, 4 (phoenix) and 1, 1.5 (csl) s
    assert stats['duration_histogram'] == dict(
        bin_edges_s=[0, 1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 30],
        counts=[0, 2, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0])
    assert stats['sources'] == {
        sources[0]: dict(split='train', read=3, kept=3, rows=3, dropped={}),
        sources[1]: dict(
            split='train', read=5, kept=2, rows=2,
            dropped=dict(duplicate_content=1, duplicate_id=1,
                         invalid_sample=1)),
    }
    with open(osp.join(out, 'statistics.json'), encoding='utf-8') as f:
        assert json.load(f) == stats
    with open(osp.join(out, 'rejects.json'), encoding='utf-8') as f:
        rejects = json.load(f)
    shard = osp.join(sources[1], 'shard-00000.arrow')
    assert rejects == [
        dict(source=sources[1], location=f'{shard}, row 2', id='c3',
             dataset='csl', stage='duplicate_content',
             reason='same keypoints as csl/c1'),
        dict(source=sources[1], location=f'{shard}, row 3', id='p1',
             dataset='phoenix', stage='duplicate_id',
             reason=f'same dataset and id as a sample of {sources[0]}'),
        dict(source=sources[1], location=f'{shard}, row 4', id='c4',
             dataset='csl', stage='invalid_sample',
             reason="field 'fps' is None, expected a positive number"),
    ]
    total_row = next(line for line in format_statistics(stats).splitlines()
                     if line.startswith('│ total'))
    assert [cell.strip() for cell in total_row.split('│')[1:-1]
            ] == ['total', '2', '0.00', '4', '1', '5', '5']


def test_dedupe_modes_and_max_frames(tmp_path, sources):
    stats, out = _build(tmp_path, sources, dedupe='id', max_frames=80)
    # c3 (same keypoints as c1) stays; p3 (100 frames) is too long
    assert _ids(out) == ['phoenix/p1', 'phoenix/p2', 'csl/c1', 'csl/c2',
                         'csl/c3']
    assert stats['sources'][sources[0]]['dropped'] == dict(too_long=1)
    with pytest.raises(ValueError, match=r"row 3: sample 'p1' of dataset "
                       r"'phoenix' was already read from .*unique ids"):
        CorpusBuilder(str(tmp_path / 'none'), sources, dedupe='none').build()


def test_language_repeats_are_exact_and_seeded():
    repeats = language_repeats(dict(a=10, b=5, c=4), dict(a=2.3, b=0.5), 0)
    assert repeats['a'].sum() == 23 and set(repeats['a']) == {2, 3}
    assert repeats['b'].sum() == 3 and set(repeats['b']) == {0, 1}  # 2.5 up
    np.testing.assert_array_equal(repeats['c'], [1, 1, 1, 1])
    again = language_repeats(dict(b=5, a=10), dict(a=2.3, b=0.5), 0)
    np.testing.assert_array_equal(again['a'], repeats['a'])
    other = [language_repeats(dict(a=10), dict(a=2.3), seed)['a']
             for seed in range(5)]
    assert any((o != repeats['a']).any() for o in other)


def test_balance_languages_repeats_without_losing_samples(tmp_path, sources):
    stats, out = _build(tmp_path, sources, dedupe='content',
                        balance_languages=True)
    # de has 3 samples, zh 2: zh gets weight 1.5, so one zh sample twice
    assert stats['language_weights'] == dict(de=1.0, zh=1.5)
    assert stats['languages']['zh'] == dict(samples=2, rows=3, sentences=2)
    assert stats['total']['rows'] == 6 and stats['total']['samples'] == 5
    ids = _ids(out)
    copies = [i for i in ids if '#r' in i]
    assert len(ids) == 6 and len(copies) == 1
    corpus = SignCorpus(out)
    original, copy = ids.index(copies[0][:-3]), ids.index(copies[0])
    np.testing.assert_array_equal(corpus[copy]['keypoints'],
                                  corpus[original]['keypoints'])
    assert corpus[copy]['text'] == corpus[original]['text']


def test_language_weights_subsample_into_rejects(tmp_path, sources):
    stats, out = _build(tmp_path, sources, dedupe='content',
                        language_weights=dict(de=0.34, zh=2))
    # de: round(0.34 * 3) = 1 sample kept; zh: 2 samples, 2 rows each
    kept_de = [t for t, language in zip(
        SignCorpus(out).column('text'), SignCorpus(out).column('language'))
        if language == 'de']
    assert len(kept_de) == 1
    assert stats['languages'] == dict(
        de=dict(samples=1, rows=1, sentences=int(kept_de[0] is not None)),
        zh=dict(samples=2, rows=4, sentences=2))
    with open(osp.join(out, 'rejects.json'), encoding='utf-8') as f:
        subsampled = [r for r in json.load(f) if r['stage'] == 'subsampled']
    assert len(subsampled) == 2 and {r['source'] for r in subsampled} == {
        sources[0]}
    assert stats['sources'][sources[0]] == dict(
        split='train', read=3, kept=1, rows=1, dropped=dict(subsampled=2))


def test_corrupt_source_is_not_laundered_into_the_mixture(tmp_path, sources):
    """The mixture's shards get fresh checksums: a source shard with flipped
    bytes (same size) must stop the build, not pass as valid data."""
    shard = osp.join(sources[1], 'shard-00000.arrow')
    data = bytearray(open(shard, 'rb').read())
    data[len(data) // 2:len(data) // 2 + 200] = bytes(
        b ^ 0x5A for b in data[len(data) // 2:len(data) // 2 + 200])
    with open(shard, 'wb') as f:
        f.write(data)
    out = str(tmp_path / 'mix')
    with pytest.raises(IOError, match=r'b/shard-00000\.arrow does not match '
                       'its SHA-256'):
        CorpusBuilder(out, sources).build()
    assert not osp.exists(osp.join(out, 'corpus.json'))


def test_rebuild_only_when_inputs_or_options_change(tmp_path, sources):
    out = str(tmp_path / 'mix')
    assert CorpusBuilder(out, sources).build() is not None
    outputs = [osp.join(out, name) for name in os.listdir(out)]
    mtimes = [os.stat(path).st_mtime_ns for path in outputs]
    assert CorpusBuilder(out, sources).build() is None
    assert [os.stat(path).st_mtime_ns for path in outputs] == mtimes
    # another option, then a touched input, each rebuild
    assert CorpusBuilder(out, sources, seed=1).build() is not None
    assert CorpusBuilder(out, sources, seed=1).build() is None
    # a build 10 s old, then `touch` an input shard
    record, before = osp.join(out, 'build.json'), time.time() - 10
    os.utime(record, (before, before))
    os.utime(osp.join(sources[1], 'shard-00000.arrow'))
    assert CorpusBuilder(out, sources, seed=1).build() is not None
    assert CorpusBuilder(out, sources, seed=1).build() is None


def test_refuses_to_overwrite_a_corpus_it_did_not_build(tmp_path, sources):
    with pytest.raises(FileExistsError, match='without build.json'):
        CorpusBuilder(sources[0], sources[1:]).build()
    with pytest.raises(ValueError, match='also a source'):
        CorpusBuilder(sources[0], sources)
    with pytest.raises(ValueError, match='given twice'):
        CorpusBuilder(str(tmp_path / 'mix'), [sources[0], sources[0]])


def _hashes(folder):
    """File name -> SHA-256 of every file under ``folder``."""
    return {
        osp.relpath(osp.join(root, name), folder): hashlib.sha256(
            open(osp.join(root, name), 'rb').read()).hexdigest()
        for root, _, names in os.walk(folder) for name in names
    }


def test_output_linked_to_a_source_is_refused_untouched(tmp_path, sources):
    # a built mixture (it has build.json) as the source of another build,
    # through a link: the old guard compared unresolved paths and emptied it
    _, built = _build(tmp_path, sources)
    link = tmp_path / 'link'
    link.symlink_to(built)
    before = _hashes(built)
    with pytest.raises(ValueError) as refused:
        CorpusBuilder(str(link), [built]).build()
    message = str(refused.value)
    assert message.startswith(f'the output {link} is also a source ({built}')
    assert '\n' not in message
    assert _hashes(built) == before


@pytest.mark.parametrize('where', ['inside a source', 'around a source'])
def test_output_and_sources_must_not_nest(tmp_path, sources, where):
    if where == 'inside a source':
        out, match = osp.join(sources[0], 'mix'), 'inside the source'
    else:
        out, match = str(tmp_path), 'inside the output'
    with pytest.raises(ValueError, match=match):
        CorpusBuilder(out, sources)
    link = tmp_path / 'link-a'
    link.symlink_to(sources[0])
    with pytest.raises(ValueError, match='given twice'):
        CorpusBuilder(str(tmp_path / 'mix'), [sources[0], str(link)])


def test_rebuild_swaps_in_a_complete_corpus(tmp_path, sources):
    _, out = _build(tmp_path, sources)
    first = _ids(out)
    CorpusBuilder(out, sources, language_weights=dict(zh=2)).build()
    assert len(_ids(out)) > len(first)
    assert sorted(os.listdir(tmp_path)) == ['a', 'b', 'mix']  # no leftovers
    # a failing build keeps the previous one whole and leaves nothing
    before = _hashes(out)
    builder = CorpusBuilder(out, sources, seed=5)
    builder._write = lambda *args: 1 / 0
    with pytest.raises(ZeroDivisionError):
        builder.build()
    assert _hashes(out) == before
    assert sorted(os.listdir(tmp_path)) == ['a', 'b', 'mix']
    # a folder with files the builder did not write is not replaced
    (tmp_path / 'mix' / 'notes.txt').write_text('mine')
    with pytest.raises(FileExistsError, match=r'did not write \(notes.txt\)'):
        CorpusBuilder(out, sources, seed=6).build()


def _isolated_test_split(tmp_path):
    """A test split of an isolated-sign dataset: its text is the label."""
    return _write(str(tmp_path / 'wlasl-test'), [
        _sample('w1', 'wlasl', 'en', 10, 25, 'This word is apple.', seed=8)
    ], 'test')


def test_refuses_an_evaluation_split_unless_allowed(tmp_path, sources):
    test = _isolated_test_split(tmp_path)
    with pytest.raises(ValueError) as error:
        CorpusBuilder(str(tmp_path / 'mix'), [*sources, test])
    assert str(error.value) == (
        f"{test} (split 'test'): a dev/test corpus in pre-training leaks "
        'the evaluation data of downstream tasks; give '
        'allow_eval_splits=True (--allow-eval-splits) to mix it anyway')
    assert not (tmp_path / 'mix').exists()
    stats, out = _build(tmp_path, [*sources, test], allow_eval_splits=True)
    assert [source['split'] for source in stats['sources'].values()] == [
        'train', 'train', 'test']
    assert 'wlasl/w1' in _ids(out)
    # the mixture holds test data, so it is a test split in turn
    assert SignCorpus(out).split == 'test'
    with pytest.raises(ValueError, match=f"{out} \\(split 'test'\\)"):
        CorpusBuilder(str(tmp_path / 'mix2'), [out])


def test_corpus_without_a_recorded_split(tmp_path, sources):
    """A corpus converted before splits were recorded (no "split" in its
    manifest) is refused unless its split is stated; a stated split does
    not override a recorded one."""
    legacy = _write(str(tmp_path / 'legacy'), [
        _sample('o1', 'old', 'en', 10, 25, 'Old.', seed=9)], None)
    manifest_file = osp.join(legacy, 'corpus.json')
    with open(manifest_file) as f:
        manifest = json.load(f)
    del manifest['split']
    with open(manifest_file, 'w') as f:
        json.dump(manifest, f)
    assert SignCorpus(legacy).split is None
    with pytest.raises(ValueError, match=f'^{legacy}: corpus.json records '
                       'no split .*assume_split'):
        CorpusBuilder(str(tmp_path / 'mix'), [sources[0], legacy])
    stats, out = _build(tmp_path, [sources[0], legacy], assume_split='train')
    assert stats['sources'][legacy]['split'] == 'train'
    assert SignCorpus(out).split == 'train'
    with pytest.raises(ValueError, match=f"{legacy} \\(split 'dev'\\)"):
        CorpusBuilder(str(tmp_path / 'x'), [legacy],
                      assume_split='validation')
    test = _isolated_test_split(tmp_path)
    with pytest.raises(ValueError, match=f"^{test} \\(split 'test'\\)"):
        CorpusBuilder(str(tmp_path / 'x'), [legacy, test],
                      assume_split='train')
    with pytest.raises(ValueError, match="split is 'eval', expected one of"):
        CorpusBuilder(str(tmp_path / 'x'), [legacy], assume_split='eval')
    stats, out = _build(tmp_path, [sources[0], legacy],
                        allow_eval_splits=True)
    assert stats['sources'][legacy]['split'] is None
    assert SignCorpus(out).split is None


def test_synthetic_corpus_is_a_train_split(tmp_path, synthetic_corpus):
    stats, out = _build(tmp_path, [synthetic_corpus])
    assert stats['sources'][synthetic_corpus]['split'] == 'train'
    assert len(SignCorpus(out)) == len(SignCorpus(synthetic_corpus))


def test_build_report_and_cli(tmp_path, sources):
    out = str(tmp_path / 'mix')
    statistics = CorpusBuilder(out, sources,
                               language_weights={'zh': 2}).build()
    printed = format_build_report(statistics, out)
    assert 'Languages' in printed and f'{sources[1]} (train): 5 read, 3 ' \
        'kept in 6 rows, dropped: 1 duplicate_id, 1 invalid_sample' in printed
    assert parse_language_weights('zh=2, de=0.5') == dict(zh=2, de=0.5)
    with pytest.raises(ValueError, match="'zh2' is not LANGUAGE=WEIGHT"):
        parse_language_weights('zh2')
    # the tool: nothing to do the second time; a test split refused in one
    # line, exit status 1
    tool = [sys.executable, osp.join(REPO, 'tools', 'data', 'build_corpus.py')]
    env = dict(os.environ, PYTHONPATH=REPO)
    done = subprocess.run(tool + [out, *sources, '--language-weights', 'zh=2'],
                          env=env, capture_output=True, text=True)
    assert done.returncode == 0 and 'nothing to do' in done.stdout
    test = _isolated_test_split(tmp_path)
    refused = subprocess.run(tool + [out, *sources, test], env=env,
                             capture_output=True, text=True)
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines()[-1].startswith(
        f"Cannot build {out}: {test} (split 'test'): a dev/test corpus")
    png = str(tmp_path / 'hist.png')
    with open(osp.join(out, 'statistics.json')) as f:
        draw_duration_histogram(json.load(f)).savefig(png, dpi=100)
    image = matplotlib.image.imread(png)
    assert image.shape == (450, 800, 4) and image.std() > 0
