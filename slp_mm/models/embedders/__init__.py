from .pose_gcn_embedder import PoseGCNEmbedder

__all__ = ['PoseGCNEmbedder']
