"""The downstream tasks (ISLR, CSLR, SLT, retrieval) train on the batched
path by default: the dataset stops at row read, temporal sampling and the
label / gloss / sentence, and the model's data preprocessor runs the pose
stages on the batch. The same clips through a task's per-sample
``train_pipeline`` give the same batch (random stages fixed)."""
import copy
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate

from slp_mm.corpus import SignCorpus
from slp_mm.registry import DATASETS, MODELS
from slp_mm.structures import GlossVocabulary

from ..conftest import REPO

TASKS = ('islr/wlasl2000.py', 'islr/traduttore_asl_words_scratch.py',
         'cslr/phoenix2014.py', 'slt/phoenix2014t.py',
         'retrieval/phoenix2014t.py')
# fixed parameters instead of random ones: a scaling by 0.9
FIXED_AFFINE = dict(max_rotation=0.0, scale=(0.9, 0.9), max_shift=0.0)


def _load(task):
    return Config.fromfile(osp.join(REPO, 'configs', task))


@pytest.mark.parametrize('task', TASKS)
def test_training_defaults_to_the_batched_path(task):
    cfg = _load(task)
    pipeline = cfg.train_dataloader.dataset.pipeline
    batch_transforms = cfg.model.data_preprocessor.batch_transforms
    assert pipeline == cfg.batched_train_pipeline
    assert batch_transforms == cfg.train_batch_transforms
    assert pipeline[-1] == dict(type='PackSignInputs', stack=False)
    # the per-sample variant: the same stages, the pose ones in the dataset
    per_sample = [t['type'] for t in cfg.train_pipeline]
    pose_stages = [t['type'] for t in batch_transforms]
    assert pose_stages[:2] == ['SelectKeypoints', 'NormalizeParts']
    start = per_sample.index('TemporalSample') + 1
    assert per_sample[start:start + len(pose_stages)] == pose_stages
    assert per_sample[:start] + per_sample[start + len(pose_stages):] == [
        t['type'] for t in pipeline
    ]
    # validation and test keep every stage per sample
    assert 'SelectKeypoints' in [
        t['type'] for t in cfg.val_dataloader.dataset.pipeline
    ]


def test_per_sample_variant_config():
    cfg = _load('islr/wlasl2000_per_sample_pipeline.py')
    assert cfg.train_dataloader.dataset.pipeline == cfg.train_pipeline
    assert cfg.model.data_preprocessor.batch_transforms == []


def _local(transforms, corpus):
    """Transforms with the random affine fixed and the tokenizer local."""
    out = []
    for t in copy.deepcopy(transforms):
        if t['type'] == 'RandomAffinePose':
            t.update(FIXED_AFFINE)
        if t['type'] == 'TokenizeText':
            t['tokenizer'] = osp.join(corpus, 'tokenizer')
        out.append(t)
    return out


def _batch(cfg, corpus, pipeline, batch_transforms, indices, gloss_vocab):
    """``indices`` of the synthetic corpus through ``pipeline`` (numpy
    seeded per clip: the same temporal sampling both ways) and the model's
    data preprocessor with ``batch_transforms``, as in training."""
    dataset = DATASETS.build(
        dict(cfg.train_dataloader.dataset,
             data_root='',
             ann_file=corpus,
             pipeline=_local(pipeline, corpus),
             gloss_vocab=gloss_vocab))
    items = []
    for i in indices:
        np.random.seed(i)
        items.append(dataset[i])
    preprocessor = MODELS.build(
        dict(cfg.model.data_preprocessor,
             batch_transforms=_local(batch_transforms, corpus)))
    return preprocessor(pseudo_collate(items), True)


@pytest.mark.parametrize('task', TASKS)
def test_batched_path_equals_per_sample(task, synthetic_corpus, tmp_path):
    cfg = _load(task)
    gloss = SignCorpus(synthetic_corpus).column('gloss')
    vocab = None
    if task.startswith('cslr'):
        vocab = str(tmp_path / 'vocab.json')
        GlossVocabulary.build(gloss).save(vocab)
    indices = [i for i, g in enumerate(gloss) if g][:6]  # skips none
    per_sample = _batch(cfg, synthetic_corpus, cfg.train_pipeline, [], indices,
                        vocab)
    batched = _batch(cfg, synthetic_corpus, cfg.batched_train_pipeline,
                     cfg.train_batch_transforms, indices, vocab)
    want, got = per_sample['inputs'], batched['inputs']
    assert got['pose'].shape == want['pose'].shape
    assert want['pose'].shape[2] == 79
    torch.testing.assert_close(got['pose'], want['pose'], rtol=1e-6, atol=1e-6)
    # missing joints and time padding are 0 both ways
    assert torch.equal(got['pose'] == 0, want['pose'] == 0)
    assert not got['pose'][~got['pose_mask']].any()
    for key in ('pose_mask', 'paired', 'text_ids', 'text_mask'):
        if want[key] is None:
            assert got[key] is None, key
        else:
            assert torch.equal(got[key], want[key]), key
    for a, b in zip(per_sample['data_samples'], batched['data_samples']):
        assert a.sample_id == b.sample_id
        for field in ('gt_label', 'gloss_ids', 'text_ids'):
            assert (a.get(field) is None) == (b.get(field) is None), field
            if a.get(field) is not None:
                assert np.array_equal(np.asarray(a.get(field)),
                                      np.asarray(b.get(field))), field
    if task.startswith('cslr'):
        assert all(len(s.gloss_ids) for s in batched['data_samples'])
    if task.startswith(('slt', 'retrieval')):
        assert bool(got['paired'].all())
