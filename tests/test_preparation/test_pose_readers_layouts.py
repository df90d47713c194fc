"""Layout-aware .pose reading, mmaction2 skeleton pickles and the second
hand source, on real files of ../shared/data and small synthetic ones."""
import io
import os
import pickle

import numpy as np
import pytest

from slp_mm.preparation.pose_readers import (merge_hand_source,
                                             read_mmaction_skeleton,
                                             read_pose_file)
from tests.conftest import shared_file

WB = 'slp-pose-wholebody133'
TESTDATA = 'slp-pose-format-testdata'
LEFT_WRIST, RIGHT_WRIST, LEFT_HAND, RIGHT_HAND = 9, 10, 91, 112


def _pose_bytes(components, data, confidence, width=640, height=480):
    """A .pose file: components [(name, points)], data (T, 1, K, 2)."""
    from pose_format import Pose
    from pose_format.numpy.pose_body import NumPyPoseBody
    from pose_format.pose_header import (PoseHeader, PoseHeaderComponent,
                                         PoseHeaderDimensions)
    header = PoseHeader(0.1, PoseHeaderDimensions(width, height, 0), [
        PoseHeaderComponent(name, points, [], [], 'XYC')
        for name, points in components
    ])
    body = NumPyPoseBody(25, np.ma.masked_invalid(data.astype(np.float32)),
                         confidence.astype(np.float32))
    buffer = io.BytesIO()
    Pose(header, body).write(buffer)
    return buffer.getvalue()


def _write_pose(tmp_path, components, data, confidence=None, **size):
    path = tmp_path / 'x.pose'
    if confidence is None:
        confidence = np.ones(data.shape[:3])
    path.write_bytes(_pose_bytes(components, data, confidence, **size))
    return str(path)


def _wrist_gaps(sample, min_score=0.5):
    """Median distance from each body wrist to the wrist of the same-side
    hand, and to the other side's hand (as if left/right were swapped)."""
    k, s = sample['keypoints'], sample['scores']
    gaps = []
    for wrist, hand, other in ((LEFT_WRIST, LEFT_HAND, RIGHT_HAND),
                               (RIGHT_WRIST, RIGHT_HAND, LEFT_HAND)):
        ok = (s[:, wrist] > min_score) & (s[:, hand] > 0) & (s[:, other] > 0)
        gaps.append(
            tuple(
                np.median(np.linalg.norm(k[ok, wrist] - k[ok, h], axis=-1))
                for h in (hand, other)))
    return gaps


def _shoulder_width(sample):
    k = sample['keypoints']
    return np.median(np.linalg.norm(k[:, 5] - k[:, 6], axis=-1))


def test_mediapipe_lands_on_mmpose_for_the_same_clip():
    """FOOTBALL estimated by MMPose (COCO-WholeBody) and MediaPipe Holistic:
    the mapped joints must land where MMPose puts them.

    Measured over joints both estimators are confident about (score >= 0.5;
    the legs are out of the frame): upper body median 4.7 px, 95th pct
    8.9 px; hands 4.4 / 5.8 px and 12.1 / 12.3 px; inner lips 0.6 px and
    1.3 px (max 2.1). The shoulders are 124 px apart, neighbouring inner-lip
    points 5.3 px: a left/right swap of the hands gives a 30 px median, the
    mirrored lip order 20 px at the corners. The bounds sit at about twice
    the measured disagreement of two independent estimators, below the
    swap errors.
    """
    mmpose = read_pose_file(shared_file(WB, 'FOOTBALL.mmposewholebody.pose'))
    mp = read_pose_file(shared_file(WB, 'FOOTBALL.mediapipe-holistic.pose'))
    assert mmpose['source_layout'] == 'coco_wholebody_133'
    assert mp['source_layout'] == 'mediapipe_holistic'
    assert mp['keypoints'].shape == (62, 133, 2)
    assert mp['scores'].dtype == np.float32
    for key in ('width', 'height', 'fps'):
        assert mp[key] == mmpose[key]
    err = np.linalg.norm(mp['keypoints'] - mmpose['keypoints'], axis=-1)
    confident = (mp['scores'] >= 0.5) & (mmpose['scores'] >= 0.5)
    for joints, median, p95 in ((range(0, 13), 8, 16), (range(91, 112), 8, 20),
                                (range(112, 133), 10, 20),
                                (range(83, 91), 1.5, 2.5)):
        e = err[:, joints][confident[:, joints]]
        assert e.size > 300, joints
        assert np.median(e) < median and np.percentile(e, 95) < p95, joints
    # the face is mapped from the mesh (test_mediapipe_face_map.py); there
    # are no small toes
    assert (mp['scores'][:, 23:91] == 1).all()
    assert (mp['scores'][:, [18, 21]] == 0).all()


def test_mediapipe_hands_replace_mmpose_hands():
    """The second hand source on the real clip: MediaPipe's hands (score 1
    where detected, masked where not) merged into the MMPose body."""
    body = read_pose_file(shared_file(WB, 'FOOTBALL.mmposewholebody.pose'))
    hands = read_pose_file(shared_file(WB, 'FOOTBALL.mediapipe-holistic.pose'))
    merged = merge_hand_source(body, hands, min_score=0.5)
    detected = hands['scores'][:, RIGHT_HAND] > 0
    assert 0 < detected.sum() < len(detected)  # one frame lacks the hand
    np.testing.assert_array_equal(merged['keypoints'][detected, 112:],
                                  hands['keypoints'][detected, 112:])
    np.testing.assert_array_equal(merged['keypoints'][~detected, 112:],
                                  body['keypoints'][~detected, 112:])
    np.testing.assert_array_equal(merged['keypoints'][:, :91],
                                  body['keypoints'][:, :91])


def test_openpose_137_file():
    from pose_format import Pose
    path = shared_file(TESTDATA, 'openpose.pose')
    sample = read_pose_file(path)
    assert sample['source_layout'] == 'openpose_137'
    assert sample['keypoints'].shape == (93, 133, 2)
    assert (sample['width'], sample['height'], sample['fps']) == (1000, 1000,
                                                                  24)
    with open(path, 'rb') as f:
        raw = Pose.read(f.read()).body
    xy = np.ma.filled(raw.data[:, 0], 0)  # (T, 137, 2)
    seen = ~np.ma.getmaskarray(raw.data[:, 0, :, 0])  # (T, 137)
    for coco, op in ((5, 5), (6, 2), (1, 16), (2, 15), (19, 21), (23, 25),
                     (90, 92), (91, 95), (132, 136)):
        np.testing.assert_array_equal(sample['keypoints'][:, coco], xy[:, op])
        np.testing.assert_array_equal(sample['scores'][:, coco] > 0,
                                      seen[:, op])
    # left and right agree between body and hands (measured 4.5 / 3.9 px
    # same side, 109 / 105 px swapped, shoulders 110 px apart)
    width = _shoulder_width(sample)
    for same, swapped in _wrist_gaps(sample):
        assert same < 0.1 * width < 0.5 * width < swapped
    # the body's right eye sits in the iBUG right-eye ring (face 36-41)
    k = sample['keypoints']
    right_ring = k[:, 23 + 36:23 + 42].mean(1)
    left_ring = k[:, 23 + 42:23 + 48].mean(1)
    gap = np.linalg.norm(k[:, 2] - right_ring, axis=-1)
    ok = (sample['scores'][:, [2, 59, 65]] > 0).all(1)
    assert np.median(gap[ok]) < 3 < 15 < np.median(
        np.linalg.norm(k[ok, 2] - left_ring[ok], axis=-1))


@pytest.mark.parametrize('name', [
    'autsl_signer0_sample1000.holistic.pose',  # XYZKC, 512x512
    'phoenix2014t_25October_2010_Monday_tagesschau-17.holistic.pose'
])
def test_holistic_dataset_samples_are_pixels(name):
    """Coordinates come in pixels: the upper body lies inside the header's
    frame and spans a good part of it, and each body wrist meets its hand
    (measured same side 6-10 px, swapped 114-116 px, shoulders 91-100 px).
    """
    sample = read_pose_file(shared_file('sld-real-samples', name))
    assert sample['source_layout'] == 'mediapipe_holistic'
    k, s = sample['keypoints'], sample['scores']
    upper = s[:, :13] > 0.5
    inside = ((k[..., 0] >= 0) & (k[..., 0] <= sample['width']) &
              (k[..., 1] >= 0) & (k[..., 1] <= sample['height']))[:, :13]
    assert inside[upper].mean() > 0.9
    width = _shoulder_width(sample)
    assert width > 0.1 * sample['width']  # normalised: < 1
    for same, swapped in _wrist_gaps(sample):
        assert same < 0.15 * width < 0.5 * width < swapped


def test_refined_and_reduced_holistic_files_map_by_point_name():
    # FACE 478 (refined, iris points 468-477) and POSE_WORLD_LANDMARKS
    refined = read_pose_file(
        shared_file(TESTDATA, 'holistic-v0.2-586pts-5frames.pose'))
    assert refined['keypoints'].shape == (5, 133, 2)
    assert (refined['scores'][:, 83:91] > 0).all()  # inner lips
    # a reduced file: 8 pose points (no face on the body), 128 mesh points
    reduced = read_pose_file(shared_file(TESTDATA, 'mediapipe.pose'))
    assert reduced['source_layout'] == 'mediapipe_holistic'
    seen = (reduced['scores'] > 0).any(0)
    assert not seen[:5].any()  # nose, eyes, ears are not in the file
    assert seen[5:13].all() and seen[83:91].all() and seen[112:].all()


def test_pose_file_errors(tmp_path):
    data = np.ones((2, 1, 3, 2)) * 50
    path = _write_pose(tmp_path, [('BODY', ['a', 'b']), ('FOO', ['c'])], data)
    with pytest.raises(ValueError) as e:
        read_pose_file(path)
    message = str(e.value)
    for part in ('x.pose', 'unknown keypoint layout', "'BODY (2 points)'",
                 "'FOO (1 points)'", 'mediapipe_holistic', 'openpose_137',
                 'coco_wholebody_133', 'POSE_LANDMARKS'):
        assert part in message
    with pytest.raises(ValueError, match="not in layout 'openpose_137'"):
        read_pose_file(path, layout='openpose_137')
    with pytest.raises(ValueError, match="not in layout 'alphapose'"):
        read_pose_file(path, layout='alphapose')
    coco = [('BODY', ['a'] * 17), ('FACE', ['f'] * 68),
            ('LEFT_HAND', ['h'] * 21), ('RIGHT_HAND', ['h'] * 21)]
    path = _write_pose(tmp_path, coco, np.ones((2, 1, 127, 2)) * 50)
    with pytest.raises(ValueError, match="'BODY' has 17 points, expected 23"):
        read_pose_file(path)
    renamed = [('POSE_LANDMARKS', ['nose']), ('FACE_LANDMARKS', ['0']),
               ('LEFT_HAND_LANDMARKS', ['WRIST']),
               ('RIGHT_HAND_LANDMARKS', ['WRIST'])]
    path = _write_pose(tmp_path, renamed, np.ones((2, 1, 4, 2)) * 50)
    with pytest.raises(ValueError, match="'POSE_LANDMARKS' has none of the"):
        read_pose_file(path)


def test_pose_file_missing_points_and_normalised_coordinates(tmp_path):
    components = [('POSE_LANDMARKS', ['LEFT_WRIST', 'NOSE']),
                  ('FACE_LANDMARKS', ['13', '999']),
                  ('LEFT_HAND_LANDMARKS', ['WRIST']),
                  ('RIGHT_HAND_LANDMARKS', ['WRIST'])]
    data = np.array([[[10, 20], [30, 40], [50, 60], [1, 1], [np.nan, 5],
                      [70, 80]]], float)[:, None]  # (1, 1, 6, 2)
    path = _write_pose(tmp_path, components, data)
    sample = read_pose_file(path)
    np.testing.assert_array_equal(sample['keypoints'][0, [9, 0, 85]],
                                  [[10, 20], [30, 40], [50, 60]])
    assert (sample['scores'][0, [9, 0, 85]] == 1).all()
    # NaN point -> missing; unknown mesh point '999' is ignored
    assert sample['scores'][0, 91] == 0
    assert (sample['keypoints'][0, 91] == 0).all()
    assert sample['scores'][0, 112] == 1
    assert (sample['scores'] > 0).sum() == 4
    path = _write_pose(tmp_path, components, data / 100)
    with pytest.raises(ValueError, match='look normalised'):
        read_pose_file(path)


def _annotation(name, keypoint, score, **extra):
    return dict(frame_dir=name, img_shape=(480, 640), total_frames=3,
                keypoint=keypoint, keypoint_score=score, **extra)


def _two_people(v=133):
    """(2, 3, V, 2): a small person in a corner and a big central one."""
    keypoint = np.zeros((2, 3, v, 2), np.float32)
    keypoint[0] = np.linspace([0, 0], [60, 80], v)  # corner, 60x80
    keypoint[1] = np.linspace([200, 100], [440, 400], v)  # centre, 240x300
    score = np.full((2, 3, v), 0.9, np.float32)
    score[1, 0] = 0  # the main signer is missed in frame 0
    return keypoint, score


@pytest.mark.parametrize('protocol', [2, 4, 5])
def test_mmaction_skeleton_pickle(tmp_path, protocol):
    keypoint, score = _two_people()
    path = tmp_path / 'ann.pkl'
    content = dict(split=dict(train=['a']), annotations=[
        _annotation('a', keypoint, score, label=np.int64(3)),
        _annotation('b', keypoint[::-1].copy(), score[::-1].copy())
    ])
    path.write_bytes(pickle.dumps(content, protocol=protocol))
    a, b = read_mmaction_skeleton(str(path), fps=30)
    assert a['id'] == 'a' and a['label'] == 3 and 'label' not in b
    assert (a['width'], a['height'], a['fps']) == (640, 480, 30)
    assert a['keypoints'].shape == (3, 133, 2)
    assert a['keypoints'].dtype == a['scores'].dtype == np.float32
    # the big central person, whichever index it has
    np.testing.assert_array_equal(a['keypoints'], keypoint[1])
    np.testing.assert_array_equal(b['keypoints'], keypoint[1])
    np.testing.assert_array_equal(b['scores'], score[1])
    # a bare list of annotations
    path.write_bytes(pickle.dumps([content['annotations'][1]], protocol))
    (only, ) = read_mmaction_skeleton(str(path), fps=25)
    np.testing.assert_array_equal(only['keypoints'], keypoint[1])


class _Exploit:

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f'touch {self.marker}', )


def test_mmaction_pickle_refuses_code(tmp_path):
    marker = tmp_path / 'ran'
    path = tmp_path / 'evil.pkl'
    path.write_bytes(pickle.dumps(dict(annotations=[_Exploit(marker)])))
    with pytest.raises(ValueError,
                       match=r'evil\.pkl.*refused global (os|posix)\.system'):
        read_mmaction_skeleton(str(path), fps=30)
    assert not marker.exists()


def test_mmaction_pickle_errors(tmp_path):
    path = tmp_path / 'ann.pkl'
    keypoint, score = _two_people(v=17)
    path.write_bytes(pickle.dumps([_annotation('c', keypoint, score)]))
    with pytest.raises(ValueError, match=r'annotation 0 \(c\).*17 points'):
        read_mmaction_skeleton(str(path), fps=30)
    keypoint, score = _two_people()
    path.write_bytes(pickle.dumps([_annotation('d', keypoint, score[:, :2])]))
    with pytest.raises(ValueError, match="'keypoint_score' has shape"):
        read_mmaction_skeleton(str(path), fps=30)
    path.write_bytes(pickle.dumps(dict(split={})))
    with pytest.raises(ValueError, match="'annotations' is missing"):
        read_mmaction_skeleton(str(path), fps=30)
    path.write_bytes(b'\x80\x04garbage')
    with pytest.raises(ValueError, match='ann.pkl: cannot unpickle'):
        read_mmaction_skeleton(str(path), fps=30)


def test_mmaction_annotation_without_person(tmp_path):
    path = tmp_path / 'ann.pkl'
    keypoint, score = _two_people()
    path.write_bytes(pickle.dumps([
        _annotation('a', keypoint, score),
        _annotation('e', keypoint[:0], score[:0])  # M = 0
    ]))
    with pytest.raises(ValueError, match=r"ann\.pkl: annotation 1 \(e\): "
                       r"field 'keypoint' holds no person \(M=0"):
        read_mmaction_skeleton(str(path), fps=30)


def _sample(num_frames, value, score):
    return dict(
        keypoints=np.full((num_frames, 133, 2), value, np.float32),
        scores=np.full((num_frames, 133), score, np.float32),
        width=640.0, height=480.0, fps=25.0)


def test_merge_hand_source_per_frame_and_hand():
    body = _sample(4, 1, 0.9)
    hands = _sample(4, 2, 0.8)
    hands['scores'][0] = 0  # no hands in frame 0
    hands['scores'][1, 91:112] = 0.2  # a weak left hand in frame 1
    merged = merge_hand_source(body, hands, min_score=0.3)
    k = merged['keypoints']
    assert (k[:, :91] == 1).all()  # the body is the body estimator's
    assert (k[0, 91:] == 1).all() and (merged['scores'][0, 91:] == 0.9).all()
    assert (k[1, 91:112] == 1).all() and (k[1, 112:] == 2).all()
    assert (k[2:, 91:] == 2).all() and (merged['scores'][2:, 91:] == 0.8).all()
    assert (body['keypoints'] == 1).all()  # the input is left as it was
    weak_taken = merge_hand_source(body, hands, min_score=0.1)['keypoints']
    assert (weak_taken[1, 91:112] == 2).all()
    # a partial hand estimate of body frames 1-2
    part = merge_hand_source(_sample(4, 1, 0.9), _sample(2, 2, 0.8),
                             frame_offset=1)['keypoints']
    assert (part[[0, 3], 91:] == 1).all() and (part[1:3, 91:] == 2).all()


def test_merge_hand_source_errors():
    with pytest.raises(ValueError, match='hands.mp4.json has 3 frames, '
                       'body.pose 4'):
        merge_hand_source(_sample(4, 1, 1), _sample(3, 1, 1),
                          body_source='body.pose',
                          hand_source='hands.mp4.json')
    with pytest.raises(ValueError, match='do not fit'):
        merge_hand_source(_sample(4, 1, 1), _sample(3, 1, 1), frame_offset=2)
    hands = _sample(4, 1, 1)
    hands['width'] = 320.0
    with pytest.raises(ValueError, match="'width' is 640.0 in body but 320"):
        merge_hand_source(_sample(4, 1, 1), hands)
    hands = _sample(4, 1, 1)
    hands['keypoints'] = hands['keypoints'][:, :79]
    with pytest.raises(ValueError, match=r'hands: .*expected \(T, 133, 2\)'):
        merge_hand_source(_sample(4, 1, 1), hands)
