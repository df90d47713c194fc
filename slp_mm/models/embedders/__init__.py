from .pose_gcn_embedder import PoseGCNEmbedder
from .pose_linear_embedder import PoseLinearEmbedder

__all__ = ['PoseGCNEmbedder', 'PoseLinearEmbedder']
