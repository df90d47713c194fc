"""HFTextEncoder in checkpoints: a frozen encoder loaded from pretrained
weights is saved as its name and the SHA-256 of its weights, not as the
weights; random, trainable or replaced weights are saved as before."""
import hashlib
import json

import pytest
import torch
from mmengine.runner.checkpoint import load_state_dict as mmengine_load
from torch import nn
from transformers import AutoConfig, AutoModel

from slp_mm.registry import MODELS
from .test_text_encoder_cache import A, B, C, TINY_MBART, _batch, _encoder


def _save_pretrained(path, seed):
    """A tiny random mBART saved as a local pretrained model."""
    torch.manual_seed(seed)
    AutoModel.from_config(
        AutoConfig.for_model(**TINY_MBART)).save_pretrained(path)
    return str(path)


@pytest.fixture
def mbart_dir(tmp_path):
    return _save_pretrained(tmp_path / 'tiny-mbart', seed=3)


def _by_name(path, **kwargs):
    return MODELS.build(
        dict(type='HFTextEncoder', name_or_path=path, **kwargs))


def _source(state_dict, key='_extra_state'):
    return json.loads(bytes(state_dict[key].tolist()))


def _reference_sha256(path):
    """The hash the docstring describes, of the encoder at ``path``."""
    sha = hashlib.sha256()
    encoder = AutoModel.from_pretrained(path).get_encoder()
    for name, tensor in sorted(encoder.state_dict().items()):
        sha.update(f'{name}:{tensor.dtype}:{tuple(tensor.shape)};'.encode())
        sha.update(tensor.contiguous().numpy().tobytes())
    return sha.hexdigest()


def test_frozen_pretrained_encoder_saves_its_name_and_hash_only(mbart_dir):
    enc = _by_name(mbart_dir, cache_size=8)
    assert enc.is_pretrained and enc.weights_from_name
    enc(*_batch([A, B, C]))  # fills the sentence cache, which is not saved
    state_dict = enc.state_dict()
    assert list(state_dict) == ['_extra_state']
    assert _source(state_dict) == dict(
        name_or_path=mbart_dir, weights_sha256=_reference_sha256(mbart_dir))


def test_loading_it_keeps_the_weights_built_from_the_name(mbart_dir):
    """Strict loads, torch's and mmengine's, under a parent prefix."""
    trained = nn.ModuleDict(dict(text=_by_name(mbart_dir, cache_size=8)))
    ids, mask = _batch([A, B, C])
    expected = trained.text(ids, mask)
    state_dict = trained.state_dict()
    assert list(state_dict) == ['text._extra_state']
    for load in (lambda m, sd: m.load_state_dict(sd, strict=True),
                 lambda m, sd: mmengine_load(m, sd, strict=True)):
        fresh = nn.ModuleDict(dict(text=_by_name(mbart_dir)))
        load(fresh, state_dict)
        assert torch.equal(fresh.text(ids, mask), expected)
        assert list(fresh.state_dict()) == ['text._extra_state']
    assert list(state_dict) == ['text._extra_state']  # not changed


def test_changed_weights_at_the_name_are_refused(mbart_dir):
    state_dict = _by_name(mbart_dir).state_dict()
    saved = _source(state_dict)['weights_sha256']
    _save_pretrained(mbart_dir, seed=1)  # the weights at the path change
    other = _reference_sha256(mbart_dir)
    assert other != saved
    with pytest.raises(ValueError) as e:
        _by_name(mbart_dir).load_state_dict(state_dict)
    message = str(e.value)
    assert '\n' not in message
    assert (f"frozen text encoder '{mbart_dir}' (sha256 {saved}), but the "
            f"weights here, loaded from '{mbart_dir}', differ (sha256 "
            f'{other})') in message
    with pytest.raises(ValueError, match='here, random .* differ'):
        _encoder().load_state_dict(state_dict)


def test_random_and_trainable_encoders_keep_saving_their_weights(mbart_dir):
    for enc in (_encoder(), _by_name(mbart_dir, frozen=False)):
        assert not enc.weights_from_name
        state_dict = enc.state_dict()
        assert len(state_dict) == 1 + len(enc.encoder.state_dict())
        assert _source(state_dict)['weights_sha256'] is None
        fresh = _encoder()
        torch.nn.init.zeros_(fresh.encoder.layer_norm.weight)
        fresh.load_state_dict(state_dict)
        for k, v in enc.encoder.state_dict().items():
            assert torch.equal(fresh.encoder.state_dict()[k], v), k


def test_checkpoints_holding_the_weights_still_load(mbart_dir, tmp_path):
    """Older checkpoints hold the weights and no extra state: the same
    weights keep the encoder named; other weights are loaded and are
    saved from then on, so that they are not lost."""
    same = {f'encoder.{k}': v
            for k, v in _by_name(mbart_dir).encoder.state_dict().items()}
    enc = _by_name(mbart_dir)
    enc.load_state_dict(same, strict=True)
    assert list(enc.state_dict()) == ['_extra_state']

    other_dir = _save_pretrained(tmp_path / 'other', seed=1)
    other = _by_name(other_dir)
    ids, mask = _batch([A, B])
    enc.load_state_dict(
        {f'encoder.{k}': v for k, v in other.encoder.state_dict().items()},
        strict=True)
    assert torch.equal(enc(ids, mask), other(ids, mask))
    assert not enc.weights_from_name
    assert len(enc.state_dict()) == 1 + len(other.encoder.state_dict())
    assert enc.weights_sha256() == _reference_sha256(other_dir)
