import warnings
from typing import Dict, Sequence

import torch
import torch.nn as nn
from mmengine.model import BaseModule

with warnings.catch_warnings():
    # importing mmaction.models imports mmcv.cnn.bricks.transformer, which
    # warns on every command that mmcv-lite lacks the compiled
    # MultiScaleDeformableAttention op (no slp_mm model uses it)
    warnings.filterwarnings(
        'ignore', message='Fail to import ``MultiScaleDeformableAttention``',
        category=UserWarning)
    from mmaction.models.utils.gcn_utils import unit_gcn
    from mmaction.models.utils.graph import Graph

from slp_mm.registry import MODELS
from slp_mm.structures import get_layout


@MODELS.register_module()
class PoseGCNEmbedder(BaseModule):
    """Per-frame spatial GCN over the joint graph, one token per branch and
    frame.

    Each frame is a graph of its joints (no temporal edges, no temporal
    convolution: time is the transformer's job). mmaction2's ``unit_gcn``
    layers run on the real frames only (padding is dropped before and
    restored after, so BatchNorm never sees it); each branch then flattens
    its joints' features and projects them to one token: ``manual`` (hands +
    body) and ``non_manual`` (face + mouth) in the paper.

    Every joint of the layout must belong to a branch: the graph would carry
    a joint outside all branches into its neighbours' features (and into
    BatchNorm's statistics). A model of fewer parts takes a layout of only
    those parts (e.g. ``'sign79_manual'``, see
    :meth:`KeypointLayout.select_parts`).

    Args:
        layout (str): Registered keypoint layout of the input joints.
        in_channels (int): Channels per joint (x, y, confidence).
        gcn_channels (Sequence[int]): Output channels of each GCN layer.
        embed_dims (int): Channels of each branch token.
        branches (Dict[str, Sequence[str]]): Branch name -> layout parts.
        adaptive (str): mmaction2 adjacency adaptation mode.
    """

    def __init__(self,
                 layout: str = 'sign79',
                 in_channels: int = 3,
                 gcn_channels: Sequence[int] = (64, 64, 128),
                 embed_dims: int = 512,
                 branches: Dict[str, Sequence[str]] = dict(
                     manual=('body', 'left_hand', 'right_hand'),
                     non_manual=('face', 'mouth')),
                 adaptive: str = 'importance',
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.layout = get_layout(layout)
        covered = self.layout.part_indexes(
            [p for parts in branches.values() for p in parts])
        if len(covered) < self.layout.num_keypoints:
            unused = [p for p, idx in self.layout.parts.items()
                      if not set(idx) <= set(covered)]
            raise ValueError(
                f'{self.__class__.__name__}: joints of parts {unused} of '
                f'layout {self.layout.name!r} are in no branch, yet the graph '
                'would pass them into the branches; use a layout of only the '
                "branch parts (e.g. 'sign79_manual')")
        graph = Graph(self.layout.graph_layout(), mode='spatial')
        A = torch.tensor(graph.A, dtype=torch.float32)  # (3, K, K)
        channels = [in_channels] + list(gcn_channels)
        self.gcn = nn.Sequential(*[
            unit_gcn(c_in, c_out, A, adaptive=adaptive, with_res=c_in > 3)
            for c_in, c_out in zip(channels[:-1], channels[1:])
        ])
        self.branch_names = list(branches)
        for name, parts in branches.items():
            idx = self.layout.part_indexes(parts)
            self.register_buffer(f'{name}_joints', torch.tensor(idx),
                                 persistent=False)
        self.proj = nn.ModuleDict({
            name: nn.Sequential(
                nn.Linear(len(getattr(self, f'{name}_joints')) * channels[-1],
                          embed_dims), nn.LayerNorm(embed_dims))
            for name in self.branch_names
        })
        self.embed_dims = embed_dims

    def forward(self, pose: torch.Tensor,
                pose_mask: torch.Tensor) -> Dict[str, torch.Tensor]:
        """(B, T, K, C) poses, (B, T) frame mask -> {branch: (B, T, D)}."""
        b, t, k, c = pose.shape
        if k != self.layout.num_keypoints:
            raise ValueError(
                f'{self.__class__.__name__}: inputs have {k} keypoints, '
                f'layout {self.layout.name!r} has {self.layout.num_keypoints}')
        frames = pose[pose_mask]  # (N, K, C), N real frames
        # contiguous: a permuted (channels-last) input gives the first conv a
        # channels-last weight gradient, which DDP copies every step
        x = frames.permute(0, 2, 1).unsqueeze(2).contiguous()  # (N, C, 1, K)
        x = self.gcn(x).squeeze(2)  # (N, C', K)
        out = {}
        for name in self.branch_names:
            joints = getattr(self, f'{name}_joints')
            tok = self.proj[name](x[:, :, joints].flatten(1))  # (N, D)
            full = tok.new_zeros(b, t, self.embed_dims)
            full[pose_mask] = tok
            out[name] = full  # (B, T, D)
        return out
