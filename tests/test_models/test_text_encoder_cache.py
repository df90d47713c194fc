"""The sentence cache of HFTextEncoder: same features as without it, counted
hits on repeated sentences, independence from the batch's padding."""
import pytest
import torch

from slp_mm.registry import MODELS

PAD = 1
TINY_MBART = dict(
    model_type='mbart', vocab_size=60, d_model=16, encoder_layers=1,
    decoder_layers=0, encoder_attention_heads=2, decoder_attention_heads=2,
    encoder_ffn_dim=32, decoder_ffn_dim=32, max_position_embeddings=32,
    pad_token_id=PAD, bos_token_id=0, eos_token_id=2)


def _encoder(**kwargs):
    torch.manual_seed(0)
    return MODELS.build(
        dict(type='HFTextEncoder', config=TINY_MBART,
             allow_random_weights=True, **kwargs))


def _batch(sentences, length=None):
    """Right-padded (B, L) ids and mask, as SignDataPreprocessor makes."""
    length = length or max(len(s) for s in sentences)
    ids = torch.full((len(sentences), length), PAD)
    mask = torch.zeros(len(sentences), length, dtype=torch.bool)
    for i, s in enumerate(sentences):
        ids[i, :len(s)] = torch.tensor(s)
        mask[i, :len(s)] = True
    return ids, mask


A, B, C = [5, 6, 7, 2], [8, 9, 2], [10, 11, 12, 13, 14, 2]


def test_cached_equals_uncached_exactly():
    plain, cached = _encoder(), _encoder(cache_size=8)
    ids, mask = _batch([A, B, C])
    expected = plain(ids, mask)  # (3, 6, 16)
    assert not expected[~mask].any()  # zero on padding
    for _ in range(2):  # all misses, then all hits
        assert torch.equal(cached(ids, mask), expected)
    assert cached.cache_info() == (3, 3, 8, 3)


def test_repeated_template_sentences_hit():
    enc = _encoder(cache_size=8)
    enc(*_batch([A, B, A, A]))  # A twice more within the batch: encoded once
    assert enc.cache_info() == (2, 2, 8, 2)
    enc(*_batch([B, A, C]))
    assert enc.cache_info() == (4, 3, 8, 3)


def test_same_sentence_under_other_padding_hits_with_identical_features():
    enc = _encoder(cache_size=8)
    ids, mask = _batch([A, B])  # padded to 4
    first = enc(ids, mask)
    ids, mask = _batch([C, B, A], length=10)  # padded to 10, other rows
    second = enc(ids, mask)
    assert enc.cache_info().hits == 2
    assert torch.equal(second[2, :4], first[0, :4])
    assert torch.equal(second[1, :3], first[1, :3])
    assert not second[~mask].any()


def test_lru_evicts_the_least_recently_used():
    enc = _encoder(cache_size=2)
    enc(*_batch([A, B]))
    enc(*_batch([A]))  # A is now the most recent
    enc(*_batch([C]))  # evicts B
    assert enc.cache_info() == (1, 3, 2, 2)
    enc(*_batch([A]))
    enc(*_batch([B]))
    assert enc.cache_info() == (2, 4, 2, 2)


def test_cache_on_cpu_and_autocast_entries_kept_apart():
    enc = _encoder(cache_size=8, cache_device='cpu')
    ids, mask = _batch([A, B])
    fp32 = enc(ids, mask)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        bf16 = enc(ids, mask)
    assert enc.cache_info() == (0, 4, 8, 4)  # other precision: no hit
    assert not torch.equal(fp32, bf16)  # bf16 matmuls inside
    torch.testing.assert_close(bf16, fp32, atol=0.1, rtol=0.05)
    assert all(v.device.type == 'cpu' for v in enc._cache.values())


def test_cache_refuses_a_trainable_encoder_and_left_padding():
    with pytest.raises(ValueError, match='frozen=True'):
        _encoder(cache_size=8, frozen=False)
    enc = _encoder(cache_size=8)
    ids, mask = _batch([A, B])
    with pytest.raises(ValueError, match='right padding'):
        enc(ids, mask.flip(1))


def test_loading_weights_clears_the_cache():
    enc = _encoder(cache_size=8)
    enc(*_batch([A]))
    enc.load_state_dict(enc.state_dict())
    assert enc.cache_info() == (0, 0, 8, 0)
