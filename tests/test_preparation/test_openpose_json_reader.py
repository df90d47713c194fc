"""OpenPose per-frame JSON (a folder or a .tar, as BOBSL releases it):
round trip of real OpenPose data against its .pose file, the main signer
among several people, gaps, bad files and unsafe archives."""
import io
import json
import os.path as osp
import tarfile

import numpy as np
import pytest

from slp_mm.corpus import SignCorpus
from slp_mm.preparation.bobsl_conversion import convert_bobsl
from slp_mm.preparation.pose_readers import (find_pose_file, get_pose_format,
                                             read_openpose_json,
                                             read_pose_file)
from slp_mm.preparation.pose_readers.main_signer import keypoint_box
from ..conftest import shared_file

# OpenPose's fields and their points, in the order of the 137 joints
FIELDS = (('pose_keypoints_2d', 25), ('face_keypoints_2d', 70),
          ('hand_left_keypoints_2d', 21), ('hand_right_keypoints_2d', 21))
W, H = 320, 240


def _person(xyc):
    """OpenPose's person object from (137, 3) x, y, c."""
    person, start = dict(person_id=[-1]), 0
    for field, n in FIELDS:
        person[field] = [float(v) for v in xyc[start:start + n].ravel()]
        start += n
    return person


def _frame_json(people):
    return json.dumps(dict(version=1.3, people=people))


def _frame_name(frame, video='clip'):
    return f'{video}_{frame:012d}_keypoints.json'


def _write_folder(folder, frames, video='clip'):
    """frames: frame number -> list of (137, 3) people; returns the folder."""
    folder.mkdir(exist_ok=True)
    for t, people in frames.items():
        (folder / _frame_name(t, video)).write_text(
            _frame_json([_person(p) for p in people]))
    return str(folder)


def _add_member(tar, name, data=b'', **attrs):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    for key, value in attrs.items():
        setattr(info, key, value)
    tar.addfile(info, io.BytesIO(data))


@pytest.fixture(scope='module')
def openpose_clip():
    """The real OpenPose clip: its (T, 137, 3) x, y, c as stored and what
    read_pose_file makes of it."""
    from pose_format import Pose
    path = shared_file('slp-pose-format-testdata', 'openpose.pose')
    with open(path, 'rb') as f:
        pose = Pose.read(f.read())
    xy = np.ma.filled(pose.body.data[:, 0], 0)  # (T, 137, 2), masked -> 0
    xyc = np.concatenate([xy, pose.body.confidence[:, 0, :, None]], -1)
    return xyc, read_pose_file(path)


def test_folder_reads_as_the_pose_file_of_the_same_clip(
        openpose_clip, tmp_path):
    xyc, ref = openpose_clip
    folder = _write_folder(tmp_path / 'clip',
                           {t: [p] for t, p in enumerate(xyc)})
    out = read_openpose_json(folder, ref['width'], ref['height'], ref['fps'])
    assert out['keypoints'].shape == (93, 133, 2)
    for key in ('keypoints', 'scores'):
        assert out[key].dtype == np.float32
        np.testing.assert_array_equal(out[key], ref[key])
    assert (out['width'], out['height'], out['fps']) == (1000, 1000, 24)
    assert out['source_layout'] == ref['source_layout'] == 'openpose_137'


@pytest.mark.parametrize('mode', ['w', 'w:gz'])
def test_tar_reads_as_the_folder(openpose_clip, tmp_path, mode):
    """Members in a subfolder, in reverse order, beside other files."""
    xyc, ref = openpose_clip
    path = tmp_path / 'clip.tar'
    with tarfile.open(path, mode) as tar:
        _add_member(tar, 'clip', type=tarfile.DIRTYPE)
        _add_member(tar, 'clip/README.txt', b'not a frame')
        for t in reversed(range(len(xyc))):
            _add_member(tar, f'clip/{_frame_name(t)}',
                        _frame_json([_person(xyc[t])]).encode())
    out = read_openpose_json(str(path), 1000, 1000, 24)
    for key in ('keypoints', 'scores'):
        np.testing.assert_array_equal(out[key], ref[key])


def test_openpose_joints_land_on_their_coco_wholebody_joints(tmp_path):
    xyc = np.zeros((137, 3))
    xyc[:, 0] = np.arange(137)  # x = OpenPose joint index
    xyc[:, 1] = 50
    xyc[:, 2] = 0.5
    xyc[1] = 0  # the neck (no COCO joint) not detected
    out = read_openpose_json(
        _write_folder(tmp_path / 'clip', {0: [xyc]}), W, H, 25)
    # COCO joint -> OpenPose joint: nose 0 -> 0, left shoulder 5 -> BODY_25
    # LShoulder 5, right shoulder 6 -> RShoulder 2, left wrist 9 -> LWrist
    # 7, left big toe 17 -> 19, right heel 22 -> 24, face 23 + i -> 25 + i,
    # left hand 91 + j -> 95 + j, right hand 112 + j -> 116 + j
    coco = [0, 5, 6, 9, 17, 22, 23, 90, 91, 111, 112, 132]
    openpose = [0, 5, 2, 7, 19, 24, 25, 92, 95, 115, 116, 136]
    np.testing.assert_array_equal(out['keypoints'][0, coco, 0], openpose)
    np.testing.assert_array_equal(out['keypoints'][0, :, 1], 50)
    np.testing.assert_array_equal(out['scores'], 0.5)


def test_main_signer_is_kept_across_frames_and_gaps(tmp_path):
    """A small bystander at the edge, listed first in some frames, is never
    spliced into the central signer's sequence; frame 0 has no file and
    frame 4 nobody."""
    def person(box, score):
        x1, y1, x2, y2 = box
        xyc = np.zeros((137, 3))
        xyc[:, 0] = np.linspace(x1, x2, 137)
        xyc[:, 1] = np.linspace(y1, y2, 137)
        xyc[:, 2] = score
        return xyc

    bystander = person((250, 120, 310, 240), 0.3)
    signer = {t: person((100 + 2 * t, 40, 220 + 2 * t, 240), 0.9)
              for t in range(6)}
    frames = {1: [bystander], 2: [bystander, signer[2]],
              3: [signer[3], bystander], 4: [], 5: [bystander, signer[5]]}
    out = read_openpose_json(_write_folder(tmp_path / 'clip', frames), W, H,
                             25)
    assert out['keypoints'].shape == (6, 133, 2)
    np.testing.assert_allclose(out['scores'][:, 0],
                               [0, 0, 0.9, 0.9, 0, 0.9])
    np.testing.assert_array_equal(out['keypoints'][[2, 3, 5], 0, 0],
                                  [104, 106, 110])  # the signer's nose
    assert not out['keypoints'][[0, 1, 4]].any()


def test_keypoint_box_spans_the_confident_points():
    keypoints = np.array([[10, 20], [30, 5], [500, 500]], np.float32)
    scores = np.array([0.9, 0.05, 0.01], np.float32)
    np.testing.assert_array_equal(
        keypoint_box(keypoints, scores, 0.05), [10, 5, 30, 20])
    np.testing.assert_array_equal(
        keypoint_box(keypoints, scores, 0.95), [0, 0, 0, 0])


def test_face_and_hands_not_estimated_are_undetected(tmp_path):
    body = _person(np.full((137, 3), 0.7))
    body.update(face_keypoints_2d=[], hand_left_keypoints_2d=[],
                hand_right_keypoints_2d=[])
    (tmp_path / _frame_name(0)).write_text(_frame_json([body]))
    out = read_openpose_json(str(tmp_path), W, H, 25)
    np.testing.assert_allclose(out['scores'][0, :23], 0.7)
    assert not out['scores'][0, 23:].any()


def _bad_frame(field, value):
    person = _person(np.ones((137, 3)))
    person[field] = value
    return _frame_json([person])


@pytest.mark.parametrize('content, match', [
    (_frame_json([])[:20], r'clip_000000000001_keypoints\.json: not valid '
     'JSON'),
    (b'{"people": [\xff]}', 'not valid JSON'),
    ('[]', "field 'people' is missing"),
    ('{"people": {}}', "field 'people' is a dict, expected a list"),
    (_bad_frame('pose_keypoints_2d', [1.0] * 74),
     r"person 0: field 'pose_keypoints_2d' has 74 values, expected 75 "
     r'\(25 points as x, y, c\)'),
    (_bad_frame('hand_left_keypoints_2d', [1.0] * 60),
     "field 'hand_left_keypoints_2d' has 60 values, expected 63"),
    (_bad_frame('face_keypoints_2d', ['1'] * 210),
     "field 'face_keypoints_2d' holds <U1 values"),
    (_bad_frame('face_keypoints_2d', [None] * 210),
     "field 'face_keypoints_2d' holds object values"),
    (_bad_frame('pose_keypoints_2d', [[1.0, 1.0, 1.0]] * 25),
     r"field 'pose_keypoints_2d' holds float64 values of shape \(25, 3\)"),
    (_bad_frame('pose_keypoints_2d', [float('nan')] * 75),
     "field 'pose_keypoints_2d' holds non-finite values"),
    (json.dumps(dict(people=[{'pose_keypoints_2d': [0] * 75}])),
     "person 0: field 'face_keypoints_2d' is missing"),
])
def test_bad_frame_errors_name_file_and_field(tmp_path, content, match):
    _write_folder(tmp_path / 'clip', {0: [np.ones((137, 3))]})
    bad = tmp_path / 'clip' / _frame_name(1)
    if isinstance(content, bytes):
        bad.write_bytes(content)
    else:
        bad.write_text(content)
    with pytest.raises(ValueError, match=match):
        read_openpose_json(str(tmp_path / 'clip'), W, H, 25)


def test_bad_frame_sets_are_refused(tmp_path):
    one = _frame_json([])
    (tmp_path / 'dup').mkdir()
    (tmp_path / 'dup' / 'clip_1_keypoints.json').write_text(one)
    (tmp_path / 'dup' / _frame_name(1)).write_text(one)
    with pytest.raises(ValueError, match=r'clip_1_keypoints\.json: frame 1 '
                       r'was already given by .*clip_000000000001_'):
        read_openpose_json(str(tmp_path / 'dup'), W, H, 25)
    (tmp_path / 'mixed').mkdir()
    (tmp_path / 'mixed' / _frame_name(0, 'a')).write_text(one)
    (tmp_path / 'mixed' / _frame_name(1, 'b')).write_text(one)
    with pytest.raises(ValueError, match='holds frames of several videos'):
        read_openpose_json(str(tmp_path / 'mixed'), W, H, 25)
    (tmp_path / 'far').mkdir()
    (tmp_path / 'far' / _frame_name(10**11)).write_text(one)
    with pytest.raises(ValueError, match='frame number 100000000000 is '
                       'beyond'):
        read_openpose_json(str(tmp_path / 'far'), W, H, 25)
    (tmp_path / 'empty').mkdir()
    (tmp_path / 'empty' / 'clip.mp4').write_text('')
    with pytest.raises(ValueError, match='holds no OpenPose frame files'):
        read_openpose_json(str(tmp_path / 'empty'), W, H, 25)
    with pytest.raises(ValueError, match=r'width None given, expected a '
                       'positive number'):
        read_openpose_json(str(tmp_path / 'dup'), None, H, 25)


@pytest.mark.parametrize('name, attrs, match', [
    ('../' + _frame_name(0), {}, r"member '\.\./clip_0+_keypoints\.json': "
     r'absolute or "\.\." member names are refused'),
    ('clip/../../etc/x', {}, r'absolute or "\.\." member names'),
    ('/tmp/' + _frame_name(0), {}, r'absolute or "\.\." member names'),
    ('..\\' + _frame_name(0), {}, r'absolute or "\.\." member names'),
    (_frame_name(1), dict(type=tarfile.SYMTYPE, linkname='/etc/passwd'),
     'is a symbolic link, expected regular files'),
    (_frame_name(1), dict(type=tarfile.LNKTYPE, linkname=_frame_name(0)),
     'is a hard link'),
])
def test_unsafe_tar_members_are_refused(tmp_path, name, attrs, match):
    path = tmp_path / 'clip.tar'
    with tarfile.open(path, 'w') as tar:
        _add_member(tar, _frame_name(0), _frame_json([]).encode())
        _add_member(tar, name, b'', **attrs)
    with pytest.raises(ValueError, match=match):
        read_openpose_json(str(path), W, H, 25)
    assert sorted(p.name for p in tmp_path.iterdir()) == ['clip.tar']


def test_not_a_tar_is_refused(tmp_path):
    path = tmp_path / 'clip.tar'
    path.write_bytes(b'\x00not a tar' * 100)
    with pytest.raises(ValueError, match='clip.tar: not a readable folder or '
                       r'\.tar of OpenPose frames'):
        read_openpose_json(str(path), W, H, 25)


def test_format_is_found_as_a_folder_or_a_tar(tmp_path):
    read = get_pose_format('openpose-json')
    assert read is read_openpose_json and not read.stores_video_info
    extensions = read.extensions
    (tmp_path / 'dev' / 'a').mkdir(parents=True)
    (tmp_path / 'b.tar').write_bytes(b'')
    (tmp_path / 'c').write_text('a file, not a folder')
    assert find_pose_file(str(tmp_path), 'dev', 'a', extensions)[0] == \
        osp.join(tmp_path, 'dev', 'a/')
    assert find_pose_file(str(tmp_path), 'dev', 'b', extensions)[0] == \
        osp.join(tmp_path, 'b.tar')
    path, tried = find_pose_file(str(tmp_path), 'dev', 'c', extensions)
    assert path is None and osp.join(tmp_path, 'c/') in tried


def test_bobsl_conversion_reads_an_openpose_tar(openpose_clip, tmp_path):
    xyc, ref = openpose_clip
    episode = '6179351457261416384'
    release = tmp_path / 'release'
    subs = release / 'subtitles' / 'manually-aligned'
    subs.mkdir(parents=True)
    (release / 'subset2episode.json').write_text(
        json.dumps(dict(train=[episode], val=[], public_test=[])))
    (subs / f'{episode}.vtt').write_text(
        'WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nhello there\n')
    (tmp_path / 'poses').mkdir()
    with tarfile.open(tmp_path / 'poses' / f'{episode}.tar', 'w') as tar:
        for t, p in enumerate(xyc):
            _add_member(tar, f'{episode}/{_frame_name(t, episode)}',
                        _frame_json([_person(p)]).encode())
    out = tmp_path / 'out'
    convert_bobsl(str(release), str(tmp_path / 'poses'), str(out),
                  pose_format='openpose-json', splits=('train', ),
                  video_info=dict(width=1000, height=1000, fps=24))
    corpus = SignCorpus(str(out / 'train'))
    assert len(corpus) == 1
    sample = corpus[0]
    assert sample['text'] == 'hello there'
    # 1.0-2.0 s at 24 fps: frames 24-47
    np.testing.assert_array_equal(sample['keypoints'], ref['keypoints'][24:48])
    # OpenPose overshoots 1 (up to 1.006 on this clip): stored clipped
    np.testing.assert_array_equal(sample['scores'],
                                  np.clip(ref['scores'][24:48], 0, 1))
