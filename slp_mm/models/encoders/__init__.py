from .dual_branch_encoder import DualBranchEncoder

__all__ = ['DualBranchEncoder']
