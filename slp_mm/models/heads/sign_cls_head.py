from typing import Dict, List

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule

from slp_mm.registry import MODELS
from slp_mm.structures import SignDataSample


@MODELS.register_module()
class SignClsHead(BaseModule):
    """Isolated sign classifier: mean of the encoder features over the real
    frames, then a single linear layer (the paper's 1-layer MLP), trained
    with label-smoothed cross-entropy (0.2 in the paper).

    Args:
        num_classes (int): Number of sign classes.
        in_channels (int): Encoder feature width.
        label_smoothing (float): Cross-entropy label smoothing.
        dropout (float): Dropout before the classifier.
    """

    def __init__(self,
                 num_classes: int,
                 in_channels: int = 1024,
                 label_smoothing: float = 0.2,
                 dropout: float = 0.0,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.num_classes = num_classes
        self.label_smoothing = label_smoothing
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(in_channels, num_classes)

    def forward(self, feats: torch.Tensor,
                pose_mask: torch.Tensor) -> torch.Tensor:
        """(B, T, C) features, (B, T) mask -> (B, num_classes) logits."""
        w = pose_mask[..., None].float()
        pooled = (feats * w).sum(1) / w.sum(1).clamp(min=1)  # (B, C)
        return self.fc(self.dropout(pooled))

    def _labels(self, data_samples: List[SignDataSample]) -> torch.Tensor:
        labels = []
        for s in data_samples:
            if 'gt_label' not in s:
                raise ValueError(f'Sample {s.get("sample_id")!r} has no '
                                 "class label (field 'label')")
            labels.append(s.gt_label)
        labels = torch.cat(labels)
        bad = (labels < 0) | (labels >= self.num_classes)
        if bad.any():
            i = int(bad.nonzero()[0])
            raise ValueError(
                f'Sample {data_samples[i].get("sample_id")!r}: label '
                f'{int(labels[i])} outside [0, {self.num_classes})')
        return labels

    def loss(self, feats, pose_mask,
             data_samples: List[SignDataSample]) -> Dict[str, torch.Tensor]:
        logits = self(feats, pose_mask)
        labels = self._labels(data_samples).to(logits.device)
        loss = F.cross_entropy(
            logits, labels, label_smoothing=self.label_smoothing)
        acc = (logits.argmax(1) == labels).float().mean()
        return dict(loss_cls=loss, top1_acc=acc.detach())

    def predict(self, feats, pose_mask,
                data_samples: List[SignDataSample]) -> List[SignDataSample]:
        scores = self(feats, pose_mask).softmax(-1)
        for s, score in zip(data_samples, scores):
            s.pred_score = score.detach()
            s.pred_label = score.argmax().reshape(1).detach()
        return data_samples
