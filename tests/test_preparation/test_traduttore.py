"""The real traduttore ASL words sample: conversion and a short ISLR run."""
import copy
import os.path as osp

import numpy as np
import pytest
from mmengine.config import Config
from mmengine.runner import Runner

from slp_mm.corpus import SignCorpus
from slp_mm.preparation.converters.traduttore_asl_words import \
    convert_traduttore

from ..conftest import REPO, shared_file


@pytest.fixture(scope='module')
def corpora(tmp_path_factory):
    src = osp.dirname(shared_file('traduttore-asl-words', 'classes.txt'))
    out = str(tmp_path_factory.mktemp('traduttore'))
    assert convert_traduttore(src, out) == dict(train=210, test=210)
    return src, out


def test_split_by_recording_block(corpora):
    src, out = corpora
    train, test = SignCorpus(osp.join(out, 'train')), SignCorpus(
        osp.join(out, 'test'))
    assert np.bincount(train.column('label')).tolist() == [15] * 14
    assert np.bincount(test.column('label')).tolist() == [15] * 14
    assert not set(train.column('id')) & set(test.column('id'))
    # a second run keeps the finished corpora
    assert convert_traduttore(src, out) == dict(train=210, test=210)


def test_holistic_vector_maps_onto_coco_wholebody(corpora):
    src, out = corpora
    raw = np.load(osp.join(src, 'traduttore_asl_words_shared.npz'))
    corpus = SignCorpus(osp.join(out, 'train'))
    row = corpus[0]
    i = list(raw['sample_id']).index(row['id'])
    vec = raw['keypoints'][i]  # (20, 258)
    pose = vec[:, :132].reshape(20, 33, 4)
    right = vec[:, 195:].reshape(20, 21, 3)
    np.testing.assert_allclose(row['keypoints'][:, 10], pose[:, 16, :2])
    np.testing.assert_allclose(row['scores'][:, 10], pose[:, 16, 3])
    np.testing.assert_allclose(row['keypoints'][:, 112:133], right[..., :2])
    assert (row['scores'][:, 23:91] == 0).all()  # no face in the source
    left_missing = np.abs(vec[:, 132:195]).sum(1) == 0
    assert (row['scores'][left_missing, 91:112] == 0).all()


def test_islr_config_trains_and_evaluates(corpora, tmp_path):
    _, out = corpora
    cfg = Config.fromfile(
        osp.join(REPO, 'configs', 'islr', 'traduttore_asl_words_scratch.py'))
    cfg = copy.deepcopy(cfg)
    for loader in (cfg.train_dataloader, cfg.val_dataloader,
                   cfg.test_dataloader):
        loader.dataset.data_root = out
    cfg.work_dir = str(tmp_path)
    cfg.train_cfg.max_epochs = 2
    cfg.train_cfg.val_interval = 2
    runner = Runner.from_cfg(cfg)
    runner.train()
    metrics = runner.test()
    assert {'islr/top1_acc', 'islr/top5_acc', 'islr/mean_class_top1_acc',
            'islr/mean_class_top5_acc'} <= set(metrics)
    assert metrics['islr/top5_acc'] >= metrics['islr/top1_acc'] > 100 / 14
