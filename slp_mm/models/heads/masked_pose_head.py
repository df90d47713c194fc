from typing import Dict

import torch
import torch.nn as nn
from mmengine.model import BaseModule

from slp_mm.registry import MODELS


@MODELS.register_module()
class MaskedPoseHead(BaseModule):
    """Masked pose modelling (MPM) decoder: a 2-layer MLP from each frame's
    feature to the (x, y) of every joint.

    The loss is the keypoint-confidence-weighted squared error over the
    masked joints of real frames only::

        w = mask * confidence
        loss = sum(w * ||pred - target||^2) / sum(w)

    so unreliable estimator output counts less and visible joints (which the
    encoder saw) do not count at all.

    Args:
        in_channels (int): Encoder feature width (1024 in the paper).
        num_keypoints (int): Joints per frame: those of the model's layout
            (79 for ``sign79``, 53 for ``sign79_manual``, 26 for
            ``sign79_non_manual``): MPM reconstructs only the joints the
            model takes in.
        hidden_channels (int): Width of the hidden layer.
    """

    def __init__(self,
                 in_channels: int = 1024,
                 num_keypoints: int = 79,
                 hidden_channels: int = 1024,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.num_keypoints = num_keypoints
        self.decoder = nn.Sequential(
            nn.Linear(in_channels, hidden_channels), nn.GELU(),
            nn.Linear(hidden_channels, num_keypoints * 2))

    def forward(self, feats: torch.Tensor) -> torch.Tensor:
        """(B, T, C) features -> (B, T, K, 2) coordinates."""
        b, t, _ = feats.shape
        return self.decoder(feats).view(b, t, self.num_keypoints, 2)

    def loss(self, feats: torch.Tensor, target: torch.Tensor,
             confidence: torch.Tensor, mpm_mask: torch.Tensor,
             pose_mask: torch.Tensor) -> Dict[str, torch.Tensor]:
        """Weighted MSE on masked joints.

        Args:
            feats: (B, T, C) encoder output.
            target: (B, T, K, 2) unmasked normalised coordinates.
            confidence: (B, T, K) keypoint scores.
            mpm_mask: (B, T, K) True on masked joints.
            pose_mask: (B, T) True on real frames.
        """
        if target.shape[2] != self.num_keypoints:
            raise ValueError(
                f'{self.__class__.__name__}: the poses have '
                f'{target.shape[2]} joints, mpm_head.num_keypoints is '
                f'{self.num_keypoints}; set it to the layout\'s joint count')
        pred = self(feats)
        weight = (mpm_mask & pose_mask[..., None]).float() * confidence
        sq_err = (pred.float() - target.float()).pow(2).sum(-1)  # (B, T, K)
        loss = (weight * sq_err).sum() / weight.sum().clamp(min=1e-6)
        return dict(loss_mpm=loss)
