"""MaskedPoseHead reconstructs the joints of the model's layout only."""
import pytest
import torch

from slp_mm.models.heads import MaskedPoseHead


def test_mpm_head_names_a_joint_count_mismatch():
    head = MaskedPoseHead(in_channels=8, num_keypoints=53, hidden_channels=8)
    feats = torch.randn(2, 3, 8)
    pose_mask = torch.ones(2, 3, dtype=torch.bool)
    ok = head.loss(feats, torch.randn(2, 3, 53, 2), torch.ones(2, 3, 53),
                   torch.ones(2, 3, 53, dtype=torch.bool), pose_mask)
    assert torch.isfinite(ok['loss_mpm'])
    with pytest.raises(ValueError, match='79 joints.*num_keypoints is 53'):
        head.loss(feats, torch.randn(2, 3, 79, 2), torch.ones(2, 3, 79),
                  torch.ones(2, 3, 79, dtype=torch.bool), pose_mask)
