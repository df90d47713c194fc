import copy
import os.path as osp

import pytest
import torch
from mmengine.dataset import pseudo_collate

from slp_mm.registry import DATASETS, MODELS


@pytest.fixture(scope='module')
def batch_and_model(demo_cfg, synthetic_corpus):
    torch.manual_seed(0)
    cfg = copy.deepcopy(demo_cfg.train_dataloader.dataset)
    cfg.type = 'SignPoseDataset'
    for key in ('num_samples', 'seed'):
        cfg.pop(key)
    cfg.data_root, cfg.ann_file = '', synthetic_corpus
    for t in cfg.pipeline:
        if t.type == 'TokenizeText':
            t.tokenizer = osp.join(synthetic_corpus, 'tokenizer')
    ds = DATASETS.build(cfg)
    model = MODELS.build(demo_cfg.model)
    return ds, model


def _batch(ds, model, indexes, unpaired=()):
    items = [ds[i] for i in indexes]
    for i in unpaired:
        del items[i]['data_samples'].text_ids
    return model.data_preprocessor(pseudo_collate(items), training=True)


def test_preprocessor_pads_and_masks(batch_and_model):
    ds, model = batch_and_model
    data = _batch(ds, model, [0, 1, 2, 3], unpaired=[1])
    inp = data['inputs']
    lengths = [s.num_frames for s in data['data_samples']]
    b, t, k, c = inp['pose'].shape
    assert (b, t, k, c) == (4, max(lengths), 79, 3)
    assert inp['pose_mask'].sum(1).tolist() == lengths
    assert not inp['pose'][~inp['pose_mask']].any()
    assert inp['mpm_mask'].shape == (4, t, 79)
    assert not inp['mpm_mask'][~inp['pose_mask']].any()
    assert inp['paired'].tolist() == [True, False, True, True]
    assert not inp['text_mask'][1].any()
    assert (inp['text_ids'][~inp['text_mask']] == 1).all()  # pad id


def test_frozen_text_encoder_gets_no_gradient(batch_and_model):
    ds, model = batch_and_model
    model.train()
    assert not model.text_encoder.encoder.training  # kept in eval (frozen)
    data = _batch(ds, model, [0, 2, 3, 4])
    losses = model(**data, mode='loss')
    (losses['loss_mpm'] + losses['loss_stc']).backward()
    assert all(p.grad is None for p in model.text_encoder.parameters())
    assert not any(p.requires_grad for p in model.text_encoder.parameters())
    for name in ('embedder', 'encoder', 'mpm_head', 'stc_head'):
        grads = [p.grad for p in getattr(model, name).parameters()
                 if p.requires_grad]
        assert grads and all(g is not None for g in grads), name
    model.zero_grad()


def test_unpaired_samples_skip_stc(batch_and_model, monkeypatch):
    ds, model = batch_and_model
    seen = []
    forward = model.text_encoder.forward
    monkeypatch.setattr(model.text_encoder, 'forward',
                        lambda ids, mask: seen.append(ids.shape[0]) or
                        forward(ids, mask))
    data = _batch(ds, model, [0, 2, 3, 4], unpaired=[0, 2])
    losses = model(**data, mode='loss')
    assert seen == [2] and losses['stc_pairs'].item() == 2
    assert losses['loss_stc'].item() > 0
    seen.clear()
    data = _batch(ds, model, [0, 2, 3], unpaired=[0, 1])
    losses = model(**data, mode='loss')
    assert seen == [] and losses['loss_stc'].item() == 0.0
    assert losses['loss_mpm'].item() > 0


def test_features_do_not_depend_on_batch_padding(batch_and_model):
    ds, model = batch_and_model
    model.eval()
    data = _batch(ds, model, [0, 5])
    inp = data['inputs']
    with torch.no_grad():
        both = model(inp, mode='tensor')
        alone = model(dict(pose=inp['pose'][:1, :ds[0]['inputs'].shape[0]],
                           pose_mask=inp['pose_mask'][:1, :ds[0][
                               'inputs'].shape[0]]), mode='tensor')
    n = alone.shape[1]
    assert torch.allclose(both[0, :n], alone[0], atol=1e-5)
    assert not both[0, n:].any()
    model.train()


def test_masked_joints_are_hidden_from_encoder(batch_and_model):
    ds, model = batch_and_model
    model.eval()
    data = _batch(ds, model, [0])
    inp = data['inputs']
    pose2 = inp['pose'].clone()
    pose2[inp['mpm_mask']] += 5.0  # change only what is masked
    with torch.no_grad():
        f1 = model.extract_feat(inp['pose'], inp['pose_mask'],
                                inp['mpm_mask'])
        f2 = model.extract_feat(pose2, inp['pose_mask'], inp['mpm_mask'])
    assert torch.allclose(f1, f2)
    model.train()


def test_gradients_have_the_strides_of_their_parameters(batch_and_model):
    """DDP copies every gradient whose strides differ from its parameter's
    ("Grad strides do not match bucket view strides"), size-1 dimensions
    included, at every step."""
    ds, model = batch_and_model
    model.train()
    model.zero_grad()
    data = _batch(ds, model, [0, 2, 3, 4])
    losses = model(**data, mode='loss')
    (losses['loss_mpm'] + losses['loss_stc']).backward()
    trainable = {n: p for n, p in model.named_parameters() if p.requires_grad}
    assert all(p.grad is not None for p in trainable.values())
    mismatched = {
        name: (p.stride(), p.grad.stride())
        for name, p in trainable.items() if p.grad.stride() != p.stride()
    }
    model.zero_grad()
    assert not mismatched
