"""STC at the paper's scale: chunked fine-grained similarity and negatives
gathered over ranks (2 CPU ranks, gloo)."""
import socket

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from slp_mm.functional import fine_grained_similarity
from slp_mm.models import FineGrainedContrastiveHead


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


def _features(t, length, sentences, seed):
    """Pose and text features of ``len(sentences)`` pairs; sentence k is
    the token ids 10k+1, ..., 10k+1+k%3 (equal k: equal sentences; padding
    ids differ, as they may between batches)."""
    n = len(sentences)
    g = torch.Generator().manual_seed(seed)
    if not n:
        return (torch.zeros(0, 1, 6), torch.zeros(0, 1, dtype=torch.bool),
                torch.zeros(0, 1, 5), torch.zeros(0, 1, dtype=torch.bool),
                torch.zeros(0, 1, dtype=torch.long))
    pose = torch.randn(n, t, 6, generator=g)
    text = torch.randn(n, length, 5, generator=g)
    pose_mask = torch.arange(t)[None] < torch.randint(
        1, t + 1, (n, 1), generator=g)
    k = torch.tensor(sentences)[:, None]
    text_mask = torch.arange(length)[None] <= k % 3
    text_ids = torch.where(text_mask, 10 * k + 1 + torch.arange(length),
                           seed)
    return pose, pose_mask, text, text_mask, text_ids


def _pad_cat(parts):
    """Concatenate per-rank (n, T, ...) tensors, zero-padding T."""
    t = max(p.shape[1] for p in parts)
    return torch.cat([
        torch.nn.functional.pad(p, (0, 0, 0, t - p.shape[1]) if p.dim() == 3
                                else (0, t - p.shape[1])) for p in parts
    ])


def _heads(chunk_size, duplicate_sentences):
    torch.manual_seed(0)
    gathered = FineGrainedContrastiveHead(
        6, 5, 8, window=2, chunk_size=chunk_size, gather_negatives=True,
        duplicate_sentences=duplicate_sentences)
    local = FineGrainedContrastiveHead(
        6, 5, 8, window=2, gather_negatives=False,
        duplicate_sentences=duplicate_sentences)
    local.load_state_dict(gathered.state_dict())
    return gathered, local


def _check_against_single_process(rank, world, shares, chunk_size,
                                  duplicate_sentences):
    """Each rank's pairs are ``shares[rank]`` = (T, L, sentences); a rank
    without sentences calls zero_loss as SignPretrainer does."""
    gathered, local = _heads(chunk_size, duplicate_sentences)
    feats = [_features(*s, seed=r) for r, s in enumerate(shares)]
    # reference: one process, the concatenated batch of the ranks with pairs
    ref = [[x.clone() for x in f] for f, s in zip(feats, shares) if s[2]]
    if ref:
        pose, pose_mask, text, text_mask, text_ids = (
            _pad_cat([f[i] for f in ref]) for i in range(5))
        pose.requires_grad_()
        ref_out = local.loss(pose, pose_mask, text, text_mask, text_ids)
    else:
        ref_out = local.zero_loss()
    ref_out['loss_stc'].backward()
    # distributed: this rank's share
    pose_r = feats[rank][0].requires_grad_()
    if shares[rank][2]:
        out = gathered.loss(*feats[rank])
    else:
        out = gathered.zero_loss()
    out['loss_stc'].backward()
    for key in ('loss_stc', 'stc_duplicate_pairs', 'stc_temperature'):
        assert torch.allclose(out[key], ref_out[key], atol=1e-5), (
            key, out[key], ref_out[key])
    sentences = [k for s in shares for k in s[2]]  # the global batch's
    assert out['stc_duplicate_pairs'].item() == sum(
        a == b for i, a in enumerate(sentences) for b in sentences[i + 1:])
    # DDP averages the parameter gradients over the ranks
    for (name, p), p_ref in zip(gathered.named_parameters(),
                                local.parameters()):
        grad = p.grad.clone()
        dist.all_reduce(grad)
        assert torch.allclose(grad / world, p_ref.grad, atol=1e-5), name
    # each rank's local features get W x their share of the gradient
    offset = sum(len(s[2]) for s in shares[:rank])
    t, n = shares[rank][0], len(shares[rank][2])
    if n:
        assert torch.allclose(pose_r.grad / world,
                              pose.grad[offset:offset + n, :t], atol=1e-6)


def _worker(rank, world, port, cases, floor_collectives):
    torch.set_num_threads(1)
    if floor_collectives:
        # torch < 2.13 has only the older names of the collectives
        # (all_gather_into_tensor, reduce_scatter_tensor)
        for name in ('all_gather_single', 'reduce_scatter_single'):
            if hasattr(dist, name):
                delattr(dist, name)
    dist.init_process_group('gloo', init_method=f'tcp://127.0.0.1:{port}',
                            rank=rank, world_size=world)
    try:
        for case in cases:
            _check_against_single_process(rank, world, *case)
    finally:
        dist.destroy_process_group()


def _run_on_two_ranks(cases, floor_collectives=False):
    with socket.socket() as sock:  # a free port: parallel runs must not meet
        sock.bind(('127.0.0.1', 0))
        port = sock.getsockname()[1]
    # fork: the children inherit the imports (spawn re-imports slp_mm, ~10 s)
    mp.start_processes(_worker, args=(2, port, cases, floor_collectives),
                       nprocs=2, join=True, start_method='fork')


def test_gathered_loss_equals_single_process_loss_on_two_ranks():
    # (T, L, sentences) per rank; equal sentence numbers are repeats, within
    # a rank and across ranks (rank 0's 1 and rank 1's 1)
    _run_on_two_ranks([
        ([(10, 5, [0, 1, 0]), (10, 5, [1, 2, 3])], None, 'positives'),
        # unequal n, T, L; chunked
        ([(10, 5, [4, 5, 4]), (7, 6, [5, 6])], 2, 'positives'),
        ([(10, 5, [4, 5, 4]), (7, 6, [5, 6])], 2, 'negatives'),
        # rank 1 has no pairs: zero_loss
        ([(9, 5, [0, 1, 1, 2]), (0, 0, [])], 1, 'positives'),
        ([(0, 0, []), (0, 0, [])], None, 'positives'),  # no pairs anywhere
    ])


def test_gathered_loss_with_the_collectives_of_torch_before_2_13():
    _run_on_two_ranks(
        [([(10, 5, [4, 5, 4]), (7, 6, [5, 6])], 2, 'positives'),
         ([(9, 5, [0, 1, 1, 2]), (0, 0, [])], 1, 'positives')],
        floor_collectives=True)
