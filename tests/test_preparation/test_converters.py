"""Annotation loaders of PHOENIX-2014-T, PHOENIX-2014 and CSL-Daily on the
real files, pose readers (npz, MMPose JSON) and the conversion CLI."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from slp_mm.corpus import SignCorpus
from slp_mm.preparation.converters import (load_csl_daily, load_phoenix2014,
                                           load_phoenix2014t)
from slp_mm.preparation.pose_readers import (read_mmpose_json, read_numpy_pose,
                                             read_pose_file)

# shared_file(...) is os.path.join(dirname(REPO_ROOT), 'shared', 'data', ...)
# or skips the test where that is absent
from ..conftest import REPO as REPO_ROOT
from ..conftest import shared_file as shared

T_HEADER = 'name|video|start|end|speaker|orth|translation'


def _write(path, lines):
    path.write_text('\n'.join(lines) + '\n', encoding='utf-8')
    return str(path)


def _t_row(name, orth='REGEN SONNE', text='regen und sonne', signer='S1'):
    return f'{name}|{name}/*.png|-1|-1|{signer}|{orth}|{text}'


# ---------------------------------------------------------------- annotation


@pytest.mark.parametrize('load,folder,sizes', [
    (load_phoenix2014t, 'phoenix-2014t', (7096, 519, 642)),
    (load_phoenix2014, 'phoenix-2014', (5672, 540, 629)),
    (load_csl_daily, 'csl-daily', (18401, 1077, 1176)),
])
def test_official_split_sizes(load, folder, sizes):
    ann = load(shared(folder))
    assert ann.rejects == []
    assert {s: len(r) for s, r in ann.records.items()} == dict(
        zip(('train', 'dev', 'test'), sizes))
    for records in ann.records.values():
        assert len({r['id'] for r in records}) == len(records)
        assert all(r['gloss'] and r['num_frames'] for r in records)


def test_phoenix2014t_against_raw_lines():
    ann = load_phoenix2014t(shared('phoenix-2014t'))
    # first row of PHOENIX-2014-T.test.corpus.csv (and .num_frames.csv)
    first = ann.records['test'][0]
    assert first == dict(
        id='25October_2010_Monday_tagesschau-17',
        split='test',
        dataset='phoenix2014t',
        language='de',
        signer='Signer01',
        gloss='REGEN SCHNEE REGION VERSCHWINDEN NORD REGEN KOENNEN REGION '
        'STERN KOENNEN SEHEN'.split(' '),
        text='regen und schnee lassen an den alpen in der nacht nach im '
        'norden und nordosten fallen hier und da schauer sonst ist das klar',
        video='25October_2010_Monday_tagesschau-17',
        num_frames=181)
    second = ann.records['train'][1]
    assert second['id'] == '11August_2010_Wednesday_tagesschau-4'
    assert second['text'] == ('mancherorts regnet es auch länger und '
                              'ergiebig auch lokale überschwemmungen sind '
                              'wieder möglich')
    assert second['num_frames'] == 126


@pytest.mark.parametrize('load,folder,stm', [
    (load_phoenix2014t, 'phoenix-2014t', 'phoenix2014-T-groundtruth-{}.stm'),
    (load_csl_daily, 'csl-daily', 'CSL-Daily-groundtruth-{}.stm'),
])
def test_glosses_equal_the_official_stm_references(load, folder, stm):
    ann = load(shared(folder), ('dev', 'test'))
    for split in ('dev', 'test'):
        with open(shared(folder, stm.format(split)), encoding='utf-8') as f:
            reference = {p[0]: p[5:] for p in map(str.split, f)}
        assert {r['id']: r['gloss'] for r in ann.records[split]} == reference


def test_phoenix2014_against_raw_lines():
    ann = load_phoenix2014(shared('phoenix-2014'))
    dev = ann.records['dev'][0]  # its annotation has a double space
    assert dev['id'] == '01April_2010_Thursday_heute_default-1'
    assert dev['gloss'] == ('ICH OSTERN WETTER ZUFRIEDEN MITTAG TEMPERATUR '
                            'SUED WARM MEIN NICHT').split(' ')
    assert dev['text'] is None and dev['language'] == 'de'
    assert dev['video'] == dev['id'] and dev['num_frames'] == 215
    # the re-inserted 16-frame row keeps its place and raw markers
    row = ann.records['train'][2390]
    assert row['id'] == '13April_2011_Wednesday_tagesschau_default-14'
    assert row['signer'] == 'Signer07' and row['num_frames'] == 16
    assert row['gloss'][4] == 'ORT-PLUSPLUS' and row['gloss'][-1] == '__OFF__'


def test_csl_daily_against_raw_lines():
    ann = load_csl_daily(shared('csl-daily'), ('train', 'test'))
    assert set(ann.records) == {'train', 'test'}
    first = ann.records['train'][0]
    assert (first['id'], first['signer'], first['num_frames']) == \
        ('S000000_P0000_T00', '0', 52)
    assert first['gloss'] == ['你们', '好'] and first['text'] == '你们好！'
    assert first['language'] == 'zh' and first['dataset'] == 'csl-daily'
    last = ann.records['test'][-1]
    assert last['id'] == 'S007397_P0007_T00'
    assert last['gloss'] == '厨师 发现 吃饭 地方 老鼠 有 1'.split(' ')
    assert last['text'] == '厨师发现吃饭的地方有一只老鼠。'


def test_corrupt_phoenix2014t_rows_are_reported_and_skipped(tmp_path):
    corpus = _write(tmp_path / 'PHOENIX-2014-T.dev.corpus.csv', [
        T_HEADER,
        _t_row('a'),
        'b|b/*.png|-1|-1|S1|REGEN',  # 6 fields
        _t_row('c', orth=''),
        '',
        _t_row('a'),
        _t_row('d', text='sonne | wolken'),  # 8 fields
        _t_row('e'),
    ])
    counts = _write(tmp_path / 'PHOENIX-2014-T.dev.num_frames.csv',
                    ['name|num_frames', 'a|12', 'e|many'])
    ann = load_phoenix2014t(str(tmp_path), ('dev', ))
    assert [(r['id'], r['num_frames']) for r in ann.records['dev']] == \
        [('a', 12), ('e', None)]
    found = {(r['file'], r['line'], r['id']): r['reason']
             for r in ann.rejects}
    assert found == {
        (corpus, 3, 'b'): 'has 6 fields, expected 7 (' + T_HEADER + ')',
        (corpus, 4, 'c'): "field 'orth' is empty",
        (corpus, 6, 'a'): "duplicate id 'a', first seen on line 2",
        (corpus, 7, 'd'): 'has 8 fields, expected 7 (' + T_HEADER + ')',
        (counts, 3, 'e'): "field 'num_frames' is 'many', expected a "
        'positive integer',
    }
    assert {r['split'] for r in ann.rejects} == {'dev'}


def test_wrong_header_names_file_and_columns(tmp_path):
    path = _write(tmp_path / 'phoenix-2014-multisigner.train.corpus.csv',
                  ['id|signer|annotation', 'a|S1|REGEN'])
    with pytest.raises(ValueError, match='train.corpus.csv, line 1: header '
                       "is 'id|signer|annotation', expected "
                       "'id|folder|signer|annotation'"):
        load_phoenix2014(str(tmp_path), ('train', ))


def test_corrupt_csl_daily_rows_are_reported_and_skipped(tmp_path):
    corpus = _write(tmp_path / 'csl-daily.corpus.csv', [
        'name|split|signer|num_frames|gloss|text',
        'a|train|0|52|你们 好|你们好！',
        'b|dev|0|52|你们 好|你们好！',  # split_1.txt says train
        'c|train|0|5x|你们 好|你们好！',
        'd|test|1|40|好',  # 5 fields
        'e|test|1|40|好|好。',
        'f|test|1|40|好|好。',  # not in split_1.txt
    ])
    _write(tmp_path / 'split_1.txt', [
        'name|split', 'a|train', 'b|train', 'c|train', 'd|test', 'e|test'
    ])
    ann = load_csl_daily(str(tmp_path))
    assert {s: [r['id'] for r in v] for s, v in ann.records.items()} == \
        dict(train=['a'], dev=[], test=['e'])
    assert [(r['line'], r['id'], r['split'], r['reason'])
            for r in ann.rejects] == [
        (5, 'd', 'test', 'has 5 fields, expected 6 '
         '(name|split|signer|num_frames|gloss|text)'),
        (3, 'b', 'train', "field 'split' is 'dev', but split_1.txt says "
         "'train'"),
        (4, 'c', 'train', "field 'num_frames' is '5x', expected a positive "
         'integer'),
        (7, 'f', 'test', 'is not listed in split_1.txt'),
    ]
    assert {r['file'] for r in ann.rejects} == {corpus}


# --------------------------------------------------------------- pose files


def _instance(box, value, num_keypoints=133):
    x1, y1, x2, y2 = box
    return dict(
        keypoints=[[(x1 + x2) / 2, (y1 + y2) / 2]] * num_keypoints,
        keypoint_scores=[value] * num_keypoints,
        bbox=[list(box)],
        bbox_score=0.9)


def test_mmpose_json_equals_pose_file_of_the_same_clip():
    pose = read_pose_file(
        shared('slp-pose-wholebody133', 'SOUP.mmposewholebody.pose'))
    pred = read_mmpose_json(
        shared('slp-pose-wholebody133', 'SOUP.mmpose-predictions.json'),
        pose['width'], pose['height'], pose['fps'])
    assert pred['keypoints'].shape == (41, 133, 2)
    for key in ('keypoints', 'scores'):
        assert pred[key].dtype == np.float32
        np.testing.assert_array_equal(pred[key], pose[key])
    assert (pred['width'], pred['height']) == (320, 240)


def test_mmpose_json_follows_the_main_signer(tmp_path):
    signer = {1: (104, 42, 226, 240), 2: (98, 40, 218, 238),
              5: (100, 40, 220, 240)}
    bystander = (250, 120, 310, 240)  # small, at the edge
    frames = [
        # the signer not yet detected: the bystander is all there is
        dict(frame_id=0, instances=[_instance(bystander, 0.2)]),
        dict(frame_id=1, instances=[_instance(bystander, 0.2),
                                    _instance(signer[1], 0.9)]),
        dict(frame_id=2, instances=[_instance(signer[2], 0.9),
                                    _instance(bystander, 0.2)]),
        dict(frame_id=3, instances=[]),
        # frame 4 missing from the list: no instances either
        dict(frame_id=5, instances=[_instance(bystander, 0.2),
                                    _instance(signer[5], 0.9)]),
    ]
    path = tmp_path / 'clip.json'
    path.write_text(json.dumps(frames))
    out = read_mmpose_json(str(path), 320, 240, 25)
    assert out['keypoints'].shape == (6, 133, 2)
    np.testing.assert_allclose(out['scores'][:, 0],
                               [0, 0.9, 0.9, 0, 0, 0.9])
    np.testing.assert_array_equal(out['keypoints'][[1, 2, 5], 0, 0],
                                  [165, 158, 160])
    assert not out['keypoints'][[0, 3, 4]].any()


def test_mmpose_json_errors_name_file_and_field(tmp_path):
    text = json.dumps([dict(frame_id=0, instances=[_instance((0, 0, 9, 9),
                                                             0.5)])])
    cut = tmp_path / 'cut.json'
    cut.write_text(text[:len(text) // 2])
    with pytest.raises(ValueError, match='cut.json: not valid JSON'):
        read_mmpose_json(str(cut), 320, 240, 25)
    wrong = tmp_path / 'wrong.json'
    wrong.write_text(json.dumps([dict(frame_id=0, instances=[
        _instance((0, 0, 9, 9), 0.5, num_keypoints=17)])]))
    with pytest.raises(ValueError, match="wrong.json: frame 0, instance 0: "
                       "field 'keypoints' has 17 points, expected 133"):
        read_mmpose_json(str(wrong), 320, 240, 25)


def test_numpy_reader(tmp_path):
    xys = np.random.default_rng(0).uniform(0, 1, (4, 133, 3))
    np.savez(tmp_path / 'a.npz', keypoints=xys, width=640, fps=30.0)
    out = read_numpy_pose(str(tmp_path / 'a.npz'), width=1, height=480)
    np.testing.assert_array_equal(out['keypoints'], xys[..., :2]
                                  .astype(np.float32))
    np.testing.assert_array_equal(out['scores'], xys[..., 2]
                                  .astype(np.float32))
    assert (out['width'], out['height'], out['fps']) == (640, 480, 30)
    np.save(tmp_path / 'b.npy', xys)
    with pytest.raises(ValueError, match='b.npy: field "fps" is neither'):
        read_numpy_pose(str(tmp_path / 'b.npy'), width=640, height=480)
    np.save(tmp_path / 'c.npy', xys[:, :17])
    with pytest.raises(ValueError, match='c.npy: field "keypoints" has 17'):
        read_numpy_pose(str(tmp_path / 'c.npy'), 640, 480, 25)


# ----------------------------------------------------------------------- CLI


def _convert(*args, returncode=0):
    proc = subprocess.run(
        [sys.executable, 'tools/data/convert_sign_dataset.py',
         *map(str, args)],
        cwd=REPO_ROOT,
        env=dict(os.environ, PYTHONPATH=REPO_ROOT),
        capture_output=True,
        text=True,
        timeout=120)
    assert proc.returncode == returncode, proc.stdout + proc.stderr
    return proc.stdout + proc.stderr


def test_cli_fails_when_every_input_is_rejected(tmp_path):
    """A wrong pose folder rejects every video: that is a failed
    conversion (exit status 1), not a finished one."""
    ann, poses, out = tmp_path / 'ann', tmp_path / 'poses', tmp_path / 'out'
    ann.mkdir()
    poses.mkdir()
    _write(ann / 'PHOENIX-2014-T.train.corpus.csv',
           [T_HEADER, _t_row('a'), _t_row('b')])
    log = _convert('phoenix2014t', ann, poses, out, '--splits', 'train',
                   returncode=1)
    assert 'train: 0 samples' in log
    assert ('Every input of 1 split(s) was rejected: see '
            f'{out / "train" / "rejects.json"}') in log


def test_cli_converts_resumes_and_lists_rejects(tmp_path):
    ann, poses, out = tmp_path / 'ann', tmp_path / 'poses', tmp_path / 'out'
    ann.mkdir()
    (poses / 'train').mkdir(parents=True)
    _write(ann / 'PHOENIX-2014-T.train.corpus.csv', [
        T_HEADER,
        _t_row('ok'),
        _t_row('in_split_dir', text='wolken'),
        _t_row('no_pose'),
        _t_row('garbage'),
        _t_row('nan'),
        'broken|row',
    ])
    _write(ann / 'PHOENIX-2014-T.dev.corpus.csv', [T_HEADER, _t_row('d')])
    rng = np.random.default_rng(0)
    arrays = {n: rng.uniform(0, 200, (3 + i, 133, 3)).astype(np.float32)
              for i, n in enumerate(('ok', 'in_split_dir', 'nan', 'd'))}
    for array in arrays.values():
        array[..., 2] /= 200  # scores in [0, 1]
    arrays['nan'][1, 5] = np.nan
    for name, array in arrays.items():
        folder = poses / 'train' if name == 'in_split_dir' else poses
        np.savez(folder / f'{name}.npz', keypoints=array)
    (poses / 'garbage.npz').write_bytes(b'not a zip')

    log = _convert('phoenix2014t', ann, poses, out, '--splits', 'train',
                   'dev')
    assert 'train: 2 samples' in log and 'dev: 1 samples' in log
    corpus = SignCorpus(str(out / 'train'))
    assert corpus.column('id') == ['ok', 'in_split_dir']
    row = corpus[1]
    np.testing.assert_array_equal(row['keypoints'],
                                  arrays['in_split_dir'][..., :2])
    np.testing.assert_array_equal(row['scores'],
                                  arrays['in_split_dir'][..., 2])
    assert (row['text'], row['gloss'], row['language']) == \
        ('wolken', ['REGEN', 'SONNE'], 'de')
    assert (row['width'], row['height'], row['fps']) == (210, 260, 25)
    rejects = json.load(open(out / 'train' / 'rejects.json'))
    assert {r['id']: r['stage'] for r in rejects} == dict(
        broken='annotation',
        no_pose='missing_pose',
        garbage='unreadable_pose',
        nan='invalid_sample')
    assert all(r['reason'] and r['split'] == 'train' for r in rejects)
    assert json.load(open(out / 'dev' / 'rejects.json')) == []

    # an interrupted split (no corpus.json) is rebuilt, a complete one kept
    os.remove(out / 'dev' / 'corpus.json')
    mtime = os.stat(out / 'train' / 'corpus.json').st_mtime_ns
    log = _convert('phoenix2014t', ann, poses, out, '--splits', 'train',
                   'dev')
    assert 'train: ' + str(out / 'train') + ' is complete, skipped' in log
    assert os.stat(out / 'train' / 'corpus.json').st_mtime_ns == mtime
    assert len(SignCorpus(str(out / 'dev'))) == 1


def test_how2sign_realigned_test_split(tmp_path):
    import os.path as osp

    from slp_mm.preparation.converters import (get_annotation_loader,
                                               load_how2sign)
    ann_dir = osp.dirname(shared('how2sign', 'how2sign_realigned_test.csv'))
    ann = load_how2sign(ann_dir, splits=('test', ))
    recs = ann.records['test']
    assert len(recs) == 2357 and not ann.rejects
    assert len({r['id'] for r in recs}) == 2357
    first = recs[0]
    assert first['id'] == '-fZc293MpJk_0-1-rgb_front'
    assert first['text'] == 'Hi!' and first['language'] == 'en'
    assert first['gloss'] == [] and first['video'] == first['id']
    assert get_annotation_loader('how2sign') is load_how2sign
    # a row with a missing sentence is rejected with its line
    bad = tmp_path / 'how2sign_realigned_test.csv'
    lines = open(osp.join(ann_dir, 'how2sign_realigned_test.csv'),
                 encoding='utf-8').read().splitlines()[:3]
    lines[2] = '\t'.join(lines[2].split('\t')[:-1] + [''])
    bad.write_text('\n'.join(lines) + '\n', encoding='utf-8')
    ann = load_how2sign(str(tmp_path), splits=('test', ))
    assert len(ann.records['test']) == 1
    assert ann.rejects[0]['line'] == 3 and 'SENTENCE' in ann.rejects[0][
        'reason']
