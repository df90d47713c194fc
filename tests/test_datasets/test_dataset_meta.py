"""The dataset's metainfo names what the model predicts; mmengine's Runner
saves it in every checkpoint as ``dataset_meta``."""
import numpy as np

from slp_mm.corpus.sign_corpus import SignCorpusWriter
from slp_mm.datasets import SignPoseDataset


def _corpus(path, rows):
    with SignCorpusWriter(str(path), split='train') as writer:
        for i, (label, gloss, language) in enumerate(rows):
            writer.write(dict(
                id=f's{i}', keypoints=np.ones((4, 133, 2), np.float32),
                scores=np.ones((4, 133), np.float32), width=640.,
                height=480., fps=25., label=label, gloss=gloss,
                language=language))
    return str(path)


def test_classes_and_languages_come_from_the_corpus(tmp_path):
    corpus = _corpus(tmp_path / 'islr', [(2, ['HOUSE'], 'en'),
                                         (0, ['RAIN'], 'en'),
                                         (2, ['HOUSE'], 'de')])
    meta = SignPoseDataset(ann_file=corpus).metainfo
    # label 1 has no sample: its name is unknown, not shifted
    assert meta == dict(classes=['RAIN', None, 'HOUSE'],
                        languages=['de', 'en'])
    given = SignPoseDataset(ann_file=corpus,
                            metainfo=dict(classes=['a', 'b', 'c']))
    assert given.metainfo['classes'] == ['a', 'b', 'c']


def test_a_corpus_without_labels_has_no_classes(tmp_path):
    corpus = _corpus(tmp_path / 'text', [(None, None, 'zh')])
    assert SignPoseDataset(ann_file=corpus).metainfo == dict(
        languages=['zh'])
