"""Sigma's matching and language-modelling heads."""
from typing import Dict

import torch
import torch.nn as nn
from mmengine.model import BaseModule

from slp_mm.models.heads.translation_head import SignTranslationHead
from slp_mm.registry import MODELS

from .losses import lm_loss


@MODELS.register_module()
class SigmaMatchingHead(BaseModule):
    """Sign-text matching: masked mean of the text-fused pose features ->
    2-layer MLP -> one logit (matched or not).

    Args:
        in_channels (int): Width of the encoder output.
        hidden_channels (int): MLP width.
    """

    def __init__(self, in_channels: int = 1024, hidden_channels: int = 512,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.mlp = nn.Sequential(
            nn.Linear(in_channels, hidden_channels), nn.GELU(),
            nn.Linear(hidden_channels, 1))

    def forward(self, feats: torch.Tensor,
                pose_mask: torch.Tensor) -> torch.Tensor:
        """(B, T, C) fused features, (B, T) mask -> (B,) logits."""
        w = pose_mask[..., None].to(feats.dtype)
        pooled = (feats * w).sum(1) / w.sum(1).clamp(min=1)
        return self.mlp(pooled).squeeze(-1)


@MODELS.register_module()
class SigmaLMHead(SignTranslationHead):
    """Language modelling conditioned on pose: a small Hugging Face
    encoder-decoder's decoder (built like :class:`SignTranslationHead`,
    whose projector and decoder it reuses) cross-attends to the pose-only
    encoder features and predicts the paired sentence token by token.

    Teacher forcing on the padded ``text_ids`` (B, L) of the batch::

        decoder input   </s> t_0 .. t_{L-2}
        labels          t_0  t_1 .. t_{L-1}     (padding ignored)

    See :func:`lm_loss`. The tokenizer is only needed for
    :meth:`SignTranslationHead.predict` (never called in pre-training).
    """

    def __init__(self, decoder: dict, tokenizer: str = '', **kwargs) -> None:
        kwargs.setdefault('label_smoothing', 0.0)
        super().__init__(decoder=decoder, tokenizer=tokenizer, **kwargs)

    def shift(self, text_ids: torch.Tensor, text_mask: torch.Tensor):
        """(B, L) ids and mask -> decoder input ids and their mask."""
        start = text_ids.new_full((text_ids.shape[0], 1), self.eos_id)
        decoder_input = torch.cat([start, text_ids[:, :-1]], dim=1)
        decoder_mask = torch.cat([
            text_mask.new_ones(text_mask.shape[0], 1), text_mask[:, :-1]
        ], dim=1)
        return decoder_input, decoder_mask

    def lm_loss(self, feats: torch.Tensor, pose_mask: torch.Tensor,
                text_ids: torch.Tensor,
                text_mask: torch.Tensor) -> Dict[str, torch.Tensor]:
        decoder_input, decoder_mask = self.shift(text_ids, text_mask)
        logits = self.logits(feats, pose_mask, decoder_input, decoder_mask)
        loss = lm_loss(logits, text_ids, text_mask)
        acc = (logits.argmax(-1) == text_ids)[text_mask].float().mean()
        return dict(loss_lm=loss, lm_token_acc=acc.detach())
