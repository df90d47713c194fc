from .attention_pool_cls_head import AttentionPoolClsHead

__all__ = ['AttentionPoolClsHead']
