import json
import os

import numpy as np
import pytest
import torch

from slp_mm.corpus import InvalidSampleError, SignCorpus, SignCorpusWriter
from slp_mm.datasets import SignPoseDataset


def _sample(i, t=5, text='A sentence.', **kw):
    rng = np.random.default_rng(i)
    s = dict(
        id=f'v{i}',
        keypoints=rng.uniform(0, 640, (t, 133, 2)).astype(np.float32),
        scores=rng.uniform(0, 1, (t, 133)).astype(np.float32),
        width=640, height=480, fps=25.0, text=text, language='en',
        gloss=['A', 'B'], label=i, dataset='toy', signer=3)
    s.update(kw)
    return s


def test_round_trip_over_shards(tmp_path):
    samples = [_sample(i, t=3 + i, text=None if i % 3 == 0 else f'S {i}.')
               for i in range(11)]
    with SignCorpusWriter(str(tmp_path), samples_per_shard=4,
                          batch_size=3) as w:
        assert w.write_all(samples) == 11
    manifest = json.load(open(tmp_path / 'corpus.json'))
    assert [s['num_samples'] for s in manifest['shards']] == [4, 4, 3]
    corpus = SignCorpus(str(tmp_path))
    assert len(corpus) == 11
    for i in (0, 3, 4, 10):
        row = corpus[i]
        np.testing.assert_array_equal(row['keypoints'],
                                      samples[i]['keypoints'])
        np.testing.assert_array_equal(row['scores'], samples[i]['scores'])
        assert row['id'] == f'v{i}' and row['text'] == samples[i]['text']
        assert row['gloss'] == ['A', 'B'] and row['label'] == i
        assert row['signer'] == '3' and row['num_frames'] == 3 + i
    assert corpus.column('text')[0] is None
    with pytest.raises(IndexError):
        corpus[11]


@pytest.mark.parametrize('bad,field', [
    (dict(keypoints=np.full((2, 133, 2), np.nan), scores=np.ones((2, 133))),
     'NaN'),
    (dict(keypoints=np.zeros((0, 133, 2)), scores=np.zeros((0, 133))),
     'zero frames'),
    (dict(keypoints=np.zeros((2, 17, 2)), scores=np.zeros((2, 17))),
     '17 keypoints'),
    (dict(text=''), "'text' is empty"),
    (dict(text=b'\xc3\x28'), 'UTF-8'),
    (dict(id=''), "'id'"),
    (dict(scores=np.full((5, 133), 3.9)), '665 values outside'),
    (dict(scores=np.full((5, 133), -0.5)), '665 values outside'),
    (dict(fps=0.0), "'fps' is 0.0"),
    (dict(fps=float('nan')), "'fps' is nan"),
])
def test_writer_refuses_or_counts_bad_samples(tmp_path, bad, field):
    with pytest.raises(InvalidSampleError, match=field):
        SignCorpusWriter(str(tmp_path / 'a')).write(_sample(0, **bad))
    with SignCorpusWriter(str(tmp_path / 'b'), on_invalid='skip') as w:
        w.write(_sample(1))
        assert not w.write(_sample(0, **bad))
    assert len(w.skipped) == 1 and field in w.skipped[0]
    assert len(SignCorpus(str(tmp_path / 'b'))) == 1


def test_estimator_overshoot_and_rounding_are_stored_on_0_1(tmp_path):
    scores = np.full((5, 133), 0.5, np.float32)
    # an MMPose overshoot (the shared SOUP clip reaches 1.061) and float32
    # rounding below 0
    scores[0, :3] = 1.061, -5e-7, 1 + 5e-7
    with SignCorpusWriter(str(tmp_path)) as w:
        w.write(_sample(0, scores=scores))
    stored = SignCorpus(str(tmp_path))[0]['scores']
    assert stored[0, :4].tolist() == [1.0, 0.0, 1.0, 0.5]
    with open(tmp_path / 'corpus.json') as f:
        assert json.load(f)['num_scores_clipped'] == 2


def test_check_pose_sample_skips_bad_scores_and_fps():
    from slp_mm.datasets.transforms import CheckPoseSample
    check = CheckPoseSample()
    assert check(_sample(0)) is not None
    assert check(_sample(0, scores=np.full((5, 133), 1.06))) is not None
    assert check(_sample(0, scores=np.full((5, 133), 1.6))) is None
    assert check(_sample(0, scores=np.full((5, 133), -0.01))) is None
    assert check(_sample(0, fps=0)) is None


@pytest.mark.parametrize('bad,field', [
    (dict(width=1e39), "'width' is inf"), (dict(fps=1e-50), "'fps' is 0.0")])
def test_writer_refuses_values_that_float32_cannot_store(tmp_path, bad,
                                                         field):
    # finite and positive as given, but stored as inf or 0 in the float32
    # column: the manifest says every stored row passed the check
    with pytest.raises(InvalidSampleError,
                       match=f'{field}.*once stored as float32'):
        SignCorpusWriter(str(tmp_path)).write(_sample(0, **bad))


def test_rows_are_contract_checked_once_their_attested_bytes_are_verified(
        tmp_path):
    with SignCorpusWriter(str(tmp_path), samples_per_shard=2) as w:
        w.write_all(_sample(i) for i in range(4))
    manifest_file = tmp_path / 'corpus.json'
    manifest = json.load(open(manifest_file))
    from slp_mm.corpus.pose_sample_check import CONTRACT_VERSION
    assert [s['checked'] for s in manifest['shards']] == [
        dict(contract=CONTRACT_VERSION, sha256=s['sha256'])
        for s in manifest['shards']]

    def checked(**dataset):
        ds = SignPoseDataset(ann_file=str(tmp_path), **dataset)
        return [ds.get_data_info(i)['contract_checked'] for i in range(4)]

    assert not SignCorpus(str(tmp_path))[0]['contract_checked']  # unhashed
    assert SignCorpus(str(tmp_path), verify=True)[0]['contract_checked']
    assert checked() == [True] * 4  # hashed at start
    assert checked() == [True] * 4  # known to the machine's cache
    assert checked(verify_shards='always') == [True] * 4
    assert checked(verify_shards='off') == [False] * 4
    # an older check (or none recorded), or other bytes than it checked
    manifest['shards'][0]['checked']['contract'] = CONTRACT_VERSION - 1
    del manifest['shards'][1]['checked']['sha256']
    manifest_file.write_text(json.dumps(manifest))
    assert checked(verify_shards='always') == [False] * 4


def test_contract_checked_rows_are_checked_for_the_pipeline_only():
    from slp_mm.datasets.transforms import CheckPoseSample
    nan = _sample(0, keypoints=np.full((5, 133, 2), np.nan, np.float32))
    assert CheckPoseSample()(dict(nan)) is None
    assert CheckPoseSample()(dict(nan, contract_checked=False)) is None
    # the writer checked these values; this pipeline's own limits still hold
    assert CheckPoseSample()(dict(nan, contract_checked=True)) is not None
    assert CheckPoseSample(recheck=True)(dict(nan,
                                              contract_checked=True)) is None
    assert CheckPoseSample(max_frames=4)(dict(_sample(0),
                                              contract_checked=True)) is None
    assert CheckPoseSample(num_keypoints=79)(
        dict(_sample(0), contract_checked=True)) is None


def test_duplicate_ids_are_refused(tmp_path):
    w = SignCorpusWriter(str(tmp_path))
    w.write(_sample(0))
    with pytest.raises(InvalidSampleError, match='duplicate'):
        w.write(_sample(0))


def test_truncated_shard_and_foreign_dir_errors(tmp_path):
    with SignCorpusWriter(str(tmp_path)) as w:
        w.write_all(_sample(i) for i in range(3))
    shard = tmp_path / 'shard-00000.arrow'
    data = shard.read_bytes()
    shard.write_bytes(data[:len(data) // 2])
    with pytest.raises(IOError, match='shard-00000.arrow'):
        SignCorpus(str(tmp_path))[0]
    with pytest.raises(FileNotFoundError, match='not a sign corpus'):
        SignCorpus(str(tmp_path / 'elsewhere'))


def _write(path, samples):
    with SignCorpusWriter(str(path), samples_per_shard=5) as w:
        w.write_all(samples)
    return str(path)


def test_dataset_filters_and_workers(tmp_path):
    samples = [_sample(i, text=None if i % 2 else 'Hi.',
                       dataset='a' if i < 6 else 'b') for i in range(12)]
    path = _write(tmp_path, samples)
    ds = SignPoseDataset(ann_file=path, paired_only=True, datasets=['a'])
    assert len(ds) == 3
    assert [ds.get_data_info(i)['id'] for i in range(3)] == ['v0', 'v2', 'v4']
    full = SignPoseDataset(ann_file=path, pipeline=[
        dict(type='SelectKeypoints'),
        dict(type='NormalizeParts'),
        dict(type='PackSignInputs')
    ])
    loader = torch.utils.data.DataLoader(
        full, batch_size=4, num_workers=2, collate_fn=lambda b: b)
    ids = [d['data_samples'].sample_id for batch in loader for d in batch]
    assert sorted(ids) == sorted(f'v{i}' for i in range(12))


def test_dataset_skips_bad_samples_and_reports_them(tmp_path):
    # the writer of another tool may have stored NaNs: the pipeline skips
    samples = [_sample(i) for i in range(4)]
    path = _write(tmp_path, samples)
    corpus_dir = tmp_path / 'nan'
    import pyarrow as pa
    from slp_mm.corpus.sign_corpus import SCHEMA
    os.makedirs(corpus_dir)
    table = pa.ipc.open_file(pa.memory_map(path + '/shard-00000.arrow')
                             ).read_all()
    kp = table.column('keypoints').to_pylist()
    kp[1][7] = float('nan')
    table = table.set_column(SCHEMA.get_field_index('keypoints'), SCHEMA.field(
        'keypoints'), pa.array(kp, SCHEMA.field('keypoints').type))
    with pa.ipc.new_file(str(corpus_dir / 'shard-00000.arrow'),
                         SCHEMA) as f:
        f.write_table(table)
    # that writer records its own shard's size and checksum
    from slp_mm.utils.file_hash import file_sha256
    manifest = json.load(open(path + '/corpus.json'))
    shard = corpus_dir / 'shard-00000.arrow'
    manifest['shards'][0].update(bytes=shard.stat().st_size,
                                 sha256=file_sha256(str(shard)))
    (corpus_dir / 'corpus.json').write_text(json.dumps(manifest))
    ds = SignPoseDataset(ann_file=str(corpus_dir), pipeline=[
        dict(type='CheckPoseSample'), dict(type='SelectKeypoints'),
        dict(type='NormalizeParts'), dict(type='PackSignInputs')])
    np.random.seed(0)
    out = ds[1]
    assert out['data_samples'].sample_id != 'v1'
    assert out['data_samples'].skipped_ids == ['v1']
    assert 'skipped_ids' not in ds[2]['data_samples']


def test_shard_integrity_size_and_checksum(tmp_path):
    with SignCorpusWriter(str(tmp_path), samples_per_shard=2) as w:
        w.write_all(_sample(i) for i in range(4))
    manifest = json.load(open(tmp_path / 'corpus.json'))
    assert all(len(s['sha256']) == 64 and s['bytes'] > 0
               for s in manifest['shards'])
    assert not list(tmp_path.glob('*.partial'))
    SignCorpus(str(tmp_path)).verify()
    # a flipped byte keeps the size: only the checksum sees it
    shard = tmp_path / 'shard-00001.arrow'
    data = bytearray(shard.read_bytes())
    data[len(data) // 2] ^= 0xFF
    shard.write_bytes(bytes(data))
    assert SignCorpus(str(tmp_path))[0]['id'] == 'v0'  # other shard fine
    with pytest.raises(IOError, match='shard-00001.arrow.*SHA-256'):
        SignCorpus(str(tmp_path), verify=True)[2]
    with pytest.raises(IOError, match='shard-00001.arrow.*SHA-256'):
        SignCorpus(str(tmp_path)).verify()


def test_killed_writer_leaves_no_complete_looking_corpus(tmp_path):
    w = SignCorpusWriter(str(tmp_path), samples_per_shard=3, batch_size=1)
    w.write_all(_sample(i) for i in range(4))  # one shard done, one open
    # the process dies here: no manifest, the open shard is *.partial
    assert not (tmp_path / 'corpus.json').exists()
    assert (tmp_path / 'shard-00001.arrow.partial').exists()
    with pytest.raises(FileNotFoundError, match='not a sign corpus'):
        SignCorpus(str(tmp_path))


def test_null_size_and_checksum_are_not_checked_but_unverified(tmp_path):
    with SignCorpusWriter(str(tmp_path), samples_per_shard=2) as w:
        w.write_all(_sample(i) for i in range(3))
    manifest_file = tmp_path / 'corpus.json'
    manifest = json.load(open(manifest_file))
    for shard in manifest['shards']:
        shard['bytes'] = shard['sha256'] = None
    manifest_file.write_text(json.dumps(manifest))
    corpus = SignCorpus(str(tmp_path), verify=True)
    assert [corpus[i]['id'] for i in range(3)] == ['v0', 'v1', 'v2']
    # reading goes on, but verification must not pass having checked nothing
    with pytest.raises(IOError, match='(?s)shard-00000.arrow cannot be '
                       'verified.*shard-00001.arrow cannot be verified'):
        corpus.verify()


def test_empty_shard_error_names_the_shard(tmp_path):
    with SignCorpusWriter(str(tmp_path)) as w:
        w.write_all(_sample(i) for i in range(2))
    manifest_file = tmp_path / 'corpus.json'
    manifest = json.load(open(manifest_file))
    del manifest['shards'][0]['bytes']  # else the size check catches it
    manifest_file.write_text(json.dumps(manifest))
    (tmp_path / 'shard-00000.arrow').write_bytes(b'')
    with pytest.raises(IOError, match='shard-00000.arrow'):
        SignCorpus(str(tmp_path))[0]


@pytest.mark.parametrize('split,recorded', [
    ('train', 'train'), ('dev', 'dev'), ('val', 'dev'), ('validation', 'dev'),
    ('test', 'test'), (None, None)])
def test_manifest_records_the_split(tmp_path, split, recorded):
    with SignCorpusWriter(str(tmp_path), split=split) as w:
        w.write(_sample(0))
    assert json.load(open(tmp_path / 'corpus.json'))['split'] == recorded
    assert SignCorpus(str(tmp_path)).split == recorded


def test_unknown_split_is_refused(tmp_path):
    with pytest.raises(ValueError, match="^split is 'public_test', expected "
                       r"one of \['train', 'dev', 'test'\]"):
        SignCorpusWriter(str(tmp_path), split='public_test')
    with SignCorpusWriter(str(tmp_path), split='test') as w:
        w.write(_sample(0))
    manifest_file = tmp_path / 'corpus.json'
    manifest = json.load(open(manifest_file))
    manifest['split'] = 'held-out'
    manifest_file.write_text(json.dumps(manifest))
    with pytest.raises(ValueError, match=f'^{manifest_file}: field "split" '
                       "is 'held-out', expected one of"):
        SignCorpus(str(tmp_path))
