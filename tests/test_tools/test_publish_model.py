import copy
import json
import os
import os.path as osp
import shutil

import pytest
import torch
from torch import nn

from slp_mm.apis.model_publishing import publish_model
from slp_mm.utils import load_published_checkpoint

CONFIG = "model = dict(type='Toy')\n"


def _checkpoint():
    """A resume-style mmengine checkpoint with tied weights."""
    torch.manual_seed(0)
    model = nn.ModuleDict(dict(emb=nn.Embedding(5, 3), out=nn.Linear(3, 5)))
    model.out.weight = model.emb.weight  # tied, as in mBART
    model.register_buffer('adj', torch.eye(3))
    model.register_buffer('adj_t', model.adj.t())  # a view, not the same
    opt = torch.optim.AdamW(model.parameters())
    return dict(
        meta=dict(cfg=CONFIG, epoch=3, iter=30, seed=0),
        state_dict=model.state_dict(),
        optimizer=opt.state_dict(),
        param_schedulers=[dict(last_epoch=3)],
        message_hub=dict(log_scalars={}))


def _publish(tmp_path, **extra):
    ckpt = tmp_path / 'epoch_3.pth'
    torch.save(_checkpoint(), ckpt)
    return publish_model(str(ckpt), str(tmp_path / 'pub' / 'toy'), **extra)


def test_publish_then_load_gives_the_weights_and_config(tmp_path):
    out = _publish(tmp_path)
    name = osp.basename(out)
    assert name.startswith('toy-') and name.endswith('.safetensors')
    sha8 = name[4:12]
    with open(osp.join(osp.dirname(out), f'toy-{sha8}.py')) as f:
        assert f.read() == CONFIG
    state_dict, config, config_text, meta = load_published_checkpoint(out)
    original = _checkpoint()['state_dict']
    assert set(state_dict) == set(original)
    for k, v in original.items():
        assert torch.equal(state_dict[k], v), k
    assert config_text == CONFIG
    assert config.to_dict() == dict(model=dict(type='Toy'))
    assert meta == dict(epoch=3, iter=30, seed=0)
    from safetensors import safe_open
    with safe_open(out, framework='pt') as f:  # tied weight stored once
        assert sorted(f.keys()) == ['adj', 'adj_t', 'emb.weight',
                                    'out.bias']
        metadata = f.metadata()
    # optimizer, schedulers and message hub are gone; meta stays
    assert set(metadata) == {'format', 'config', 'config_data', 'meta',
                             'aliases'}
    assert json.loads(metadata['config_data']) == dict(
        model=dict(type='Toy'))


def test_config_option_overrides_the_stored_one(tmp_path):
    cfg = tmp_path / 'other.py'
    cfg.write_text("model = dict(type='Other')\n")
    out = _publish(tmp_path, config=str(cfg))
    assert load_published_checkpoint(out).config_text == cfg.read_text()


def test_renamed_or_corrupted_files_are_refused(tmp_path):
    out = _publish(tmp_path)
    renamed = out[:-len('.safetensors')][:-8] + '00000000.safetensors'
    shutil.copy(out, renamed)
    with pytest.raises(ValueError, match='00000000.safetensors: SHA-256'):
        load_published_checkpoint(renamed)
    plain = str(tmp_path / 'toy.safetensors')
    shutil.copy(out, plain)
    with pytest.raises(ValueError, match='toy.safetensors: not a published'):
        load_published_checkpoint(plain)
    with open(out, 'r+b') as f:  # flip one byte of the weights
        f.seek(-1, os.SEEK_END)
        last = f.read(1)
        f.seek(-1, os.SEEK_END)
        f.write(bytes([last[0] ^ 0xFF]))
    with pytest.raises(ValueError, match='corrupt'):
        load_published_checkpoint(out)


def test_checkpoint_without_config_needs_one(tmp_path):
    ckpt = tmp_path / 'bare.pth'
    torch.save(dict(state_dict=dict(w=torch.ones(2))), ckpt)
    with pytest.raises(ValueError, match='meta.cfg'):
        publish_model(str(ckpt), str(tmp_path / 'bare'))


def test_frozen_text_encoder_loaded_by_name_is_not_published(
        demo_cfg, demo_text_encoder_dir, tmp_path):
    """The published model holds the text encoder's name and hash; building
    it (init_model, SignInferencer) loads the encoder by name again."""
    from slp_mm.apis import SignInferencer
    from slp_mm.registry import MODELS
    cfg = copy.deepcopy(demo_cfg)
    cfg.model.text_encoder = dict(
        type='HFTextEncoder', name_or_path=demo_text_encoder_dir)
    model = MODELS.build(cfg.model).eval()
    ckpt = tmp_path / 'epoch_1.pth'
    torch.save(dict(meta=dict(cfg=cfg.pretty_text),
                    state_dict=model.state_dict()), ckpt)
    out = publish_model(str(ckpt), str(tmp_path / 'pub' / 'demo'))
    state_dict = load_published_checkpoint(out).state_dict
    assert not [k for k in state_dict if k.startswith('text_encoder.enc')]
    assert 'text_encoder._extra_state' in state_dict

    loaded = SignInferencer(None, out).model
    expected = dict(model.named_parameters())
    for k, v in loaded.named_parameters():
        assert torch.equal(v, expected[k]), k
    ids = torch.tensor([[0, 5, 6, 7, 2, 1]])
    mask = ids != 1
    assert torch.equal(loaded.text_encoder(ids, mask),
                       model.text_encoder(ids, mask))
