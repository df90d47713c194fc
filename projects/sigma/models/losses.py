"""Sigma's losses as plain functions, each computable by hand."""
from typing import Mapping, Optional, Tuple

import torch
import torch.nn.functional as F


@torch.no_grad()
def mine_hard_negatives(
        scores: torch.Tensor,
        same: Optional[torch.Tensor] = None
) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """In-batch hard negatives from (detached) sign-text scores.

    ``scores[i, j]`` scores sign i against sentence j; pair i is (i, i). For
    each sign i its hard negative sentence is the most similar sentence
    that does not match it, ``argmax_{j: not same[i, j]} scores[i, j]``;
    for each sentence j its hard negative sign is
    ``argmax_{i: not same[i, j]} scores[i, j]``.

    Args:
        scores (Tensor): (B, B) scores, sign rows, sentence columns.
        same (Tensor, optional): (B, B) bool, True where sign i and sentence
            j match (excluded from the negatives); default the diagonal. Pass
            e.g. "identical sentence" to keep repeated sentences out.

    Returns:
        tuple: ``text_neg`` (B,) the negative sentence of each sign,
        ``text_valid`` (B,) bool, False where a sign has no non-matching
        sentence, and ``sign_neg`` (B,), ``sign_valid`` (B,) for each
        sentence.
    """
    b = scores.shape[0]
    if same is None:
        same = torch.eye(b, dtype=torch.bool, device=scores.device)
    masked = scores.detach().float().masked_fill(same, float('-inf'))
    text_best, text_neg = masked.max(dim=1)  # per sign (row)
    sign_best, sign_neg = masked.max(dim=0)  # per sentence (column)
    return (text_neg, torch.isfinite(text_best), sign_neg,
            torch.isfinite(sign_best))


def matching_loss(pos_logits: torch.Tensor,
                  neg_logits: torch.Tensor) -> torch.Tensor:
    """Sign-text matching: binary cross-entropy with logits, target 1 for
    the positive pairs and 0 for the negative pairs, averaged over all
    ``len(pos) + len(neg)`` pairs.

    Args:
        pos_logits (Tensor): (P,) matching logits of matching pairs.
        neg_logits (Tensor): (N,) matching logits of negative pairs.
    """
    logits = torch.cat([pos_logits.flatten(), neg_logits.flatten()]).float()
    targets = torch.cat([
        torch.ones_like(pos_logits.flatten()),
        torch.zeros_like(neg_logits.flatten())
    ]).float()
    return F.binary_cross_entropy_with_logits(logits, targets)


def lm_loss(logits: torch.Tensor, labels: torch.Tensor,
            mask: torch.Tensor) -> torch.Tensor:
    """Token cross-entropy averaged over the real target tokens.

    Args:
        logits (Tensor): (B, L, V) next-token logits.
        labels (Tensor): (B, L) target ids; padded positions are ignored,
            whatever they hold.
        mask (Tensor): (B, L) bool, True on real target tokens.
    """
    labels = labels.masked_fill(~mask, -100)
    return F.cross_entropy(
        logits.flatten(0, 1).float(), labels.flatten(), ignore_index=-100)


def hierarchical_contrastive_loss(
        level_losses: Mapping[str, torch.Tensor],
        weights: Optional[Mapping[str, float]] = None) -> torch.Tensor:
    """Hierarchical alignment: the weighted sum of the contrastive losses of
    each feature level (weight 1 where not given)."""
    weights = weights or {}
    return sum(weights.get(k, 1.0) * v for k, v in level_losses.items())


def zero_like_params(module: torch.nn.Module) -> torch.Tensor:
    """0, connected to every parameter of ``module`` (keeps DDP's gradient
    buckets in sync when a loss is skipped)."""
    params = [p for p in module.parameters() if p.requires_grad]
    return sum(p.sum() for p in params) * 0.0 if params else torch.zeros(())


