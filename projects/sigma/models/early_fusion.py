"""Sigma's sign-aware early fusion: pose tokens attend to the sentence."""
from typing import Dict, Optional, Union

import torch
import torch.nn as nn
from mmengine.model import BaseModule

from slp_mm.registry import MODELS

Tokens = Union[torch.Tensor, Dict[str, torch.Tensor]]


@MODELS.register_module()
class SignAwareEarlyFusion(BaseModule):
    """Gated cross-attention from pose tokens to text tokens, placed between
    the pose embedder and the joint (pose) encoder::

        t' = text_proj(text)                           (B, L, D)
        x  = x + tanh(gate) * CrossAttn(LN(x), t', t')  (B, T, D)

    Padding words are masked out of the attention and padding frames stay
    zero. Without text (``text_feats=None``: downstream, pose-only) the
    module is the identity, so the pre-trained embedder + encoder run
    unchanged on poses alone. ``gate`` is one learned scalar initialised to
    ``init_gate`` (0: identity at initialisation, as in Flamingo's gated
    cross-attention; the gate opens during pre-training).

    The embedder of slp_mm gives one token stream per branch
    (``{'manual': (B, T, D), 'non_manual': (B, T, D)}``); every branch is
    fused with the same weights. A plain (B, T, D) tensor is fused as is.

    Args:
        embed_dims (int): Pose token width D.
        text_channels (int): Text feature width (projected to D).
        num_heads (int): Attention heads.
        dropout (float): Attention dropout.
        init_gate (float): Initial gate value (before the tanh).
    """

    def __init__(self,
                 embed_dims: int = 512,
                 text_channels: int = 1024,
                 num_heads: int = 8,
                 dropout: float = 0.0,
                 init_gate: float = 0.0,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.text_proj = nn.Linear(text_channels, embed_dims)
        self.norm = nn.LayerNorm(embed_dims)
        self.attn = nn.MultiheadAttention(
            embed_dims, num_heads, dropout=dropout, batch_first=True)
        self.gate = nn.Parameter(torch.tensor(float(init_gate)))

    def _fuse(self, x: torch.Tensor, text: torch.Tensor,
              text_mask: torch.Tensor,
              pose_mask: Optional[torch.Tensor]) -> torch.Tensor:
        out, _ = self.attn(
            self.norm(x), text, text, key_padding_mask=~text_mask,
            need_weights=False)
        x = x + self.gate.tanh() * out
        if pose_mask is not None:
            x = x.masked_fill(~pose_mask[..., None], 0)
        return x

    def forward(self,
                tokens: Tokens,
                pose_mask: Optional[torch.Tensor] = None,
                text_feats: Optional[torch.Tensor] = None,
                text_mask: Optional[torch.Tensor] = None) -> Tokens:
        """Pose tokens (B, T, D) or {branch: (B, T, D)}, (B, T) frame mask,
        (B, L, C_text) text features with (B, L) mask -> same as ``tokens``.
        """
        if text_feats is None:
            return tokens  # pose-only: identity
        if text_mask is None:
            text_mask = text_feats.new_ones(text_feats.shape[:2],
                                            dtype=torch.bool)
        text = self.text_proj(text_feats)
        if isinstance(tokens, dict):
            return {
                k: self._fuse(v, text, text_mask, pose_mask)
                for k, v in tokens.items()
            }
        return self._fuse(tokens, text, text_mask, pose_mask)
