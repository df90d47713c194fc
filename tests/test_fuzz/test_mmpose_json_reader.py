"""Damaged MMPose prediction JSON: refused with a ValueError naming the
file, or read to the data contract."""
import json

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from slp_mm.preparation.pose_readers import read_mmpose_json
from .case_outcomes import assert_pose_contract, read_or_refuse

K = 4  # points per instance: small, so a case is cheap

coordinate = st.floats(-10, 200, width=32)
instance = st.fixed_dictionaries(
    dict(
        keypoints=st.lists(st.tuples(coordinate, coordinate),
                           min_size=K, max_size=K),
        keypoint_scores=st.lists(st.floats(0, 1), min_size=K, max_size=K),
        bbox=st.tuples(coordinate, coordinate, coordinate,
                       coordinate).map(lambda box: [list(box)]),
        bbox_score=st.floats(0, 1)))
frames = st.lists(
    st.lists(instance, max_size=3), min_size=1, max_size=6).map(
        lambda per_frame: [dict(frame_id=i, instances=insts)
                           for i, insts in enumerate(per_frame)])

# what a wrong producer writes in place of a field's value
wrong_value = st.one_of(
    st.none(), st.booleans(), st.text(max_size=4),
    st.sampled_from(['1.5', 'nan', '', '[]']),
    st.integers(-2**70, 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.recursive(st.floats(-5, 5), lambda inner: st.lists(inner, max_size=3),
                 max_leaves=6))
FIELDS = ('frame_id', 'instances', 'keypoints', 'keypoint_scores', 'bbox')


@st.composite
def damaged_predictions(draw) -> str:
    """Valid predictions with one field replaced, removed, nested one level
    deeper or shallower, or a frame id made huge; then maybe cut short."""
    data = draw(frames)
    frame = draw(st.sampled_from(data))
    field = draw(st.sampled_from(FIELDS))
    owner = frame
    if field not in ('frame_id', 'instances'):
        if not frame['instances']:
            frame['instances'].append(draw(instance))
        owner = draw(st.sampled_from(frame['instances']))
    change = draw(st.sampled_from(('replace', 'remove', 'deeper',
                                   'shallower', 'huge_frame_id')))
    if change == 'replace':
        owner[field] = draw(wrong_value)
    elif change == 'remove':
        del owner[field]
    elif change == 'deeper':
        owner[field] = [owner[field]]
    elif change == 'shallower' and isinstance(owner[field], list):
        owner[field] = sum((v if isinstance(v, list) else [v]
                            for v in owner[field]), [])
    elif change == 'huge_frame_id':
        data[-1]['frame_id'] = 10**12
    text = json.dumps(data)  # NaN / Infinity literals as Python writes them
    if draw(st.booleans()):
        text = text[:draw(st.integers(0, len(text) - 1))]
    return text


@pytest.fixture(scope='module')
def json_path(tmp_path_factory):
    return str(tmp_path_factory.mktemp('mmpose') / 'predictions.json')


def _read(path, text, num_keypoints=K):
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text)
    return read_or_refuse(
        'MMPose JSON',
        lambda: read_mmpose_json(path, 64, 48, 25, num_keypoints), path)


@given(text=frames.map(json.dumps))
def test_valid_predictions_read(json_path, text):
    pose = _read(json_path, text)
    assert pose is not None
    assert_pose_contract(pose, K)
    assert len(pose['keypoints']) == len(json.loads(text))


@given(text=damaged_predictions())
@example(text='')
@example(text='[' * 100000)  # nested past the parser's recursion limit
@example(text='[{"frame_id": 0, "instances": [{"keypoints": '
         '[["1.5", "2"], [0, 0], [0, 0], [0, 0]], "keypoint_scores": '
         '[1, 1, 1, 1], "bbox": [[0, 0, 9, 9]]}]}]')  # strings for numbers
@example(text='[{"frame_id": 0, "instances": [{"keypoints": '
         '[[1e400, NaN], [Infinity, 0], [0, 0], [0, 0]], "keypoint_scores":'
         ' [1, 1, 1, 1], "bbox": [[0, 0, 9, 9]]}]}]')
def test_damaged_predictions(json_path, text):
    pose = _read(json_path, text)
    if pose is not None:
        assert_pose_contract(pose, K)


def test_non_utf8_and_strings_for_numbers_name_the_field(json_path):
    with open(json_path, 'wb') as f:
        f.write(b'[{"frame_id": 0, "instances": [\xff]}]')
    with pytest.raises(ValueError, match='predictions.json: not valid JSON'):
        read_mmpose_json(json_path, 64, 48, 25, K)
    with open(json_path, 'w') as f:
        f.write('[{"frame_id": 0, "instances": [{"keypoints": [["1", "2"]],'
                ' "keypoint_scores": [1], "bbox": [[0, 0, 9, 9]]}]}]')
    with pytest.raises(ValueError, match="frame 0, instance 0: field "
                       "'keypoints' holds str values, expected numbers"):
        read_mmpose_json(json_path, 64, 48, 25, num_keypoints=1)
