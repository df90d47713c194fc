import math
from typing import Dict, List, Optional, Tuple

import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from mmengine.dist import get_world_size
from mmengine.model import BaseModule

from slp_mm.functional import clip_word_similarity, fine_grained_similarity
from slp_mm.registry import MODELS


def same_sentence(text_ids: torch.Tensor,
                  text_mask: torch.Tensor) -> torch.Tensor:
    """(N, L) token ids, (N, L) True on real tokens -> (N, N) True where
    sentences i and j are identical (the same real tokens at the same
    positions; padding ids never count). Diagonal True."""
    ids = text_ids.masked_fill(~text_mask.bool(), -1)  # (N, L)
    _, sentence = torch.unique(ids, dim=0, return_inverse=True)  # (N, )
    return sentence[:, None] == sentence[None]


def multi_positive_info_nce(logits: torch.Tensor,
                            positives: torch.Tensor) -> torch.Tensor:
    """Symmetric InfoNCE of (N, N) logits (sign i x sentence j) whose
    positives are ``positives`` (N, N, bool, diagonal True).

    Each row (sign -> text) and each column (text -> sign) is a soft-target
    cross-entropy with the target uniform over its positives::

        P_i = {j : positives[i, j]}
        L_s2t = -1/N sum_i 1/|P_i| sum_{j in P_i} log softmax_j(logits[i])
        L_t2s = the same over the columns of logits
        loss  = (L_s2t + L_t2s) / 2

    With only the diagonal positive this is CLIP's symmetric InfoNCE.
    """
    target = positives.float()
    return (F.cross_entropy(logits, target / target.sum(1, keepdim=True)) +
            F.cross_entropy(logits.t(), target.t() /
                            target.t().sum(1, keepdim=True))) / 2


@MODELS.register_module()
class FineGrainedContrastiveHead(BaseModule):
    """Fine-grained sign-text contrastive learning (STC).

    Pose features are average-pooled in windows of ``window`` frames into
    clips and both sides are projected to a shared ``embed_dims`` space and
    L2-normalised. For every sign i / sentence j of the batch, the clip x word
    cosine-similarity matrix ``S_ij`` (T' x L) is re-weighted by a softmax
    over words (``softmax(S / word_temperature)`` along L), each clip's
    weighted row is summed and the rows are averaged over clips into one
    score ``s_ij``. ``exp(logit_scale) * s`` gives the logits of a symmetric
    InfoNCE loss (sign->text and text->sign, :func:`multi_positive_info_nce`),
    with a learnable temperature initialised to 0.07 (CLIP's
    parametrisation, ``exp(logit_scale)`` kept in [1, ``max_logit_scale``],
    see :meth:`inverse_temperature`).

    Repeated sentences: SL-1.5M turns each isolated sign into a template
    sentence ("This word is apple."), so a batch often holds one sentence
    several times (identical token ids). ``duplicate_sentences`` says what
    the copies are to each other:

    - ``'excluded'`` (default): each copy is left out of the others'
      softmax denominators, in both directions, so another clip of the same
      word is never pushed away from the sentence;
    - ``'positives'``: multi-positive InfoNCE, the target uniform over the
      copies (:func:`multi_positive_info_nce`);
    - ``'negatives'``: the paper's InfoNCE, each copy a negative of the
      others.

    ``'positives'`` and ``'negatives'`` agree exactly while the copies have
    identical features, as with the frozen text encoder: their columns are
    equal and the one-hot targets of equal columns average to the uniform
    one, so only ``'excluded'`` changes training there (its loss can reach
    0 where the others stay above log(copies)). They differ once the copies'
    features differ (a text encoder trained with dropout). Either way
    the number of such pairs is reported as ``stc_duplicate_pairs``.

    The paper's batch is 512 = 64 x 8 GPUs: with ``gather_negatives`` and
    several ranks, the InfoNCE runs over the whole global batch, so each sign
    has 511 negative sentences instead of its own GPU's 63 (see
    :meth:`global_scores`), and repeated sentences are found over the global
    batch too (:meth:`same_sentence`).

    Args:
        pose_channels (int): Width of the pose features (1024).
        text_channels (int): Width of the text features (mBART: 1024).
        embed_dims (int): Shared space width (512).
        window (int): Frames per pooled clip (4).
        init_temperature (float): Initial InfoNCE temperature (0.07).
        word_temperature (float): Temperature of the softmax over words.
        max_logit_scale (float): Upper bound on ``1 / temperature``.
        gather_negatives (bool): Contrast against the global batch of all
            ranks; falls back to the local batch when not distributed.
        chunk_size (int, optional): Signs scored at once by
            :func:`fine_grained_similarity` (bounds its memory; None: all).
        granularity (str): ``'fine'`` (clip x word, the paper's method) or
            ``'coarse'`` (the paper's ablation: one embedding per sign, the
            mean of its real frames, and one per sentence, the mean of its
            words; the encoder has no [CLS] token, so the pose side is a
            masked mean). Coarse is the fine computation with one clip and
            one word, so both share every line of code.
        duplicate_sentences (str): ``'excluded'``, ``'positives'`` or
            ``'negatives'``: what the pairs with identical sentences are to
            each other (see above).
    """

    DUPLICATE_MODES = ('excluded', 'positives', 'negatives')

    def __init__(self,
                 pose_channels: int = 1024,
                 text_channels: int = 1024,
                 embed_dims: int = 512,
                 window: int = 4,
                 init_temperature: float = 0.07,
                 word_temperature: float = 1.0,
                 max_logit_scale: float = 100.0,
                 gather_negatives: bool = True,
                 chunk_size: Optional[int] = None,
                 granularity: str = 'fine',
                 duplicate_sentences: str = 'excluded',
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        if granularity not in ('fine', 'coarse'):
            raise ValueError(f"granularity must be 'fine' or 'coarse', got "
                             f'{granularity!r}')
        if duplicate_sentences not in self.DUPLICATE_MODES:
            raise ValueError(f'duplicate_sentences must be one of '
                             f'{self.DUPLICATE_MODES}, got '
                             f'{duplicate_sentences!r}')
        self.granularity = granularity
        self.duplicate_sentences = duplicate_sentences
        if chunk_size is not None and chunk_size < 1:
            raise ValueError(f'chunk_size must be >= 1, got {chunk_size}')
        self.window = window
        self.word_temperature = word_temperature
        self.max_logit_scale = max_logit_scale
        self.gather_negatives = gather_negatives
        self.chunk_size = chunk_size
        self.pose_proj = nn.Linear(pose_channels, embed_dims)
        self.text_proj = nn.Linear(text_channels, embed_dims)
        # shape (1,), not a 0-dim tensor, which FSDP cannot flatten
        self.logit_scale = nn.Parameter(
            torch.tensor([math.log(1 / init_temperature)]))

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        # checkpoints written before logit_scale became shape (1,) hold it
        # 0-dim: reshape, so the learned temperature is kept
        key = prefix + 'logit_scale'
        if key in state_dict and state_dict[key].dim() == 0:
            state_dict[key] = state_dict[key].reshape(1)
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)

    def pool_clips(self, feats: torch.Tensor, mask: torch.Tensor
                   ) -> Tuple[torch.Tensor, torch.Tensor]:
        """(B, T, C), (B, T) -> clip means (B, T', C), clip mask (B, T'),
        averaging real frames only; T' = ceil(T / window)."""
        b, t, c = feats.shape
        pad = (-t) % self.window
        feats = F.pad(feats * mask[..., None], (0, 0, 0, pad))
        count = F.pad(mask.float(), (0, pad)).view(b, -1, self.window).sum(-1)
        sums = feats.view(b, -1, self.window, c).sum(2)  # (B, T', C)
        return sums / count.clamp(min=1)[..., None], count > 0

    def embed(self, pose_feats, pose_mask, text_feats, text_mask):
        """Normalised clips (B, T', E) with mask (B, T') and words (B, L, E)
        with mask (B, L); coarse: T' = L = 1."""
        if self.granularity == 'coarse':
            w = pose_mask[..., None].float()
            clips = ((pose_feats * w).sum(1) /
                     w.sum(1).clamp(min=1))[:, None]  # (B, 1, C)
            clip_mask = pose_mask.any(1, keepdim=True)
            w = text_mask[..., None].float()
            text_feats = ((text_feats * w).sum(1) /
                          w.sum(1).clamp(min=1))[:, None]  # (B, 1, C_text)
            text_mask = text_mask.any(1, keepdim=True)
        else:
            clips, clip_mask = self.pool_clips(pose_feats, pose_mask)
        clips = F.normalize(self.pose_proj(clips), dim=-1)
        words = F.normalize(self.text_proj(text_feats), dim=-1)
        return clips, clip_mask, words, text_mask

    def similarity(self, clips: torch.Tensor, clip_mask: torch.Tensor,
                   words: torch.Tensor,
                   word_mask: torch.Tensor) -> torch.Tensor:
        """Scores of every sign i against every sentence j -> (Bv, Bt).

        Always in fp32, also under bf16/fp16 autocast: the scores are scaled
        by up to 100 into logits, where bf16's 8-bit mantissa would be off
        by up to ~0.4.
        """
        with torch.autocast(clips.device.type, enabled=False):
            return fine_grained_similarity(clips.float(), clip_mask,
                                           words.float(), word_mask,
                                           self.word_temperature,
                                           self.chunk_size)

    def clip_word_similarity(self, clips: torch.Tensor, words: torch.Tensor,
                             word_mask: torch.Tensor
                             ) -> Tuple[torch.Tensor, torch.Tensor]:
        """Per-pair clip x word matrices (Bv, Bt, T', L) before and after
        the softmax over words, from :meth:`embed`'s outputs; the entries
        :meth:`similarity` reduces (for inspection, e.g. heatmaps)."""
        return clip_word_similarity(clips, words, word_mask,
                                    self.word_temperature)

    def inverse_temperature(self) -> torch.Tensor:
        """``exp(logit_scale)`` (1,), the logits' scale, after clamping the
        parameter itself into [0, log(max_logit_scale)] as CLIP does.

        Clamping ``exp(logit_scale)`` instead would zero the gradient above
        the cap, and a temperature that once reached it could never rise
        again. The parameter is clamped here, before every use (CLIP clamps
        after each optimizer step): no hook to configure, and a checkpoint
        saved above the cap is brought back too. It is clamped through
        ``.data``, outside autograd, because under FSDP ``logit_scale`` is a
        view of a flat parameter that autograd does not let be modified in
        place; there the clamp holds for the unsharded copy of the step.
        Call it once per loss, before any other use of ``logit_scale`` (the
        clamp must not change a value autograd has saved, which a compiled
        graph may do).
        """
        self.logit_scale.data.clamp_(0, math.log(self.max_logit_scale))
        return self.logit_scale.exp()

    def forward(self, pose_feats, pose_mask, text_feats,
                text_mask) -> torch.Tensor:
        """Logits (B, B) of the local batch: sign i vs sentence j,
        temperature applied."""
        clips, clip_mask, words, word_mask = self.embed(
            pose_feats, pose_mask, text_feats, text_mask)
        return self.inverse_temperature() * self.similarity(
            clips, clip_mask, words, word_mask)

    def loss(self, pose_feats: torch.Tensor, pose_mask: torch.Tensor,
             text_feats: torch.Tensor, text_mask: torch.Tensor,
             text_ids: torch.Tensor) -> Dict[str, torch.Tensor]:
        """Symmetric InfoNCE over the paired samples given (pair i = i), of
        the global batch when gathering (every rank joins the collectives:
        a rank without pairs calls :meth:`zero_loss`).

        Args:
            pose_feats, pose_mask: (n, T, C), (n, T) pose features.
            text_feats, text_mask: (n, L, C_text), (n, L) text features.
            text_ids: (n, L) token ids of the sentences, which tell repeated
                sentences apart.

        Returns:
            ``loss_stc`` and, to log, ``stc_temperature`` (the one used) and
            ``stc_duplicate_pairs`` (pairs i < j of the global batch with
            identical sentences).
        """
        same = self.same_sentence(text_ids, text_mask)  # (N, N)
        clips, clip_mask, words, word_mask = self.embed(
            pose_feats, pose_mask, text_feats, text_mask)
        if self._gathers():
            scores = self.global_scores(clips, clip_mask, words, word_mask)
        else:
            scores = self.similarity(clips, clip_mask, words, word_mask)
        return self._losses(scores, same)

    def zero_loss(self) -> Dict[str, torch.Tensor]:
        """The STC loss (and logs) of a rank without pairs (fewer than two,
        as :class:`SignPretrainer` decides), still connected to every
        parameter so DDP's gradient buckets stay in sync.

        Not distributed (or not gathering) it is zero. Gathering, the rank
        joins the collectives of :meth:`same_sentence` and
        :meth:`global_scores` with an empty batch and returns the global loss
        like every other rank, which keeps the DDP-averaged gradient exact
        (0 if no rank has pairs).
        """
        zero = sum(p.sum() for p in self.parameters()) * 0.0
        scores = None
        if self._gathers():
            # empty (0, 0, E) embeddings, made by the projections so that the
            # gathers below record their backward (which is a collective too)
            w = self.pose_proj.weight
            clips = self.pose_proj(
                w.new_zeros(0, 0, self.pose_proj.in_features))
            words = self.text_proj(
                w.new_zeros(0, 0, self.text_proj.in_features))
            empty = torch.zeros(0, 0, dtype=torch.bool, device=w.device)
            same = self.same_sentence(empty.long(), empty)
            scores = self.global_scores(clips, empty, words, empty)
        if scores is None:
            return dict(
                loss_stc=zero,
                stc_temperature=1 / self.inverse_temperature().detach(),
                stc_duplicate_pairs=zero.detach())
        losses = self._losses(scores, same)
        losses['loss_stc'] = zero + losses['loss_stc']
        return losses

    def same_sentence(self, text_ids: torch.Tensor,
                      text_mask: torch.Tensor) -> Optional[torch.Tensor]:
        """(n, L) local token ids and mask -> (N, N) True where pairs i and
        j have identical sentences (:func:`same_sentence`), over the global
        batch when gathering: a collective (the ids are all-gathered, pair i
        in :meth:`global_scores`' order); None if no rank has pairs."""
        ids = text_ids.masked_fill(~text_mask.bool(), -1)  # (n, L)
        if self._gathers():
            n, length = ids.shape
            counts, max_n, max_len = _gathered_sizes(n, length, ids.device)
            if sum(counts) == 0:
                return None
            ids = F.pad(ids, (0, max_len - length, 0, max_n - n), value=-1)
            ids = _cat_real(_AllGather.apply(ids), counts)  # (N, max_len)
        return same_sentence(ids, ids >= 0)

    def global_scores(self, clips: torch.Tensor, clip_mask: torch.Tensor,
                      words: torch.Tensor,
                      word_mask: torch.Tensor) -> Optional[torch.Tensor]:
        """Scores (N, N) of the global batch's N signs (rows) against its N
        sentences, the same on every rank; None if no rank has pairs.

        Only the words are gathered (padded to the largest local batch and
        L): each rank scores its n_r signs against all N sentences, and the
        (n_r, N) blocks are gathered, in rank order, into the full matrix. A
        column of it holds one sentence against all signs, so both InfoNCE
        directions come from it, at half the cost of also scoring all signs
        against the local sentences (and only N x N scores travel). Pair i
        is row i / column i of the matrix (local pair k of rank r is row
        sum(n_<r) + k), whatever the local sizes.

        The gathers send each copy's gradient back to its owner (summed).
        Every rank computes the same global loss, so a local feature receives
        W times its gradient of the global loss, and DDP's average over the W
        ranks makes the update exactly that of the single-process loss on the
        global batch.

        Args:
            clips: (n, T', E) local clip embeddings; clip_mask: (n, T').
            words: (n, L, E) local word embeddings; word_mask: (n, L).
        """
        n, length = words.shape[:2]
        counts, max_n, max_len = _gathered_sizes(n, length, words.device)
        if sum(counts) == 0:
            return None
        # float32 whatever autocast did, so every rank sends the same dtype
        words = F.pad(words.float(), (0, 0, 0, max_len - length, 0,
                                      max_n - n))  # (max_n, max_len, E)
        word_mask = F.pad(word_mask.to(torch.uint8),
                          (0, max_len - length, 0, max_n - n))
        all_words = _cat_real(_AllGather.apply(words), counts)  # (N, L, E)
        all_mask = _cat_real(_AllGather.apply(word_mask), counts).bool()
        block = self.similarity(clips, clip_mask, all_words, all_mask)
        block = F.pad(block.float(), (0, 0, 0, max_n - n))  # (max_n, N)
        return _cat_real(_AllGather.apply(block), counts)  # (N, N)

    def _gathers(self) -> bool:
        return self.gather_negatives and get_world_size() > 1

    @property
    def min_local_pairs(self) -> int:
        """Pairs a rank needs to call :meth:`loss` (else :meth:`zero_loss`):
        one when negatives come from the global batch, two otherwise."""
        return 1 if self._gathers() else 2

    def _info_nce(self, scores: torch.Tensor,
                  same: torch.Tensor) -> torch.Tensor:
        """Symmetric InfoNCE of (N, N) scores, pair i on the diagonal;
        ``same`` (N, N): :meth:`same_sentence`'s repeated sentences, treated
        as ``duplicate_sentences`` says.
        """
        logits = self.inverse_temperature() * scores.float()
        if self.duplicate_sentences == 'positives':
            return multi_positive_info_nce(logits, same)
        labels = torch.arange(len(same), device=same.device)
        if self.duplicate_sentences == 'excluded':  # -inf: out of the sums
            logits = logits.masked_fill(same & (labels[:, None] != labels),
                                        float('-inf'))
        # index targets: a soft target would give 0 * -inf = nan
        return (F.cross_entropy(logits, labels) +
                F.cross_entropy(logits.t(), labels)) / 2

    def _losses(self, scores: torch.Tensor,
                same: torch.Tensor) -> Dict[str, torch.Tensor]:
        """:meth:`loss`'s dict from the (N, N) scores and repeats."""
        loss = self._info_nce(scores, same)
        return dict(
            loss_stc=loss,
            # clamped by _info_nce: the temperature used
            stc_temperature=1 / self.logit_scale.detach().exp(),
            stc_duplicate_pairs=(same.sum() - len(same)).float() / 2)


class _AllGather(torch.autograd.Function):
    """(...) -> (W, ...) all_gather whose backward sums the gradients of
    every rank's copy into the owner's tensor (a reduce-scatter).

    Written here because ``torch.distributed.nn.functional.all_gather`` is
    deprecated in favour of a private API. Both collectives run on NCCL and
    on gloo (seen on torch 2.5.1 and 2.13); see :func:`_collective` for
    their names.
    """

    @staticmethod
    def forward(ctx, tensor: torch.Tensor) -> torch.Tensor:
        out = tensor.new_empty((get_world_size(), ) + tensor.shape)
        _collective('all_gather_single', 'all_gather_into_tensor')(
            out.flatten(0, 1), tensor.contiguous())
        return out

    @staticmethod
    def backward(ctx, grad: torch.Tensor) -> torch.Tensor:
        out = grad.new_empty(grad.shape[1:])
        _collective('reduce_scatter_single', 'reduce_scatter_tensor')(
            out, grad.contiguous().flatten(0, 1))
        return out


def _collective(name: str, floor_name: str):
    """``torch.distributed.<name>`` if this torch has it, else its older
    name ``<floor_name>``: torch 2.13 renamed all_gather_into_tensor and
    reduce_scatter_tensor to all_gather_single and reduce_scatter_single
    (the old names warn there); torch up to 2.12 has only the old ones."""
    return getattr(dist, name, None) or getattr(dist, floor_name)


def _gathered_sizes(n: int, length: int,
                    device: torch.device) -> Tuple[List[int], int, int]:
    """Every rank's local batch size n and length L -> (the n of each rank
    in rank order, the largest n, the largest L)."""
    sizes = _AllGather.apply(torch.tensor([n, length],
                                          device=device))  # (W, 2)
    max_n, max_len = sizes.max(0).values.tolist()
    return sizes[:, 0].tolist(), max_n, max_len


def _cat_real(per_rank: torch.Tensor, counts: List[int]) -> torch.Tensor:
    """(W, max_n, ...) -> (sum(counts), ...): the first ``counts[r]`` (real)
    rows of each rank's padded tensor, in rank order."""
    return torch.cat([t[:c] for t, c in zip(per_rank, counts)])
