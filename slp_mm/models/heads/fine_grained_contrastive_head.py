import math
from typing import Dict, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule

from slp_mm.registry import MODELS


def fine_grained_similarity(clips: torch.Tensor,
                            clip_mask: torch.Tensor,
                            words: torch.Tensor,
                            word_mask: torch.Tensor,
                            word_temperature: float = 1.0) -> torch.Tensor:
    """Fine-grained sign-text scores of every sign against every sentence.

    Args:
        clips: (Bv, T', E) L2-normalised clip embeddings.
        clip_mask: (Bv, T') True on real clips.
        words: (Bt, L, E) L2-normalised word embeddings.
        word_mask: (Bt, L) True on real words.
        word_temperature: Temperature of the softmax over words.

    Returns:
        (Bv, Bt): for each pair, the clip x word similarities re-weighted by
        a softmax over words, summed per clip and averaged over clips.
    """
    sim = torch.einsum('itd,jld->ijtl', clips, words)  # (Bv, Bt, T', L)
    logits = (sim / word_temperature).masked_fill(
        ~word_mask[None, :, None, :], float('-inf'))
    attn = logits.softmax(dim=-1)  # softmax over words
    rows = (attn * sim).sum(-1)  # (Bv, Bt, T')
    clip_w = clip_mask[:, None, :].float()
    return (rows * clip_w).sum(-1) / clip_w.sum(-1).clamp(min=1)


@MODELS.register_module()
class FineGrainedContrastiveHead(BaseModule):
    """Fine-grained sign-text contrastive learning (STC).

    Pose features are average-pooled in windows of ``window`` frames into
    clips and both sides are projected to a shared ``embed_dims`` space and
    L2-normalised. For every sign i / sentence j of the batch, the clip x word
    cosine-similarity matrix ``S_ij`` (T' x L) is re-weighted by a softmax
    over words (``softmax(S / word_temperature)`` along L), each clip's
    weighted row is summed and the rows are averaged over clips into one
    score ``s_ij``. ``exp(logit_scale) * s`` gives the logits of a symmetric
    InfoNCE loss (sign->text and text->sign), with a learnable temperature
    initialised to 0.07 (CLIP's parametrisation, capped at 100).

    Args:
        pose_channels (int): Width of the pose features (1024).
        text_channels (int): Width of the text features (mBART: 1024).
        embed_dims (int): Shared space width (512).
        window (int): Frames per pooled clip (4).
        init_temperature (float): Initial InfoNCE temperature (0.07).
        word_temperature (float): Temperature of the softmax over words.
        max_logit_scale (float): Upper bound on ``1 / temperature``.
    """

    def __init__(self,
                 pose_channels: int = 1024,
                 text_channels: int = 1024,
                 embed_dims: int = 512,
                 window: int = 4,
                 init_temperature: float = 0.07,
                 word_temperature: float = 1.0,
                 max_logit_scale: float = 100.0,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.window = window
        self.word_temperature = word_temperature
        self.max_logit_scale = max_logit_scale
        self.pose_proj = nn.Linear(pose_channels, embed_dims)
        self.text_proj = nn.Linear(text_channels, embed_dims)
        self.logit_scale = nn.Parameter(
            torch.tensor(math.log(1 / init_temperature)))

    def pool_clips(self, feats: torch.Tensor, mask: torch.Tensor
                   ) -> Tuple[torch.Tensor, torch.Tensor]:
        """(B, T, C), (B, T) -> clip means (B, T', C), clip mask (B, T'),
        averaging real frames only; T' = ceil(T / window)."""
        b, t, c = feats.shape
        pad = (-t) % self.window
        feats = F.pad(feats * mask[..., None], (0, 0, 0, pad))
        count = F.pad(mask.float(), (0, pad)).view(b, -1, self.window).sum(-1)
        sums = feats.view(b, -1, self.window, c).sum(2)  # (B, T', C)
        return sums / count.clamp(min=1)[..., None], count > 0

    def embed(self, pose_feats, pose_mask, text_feats, text_mask):
        """Normalised clip (B, T', E) and word (B, L, E) embeddings."""
        clips, clip_mask = self.pool_clips(pose_feats, pose_mask)
        clips = F.normalize(self.pose_proj(clips), dim=-1)
        words = F.normalize(self.text_proj(text_feats), dim=-1)
        return clips, clip_mask, words

    def similarity(self, clips: torch.Tensor, clip_mask: torch.Tensor,
                   words: torch.Tensor,
                   word_mask: torch.Tensor) -> torch.Tensor:
        """Scores of every sign i against every sentence j -> (Bv, Bt)."""
        return fine_grained_similarity(clips, clip_mask, words, word_mask,
                                       self.word_temperature)

    def forward(self, pose_feats, pose_mask, text_feats,
                text_mask) -> torch.Tensor:
        """Logits (B, B): sign i vs sentence j, temperature applied."""
        clips, clip_mask, words = self.embed(pose_feats, pose_mask,
                                             text_feats, text_mask)
        scores = self.similarity(clips, clip_mask, words, text_mask)
        return self.logit_scale.exp().clamp(max=self.max_logit_scale) * scores

    def loss(self, pose_feats: torch.Tensor, pose_mask: torch.Tensor,
             text_feats: torch.Tensor,
             text_mask: torch.Tensor) -> Dict[str, torch.Tensor]:
        """Symmetric InfoNCE over the paired samples given (pair i = i)."""
        logits = self(pose_feats, pose_mask, text_feats, text_mask)
        labels = torch.arange(logits.shape[0], device=logits.device)
        loss = (F.cross_entropy(logits, labels) +
                F.cross_entropy(logits.t(), labels)) / 2
        return dict(loss_stc=loss)

    def zero_loss(self) -> Dict[str, torch.Tensor]:
        """A zero STC loss still connected to every parameter, for batches
        with fewer than two pairs (keeps DDP's gradient buckets in sync)."""
        zero = sum(p.sum() for p in self.parameters()) * 0.0
        return dict(loss_stc=zero)
