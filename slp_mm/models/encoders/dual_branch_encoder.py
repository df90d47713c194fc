from typing import Dict, Sequence

import torch
import torch.nn as nn
from mmengine.model import BaseModule

from slp_mm.registry import MODELS


@MODELS.register_module()
class DualBranchEncoder(BaseModule):
    """Two unshared transformer encoders, one per branch, concatenated.

    The manual (hands + body) and non-manual (face + mouth) token streams are
    encoded separately (8 pre-norm blocks of 512-d each in the paper) with
    learned temporal position embeddings and a key-padding mask, then
    concatenated to (B, T, 2 * 512).

    Args:
        branches (Sequence[str]): Branch names, in output order.
        embed_dims (int): Width of each branch.
        num_layers (int): Transformer blocks per branch.
        num_heads (int): Attention heads.
        ffn_ratio (int): Feed-forward width / ``embed_dims``.
        dropout (float): Dropout in the blocks.
        max_frames (int): Longest sequence (position embeddings).
    """

    def __init__(self,
                 branches: Sequence[str] = ('manual', 'non_manual'),
                 embed_dims: int = 512,
                 num_layers: int = 8,
                 num_heads: int = 8,
                 ffn_ratio: int = 4,
                 dropout: float = 0.1,
                 max_frames: int = 256,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.branches = list(branches)
        self.max_frames = max_frames
        self.embed_dims = embed_dims
        self.pos_embed = nn.ParameterDict({
            name: nn.Parameter(torch.zeros(1, max_frames, embed_dims))
            for name in self.branches
        })
        for p in self.pos_embed.values():
            nn.init.trunc_normal_(p, std=0.02)
        self.layers = nn.ModuleDict({
            name: nn.TransformerEncoder(
                nn.TransformerEncoderLayer(
                    embed_dims,
                    num_heads,
                    embed_dims * ffn_ratio,
                    dropout,
                    activation='gelu',
                    batch_first=True,
                    norm_first=True),
                num_layers,
                norm=nn.LayerNorm(embed_dims),
                enable_nested_tensor=False)
            for name in self.branches
        })

    @property
    def out_channels(self) -> int:
        return self.embed_dims * len(self.branches)

    def forward(self, tokens: Dict[str, torch.Tensor],
                pose_mask: torch.Tensor) -> torch.Tensor:
        """{branch: (B, T, D)}, (B, T) mask -> (B, T, D * branches)."""
        t = pose_mask.shape[1]
        if t > self.max_frames:
            raise ValueError(f'{self.__class__.__name__}: {t} frames exceed '
                             f'max_frames={self.max_frames}; sample them '
                             'down with TemporalSample')
        outs = []
        for name in self.branches:
            x = tokens[name] + self.pos_embed[name][:, :t]
            x = self.layers[name](x, src_key_padding_mask=~pose_mask)
            outs.append(x)
        out = torch.cat(outs, dim=-1)  # (B, T, 2D)
        return out.masked_fill(~pose_mask[..., None], 0)
