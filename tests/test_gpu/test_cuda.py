"""What only a CUDA device can check: the model's device-agnostic code on
CUDA against CPU, the bf16 optim wrapper of sl15m_bf16 (mmengine's
AmpOptimWrapper asserts a GPU), the STC chunking's memory bound as the CUDA
allocator counts it, and the text cache's autocast keys on CUDA.

Marked ``gpu``: skipped without CUDA (tests/conftest.py); run by
``benchmarks/gpu_check.py``."""
import copy
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.optim import build_optim_wrapper

from slp_mm.functional import fine_grained_similarity
from slp_mm.registry import DATASETS, MODELS
from ..conftest import REPO

pytestmark = pytest.mark.gpu
CUDA = torch.device('cuda', 0)


@pytest.fixture(scope='module')
def model_and_samples(demo_cfg, synthetic_corpus):
    """The demo model (CPU, eval: no dropout) and 8 collated samples of the
    synthetic corpus through its training pipeline."""
    cfg = copy.deepcopy(demo_cfg.train_dataloader.dataset)
    cfg.type = 'SignPoseDataset'
    for key in ('num_samples', 'seed'):
        cfg.pop(key)
    cfg.data_root, cfg.ann_file = '', synthetic_corpus
    for t in cfg.pipeline:
        if t.type == 'TokenizeText':
            t.tokenizer = osp.join(synthetic_corpus, 'tokenizer')
    ds = DATASETS.build(cfg)
    torch.manual_seed(0)
    model = MODELS.build(demo_cfg.model).eval()
    return model, pseudo_collate([ds[i] for i in range(8)])


def _loss_and_grads(model, samples):
    data = model.data_preprocessor(samples, training=True)
    losses = model(**data, mode='loss')
    (losses['loss_mpm'] + losses['loss_stc']).backward()
    grads = {n: p.grad.cpu() for n, p in model.named_parameters()
             if p.requires_grad}
    model.zero_grad()
    return ({k: losses[k].item() for k in ('loss_mpm', 'loss_stc')}, grads)


def test_pretrainer_loss_and_gradients_on_cuda_match_cpu(
        model_and_samples):
    model, samples = model_and_samples
    cpu_losses, cpu_grads = _loss_and_grads(model, samples)
    assert torch.get_float32_matmul_precision() == 'highest'  # no TF32
    with torch.backends.cudnn.flags(enabled=True, allow_tf32=False):
        cuda_losses, cuda_grads = _loss_and_grads(
            copy.deepcopy(model).to(CUDA), samples)
    assert cuda_losses == pytest.approx(cpu_losses, rel=1e-4)
    assert cuda_grads.keys() == cpu_grads.keys()
    for name, grad in cpu_grads.items():  # summation order differs
        torch.testing.assert_close(
            cuda_grads[name], grad, rtol=1e-3,
            atol=1e-4 * grad.abs().max().item(), msg=name)


def test_sl15m_bf16_optim_wrapper_trains_in_bf16_on_cuda(model_and_samples):
    model = copy.deepcopy(model_and_samples[0]).to(CUDA).train()
    cfg = Config.fromfile(
        osp.join(REPO, 'configs', 'pretrain', 'sl15m_bf16.py'))
    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    assert optim_wrapper.cast_dtype == torch.bfloat16
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    seen = []  # the first encoder block really runs in bf16
    linear = model.encoder.layers['manual'].layers[0].linear1
    linear.register_forward_hook(lambda m, i, o: seen.append(o.dtype))
    log_vars = model.train_step(model_and_samples[1], optim_wrapper)
    assert seen == [torch.bfloat16]
    assert torch.isfinite(log_vars['loss'])
    for name, p in model.named_parameters():
        changed = not torch.equal(p.detach(), before[name])
        assert changed == p.requires_grad, name  # frozen text encoder kept


def test_chunked_stc_similarity_on_cuda_matches_and_bounds_memory():
    # (Bv, Bt, T', L) = (128, 128, 64, 32): 134 MB per fp32 intermediate
    g = torch.Generator(device=CUDA).manual_seed(0)
    b, clips_len, words_len, dims = 128, 64, 32, 512
    clips = torch.nn.functional.normalize(
        torch.randn(b, clips_len, dims, device=CUDA, generator=g), dim=-1)
    words = torch.nn.functional.normalize(
        torch.randn(b, words_len, dims, device=CUDA, generator=g), dim=-1)
    clip_mask = torch.arange(clips_len, device=CUDA) < torch.randint(
        1, clips_len + 1, (b, 1), device=CUDA, generator=g)
    word_mask = torch.arange(words_len, device=CUDA) < torch.randint(
        1, words_len + 1, (b, 1), device=CUDA, generator=g)
    results = {}
    for chunk in (None, 8):
        c = clips.clone().requires_grad_()
        w = words.clone().requires_grad_()
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
        base = torch.cuda.memory_allocated()
        scores = fine_grained_similarity(c, clip_mask, w, word_mask,
                                         chunk_size=chunk)  # (B, B)
        scores.logsumexp(1).sum().backward()
        torch.cuda.synchronize()
        peak = torch.cuda.max_memory_allocated() - base
        results[chunk] = (scores.detach(), c.grad, w.grad, peak)
    full, chunked = results[None], results[8]
    for got, expected in zip(chunked[:3], full[:3]):
        torch.testing.assert_close(got, expected, rtol=1e-5, atol=1e-6)
    assert chunked[3] < full[3] / 4, (chunked[3], full[3])


def test_text_cache_on_cuda_keys_by_autocast_and_matches_uncached(demo_cfg):
    torch.manual_seed(0)
    plain = MODELS.build(demo_cfg.model.text_encoder).to(CUDA)
    cached = {device: MODELS.build(
        dict(demo_cfg.model.text_encoder, cache_size=8,
             cache_device=device)).to(CUDA) for device in (None, 'cpu')}
    for enc in cached.values():
        enc.load_state_dict(plain.state_dict())
    lengths = torch.tensor([5, 3, 7, 6])
    ids = torch.randint(3, 400, (4, 7), device=CUDA)
    mask = torch.arange(7, device=CUDA) < lengths[:, None].to(CUDA)
    ids = ids.masked_fill(~mask, 1)
    with torch.autocast('cuda', dtype=torch.bfloat16):
        # distinct sentences: the misses are encoded as the same (4, 7)
        # batch as the plain encoder's, so the features are bit-identical
        expected = plain(ids, mask)  # (4, 7, D)
        for enc in cached.values():
            for _ in range(2):  # misses, then hits
                got = enc(ids, mask)
                assert got.device == ids.device
                torch.testing.assert_close(got, expected, rtol=0, atol=0)
            assert enc.cache_info()[:2] == (4, 4)  # hits, misses
    for enc in cached.values():
        enc(ids, mask)  # fp32: other keys than bf16's, all missed again
        assert enc.cache_info()[:2] == (4, 8)
