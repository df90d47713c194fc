"""Damaged ``.pose`` files: refused with a ValueError naming the file, or
read to the data contract."""
import io

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from slp_mm.preparation.pose_readers import read_pose_file
from tests.conftest import shared_file
from .case_outcomes import assert_pose_contract, read_or_refuse
from .mutations import damaged_bytes


def _written_pose_bytes() -> bytes:
    """A 3-frame COCO-WholeBody file with one masked point."""
    from pose_format import Pose
    from pose_format.numpy import NumPyPoseBody
    from pose_format.pose_header import (PoseHeader, PoseHeaderComponent,
                                         PoseHeaderDimensions)
    components = [
        PoseHeaderComponent(name, [f'{name}_{i}' for i in range(n)], [], [],
                            'XYC')
        for name, n in (('BODY', 23), ('FACE', 68), ('LEFT_HAND', 21),
                        ('RIGHT_HAND', 21))
    ]
    header = PoseHeader(0.1, PoseHeaderDimensions(64, 48, 1), components)
    rng = np.random.default_rng(0)
    coords = rng.uniform(0, 48, (3, 1, 133, 2)).astype(np.float32)
    mask = np.zeros(coords.shape, bool)
    mask[1, 0, 7] = True
    body = NumPyPoseBody(25, np.ma.masked_array(coords, mask),
                         rng.uniform(0, 1, (3, 1, 133)).astype(np.float32))
    buffer = io.BytesIO()
    Pose(header, body).write(buffer)
    return buffer.getvalue()


@pytest.fixture(scope='module', params=['written', 'SOUP'])
def pose_bytes(request):
    if request.param == 'written':
        return _written_pose_bytes()
    path = shared_file('slp-pose-wholebody133', 'SOUP.mmposewholebody.pose')
    with open(path, 'rb') as f:
        return f.read()


@pytest.fixture(scope='module')
def pose_path(tmp_path_factory):
    return str(tmp_path_factory.mktemp('pose') / 'clip.pose')


def test_undamaged_files_read(pose_bytes, pose_path):
    with open(pose_path, 'wb') as f:
        f.write(pose_bytes)
    assert_pose_contract(read_pose_file(pose_path))


@given(data=st.data())
def test_damaged_pose_file(pose_bytes, pose_path, data):
    with open(pose_path, 'wb') as f:
        f.write(data.draw(damaged_bytes(pose_bytes), label='file'))
    pose = read_or_refuse('.pose file', lambda: read_pose_file(pose_path),
                          pose_path)
    if pose is not None:
        assert_pose_contract(pose)
