"""End to end: a conversion over a release with every kind of bad input
keeps each good sample and lists each bad one, with its stage, reason and
file or line, in rejects.json; pose extraction records a video that does
not decode and extracts the others.

A run reads one pose format, so the MMPose JSON cases and the .pose cases
are two runs of the conversion (what tools/data/convert_sign_dataset.py
runs) over two annotation files in the official PHOENIX-2014-T format.
"""
import json

import numpy as np
import pytest

from slp_mm.corpus import SignCorpus
from slp_mm.preparation.dataset_conversion import convert_dataset
from slp_mm.preparation.pose_extraction import (COCO_WHOLEBODY_133,
                                                ExtractedPose, extract_videos,
                                                write_pose_file)
from slp_mm.preparation.pose_readers import read_pose_file

HEADER = b'name|video|start|end|speaker|orth|translation\n'
W, H, FPS = 210, 260, 25  # PHOENIX-2014-T's video size and frame rate
GOOD = dict(good_a='REGEN WOLKE', good_b='SONNE __ON__', good_c='MORGEN')


def _row(name, gloss='REGEN', text='es regnet', sep='|'):
    return sep.join([name, f'{name}/1/*.png', '-1', '-1', 'Signer01', gloss,
                     text]).encode() + b'\n'


def _pose(seed, frames=6):
    """(T, 133, 2) keypoints inside the frame and (T, 133) scores > 0."""
    rng = np.random.default_rng(seed)
    keypoints = rng.uniform(5, 200, (frames, 133, 2)).astype(np.float32)
    return keypoints, rng.uniform(0.2, 1, (frames, 133)).astype(np.float32)


def _mmpose_json(keypoints, scores):
    return json.dumps([
        dict(frame_id=t, instances=[dict(
            keypoints=k.tolist(), keypoint_scores=s.tolist(),
            bbox=[[0, 0, W, H]], bbox_score=0.9)])
        for t, (k, s) in enumerate(zip(keypoints, scores))])


def _write_release(root, rows):
    """The annotation folder holding the dev corpus file; returns the
    file's path."""
    (root / 'ann').mkdir(parents=True)
    (root / 'poses').mkdir()
    path = root / 'ann' / 'PHOENIX-2014-T.dev.corpus.csv'
    path.write_bytes(HEADER + b''.join(rows))
    return str(path)


def _convert(root, pose_format):
    convert_dataset('phoenix2014t', str(root / 'ann'), str(root / 'poses'),
                    str(root / 'out'), pose_format, splits=('dev', ))
    with open(root / 'out' / 'dev' / 'rejects.json', encoding='utf-8') as f:
        rejects = json.load(f)
    return SignCorpus(str(root / 'out' / 'dev')), {
        r['id']: (r['stage'], r['file'], r['line'], r['reason'])
        for r in rejects}


def _assert_good_samples(corpus, poses):
    assert [corpus[i]['id'] for i in range(len(corpus))] == list(GOOD)
    for i, (name, gloss) in enumerate(GOOD.items()):
        sample = corpus[i]
        assert sample['gloss'] == gloss.split()
        np.testing.assert_array_equal(sample['keypoints'], poses[name][0])
        np.testing.assert_array_equal(sample['scores'], poses[name][1])


def _assert_rejects(rejects, expected):
    """rejects and expected: id -> (stage, file, line, reason); an expected
    reason may be the start of the reason."""
    assert sorted(rejects, key=str) == sorted(expected, key=str)
    for key, (stage, file, line, reason) in expected.items():
        assert rejects[key][:3] == (stage, file, line), key
        assert rejects[key][3].startswith(reason), rejects[key][3]


def test_mmpose_json_run_rejects_each_bad_row_and_file(tmp_path):
    rows = [
        _row('good_a', GOOD['good_a']),  # line 2
        _row('truncated'),
        _row('no_pose'),
        _row('good_b', GOOD['good_b']),  # line 5
        b'few_fields|few_fields/1/*.png|-1|-1|Signer01|REGEN\n',
        _row('control', 'WETTER\x07 GUT'),
        _row('replacement', 'M\ufffdGLICH'),  # line 8
        _row('cyrillic', '\u0410BEND'),  # a Cyrillic capital A
        _row('latin1', text='gr\xfcne wiesen').decode().encode('latin-1'),
        _row('nan_keypoints'),  # line 11
        _row('good_c', GOOD['good_c']),
    ]
    csv = _write_release(tmp_path, rows)
    poses = {name: _pose(seed) for seed, name in enumerate(GOOD)}
    for name, pose in poses.items():
        (tmp_path / 'poses' / f'{name}.json').write_text(_mmpose_json(*pose))
    text = _mmpose_json(*_pose(9))
    truncated = tmp_path / 'poses' / 'truncated.json'
    truncated.write_text(text[:len(text) // 2])
    keypoints, scores = _pose(10)
    keypoints[2, 5, 0] = np.nan  # x of one point of frame 2
    nan_file = tmp_path / 'poses' / 'nan_keypoints.json'
    nan_file.write_text(_mmpose_json(keypoints, scores))  # writes NaN

    corpus, rejects = _convert(tmp_path, 'mmpose-json')
    _assert_good_samples(corpus, poses)
    tried = [
        str(tmp_path / 'poses' / f)
        for f in ('dev/no_pose.json', 'no_pose.json')
    ]
    _assert_rejects(rejects, {
        'few_fields': ('annotation', csv, 6, 'has 6 fields, expected 7 '
                       '(name|video|start|end|speaker|orth|translation)'),
        'control': ('annotation', csv, 7, "field 'orth' holds U+0007 (no "
                    "name), a control character, in token 'WETTER\\x07'"),
        'replacement': ('annotation', csv, 8, "field 'orth' holds U+FFFD "
                        '(REPLACEMENT CHARACTER), the replacement '
                        'character: the text was decoded with errors '
                        "before it was saved, in token 'M\ufffdGLICH'"),
        'cyrillic': ('annotation', csv, 9, "field 'orth' holds U+0410 "
                     "(CYRILLIC CAPITAL LETTER A), outside the dataset's "
                     "gloss script, in token '\u0410BEND'"),
        None: ('annotation', csv, 10, "is not valid UTF-8 ('utf-8' codec "
               "can't decode byte 0xfc in position 45: invalid start byte)"),
        'truncated': ('unreadable_pose', str(truncated), None,
                      f'{truncated}: not valid JSON ('),
        'no_pose': ('missing_pose', None, None, f'no pose file; tried '
                    f'{tried}'),
        'nan_keypoints': ('invalid_sample', str(nan_file), None,
                          "Sample 'nan_keypoints': field 'keypoints' has 1 "
                          'NaN/inf values'),
    })


def test_pose_file_run_rejects_foreign_and_broken_files(tmp_path):
    from pose_format import Pose
    from pose_format.numpy.pose_body import NumPyPoseBody
    from pose_format.pose_header import (PoseHeader, PoseHeaderComponent,
                                         PoseHeaderDimensions)
    _write_release(tmp_path, [
        _row('good_a', GOOD['good_a']), _row('not_pose'),
        _row('good_b', GOOD['good_b']), _row('unknown_layout'),
        _row('good_c', GOOD['good_c'])
    ])
    poses = {name: _pose(seed) for seed, name in enumerate(GOOD)}
    for name, (keypoints, scores) in poses.items():
        write_pose_file(
            ExtractedPose(keypoints, scores, W, H, FPS, COCO_WHOLEBODY_133),
            str(tmp_path / 'poses' / f'{name}.pose'))
    not_pose = tmp_path / 'poses' / 'not_pose.pose'
    not_pose.write_bytes(b'\x89PNG\r\n\x1a\n' + bytes(range(256)))
    header = PoseHeader(
        version=0.2,
        dimensions=PoseHeaderDimensions(width=W, height=H, depth=0),
        components=[PoseHeaderComponent('HEAD', ['TOP', 'CHIN'], [], [],
                                        'XYC')])
    body = NumPyPoseBody(fps=FPS, data=np.ones((3, 1, 2, 2), np.float32),
                         confidence=np.ones((3, 1, 2), np.float32))
    unknown = tmp_path / 'poses' / 'unknown_layout.pose'
    with open(unknown, 'wb') as f:
        Pose(header, body).write(f)

    corpus, rejects = _convert(tmp_path, 'pose')
    _assert_good_samples(corpus, poses)
    _assert_rejects(rejects, {
        'not_pose': ('unreadable_pose', str(not_pose), None,
                     f'{not_pose}: not a readable .pose file ('),
        'unknown_layout': ('unreadable_pose', str(unknown), None,
                           f'{unknown}: unknown keypoint layout, components '
                           "['HEAD (2 points)']; supported layouts"),
    })


def test_extraction_records_a_video_that_does_not_decode(tmp_path):
    pytest.importorskip('mediapipe')
    import cv2
    videos, out = tmp_path / 'videos', tmp_path / 'poses'
    videos.mkdir()
    writer = cv2.VideoWriter(
        str(videos / 'good.mp4'), cv2.VideoWriter_fourcc(*'mp4v'), FPS,
        (64, 48))
    for t in range(5):
        writer.write(np.full((48, 64, 3), 40 * t, np.uint8))
    writer.release()
    (videos / 'broken.mp4').write_bytes(b'\x00\x00\x00\x18ftypmp42 cut')

    counts = extract_videos(str(videos), str(out),
                            options=dict(model_complexity=1))
    assert counts == dict(
        videos=2, in_shard=2, extracted=1, up_to_date=0, failed=1)
    failures = json.loads((out / 'extraction_failures.json').read_text())
    assert [f['video'] for f in failures] == ['broken.mp4']
    assert failures[0]['error'].startswith(
        f'VideoDecodeError: {videos / "broken.mp4"}: OpenCV decodes no '
        'frame')
    pose = read_pose_file(str(out / 'good.pose'))
    assert pose['keypoints'].shape[0] == 5
    assert (pose['width'], pose['height'], pose['fps']) == (64, 48, FPS)
