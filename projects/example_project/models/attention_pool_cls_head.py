import torch
import torch.nn as nn

from slp_mm.models import SignClsHead
from slp_mm.registry import MODELS


@MODELS.register_module()
class AttentionPoolClsHead(SignClsHead):
    """:class:`SignClsHead` with attention pooling over time: a linear layer
    scores each frame, the softmax over the real frames weighs them.

    Only the pooling changes, so the loss, label checks and prediction are
    inherited.
    """

    def __init__(self, num_classes: int, in_channels: int = 1024, **kwargs):
        super().__init__(num_classes, in_channels, **kwargs)
        self.score = nn.Linear(in_channels, 1)

    def forward(self, feats: torch.Tensor,
                pose_mask: torch.Tensor) -> torch.Tensor:
        """(B, T, C) features, (B, T) mask -> (B, num_classes) logits."""
        scores = self.score(feats).squeeze(-1)  # (B, T)
        weights = scores.masked_fill(~pose_mask, float('-inf')).softmax(-1)
        pooled = (weights[..., None] * feats).sum(1)  # (B, C)
        return self.fc(self.dropout(pooled))
