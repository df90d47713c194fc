import json
import os.path as osp
from typing import Optional

import torch
from mmengine.logging import print_log
from mmengine.model import BaseModule

from slp_mm.registry import MODELS

ARCHITECTURES = osp.join(osp.dirname(__file__), 'architectures')


def _shipped_architecture(name_or_path: str) -> Optional[dict]:
    """The architecture config we ship for a hub name, e.g. mBART-cc25."""
    file = osp.join(ARCHITECTURES, f'{name_or_path.split("/")[-1]}.json')
    if not osp.isfile(file):
        return None
    with open(file) as f:
        cfg = json.load(f)
    cfg.pop('_comment', None)
    return cfg


@MODELS.register_module()
class HFTextEncoder(BaseModule):
    """Any Hugging Face text encoder, frozen by default.

    Loading, in order (never a download):
      1. ``config`` given: build that architecture with random weights (tiny
         models for the demo and tests).
      2. ``name_or_path`` in the local Hugging Face cache or a directory:
         load the pretrained weights.
      3. Otherwise, if slp_mm ships the architecture of ``name_or_path``
         (``architectures/<name>.json``, e.g. ``mbart-large-cc25``): build it
         with random weights and warn loudly. ``is_pretrained`` is then
         False and :class:`RandomTextEncoderGuardHook` stops a training run
         unless ``allow_random_weights=True``.

    For encoder-decoder models (mBART) only the encoder is kept; the decoder
    is built with zero layers, so the full-size mBART costs the encoder's
    memory only.

    Args:
        name_or_path (str): Hub name or local directory.
        config (dict, optional): Architecture overrides for ``AutoConfig``;
            must hold ``model_type``. Builds a randomly initialised model.
        frozen (bool): Freeze the weights and run in eval mode.
        allow_random_weights (bool): Allow training with a randomly
            initialised frozen encoder (the demo sets it).
    """

    def __init__(self,
                 name_or_path: str = 'facebook/mbart-large-cc25',
                 config: Optional[dict] = None,
                 frozen: bool = True,
                 allow_random_weights: bool = False,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        from transformers import AutoConfig, AutoModel
        self.name_or_path = name_or_path
        self.frozen = frozen
        self.allow_random_weights = allow_random_weights
        self.is_pretrained = False
        if config is not None:
            cfg = AutoConfig.for_model(**self._encoder_only(dict(config)))
            model = AutoModel.from_config(cfg)
        else:
            try:
                model = AutoModel.from_pretrained(
                    name_or_path,
                    local_files_only=True,
                    **self._encoder_only_kwargs(name_or_path))
                self.is_pretrained = True
            except OSError as e:
                arch = _shipped_architecture(name_or_path)
                if arch is None:
                    raise FileNotFoundError(
                        f'Text encoder {name_or_path!r} is not available '
                        'offline and slp_mm ships no architecture for it; '
                        'download it into the Hugging Face cache or pass '
                        f'`config`. ({e})') from e
                print_log(
                    '!' * 79 + f'\nHFTextEncoder: pretrained weights of '
                    f'{name_or_path!r} are not available offline; building '
                    'the architecture with RANDOM weights. A frozen random '
                    'text encoder gives meaningless text features: download '
                    'the weights for real training.\n' + '!' * 79,
                    logger='current',
                    level=30)
                cfg = AutoConfig.for_model(**self._encoder_only(arch))
                model = AutoModel.from_config(cfg)
        self.config = model.config
        self.encoder = (model.get_encoder()
                        if model.config.is_encoder_decoder else model)
        if frozen:
            self.encoder.requires_grad_(False)
            self.encoder.eval()

    @staticmethod
    def _encoder_only(cfg: dict) -> dict:
        if 'decoder_layers' in cfg:
            cfg['decoder_layers'] = 0
        return cfg

    @staticmethod
    def _encoder_only_kwargs(name_or_path: str) -> dict:
        from transformers import AutoConfig
        try:
            cfg = AutoConfig.from_pretrained(
                name_or_path, local_files_only=True)
        except OSError:
            return {}
        return dict(decoder_layers=0) if cfg.is_encoder_decoder else {}

    @property
    def out_channels(self) -> int:
        return getattr(self.config, 'd_model', None) or self.config.hidden_size

    def train(self, mode: bool = True):
        super().train(mode)
        if self.frozen:
            self.encoder.eval()
        return self

    def forward(self, text_ids: torch.Tensor,
                text_mask: torch.Tensor) -> torch.Tensor:
        """(B, L) ids and mask -> (B, L, D) token features."""
        with torch.set_grad_enabled(torch.is_grad_enabled()
                                    and not self.frozen):
            out = self.encoder(
                input_ids=text_ids, attention_mask=text_mask.long())
        return out.last_hidden_state
