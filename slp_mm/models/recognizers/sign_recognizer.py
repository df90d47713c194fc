from typing import Dict, List, Optional

import torch
from mmengine.model import BaseModel

from slp_mm.registry import MODELS
from slp_mm.structures import SignDataSample
from ..utils import load_pretrained_encoder


@MODELS.register_module()
class SignRecognizer(BaseModel):
    """Sign recognition: the pose encoder of pre-training plus a task head.

    With :class:`SignClsHead` it is isolated sign recognition (ISLR); with
    :class:`SignCTCHead` continuous recognition (CSLR, registered as
    :class:`SignCTCRecognizer`). A head provides ``forward(feats,
    pose_mask)``, ``loss(feats, pose_mask, data_samples)`` and
    ``predict(feats, pose_mask, data_samples)``.

    Args:
        embedder (dict): Pose embedder config.
        encoder (dict): Pose encoder config.
        head (dict): Head config.
        pretrained (str, optional): Checkpoint of a pre-trained model whose
            ``embedder.*`` / ``encoder.*`` weights initialise this one
            (loaded in ``init_weights``; mismatches fail loudly).
        data_preprocessor (dict): :class:`SignDataPreprocessor` config.
    """

    def __init__(self,
                 embedder: dict,
                 encoder: dict,
                 head: dict,
                 pretrained: Optional[str] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg=None) -> None:
        super().__init__(
            data_preprocessor=data_preprocessor
            or dict(type='SignDataPreprocessor'),
            init_cfg=init_cfg)
        self.embedder = MODELS.build(embedder)
        self.encoder = MODELS.build(encoder)
        self.head = MODELS.build(head)
        self.pretrained = pretrained

    def init_weights(self) -> None:
        super().init_weights()
        if self.pretrained:
            load_pretrained_encoder(self, self.pretrained)

    def extract_feat(self, pose: torch.Tensor,
                     pose_mask: torch.Tensor) -> torch.Tensor:
        """(B, T, K, 3) poses -> (B, T, C) features."""
        return self.encoder(self.embedder(pose, pose_mask), pose_mask)

    def forward(self,
                inputs: Dict[str, torch.Tensor],
                data_samples: Optional[List[SignDataSample]] = None,
                mode: str = 'tensor'):
        feats = self.extract_feat(inputs['pose'], inputs['pose_mask'])
        if mode == 'tensor':
            return self.head(feats, inputs['pose_mask'])
        if mode == 'loss':
            return self.head.loss(feats, inputs['pose_mask'], data_samples)
        if mode == 'predict':
            return self.head.predict(feats, inputs['pose_mask'],
                                     data_samples)
        raise RuntimeError(f'Invalid mode {mode!r}')


@MODELS.register_module()
class SignCTCRecognizer(SignRecognizer):
    """Continuous sign recognition: encoder + TCN + BiLSTM + CTC
    (:class:`SignCTCHead`), decoded by beam search into gloss sequences."""
