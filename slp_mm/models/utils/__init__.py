from .pretrained import load_pretrained_encoder

__all__ = ['load_pretrained_encoder']
