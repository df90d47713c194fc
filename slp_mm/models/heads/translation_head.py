"""Gloss-free sign language translation: pose features -> sentence."""
from typing import Dict, List, Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule

from slp_mm.registry import MODELS
from slp_mm.structures import SignDataSample, load_tokenizer

IGNORE_INDEX = -100


def mbart_targets(text_ids: torch.Tensor,
                  eos_id: int) -> Tuple[torch.Tensor, torch.Tensor]:
    """Decoder input and labels from ``sentence </s> <lang>`` ids.

    ``TokenizeText`` writes mBART's source format; the target side uses
    mBART-50's: ``</s>`` starts the decoder, the language token comes next
    (given, never predicted, so its label is ignored) and ``</s>`` ends the
    sentence::

        text_ids        w1 .. wn </s> <lang>
        decoder input   </s> <lang> w1 .. wn
        labels          -100 w1 .. wn </s>

    Generation starts from the same ``</s> <lang>`` pair, so training and
    decoding see the same prefix.

    Args:
        text_ids (Tensor): (L,) ids, ``L >= 2``.
        eos_id (int): Id of ``</s>`` (mBART: 2).

    Returns:
        tuple: (L,) decoder input ids and (L,) labels.
    """
    target = torch.cat([text_ids[-1:], text_ids[:-1]])  # <lang> w </s>
    decoder_input = torch.cat([text_ids.new_tensor([eos_id]), target[:-1]])
    labels = target.clone()
    labels[0] = IGNORE_INDEX
    return decoder_input, labels


@MODELS.register_module()
class SignTranslationHead(BaseModule):
    """Gloss-free translation head: MLP projector + Hugging Face text
    decoder, trained with label-smoothed cross-entropy and decoded by
    transformers' beam search.

    The projector (a randomly initialised 2-layer MLP) maps the pose
    features to the decoder width; they take the place of the text encoder's
    output, so the decoder cross-attends to them (padding frames masked).
    The decoder is an encoder-decoder model built from ``decoder`` (random
    weights) with its encoder shrunk to zero layers and frozen: it is never
    run, and frozen remains keep DDP from waiting for their gradients.

    Targets follow mBART-50 (see :func:`mbart_targets`): the decoder starts
    with ``</s> <lang>`` in training and generation alike. The language
    token is ``target_language`` if given, else each sample's own, read
    from the end of its ``text_ids`` (``TokenizeText``'s format).

    ``predict`` sets each sample's ``pred_text`` (str), decoded
    without clean-up of tokenisation spaces, so tokenised references
    (PHOENIX-2014-T's ``regen .``) are matched as written.

    Args:
        decoder (dict): ``AutoConfig.for_model`` arguments of an
            encoder-decoder model; must hold ``model_type`` (e.g.
            ``'mbart'``).
        tokenizer (str): Tokenizer name or local path (local files only),
            used to decode and to look up ``target_language``.
        in_channels (int): Pose feature width.
        target_language (str, optional): Language token the decoder starts
            with, e.g. ``'de_DE'``. ``None``: each sample's own.
        num_beams (int): Beam width of generation.
        max_new_tokens (int): Longest generated sentence, in tokens.
        length_penalty (float): Beam-score length exponent (> 1 favours
            longer sentences).
        label_smoothing (float): Cross-entropy label smoothing.
    """

    def __init__(self,
                 decoder: dict,
                 tokenizer: str,
                 in_channels: int = 1024,
                 target_language: Optional[str] = None,
                 num_beams: int = 4,
                 max_new_tokens: int = 100,
                 length_penalty: float = 1.0,
                 label_smoothing: float = 0.1,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        from transformers import AutoConfig, AutoModelForSeq2SeqLM
        if 'model_type' not in decoder:
            raise KeyError("SignTranslationHead: `decoder` must name its "
                           "'model_type' (e.g. 'mbart')")
        config = AutoConfig.for_model(**decoder)
        if not config.is_encoder_decoder:
            raise ValueError(
                f'SignTranslationHead needs an encoder-decoder model type '
                f'(its decoder cross-attends to the pose features), got '
                f'{decoder["model_type"]!r}')
        if hasattr(config, 'encoder_layers'):
            config.encoder_layers = 0
        self.decoder = AutoModelForSeq2SeqLM.from_config(config)
        shared = self.decoder.get_input_embeddings().weight
        for p in self.decoder.get_encoder().parameters():
            if p is not shared:
                p.requires_grad_(False)
        self.eos_id = config.eos_token_id
        self.pad_id = config.pad_token_id
        self.vocab_size = config.vocab_size
        width = config.hidden_size
        self.projector = nn.Sequential(
            nn.Linear(in_channels, width), nn.GELU(),
            nn.Linear(width, width))
        self.tokenizer_name = tokenizer
        self.target_language = target_language
        self.num_beams = num_beams
        self.max_new_tokens = max_new_tokens
        self.length_penalty = length_penalty
        self.label_smoothing = label_smoothing
        self._tokenizer = None

    @property
    def tokenizer(self):
        """Loaded on first use, so configs build where it is absent."""
        if self._tokenizer is None:
            tok = load_tokenizer(self.tokenizer_name)
            if len(tok) > self.vocab_size:
                raise ValueError(
                    f'Tokenizer {self.tokenizer_name!r} has {len(tok)} '
                    f'tokens but the decoder only {self.vocab_size}')
            if (tok.eos_token_id, tok.pad_token_id) != (self.eos_id,
                                                        self.pad_id):
                raise ValueError(
                    f'Tokenizer {self.tokenizer_name!r} has eos/pad ids '
                    f'{tok.eos_token_id}/{tok.pad_token_id}, the decoder '
                    f'{self.eos_id}/{self.pad_id}')
            self._tokenizer = tok
        return self._tokenizer

    def forward(self, feats: torch.Tensor,
                pose_mask: torch.Tensor) -> torch.Tensor:
        """(B, T, C) features -> (B, T, D) decoder memory."""
        return self.projector(feats)

    def _memory(self, feats, pose_mask):
        from transformers.modeling_outputs import BaseModelOutput
        return BaseModelOutput(last_hidden_state=self(feats, pose_mask))

    def _text_ids(self, sample: SignDataSample) -> torch.Tensor:
        ids = sample.get('text_ids', None)
        if ids is None or len(ids) < 2 or int(ids[-2]) != self.eos_id:
            raise ValueError(
                f'Sample {sample.get("sample_id")!r}: field \'text_ids\' '
                f'must be `sentence </s> <lang>` (TokenizeText), got '
                f'{None if ids is None else ids.tolist()}; translation '
                'trains on paired samples only (paired_only=True)')
        return ids

    def _targets(self, data_samples: List[SignDataSample], device):
        """(B, L) decoder input ids, labels and padding mask."""
        pairs = [
            mbart_targets(self._text_ids(s), self.eos_id)
            for s in data_samples
        ]
        pad = nn.utils.rnn.pad_sequence
        decoder_input = pad([p[0] for p in pairs], batch_first=True,
                            padding_value=self.pad_id).to(device)
        labels = pad([p[1] for p in pairs], batch_first=True,
                     padding_value=IGNORE_INDEX).to(device)
        lengths = torch.tensor([len(p[0]) for p in pairs], device=device)
        mask = (torch.arange(decoder_input.shape[1], device=device)[None]
                < lengths[:, None])
        return decoder_input, labels, mask

    def logits(self, feats: torch.Tensor, pose_mask: torch.Tensor,
               decoder_input: torch.Tensor,
               decoder_mask: torch.Tensor) -> torch.Tensor:
        """Teacher-forced (B, L, V) next-token logits."""
        return self.decoder(
            encoder_outputs=self._memory(feats, pose_mask),
            attention_mask=pose_mask.long(),
            decoder_input_ids=decoder_input,
            decoder_attention_mask=decoder_mask.long(),
            use_cache=False).logits

    def loss(self, feats, pose_mask,
             data_samples: List[SignDataSample]) -> Dict[str, torch.Tensor]:
        decoder_input, labels, mask = self._targets(data_samples,
                                                    feats.device)
        logits = self.logits(feats, pose_mask, decoder_input, mask)
        loss = F.cross_entropy(
            logits.flatten(0, 1).float(),
            labels.flatten(),
            ignore_index=IGNORE_INDEX,
            label_smoothing=self.label_smoothing)
        scored = labels != IGNORE_INDEX
        acc = (logits.argmax(-1) == labels)[scored].float().mean()
        return dict(loss_translation=loss, token_acc=acc.detach())

    def _language_id(self, sample: SignDataSample) -> int:
        if self.target_language is None:
            return int(self._text_ids(sample)[-1])
        lang_id = self.tokenizer.convert_tokens_to_ids(self.target_language)
        if lang_id is None or lang_id == self.tokenizer.unk_token_id:
            raise KeyError(
                f'target_language {self.target_language!r} is not a token of '
                f'tokenizer {self.tokenizer_name!r}')
        return lang_id

    @torch.no_grad()
    def predict(self, feats, pose_mask,
                data_samples: List[SignDataSample]) -> List[SignDataSample]:
        start = torch.tensor(
            [[self.eos_id, self._language_id(s)] for s in data_samples],
            device=feats.device)  # (B, 2): </s> <lang>
        seqs = self.decoder.generate(
            encoder_outputs=self._memory(feats, pose_mask),
            attention_mask=pose_mask.long(),
            decoder_input_ids=start,
            decoder_start_token_id=self.eos_id,
            eos_token_id=self.eos_id,
            pad_token_id=self.pad_id,
            num_beams=self.num_beams,
            max_new_tokens=self.max_new_tokens,
            length_penalty=self.length_penalty,
            do_sample=False)  # (B, 2 + new tokens)
        texts = self.tokenizer.batch_decode(
            seqs[:, start.shape[1]:],
            skip_special_tokens=True,
            clean_up_tokenization_spaces=False)
        for s, text in zip(data_samples, texts):
            s.pred_text = text.strip()
        return data_samples
