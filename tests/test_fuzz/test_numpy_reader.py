"""Damaged or foreign ``.npy``/``.npz`` files: refused with a ValueError
naming the file (object arrays above all: no pickle is ever loaded), or
read to the data contract."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from slp_mm.preparation.pose_readers import read_numpy_pose
from .case_outcomes import assert_pose_contract, read_or_refuse
from .mutations import damaged_bytes

K = 5  # points per frame: small, so a case is cheap

dtypes = st.one_of(hnp.integer_dtypes(), hnp.floating_dtypes(),
                   hnp.complex_number_dtypes(), hnp.boolean_dtypes(),
                   hnp.unicode_string_dtypes(max_len=3),
                   hnp.datetime64_dtypes())
shapes = st.one_of(
    st.just((2, K, 3)), st.just((0, K, 3)),
    hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4))
arrays = st.one_of(
    hnp.arrays(dtypes, shapes),
    hnp.arrays(np.float32, st.just((3, K, 3)),
               elements=st.floats(width=32, allow_nan=True)),
    st.just(np.array([{'x': 1}, None], dtype=object)))


@pytest.fixture(scope='module')
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp('numpy')


def _read(path):
    return read_or_refuse('.npy/.npz',
                          lambda: read_numpy_pose(path, 64, 48, 25, K), path)


def _check(pose):
    if pose is not None:
        assert_pose_contract(pose, K)


@given(array=arrays)
def test_foreign_npy(folder, array):
    path = str(folder / 'clip.npy')
    np.save(path, array, allow_pickle=True)
    pose = _read(path)
    expect_read = (array.shape[1:] == (K, 3) and array.dtype.kind in 'iuf')
    assert (pose is not None) == expect_read, (array.dtype, array.shape)
    _check(pose)


@given(
    arrays=st.dictionaries(
        st.sampled_from(['keypoints', 'width', 'height', 'fps', 'other']),
        arrays, max_size=4))
def test_foreign_npz(folder, arrays):
    path = str(folder / 'clip.npz')
    np.savez(path, **arrays)
    _check(_read(path))


@pytest.mark.parametrize('suffix', ['.npy', '.npz'])
@given(data=st.data())
def test_damaged_file(folder, suffix, data):
    path = str(folder / f'clip{suffix}')
    kpts = np.arange(2 * K * 3, dtype=np.float32).reshape(2, K, 3)
    if suffix == '.npy':
        np.save(path, kpts)
    else:
        np.savez_compressed(path, keypoints=kpts, width=64.0)
    with open(path, 'rb') as f:
        original = f.read()
    with open(path, 'wb') as f:
        f.write(data.draw(damaged_bytes(original), label='file'))
    _check(_read(path))


def test_object_array_is_refused_without_unpickling(folder):
    path = str(folder / 'objects.npy')
    np.save(path, np.array([None, {'a': 1}], dtype=object),
            allow_pickle=True)
    with pytest.raises(ValueError, match='objects.npy: not a readable .*'
                       'allow_pickle=False'):
        read_numpy_pose(path, 64, 48, 25, K)
