from typing import Optional

import torch
from mmengine.config import Config
from mmengine.logging import print_log
from mmengine.runner.checkpoint import _load_checkpoint

from slp_mm.registry import MODELS
from ..pretrainers import SignPretrainer
from ..utils import load_pretrained_encoder


def _trained_window(checkpoint: dict) -> Optional[int]:
    """The STC clip window a checkpoint was trained with: its
    ``clip_window`` weight (a :class:`SignRetriever`'s) or else
    ``model.stc_head.window`` of the config mmengine saves as text in
    ``meta['cfg']`` (a pre-training run's); None if it holds neither."""
    state = checkpoint.get('state_dict', checkpoint)
    for key in ('clip_window', 'module.clip_window'):
        if key in state:
            return int(state[key])
    cfg_text = (checkpoint.get('meta') or {}).get('cfg')
    if not cfg_text:
        return None
    stc_head = Config.fromstring(cfg_text, '.py').model.get('stc_head')
    return None if stc_head is None else stc_head.get('window')


@MODELS.register_module()
class SignRetriever(SignPretrainer):
    """Sign-text retrieval (SL-RT): the pre-training model fine-tuned with the
    sign-text contrastive loss only.

    Training is :class:`SignPretrainer`'s STC (fine-grained by default;
    ``stc_head.granularity='coarse'`` for the [CLS]/mean variant); ``predict``
    gives the clip and word embeddings that :class:`RetrievalMetric` scores
    over the whole test set. MPM can be kept as an auxiliary loss by giving
    an ``mpm_head``.

    Starting from a pre-training checkpoint (``pretrained``, loaded in
    ``init_weights``), two settings are not simply the checkpoint's weights:

    - the temperature restarts at ``stc_head.init_temperature`` (the
      paper's Table III: 0.07 for SL-RT), not at the value pre-training
      ended with;
    - the clip window is the one the checkpoint was trained with, read from
      the pre-training config saved in its meta (e.g. 8 after the
      ``window_8`` ablation). ``stc_head.window=None`` takes it; a window
      given in the config must equal it.

    The window is saved with the weights (``clip_window``), so testing a
    fine-tuned checkpoint uses the window it was fine-tuned with, under the
    same rule.

    Args:
        pretrained (str, optional): Pre-training checkpoint whose embedder,
            encoder and STC projections (and MPM head, if this model has
            one) initialise this model.
    """

    def __init__(self,
                 embedder: dict,
                 encoder: dict,
                 text_encoder: dict,
                 stc_head: dict,
                 mpm_head: Optional[dict] = None,
                 pretrained: Optional[str] = None,
                 **kwargs) -> None:
        configured_window = stc_head.get('window')
        if configured_window is None:  # the head's default until loaded
            stc_head = {k: v for k, v in stc_head.items() if k != 'window'}
        super().__init__(
            embedder=embedder,
            encoder=encoder,
            text_encoder=text_encoder,
            mpm_head=mpm_head,
            stc_head=stc_head,
            **kwargs)
        self.pretrained = pretrained
        self.configured_window = configured_window
        self.register_buffer('clip_window',
                             torch.tensor(self.stc_head.window))
        # log(1 / init_temperature): where fine-tuning restarts
        self.init_logit_scale = self.stc_head.logit_scale.item()

    def init_weights(self) -> None:
        super().init_weights()
        if not self.pretrained:
            return
        ckpt = _load_checkpoint(self.pretrained, map_location='cpu')
        window = _trained_window(ckpt)
        if window is None:
            print_log(
                f'{self.pretrained} records no STC window (no clip_window '
                "weight, no config in meta['cfg']); keeping "
                f'{self.stc_head.window}', logger='current', level=30)
        else:
            self._set_window(window, self.pretrained)
        # the pre-trained temperature is not taken (logged as missing)
        ckpt.get('state_dict', ckpt).pop('stc_head.logit_scale', None)
        prefixes = ('embedder.', 'encoder.', 'stc_head.')
        if self.mpm_head is not None:
            prefixes += ('mpm_head.', )
        load_pretrained_encoder(self, ckpt, prefixes, name=self.pretrained)
        with torch.no_grad():
            self.stc_head.logit_scale.fill_(self.init_logit_scale)

    def _set_window(self, window: int, source: str) -> None:
        """Pool clips of ``window`` frames, as ``source`` was trained; a
        different window in the config is an error."""
        if window == self.stc_head.window:
            return
        if self.configured_window is not None:
            raise ValueError(
                f'{source} was trained with an STC window of {window} '
                f'frames, the config sets model.stc_head.window='
                f'{self.configured_window}; set it to {window} (or None to '
                'take the checkpoint\'s)')
        print_log(f'STC window: {window} frames, from {source}',
                  logger='current')
        self.stc_head.window = window
        self.clip_window.fill_(window)

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        # every load (load_from, resume, inference) goes through here
        key = prefix + 'clip_window'
        if key in state_dict:
            self._set_window(int(state_dict[key]), 'the loaded checkpoint')
        elif prefix + 'stc_head.logit_scale' in state_dict:
            raise ValueError(
                'Loading a whole model without clip_window into a '
                'SignRetriever (a pre-training checkpoint given as '
                '`load_from`?) would keep its temperature and skip the '
                'window check: give it as model.pretrained')
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)
