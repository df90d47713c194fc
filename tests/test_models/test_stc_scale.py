"""STC at the paper's scale: chunked fine-grained similarity and negatives
gathered over ranks (2 CPU ranks, gloo)."""
import socket

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from slp_mm.models import FineGrainedContrastiveHead
from slp_mm.models.heads.fine_grained_contrastive_head import \
    fine_grained_similarity


def _embeddings(bv=5, bt=4, t=6, length=7, e=8, seed=0):
    g = torch.Generator().manual_seed(seed)
    clips = torch.nn.functional.normalize(torch.randn(bv, t, e, generator=g),
                                          dim=-1)
    words = torch.nn.functional.normalize(
        torch.randn(bt, length, e, generator=g), dim=-1)
    clip_mask = torch.arange(t)[None] < torch.randint(
        1, t + 1, (bv, 1), generator=g)
    word_mask = torch.arange(length)[None] < torch.randint(
        1, length + 1, (bt, 1), generator=g)
    return clips, clip_mask, words, word_mask


@pytest.mark.parametrize('chunk_size', [1, 2, 3, 5, 100])
def test_chunked_similarity_matches_naive(chunk_size):
    clips, clip_mask, words, word_mask = _embeddings()
    grads, values = [], []
    for chunk in (None, chunk_size):
        c = clips.clone().requires_grad_()
        w = words.clone().requires_grad_()
        sim = fine_grained_similarity(c, clip_mask, w, word_mask, 0.5,
                                      chunk_size=chunk)
        (sim * torch.arange(sim.numel()).view_as(sim)).sum().backward()
        values.append(sim.detach())
        grads.append((c.grad, w.grad))
    assert values[0].shape == (5, 4)
    assert torch.allclose(values[0], values[1], atol=1e-6)
    for naive, chunked in zip(*grads):
        assert torch.allclose(naive, chunked, atol=1e-6)
    with torch.no_grad():  # no autograd: chunks without checkpointing
        assert torch.allclose(
            fine_grained_similarity(clips, clip_mask, words, word_mask, 0.5,
                                    chunk_size), values[0], atol=1e-6)


def test_chunk_size_must_be_positive():
    with pytest.raises(ValueError, match='chunk_size'):
        FineGrainedContrastiveHead(4, 4, 4, chunk_size=0)


def _features(n, t, length, seed):
    g = torch.Generator().manual_seed(seed)
    if not n:
        return (torch.zeros(0, 1, 6), torch.zeros(0, 1, dtype=torch.bool),
                torch.zeros(0, 1, 5), torch.zeros(0, 1, dtype=torch.bool))
    pose = torch.randn(n, t, 6, generator=g)
    text = torch.randn(n, length, 5, generator=g)
    pose_mask = torch.arange(t)[None] < torch.randint(
        1, t + 1, (n, 1), generator=g)
    text_mask = torch.arange(length)[None] < torch.randint(
        1, length + 1, (n, 1), generator=g)
    return pose, pose_mask, text, text_mask


def _pad_cat(parts):
    """Concatenate per-rank (n, T, C) features, zero-padding T."""
    t = max(p.shape[1] for p in parts)
    return torch.cat([
        torch.nn.functional.pad(p, (0, 0, 0, t - p.shape[1]) if p.dim() == 3
                                else (0, t - p.shape[1])) for p in parts
    ])


def _heads(chunk_size):
    torch.manual_seed(0)
    gathered = FineGrainedContrastiveHead(
        6, 5, 8, window=2, chunk_size=chunk_size, gather_negatives=True)
    local = FineGrainedContrastiveHead(6, 5, 8, window=2,
                                       gather_negatives=False)
    local.load_state_dict(gathered.state_dict())
    return gathered, local


def _check_against_single_process(rank, world, shapes, chunk_size):
    """Each rank's features are ``shapes[rank]`` (n, T, L); n == 0 calls
    zero_loss as SignPretrainer does."""
    gathered, local = _heads(chunk_size)
    feats = [_features(*s, seed=r) for r, s in enumerate(shapes)]
    # reference: one process, the concatenated batch of the ranks with pairs
    ref = [[x.clone() for x in f] for f, s in zip(feats, shapes) if s[0]]
    if ref:
        pose, pose_mask, text, text_mask = (_pad_cat([f[i] for f in ref])
                                            for i in range(4))
        pose.requires_grad_()
        ref_loss = local.loss(pose, pose_mask, text, text_mask)['loss_stc']
    else:
        ref_loss = local.zero_loss()['loss_stc']
    ref_loss.backward()
    # distributed: this rank's share
    pose_r, pose_mask_r, text_r, text_mask_r = feats[rank]
    pose_r.requires_grad_()
    if shapes[rank][0]:
        loss = gathered.loss(pose_r, pose_mask_r, text_r,
                             text_mask_r)['loss_stc']
    else:
        loss = gathered.zero_loss()['loss_stc']
    loss.backward()
    assert torch.allclose(loss, ref_loss, atol=1e-5), (loss, ref_loss)
    # DDP averages the parameter gradients over the ranks
    for (name, p), p_ref in zip(gathered.named_parameters(),
                                local.parameters()):
        grad = p.grad.clone()
        dist.all_reduce(grad)
        assert torch.allclose(grad / world, p_ref.grad, atol=1e-5), name
    # each rank's local features get W x their share of the gradient
    offset = sum(s[0] for s in shapes[:rank])
    n, t = shapes[rank][:2]
    if n:
        assert torch.allclose(pose_r.grad / world,
                              pose.grad[offset:offset + n, :t], atol=1e-6)


def _worker(rank, world, port, cases):
    torch.set_num_threads(1)
    dist.init_process_group('gloo', init_method=f'tcp://127.0.0.1:{port}',
                            rank=rank, world_size=world)
    try:
        for shapes, chunk_size in cases:
            _check_against_single_process(rank, world, shapes, chunk_size)
    finally:
        dist.destroy_process_group()


def test_gathered_loss_equals_single_process_loss_on_two_ranks():
    with socket.socket() as sock:  # a free port: parallel runs must not meet
        sock.bind(('127.0.0.1', 0))
        port = sock.getsockname()[1]
    cases = [
        ([(3, 10, 5), (3, 10, 5)], None),  # equal shares
        ([(3, 10, 5), (2, 7, 6)], 2),  # unequal n, T, L; chunked
        ([(4, 9, 5), (0, 0, 0)], 1),  # rank 1 has no pairs: zero_loss
        ([(0, 0, 0), (0, 0, 0)], None),  # no pairs anywhere
    ]
    # fork: the children inherit the imports (spawn re-imports slp_mm, ~10 s)
    mp.start_processes(_worker, args=(2, port, cases), nprocs=2, join=True,
                       start_method='fork')
