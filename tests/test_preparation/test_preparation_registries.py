"""Pose formats, annotation loaders and pose extractors are registries: a
plugin project adds one with a decorator and the conversion uses it by
name; an unknown name is refused with the registered ones listed."""
import numpy as np
import pytest

from slp_mm.corpus import SignCorpus
from slp_mm.preparation.converters import (Annotations, annotation_loader,
                                           get_annotation_loader, make_record)
from slp_mm.preparation.dataset_conversion import convert_dataset
from slp_mm.preparation.pose_readers import get_pose_format, pose_format
from slp_mm.registry import ANNOTATION_LOADERS, POSE_FORMATS


@pytest.fixture
def plugin_registries(monkeypatch):
    """The two registries, restored after the test."""
    for registry in (POSE_FORMATS, ANNOTATION_LOADERS):
        registry.import_from_location()
        monkeypatch.setattr(registry, '_module_dict',
                            dict(registry.module_dict))


def test_plugin_format_and_dataset_are_converted(plugin_registries,
                                                 tmp_path):
    """A toy dataset of two videos whose poses are CSV files of
    x, y, score per point, one row per frame."""

    @annotation_loader('toy-signs', video_info=dict(fps=12.5))
    def load_toy(ann_dir, splits=('train', )):
        return Annotations(
            {'train': [
                make_record(dataset='toy', language='en', split='train',
                            id=name, signer='s1', gloss='HELLO',
                            text='hello', video=name, num_frames=None)
                for name in ('a', 'b')]}, [])

    @pose_format('toy-csv', extensions=('.csv', ), stores_video_info=False)
    def read_toy_csv(path, width=None, height=None, fps=None):
        xys = np.loadtxt(path, delimiter=',', ndmin=2).reshape(-1, 133, 3)
        return dict(keypoints=xys[..., :2].astype(np.float32),
                    scores=xys[..., 2].astype(np.float32), width=width,
                    height=height, fps=fps)

    assert get_pose_format('toy-csv') is read_toy_csv
    assert get_annotation_loader('toy-signs').video_info == dict(
        width=None, height=None, fps=12.5)
    (tmp_path / 'ann').mkdir()
    poses = tmp_path / 'poses'
    poses.mkdir()
    rng = np.random.default_rng(0)
    expected = {}
    for name, frames in (('a', 3), ('b', 5)):
        xys = rng.uniform(1, 99, (frames, 133, 3))
        xys[..., 2] /= 100  # scores in [0, 1]
        np.savetxt(poses / f'{name}.csv', xys.reshape(frames, -1),
                   delimiter=',')
        expected[name] = xys.astype(np.float32)

    # the format stores no video size: the user gives it
    with pytest.raises(ValueError, match='toy-signs videos differ in '
                       'width/height: pass --width --height'):
        convert_dataset('toy-signs', str(tmp_path / 'ann'), str(poses),
                        str(tmp_path / 'out'), 'toy-csv', ('train', ))
    convert_dataset('toy-signs', str(tmp_path / 'ann'), str(poses),
                    str(tmp_path / 'out'), 'toy-csv', ('train', ),
                    dict(width=100.0, height=100.0))
    corpus = SignCorpus(str(tmp_path / 'out' / 'train'))
    assert [corpus[i]['id'] for i in range(len(corpus))] == ['a', 'b']
    for i, name in enumerate(('a', 'b')):
        sample = corpus[i]
        np.testing.assert_allclose(sample['keypoints'],
                                   expected[name][..., :2], rtol=1e-6)
        np.testing.assert_allclose(sample['scores'], expected[name][..., 2],
                                   rtol=1e-6)
        assert (sample['width'], sample['height'], sample['fps']) == (
            100.0, 100.0, 12.5)


def test_unknown_names_list_the_registered_ones(tmp_path):
    with pytest.raises(ValueError, match=r"unknown pose format 'csv', "
                       r"expected one of \['mmpose-json', 'npz', "
                       r"'openpose-json', 'pose'\]"):
        convert_dataset('phoenix2014t', str(tmp_path), str(tmp_path),
                        str(tmp_path / 'out'), 'csv')
    with pytest.raises(ValueError, match=r"unknown annotation loader "
                       r"'phoenix', expected one of \['csl-daily', "
                       r"'how2sign', 'msasl100'"):
        convert_dataset('phoenix', str(tmp_path), str(tmp_path),
                        str(tmp_path / 'out'))
