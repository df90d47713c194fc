"""The pickle baselines of benchmarks/bench_loader.py: they must read back
exactly what was written, and run no code but numpy's on load."""
import os
import os.path as osp
import pickle
import sys

import numpy as np
import pytest

sys.path.insert(0, osp.join(osp.dirname(__file__), '..', '..', 'benchmarks'))
from pickle_baselines import (ClipPickles, DatasetPickle,  # noqa: E402
                              PickleSignPoseDataset, load_pickle,
                              write_clip_pickles, write_dataset_pickle)
from synthetic_clips import random_clips  # noqa: E402


def _clips():
    return list(random_clips([3, 5], seed=1))


@pytest.mark.parametrize('protocol', [4, 5])  # _reconstruct, _frombuffer
def test_numpy_arrays_and_scalars_load(tmp_path, protocol):
    data = dict(kpts=np.arange(6, dtype=np.float32).reshape(3, 2),
                fps=np.float64(25.0), text='x')
    path = str(tmp_path / 'a.pkl')
    with open(path, 'wb') as f:
        pickle.dump(data, f, protocol=protocol)
    loaded = load_pickle(path)
    np.testing.assert_array_equal(loaded['kpts'], data['kpts'])
    assert loaded['kpts'].dtype == np.float32
    assert loaded['fps'] == 25.0 and loaded['text'] == 'x'


def test_any_other_global_is_refused(tmp_path):
    path = str(tmp_path / 'evil.pkl')
    with open(path, 'wb') as f:
        pickle.dump(dict(call=os.getcwd), f)  # a reference to os.getcwd
    with pytest.raises(pickle.UnpicklingError,
                       match=r'evil\.pkl: refusing global posix\.getcwd'):
        load_pickle(path)


def test_both_layouts_read_back_what_was_written(tmp_path):
    clips = _clips()
    folder = str(tmp_path / 'clips')
    write_clip_pickles(folder, iter(clips))
    file = str(tmp_path / 'whole' / 'dataset.pkl')
    write_dataset_pickle(file, iter(clips))
    assert sorted(os.listdir(folder)) == ['clip-0000000.pkl',
                                          'clip-0000001.pkl']
    for reader in (ClipPickles(folder), DatasetPickle(file)):
        assert len(reader) == 2
        for i, clip in enumerate(clips):
            got = reader[i]
            assert got['id'] == clip['id']
            assert got['keypoints'].shape == (len(clip['keypoints']), 133, 2)
            np.testing.assert_array_equal(got['keypoints'], clip['keypoints'])
            np.testing.assert_array_equal(got['scores'], clip['scores'])


def test_whole_pickle_rows_are_copies(tmp_path):
    file = str(tmp_path / 'dataset.pkl')
    write_dataset_pickle(file, iter(_clips()))
    reader = DatasetPickle(file)
    reader[0]['keypoints'] = None  # what a transform does to its results
    assert reader[0]['keypoints'].shape == (3, 133, 2)


def test_a_wrong_whole_pickle_names_the_file(tmp_path):
    file = str(tmp_path / 'dataset.pkl')
    with open(file, 'wb') as f:
        pickle.dump({'a': 1}, f)
    with pytest.raises(TypeError, match=r'dataset\.pkl: expected a pickled '
                       'list of sample dicts, found dict'):
        DatasetPickle(file)


def test_empty_clip_folder_is_an_error(tmp_path):
    with pytest.raises(FileNotFoundError, match='no <id>.pkl clip files'):
        ClipPickles(str(tmp_path))


def test_dataset_runs_the_pipeline_on_pickled_rows(tmp_path):
    folder = str(tmp_path / 'clips')
    write_clip_pickles(folder, iter(_clips()))
    pipeline = [dict(type='TemporalSample', max_frames=4,
                     mode='center_crop')]
    dataset = PickleSignPoseDataset(ClipPickles(folder), pipeline)
    assert len(dataset) == 2
    assert dataset[0]['keypoints'].shape == (3, 133, 2)  # kept whole
    out = dataset[1]  # 5 frames, centre crop of 4: frames 0..3
    np.testing.assert_array_equal(out['frame_inds'], [0, 1, 2, 3])
    assert out['sample_idx'] == 1 and out['id'] == 'clip-0000001'
