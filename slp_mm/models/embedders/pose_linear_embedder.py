from typing import Dict, Sequence

import torch
import torch.nn as nn
from mmengine.model import BaseModule

from slp_mm.registry import MODELS
from slp_mm.structures import get_layout


@MODELS.register_module()
class PoseLinearEmbedder(BaseModule):
    """Per-frame linear pose embedding: each branch's joints are flattened
    and projected to one token, with no graph convolution. The paper's
    ablation baseline for :class:`PoseGCNEmbedder` (same inputs, outputs and
    branches, so the two swap in a config).

    Args:
        layout (str): Registered keypoint layout of the input joints.
        in_channels (int): Channels per joint (x, y, confidence).
        embed_dims (int): Channels of each branch token.
        branches (Dict[str, Sequence[str]]): Branch name -> layout parts.
    """

    def __init__(self,
                 layout: str = 'sign79',
                 in_channels: int = 3,
                 embed_dims: int = 512,
                 branches: Dict[str, Sequence[str]] = dict(
                     manual=('body', 'left_hand', 'right_hand'),
                     non_manual=('face', 'mouth')),
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.layout = get_layout(layout)
        self.branch_names = list(branches)
        self.embed_dims = embed_dims
        for name, parts in branches.items():
            self.register_buffer(
                f'{name}_joints',
                torch.tensor(self.layout.part_indexes(parts)),
                persistent=False)
        self.proj = nn.ModuleDict({
            name: nn.Sequential(
                nn.Linear(
                    len(getattr(self, f'{name}_joints')) * in_channels,
                    embed_dims), nn.LayerNorm(embed_dims))
            for name in self.branch_names
        })

    def forward(self, pose: torch.Tensor,
                pose_mask: torch.Tensor) -> Dict[str, torch.Tensor]:
        """(B, T, K, C) poses, (B, T) frame mask -> {branch: (B, T, D)}."""
        out = {}
        for name in self.branch_names:
            joints = getattr(self, f'{name}_joints')
            tok = self.proj[name](pose[:, :, joints].flatten(2))  # (B, T, D)
            out[name] = tok.masked_fill(~pose_mask[..., None], 0)
        return out
