"""SignPretrainer's predict mode and a retrieval config run end to end on
the synthetic corpus."""
import copy
import math
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.runner import Runner

from slp_mm.registry import DATASETS, MODELS

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


@pytest.fixture(scope='module')
def ds_and_model(demo_cfg, synthetic_corpus):
    torch.manual_seed(0)
    cfg = copy.deepcopy(demo_cfg.train_dataloader.dataset)
    cfg.type = 'SignPoseDataset'
    for key in ('num_samples', 'seed'):
        cfg.pop(key)
    cfg.data_root, cfg.ann_file = '', synthetic_corpus
    for t in cfg.pipeline:  # HierarchicalPoseMask stays: predict ignores it
        if t.type == 'TemporalSample':
            t.mode = 'uniform'  # the same frames at every read
        if t.type == 'TokenizeText':
            t.tokenizer = osp.join(synthetic_corpus, 'tokenizer')
    model = MODELS.build(demo_cfg.model)
    model.eval()
    return DATASETS.build(cfg), model


def _predict(ds, model, indexes, unpaired=()):
    items = [ds[i] for i in indexes]
    for i in unpaired:
        del items[i]['data_samples'].text_ids
    data = model.data_preprocessor(pseudo_collate(items), training=False)
    with torch.no_grad():
        return data, model(**data, mode='predict')


def test_predict_sets_normalised_unmasked_embeddings(ds_and_model):
    ds, model = ds_and_model
    paired = [i for i in range(len(ds)) if ds[i]['data_samples'].is_paired]
    data, samples = _predict(ds, model, paired[:4])
    inp = data['inputs']
    assert inp['mpm_mask'] is not None and inp['mpm_mask'].any()
    window = model.stc_head.window
    for s in samples:
        t_clips = math.ceil(inp['pose'].shape[1] / window)
        assert s.clip_embeds.shape == (t_clips, 64)  # (T', E)
        assert s.word_embeds.shape == (inp['text_ids'].shape[1], 64)
        assert s.clip_mask.sum() == math.ceil(s.num_frames / window)
        assert s.word_mask.sum() == len(s.text_ids)
        for x, m in ((s.clip_embeds, s.clip_mask),
                     (s.word_embeds, s.word_mask)):
            assert torch.allclose(x[m].norm(dim=-1), torch.ones(int(m.sum())))
    # no MPM masking at test time: the same embeddings without an mpm_mask
    first = samples[0].clip_embeds.clone()
    inp['mpm_mask'] = None
    with torch.no_grad():
        again = model(inp, copy.deepcopy(data['data_samples']), 'predict')
    assert torch.allclose(again[0].clip_embeds, first, atol=1e-6)
    # and padding to the batch changes nothing
    _, alone = _predict(ds, model, paired[:1])
    n = int(alone[0].clip_mask.sum())
    assert torch.allclose(alone[0].clip_embeds[:n], first[:n], atol=1e-5)
    n = int(alone[0].word_mask.sum())
    assert torch.allclose(alone[0].word_embeds[:n],
                          samples[0].word_embeds[:n], atol=1e-5)


def test_predict_names_unpaired_sample(ds_and_model):
    ds, model = ds_and_model
    with pytest.raises(ValueError, match='paired_only') as err:
        _predict(ds, model, [0, 1], unpaired=[1])
    assert repr(ds[1]['data_samples'].sample_id) in str(err.value)


def test_retrieval_config_scores_and_trains_stc_only(demo_cfg,
                                                     synthetic_corpus,
                                                     ds_and_model, tmp_path):
    cfg = Config.fromfile(
        osp.join(REPO, 'configs', 'retrieval', 'phoenix2014t.py'))
    cfg.model = copy.deepcopy(demo_cfg.model)
    cfg.model.mpm_head = None
    loader = cfg.val_dataloader
    loader.update(batch_size=8, num_workers=0)
    loader.dataset.update(data_root='', ann_file=synthetic_corpus, indices=16)
    assert loader.dataset.paired_only
    for t in loader.dataset.pipeline:
        assert t.type != 'HierarchicalPoseMask'
        if t.type == 'TemporalSample':
            assert t.mode == 'uniform'
            t.max_frames = 64
        if t.type == 'TokenizeText':
            t.update(tokenizer=osp.join(synthetic_corpus, 'tokenizer'),
                     max_length=32)
    for key in ('train_dataloader', 'train_cfg', 'optim_wrapper',
                'param_scheduler', 'test_dataloader', 'test_evaluator',
                'test_cfg'):
        cfg[key] = None
    # mmengine's CheckpointHook can only pick a best checkpoint when training
    save_best = cfg.default_hooks.checkpoint.pop('save_best')
    # start from a pre-training checkpoint (MPM head included) by load_from
    pretrained = ds_and_model[1]
    cfg.load_from = str(tmp_path / 'pretrain.pth')
    torch.save(dict(state_dict=pretrained.state_dict()), cfg.load_from)
    cfg.work_dir = str(tmp_path)
    runner = Runner.from_cfg(cfg)
    metrics = runner.val()
    for name, value in runner.model.state_dict().items():
        assert torch.equal(value, pretrained.state_dict()[name]), name
    assert sorted(metrics) == sorted(
        f'retrieval/{task}/{m}' for task in ('t2v', 'v2t')
        for m in ('R1', 'R5', 'R10', 'MedR'))
    assert save_best in metrics
    for task in ('t2v', 'v2t'):
        assert 0 <= metrics[f'retrieval/{task}/R1'] <= metrics[
            f'retrieval/{task}/R5'] <= metrics[f'retrieval/{task}/R10'] <= 100
        assert 1 <= metrics[f'retrieval/{task}/MedR'] <= 16
    # fine-tuning without an MPM head: STC alone, every trained part learns
    model = runner.model
    assert model.mpm_head is None
    model.train()
    batch = pseudo_collate([runner.val_dataloader.dataset[i]
                            for i in range(4)])
    losses = model(**model.data_preprocessor(batch, True), mode='loss')
    assert 'loss_mpm' not in losses and losses['loss_stc'] > 0
    losses['loss_stc'].backward()
    for name in ('embedder', 'encoder', 'stc_head'):
        assert all(p.grad is not None
                   for p in getattr(model, name).parameters()
                   if p.requires_grad), name
