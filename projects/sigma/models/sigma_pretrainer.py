"""Sigma pre-training on slp_mm's pose embedder and encoder."""
from typing import Dict, List, Optional

import torch

from slp_mm.models.pretrainers import SignPretrainer
from slp_mm.registry import MODELS
from slp_mm.structures import SignDataSample

from .losses import (hierarchical_contrastive_loss, matching_loss,
                     mine_hard_negatives, zero_like_params)


@MODELS.register_module()
class SigmaPretrainer(SignPretrainer):
    """Sigma's unified pre-training objective (Pu et al., 2025), simplified.

    ::

        pose -> embedder -> tokens --------------------> encoder -> feats
                              |   (pose only, no text: fusion = identity)
                              +-> SignAwareEarlyFusion(text) -> encoder
                                                           -> fused feats
        text -> frozen text encoder -> text feats

        loss_stc        contrastive (FineGrainedContrastiveHead) on feats
        loss_stc_<lvl>  the same at other levels (hierarchical alignment),
                        e.g. on the embedder tokens, each level with its own
                        head (projections, temperature)
        loss_itm        matching head on fused feats: positives + in-batch
                        hard negatives mined from the detached stc scores
        loss_lm         a small decoder cross-attending to feats predicts
                        the sentence (teacher forcing, padding ignored)

    Contrastive and LM use the pose-only features (the text must not leak
    into them); only matching sees the text-fused features, as in BLIP.
    Building, ``forward``, ``extract_feat`` (pose only) and ``predict`` (STC
    embeddings for retrieval) are :class:`SignPretrainer`'s; only the
    losses differ.
    Samples without a sentence are skipped by every text loss; a batch with
    too few paired samples (``stc_head.min_local_pairs``: 2, or 1 when the
    head gathers negatives across ranks) gives zero text losses (still
    connected to every parameter). The encoder weights keep the ``embedder.`` /
    ``encoder.`` prefixes, so downstream configs load them with
    ``model.pretrained=``.

    Args:
        embedder, encoder, text_encoder (dict): As in
            :class:`SignPretrainer`.
        fusion (dict): :class:`SignAwareEarlyFusion` config.
        stc_head (dict): Contrastive head on the encoder output (also gives
            the scores for hard-negative mining and ``predict``).
        itm_head (dict): :class:`SigmaMatchingHead` config.
        lm_head (dict): :class:`SigmaLMHead` config.
        hier_heads (dict, optional): ``{level: head config}``, extra
            contrastive levels; levels are ``'embedder'`` (branch tokens
            concatenated in the encoder's branch order) and ``'encoder'``.
        hier_weights (dict, optional): ``{level: weight}`` (default 1).
        stc_weight, itm_weight, lm_weight (float): Loss weights.
        mpm_head (dict, optional): Keep SignPretrainer's masked pose
            modelling too (off in the Sigma configs); the pose-only
            features are then those of the masked poses.
        data_preprocessor (dict): :class:`SignDataPreprocessor` config.
    """

    LEVELS = ('embedder', 'encoder')

    def __init__(self,
                 embedder: dict,
                 encoder: dict,
                 text_encoder: dict,
                 fusion: dict,
                 stc_head: dict,
                 itm_head: Optional[dict] = None,
                 lm_head: Optional[dict] = None,
                 hier_heads: Optional[dict] = None,
                 hier_weights: Optional[dict] = None,
                 stc_weight: float = 1.0,
                 itm_weight: float = 1.0,
                 lm_weight: float = 1.0,
                 mpm_head: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg=None) -> None:
        super().__init__(
            embedder=embedder,
            encoder=encoder,
            text_encoder=text_encoder,
            mpm_head=mpm_head,
            stc_head=stc_head,
            stc_weight=stc_weight,
            data_preprocessor=data_preprocessor,
            init_cfg=init_cfg)
        self.fusion = MODELS.build(fusion)
        self.itm_head = MODELS.build(itm_head) if itm_head else None
        self.lm_head = MODELS.build(lm_head) if lm_head else None
        hier_heads = dict(hier_heads or {})
        bad = set(hier_heads) - set(self.LEVELS)
        if bad:
            raise KeyError(f'hier_heads: unknown levels {sorted(bad)}, '
                           f'choose from {self.LEVELS}')
        self.hier_heads = torch.nn.ModuleDict(
            {k: MODELS.build(v) for k, v in hier_heads.items()})
        self.hier_weights = dict(hier_weights or {})
        self.itm_weight = itm_weight
        self.lm_weight = lm_weight

    # -- features ---------------------------------------------------------
    def _cat_tokens(self, tokens) -> torch.Tensor:
        """Embedder tokens as one (B, T, C) tensor."""
        if isinstance(tokens, torch.Tensor):
            return tokens
        names = getattr(self.encoder, 'branches', None) or list(tokens)
        return torch.cat([tokens[k] for k in names], dim=-1)

    def extract_fused_feat(self, pose: torch.Tensor, pose_mask: torch.Tensor,
                           text_feats: torch.Tensor,
                           text_mask: torch.Tensor) -> torch.Tensor:
        """(B, T, K, 3) poses -> (B, T, C) features of the pose tokens fused
        with the (B, L, D) text features before the encoder (what the
        matching head sees)."""
        tokens = self.embedder(pose, pose_mask)
        tokens = self.fusion(tokens, pose_mask, text_feats, text_mask)
        return self.encoder(tokens, pose_mask)

    # -- losses -----------------------------------------------------------
    def _contrastive(self, head, feats, pose_mask, text_feats, text_mask,
                     text_ids, return_scores=False):
        """Symmetric InfoNCE of ``head`` (global batch when the head gathers
        negatives; repeated sentences as the head treats them) and, if asked,
        the detached local (n, n) scores."""
        same = head.same_sentence(text_ids, text_mask)
        clips, clip_mask, words, word_mask = head.embed(
            feats, pose_mask, text_feats, text_mask)
        if head._gathers():
            loss = head._info_nce(
                head.global_scores(clips, clip_mask, words, word_mask), same)
            local = None
            if return_scores:
                with torch.no_grad():
                    local = head.similarity(clips, clip_mask, words,
                                            word_mask)
        else:
            scores = head.similarity(clips, clip_mask, words, word_mask)
            loss, local = head._info_nce(scores, same), scores.detach()
        return loss, local

    def loss(self, inputs: Dict[str, torch.Tensor],
             data_samples: List[SignDataSample]) -> Dict[str, torch.Tensor]:
        pose, pose_mask = inputs['pose'], inputs['pose_mask']
        mpm_mask = inputs.get('mpm_mask')
        losses = {}
        if self.mpm_head is not None:
            if mpm_mask is None:
                raise ValueError('MPM needs an mpm_mask: add '
                                 'HierarchicalPoseMask to the pipeline')
            pose_in = pose.masked_fill(mpm_mask[..., None], 0)
        else:
            pose_in = pose
        tokens = self.embedder(pose_in, pose_mask)
        feats = self.encoder(tokens, pose_mask)  # pose only
        if self.mpm_head is not None:
            losses.update(
                self.mpm_head.loss(feats, pose[..., :2], pose[..., 2],
                                   mpm_mask, pose_mask))

        paired = inputs['paired']
        n = int(paired.sum())
        min_pairs = self.stc_head.min_local_pairs
        if inputs.get('text_ids') is None or n < min_pairs:
            # too few pairs (2, or 1 when negatives are gathered across
            # ranks): zero text losses, still touching every parameter; a
            # gathering head joins the other ranks' collectives
            zero = zero_like_params(self)
            losses['loss_stc'] = zero + self.stc_head.zero_loss()['loss_stc']
            for level, head in self.hier_heads.items():
                losses[f'loss_stc_{level}'] = zero + self.hier_weights.get(
                    level, 1.0) * head.zero_loss()['loss_stc']
            if self.itm_head is not None:
                losses['loss_itm'] = zero
            if self.lm_head is not None:
                losses['loss_lm'] = zero
            return losses

        text_ids = inputs['text_ids'][paired]
        text_mask = inputs['text_mask'][paired]
        pm = pose_mask[paired]
        text_feats = self.text_encoder(text_ids, text_mask)
        feats_p = feats[paired]

        # sign-text contrastive, and its scores for hard-negative mining
        loss_stc, scores = self._contrastive(self.stc_head, feats_p, pm,
                                             text_feats, text_mask, text_ids,
                                             True)
        losses['loss_stc'] = self.stc_weight * loss_stc
        losses['stc_temperature'] = 1 / self.stc_head.logit_scale.detach(
        ).exp()
        # hierarchical alignment: the same objective at other levels
        level_feats = dict(
            embedder=lambda: self._cat_tokens(tokens)[paired],
            encoder=lambda: feats_p)
        level_losses = {
            level: self._contrastive(head, level_feats[level](), pm,
                                     text_feats, text_mask, text_ids)[0]
            for level, head in self.hier_heads.items()
        }
        for level, value in level_losses.items():
            losses[f'loss_stc_{level}'] = hierarchical_contrastive_loss(
                {level: value}, self.hier_weights)

        if self.itm_head is not None:
            losses.update(
                self._matching(tokens, paired, pm, scores, text_ids,
                               text_feats, text_mask))
        if self.lm_head is not None:
            lm = self.lm_head.lm_loss(feats_p, pm, text_ids, text_mask)
            losses['loss_lm'] = self.lm_weight * lm['loss_lm']
            losses['lm_token_acc'] = lm['lm_token_acc']
        return losses

    def _matching(self, tokens, paired, pose_mask, scores, text_ids,
                  text_feats, text_mask) -> Dict[str, torch.Tensor]:
        """Matching loss over the n positives and the hard negatives."""
        n = text_ids.shape[0]
        # repeated sentences (same ids) are matches, never negatives
        same = (text_ids[:, None] == text_ids[None]).all(-1)
        text_neg, text_ok, sign_neg, sign_ok = mine_hard_negatives(
            scores, same)
        idx = torch.arange(n, device=text_ids.device)
        sign_idx = torch.cat([idx, idx[text_ok], sign_neg[sign_ok]])
        text_idx = torch.cat([idx, text_neg[text_ok], idx[sign_ok]])
        if isinstance(tokens, dict):
            tok = {k: v[paired][sign_idx] for k, v in tokens.items()}
        else:
            tok = tokens[paired][sign_idx]
        pm = pose_mask[sign_idx]
        fused = self.fusion(tok, pm, text_feats[text_idx],
                            text_mask[text_idx])
        logits = self.itm_head(self.encoder(fused, pm), pm)
        loss = matching_loss(logits[:n], logits[n:])
        target = torch.arange(len(logits), device=logits.device) < n
        acc = ((logits > 0) == target).float().mean()
        return dict(
            loss_itm=self.itm_weight * loss,
            itm_acc=acc.detach(),
            itm_gate=self.fusion.gate.detach().tanh())
