"""Tensor math shared by several layers (models, evaluation)."""
from .fine_grained_similarity import (clip_word_similarity,
                                      fine_grained_similarity)

__all__ = ['clip_word_similarity', 'fine_grained_similarity']
