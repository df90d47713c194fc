"""The pose embedders on the paper's layouts and on single-feature ones."""
import pytest
import torch

from slp_mm.models.embedders import PoseGCNEmbedder

MANUAL = ('body', 'left_hand', 'right_hand')


def test_gcn_refuses_joints_outside_every_branch():
    # the graph would carry the face into the manual token
    with pytest.raises(ValueError,
                       match=r"\['face', 'mouth'\].*sign79_manual"):
        PoseGCNEmbedder(layout='sign79', gcn_channels=(8, ), embed_dims=16,
                        branches=dict(manual=MANUAL))


def test_gcn_on_the_manual_layout_has_only_its_joints():
    torch.manual_seed(0)
    embedder = PoseGCNEmbedder(layout='sign79_manual', gcn_channels=(8, ),
                               embed_dims=16, branches=dict(manual=MANUAL))
    gcn = embedder.gcn[0]
    assert gcn.A.shape == (3, 53, 53)
    pose = torch.randn(2, 5, 53, 3)
    mask = torch.ones(2, 5, dtype=torch.bool)
    assert embedder(pose, mask)['manual'].shape == (2, 5, 16)
    with pytest.raises(ValueError, match='79 keypoints.*53'):
        embedder(torch.randn(2, 5, 79, 3), mask)
