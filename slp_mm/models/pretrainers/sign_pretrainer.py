from typing import Dict, List, Optional

import torch
from mmengine.model import BaseModel

from slp_mm.registry import MODELS
from slp_mm.structures import SignDataSample


@MODELS.register_module()
class SignPretrainer(BaseModel):
    """Multimodal sign-text pre-training (the paper's Sec. III-B).

    One forward of the pose encoder on the masked poses feeds both pretext
    tasks::

        pose (masked) -> embedder -> encoder -> features (B, T, 1024)
        features -> MPM head: reconstruct the masked joints
        features (paired samples) + frozen text encoder(sentence)
                 -> STC head: fine-grained sign-text InfoNCE
        loss = loss_mpm + stc_weight * loss_stc

    Unpaired samples (no sentence) contribute to MPM only. ``predict`` gives
    the STC embeddings of unmasked poses for sign-text retrieval.

    Args:
        embedder (dict): Pose embedder config (:class:`PoseGCNEmbedder`).
        encoder (dict): Pose encoder config (:class:`DualBranchEncoder`).
        text_encoder (dict): Text encoder config (:class:`HFTextEncoder`).
        mpm_head (dict): :class:`MaskedPoseHead` config.
        stc_head (dict): :class:`FineGrainedContrastiveHead` config.
        stc_weight (float): lambda, weight of the STC loss (1.0).
        data_preprocessor (dict): :class:`SignDataPreprocessor` config.
    """

    def __init__(self,
                 embedder: dict,
                 encoder: dict,
                 text_encoder: Optional[dict],
                 mpm_head: Optional[dict],
                 stc_head: Optional[dict],
                 stc_weight: float = 1.0,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg=None) -> None:
        if data_preprocessor is None:
            data_preprocessor = dict(type='SignDataPreprocessor')
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.embedder = MODELS.build(embedder)
        self.encoder = MODELS.build(encoder)
        self.text_encoder = MODELS.build(text_encoder) if text_encoder else None
        self.mpm_head = MODELS.build(mpm_head) if mpm_head else None
        self.stc_head = MODELS.build(stc_head) if stc_head else None
        if self.stc_head is not None and self.text_encoder is None:
            raise ValueError('stc_head needs a text_encoder')
        self.stc_weight = stc_weight

    def extract_feat(self, pose: torch.Tensor, pose_mask: torch.Tensor,
                     mpm_mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        """(B, T, K, 3) poses -> (B, T, C) features; joints under
        ``mpm_mask`` are hidden (coordinates and confidence zeroed)."""
        if mpm_mask is not None:
            pose = pose.masked_fill(mpm_mask[..., None], 0)
        return self.encoder(self.embedder(pose, pose_mask), pose_mask)

    def forward(self,
                inputs: Dict[str, torch.Tensor],
                data_samples: Optional[List[SignDataSample]] = None,
                mode: str = 'tensor'):
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self.extract_feat(inputs['pose'], inputs['pose_mask'])
        raise RuntimeError(f'{self.__class__.__name__} supports modes '
                           f"'loss', 'predict' and 'tensor', not {mode!r}")

    def loss(self, inputs: Dict[str, torch.Tensor],
             data_samples: List[SignDataSample]) -> Dict[str, torch.Tensor]:
        pose, pose_mask = inputs['pose'], inputs['pose_mask']
        mpm_mask = inputs.get('mpm_mask')
        feats = self.extract_feat(pose, pose_mask, mpm_mask)  # (B, T, C)
        losses = {}
        if self.mpm_head is not None:
            if mpm_mask is None:
                raise ValueError('MPM needs an mpm_mask: add '
                                 'HierarchicalPoseMask to the pipeline')
            losses.update(
                self.mpm_head.loss(feats, pose[..., :2], pose[..., 2],
                                   mpm_mask, pose_mask))
        if self.stc_head is not None:
            paired = inputs['paired']
            if int(paired.sum()) >= self.stc_head.min_local_pairs:
                text_feats = self.text_encoder(
                    inputs['text_ids'][paired], inputs['text_mask'][paired])
                stc = self.stc_head.loss(feats[paired], pose_mask[paired],
                                         text_feats,
                                         inputs['text_mask'][paired],
                                         inputs['text_ids'][paired])
            else:
                stc = self.stc_head.zero_loss()
            losses['loss_stc'] = self.stc_weight * stc['loss_stc']
            losses['stc_temperature'] = stc['stc_temperature']
            losses['stc_duplicate_pairs'] = stc['stc_duplicate_pairs']
            losses['stc_pairs'] = paired.sum().float()
            if self.text_encoder.cache_size:
                info = self.text_encoder.cache_info()
                losses['text_cache_hit_rate'] = torch.tensor(
                    info.hits / max(info.hits + info.misses, 1))
        return losses

    def predict(self, inputs: Dict[str, torch.Tensor],
                data_samples: List[SignDataSample]) -> List[SignDataSample]:
        """STC embeddings for sign-text retrieval (:class:`RetrievalMetric`).

        The poses are encoded unmasked (an ``mpm_mask`` is ignored: MPM is a
        training-only corruption). Each data sample gets the L2-normalised
        ``clip_embeds`` (T', E) with ``clip_mask`` (T',) and ``word_embeds``
        (L, E) with ``word_mask`` (L,), padded to the batch.
        """
        if self.stc_head is None:
            raise RuntimeError('predict gives the STC embeddings for '
                               'retrieval, but the model has no stc_head')
        unpaired = [s.get('sample_id') for s in data_samples
                    if not s.is_paired]
        if unpaired:
            raise ValueError(
                f'samples {unpaired} have no sentence (field "text_ids"): '
                'retrieval needs paired samples; build the test dataset with '
                'paired_only=True')
        pose_mask, text_mask = inputs['pose_mask'], inputs['text_mask']
        feats = self.extract_feat(inputs['pose'], pose_mask)  # (B, T, C)
        text_feats = self.text_encoder(inputs['text_ids'],
                                       text_mask)  # (B, L, C_text)
        clips, clip_mask, words, word_mask = self.stc_head.embed(
            feats, pose_mask, text_feats, text_mask)  # (B, T', E), (B, L, E)
        for i, sample in enumerate(data_samples):
            sample.clip_embeds = clips[i]
            sample.clip_mask = clip_mask[i]
            sample.word_embeds = words[i]
            sample.word_mask = word_mask[i]
            sample.word_temperature = self.stc_head.word_temperature
        return data_samples
