"""Every converter records the split it converted in the corpus manifest, and
the pre-training mixture takes its train split and refuses its evaluation
splits (for isolated signs the template sentence is the test label)."""
import csv
import json
import os.path as osp

import numpy as np
import pytest

from slp_mm.corpus import SignCorpus
from slp_mm.corpus.corpus_builder import CorpusBuilder
from slp_mm.preparation.bobsl_conversion import convert_bobsl
from slp_mm.preparation.converters.traduttore_asl_words import \
    CSV, NPZ, convert_traduttore
from slp_mm.preparation.dataset_conversion import convert_dataset
from .test_bobsl_converter import _make_release
from .test_converters import T_HEADER, _t_row
from .test_isolated_converters import _instance


def _poses(folder, names, **info):
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    for name in names:
        pose = rng.uniform(1, 200, (4, 133, 3))
        pose[..., 2] /= 200  # scores in [0, 1]
        np.savez(folder / f'{name}.npz', keypoints=pose, **info)


def _phoenix2014t(tmp_path):
    ann = tmp_path / 'ann'
    ann.mkdir()
    for split in ('train', 'dev', 'test'):
        (ann / f'PHOENIX-2014-T.{split}.corpus.csv').write_text(
            f'{T_HEADER}\n{_t_row(split + "1")}\n', encoding='utf-8')
    _poses(tmp_path / 'poses', ('train1', 'dev1', 'test1'))
    convert_dataset('phoenix2014t', str(ann), str(tmp_path / 'poses'),
                    str(tmp_path / 'out'))
    return ('train', 'dev', 'test')


def _wlasl100(tmp_path):
    ann = tmp_path / 'ann'
    ann.mkdir()
    glosses = [dict(gloss=f'word{i}', instances=[]) for i in range(100)]
    glosses[0]['instances'] = [_instance('v1'), _instance('v2', split='val'),
                               _instance('v3', split='test')]
    (ann / 'WLASL_v0.3.json').write_text(json.dumps(glosses))
    _poses(tmp_path / 'poses', ('v1', 'v2', 'v3'), width=320.0,
           height=240.0)
    convert_dataset('wlasl100', str(ann), str(tmp_path / 'poses'),
                    str(tmp_path / 'out'))
    return ('train', 'dev', 'test')  # WLASL's 'val' is our 'dev'


def _bobsl(tmp_path):
    _make_release(tmp_path)
    # the fake release's test episodes have no subtitle or pose file
    with pytest.raises(ValueError, match='Every input of 1 split'):
        convert_bobsl(str(tmp_path / 'release'), str(tmp_path / 'poses'),
                      str(tmp_path / 'out'), max_duration=20)
    return ('train', 'dev', 'test')


def _traduttore(tmp_path):
    """A two-class release: per class one sample in each of two recording
    blocks (the first block trains)."""
    src = tmp_path / 'src'
    src.mkdir()
    rng = np.random.default_rng(0)
    ids = ['s0', 's1', 's2', 's3']
    np.savez(src / NPZ, keypoints=rng.uniform(0.1, 1, (4, 5, 258)),
             label_index=np.array([0, 0, 1, 1]), sample_id=np.array(ids),
             classes=np.array(['hello', 'thanks']))
    with open(src / CSV, 'w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(['sample_id', 'label_index', 'block', 'uploader'])
        writer.writerows([['s0', 0, 1, 'u'], ['s1', 0, 2, 'u'],
                          ['s2', 1, 3, 'u'], ['s3', 1, 4, 'u']])
    assert convert_traduttore(str(src), str(tmp_path / 'out')) == dict(
        train=2, test=2)
    return ('train', 'test')


@pytest.mark.parametrize('convert', [_phoenix2014t, _wlasl100, _bobsl,
                                     _traduttore])
def test_converters_record_the_split_and_mixing_takes_train_only(
        convert, tmp_path):
    splits = convert(tmp_path)
    out = tmp_path / 'out'
    corpora = {split: str(out / split) for split in splits}
    for split, path in corpora.items():
        with open(osp.join(path, 'corpus.json')) as f:
            manifest = json.load(f)
        assert manifest['split'] == split
        # the mixture below really mixes samples
        assert split != 'train' or manifest['num_samples'] > 0
        assert SignCorpus(path).split == split
    stats = CorpusBuilder(str(tmp_path / 'mix'), [corpora['train']]).build()
    assert stats['sources'][corpora['train']]['split'] == 'train'
    for split in splits[1:]:
        with pytest.raises(ValueError, match=f"{corpora[split]} \\(split "
                           f"'{split}'\\): a dev/test corpus"):
            CorpusBuilder(str(tmp_path / f'mix-{split}'), [corpora[split]])
