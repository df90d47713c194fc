"""The fine-grained sign-text similarity of the paper's STC (Sec. III-B).

Tensor math shared by two layers: the contrastive head trains with it and
the retrieval metric scores a test set with it, so it lives below both.
"""
from typing import Optional, Tuple

import torch
from torch.utils.checkpoint import checkpoint


def clip_word_similarity(clips: torch.Tensor, words: torch.Tensor,
                         word_mask: torch.Tensor, word_temperature: float
                         ) -> Tuple[torch.Tensor, torch.Tensor]:
    """The clip x word matrices of every sign-text pair, before and after
    the softmax re-weighting over words.

    Args:
        clips: (Bv, T', E) L2-normalised clip embeddings.
        words: (Bt, L, E) L2-normalised word embeddings.
        word_mask: (Bt, L) True on real words.
        word_temperature: Temperature of the softmax over words.

    Returns:
        ``sim`` (Bv, Bt, T', L), the cosine similarities, and ``weighted``
        (Bv, Bt, T', L), ``softmax(sim / word_temperature) * sim`` over the
        real words (0 on padding); summing ``weighted`` over words and
        averaging over real clips gives :func:`fine_grained_similarity`.
    """
    sim = torch.einsum('itd,jld->ijtl', clips, words)  # (Bv, Bt, T', L)
    logits = (sim / word_temperature).masked_fill(
        ~word_mask[None, :, None, :], float('-inf'))
    attn = logits.softmax(dim=-1)  # softmax over words
    return sim, attn * sim


def _similarity_block(clips: torch.Tensor, clip_mask: torch.Tensor,
                      words: torch.Tensor, word_mask: torch.Tensor,
                      word_temperature: float) -> torch.Tensor:
    """Unchunked :func:`fine_grained_similarity`: holds (Bv, Bt, T', L)."""
    _, weighted = clip_word_similarity(clips, words, word_mask,
                                       word_temperature)
    rows = weighted.sum(-1)  # (Bv, Bt, T')
    clip_w = clip_mask[:, None, :].float()
    return (rows * clip_w).sum(-1) / clip_w.sum(-1).clamp(min=1)


def fine_grained_similarity(clips: torch.Tensor,
                            clip_mask: torch.Tensor,
                            words: torch.Tensor,
                            word_mask: torch.Tensor,
                            word_temperature: float = 1.0,
                            chunk_size: Optional[int] = None) -> torch.Tensor:
    """Fine-grained sign-text scores of every sign against every sentence.

    The clip x word similarities of all pairs form a (Bv, Bt, T', L) tensor
    (8 GB in fp32 for a global batch of 512 with T'=64, L=128, before the
    softmax and the gradients). With ``chunk_size``, ``chunk_size`` signs are
    scored at a time, so the peak intermediate is (chunk, Bt, T', L); when
    autograd records, each chunk is checkpointed so the backward keeps only
    the inputs and recomputes one chunk at a time. Values and gradients are
    those of the unchunked computation.

    Args:
        clips: (Bv, T', E) L2-normalised clip embeddings.
        clip_mask: (Bv, T') True on real clips.
        words: (Bt, L, E) L2-normalised word embeddings.
        word_mask: (Bt, L) True on real words.
        word_temperature: Temperature of the softmax over words.
        chunk_size: Signs scored at once (None: all).

    Returns:
        (Bv, Bt): for each pair, the clip x word similarities re-weighted by
        a softmax over words, summed per clip and averaged over clips.
    """
    if chunk_size is None or chunk_size >= clips.shape[0]:
        return _similarity_block(clips, clip_mask, words, word_mask,
                                 word_temperature)
    if chunk_size < 1:
        raise ValueError(f'chunk_size must be >= 1, got {chunk_size}')
    recompute = torch.is_grad_enabled() and (clips.requires_grad
                                             or words.requires_grad)
    rows = []
    for c, m in zip(clips.split(chunk_size), clip_mask.split(chunk_size)):
        if recompute:
            rows.append(
                checkpoint(_similarity_block, c, m, words, word_mask,
                           word_temperature, use_reentrant=False))
        else:
            rows.append(
                _similarity_block(c, m, words, word_mask, word_temperature))
    return torch.cat(rows)  # (Bv, Bt)
