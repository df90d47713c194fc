import json
import os.path as osp
from collections import OrderedDict, namedtuple
from typing import Optional

import torch
from mmengine.logging import print_log
from mmengine.model import BaseModule

from slp_mm.registry import MODELS

ARCHITECTURES = osp.join(osp.dirname(__file__), 'architectures')

# counters of the sentence cache, as functools.lru_cache reports them
CacheInfo = namedtuple('CacheInfo',
                       ['hits', 'misses', 'maxsize', 'currsize'])


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

    Output cache: a frozen encoder maps a sentence to the same features every
    time, and pre-training corpora repeat sentences (isolated-sign words,
    templates). With ``cache_size=N`` the features of the N most recently
    used sentences are kept (LRU), keyed by the exact token ids of the
    sentence and the autocast dtype (so mixed-precision and fp32 features
    never mix); only the sentences of a batch that miss go through the
    encoder, as one batch cut to their longest length. Entries hold the real
    tokens only, detached, in the dtype the encoder returned: mBART's
    features stay fp32 under autocast (bf16 matmuls feed an fp32 residual
    stream), so at most ``N x L x 1024 x 4`` bytes (L <= 128 tokens). Hits
    and misses are counted (:meth:`cache_info`; :class:`SignPretrainer` logs
    the hit rate). The cache needs right padding (as
    ``SignDataPreprocessor`` pads), is per process, is not saved in
    checkpoints and is cleared when weights are loaded.

    Args:
        name_or_path (str): Hub name or local directory.
        config (dict, optional): Architecture overrides for ``AutoConfig``;
            must hold ``model_type``. Builds a randomly initialised model.
        frozen (bool): Freeze the weights and run in eval mode.
        allow_random_weights (bool): Allow training with a randomly
            initialised frozen encoder (the demo sets it).
        cache_size (int): Sentences whose features are cached (0: no
            cache). Needs ``frozen=True``.
        cache_device (str, optional): Where cached features live: None keeps
            them on the device they were computed on (the model's), ``'cpu'``
            in host memory (copied back to the device on a hit).
    """

    def __init__(self,
                 name_or_path: str = 'facebook/mbart-large-cc25',
                 config: Optional[dict] = None,
                 frozen: bool = True,
                 allow_random_weights: bool = False,
                 cache_size: int = 0,
                 cache_device: Optional[str] = None,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        from transformers import AutoConfig, AutoModel
        if cache_size < 0:
            raise ValueError(f'HFTextEncoder: cache_size must be >= 0, got '
                             f'{cache_size}')
        if cache_size and not frozen:
            raise ValueError(
                'HFTextEncoder: cache_size > 0 needs frozen=True (a trained '
                'encoder changes its outputs every step, so cached features '
                'would be stale)')
        self.cache_size = cache_size
        self.cache_device = cache_device
        self._cache = OrderedDict()  # key -> (L_i, D) features, LRU order
        self.cache_hits = 0
        self.cache_misses = 0
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
        """(B, L) ids and mask -> (B, L, D) token features, zero on
        padding."""
        if self.frozen and self.encoder.device != text_ids.device:
            # FSDP configs ignore the frozen encoder: FSDP neither shards
            # nor moves it, so it follows its inputs to their device
            self.encoder.to(text_ids.device)
        if self.cache_size:
            return self._encode_cached(text_ids, text_mask)
        return self._encode(text_ids, text_mask)

    def cache_info(self) -> CacheInfo:
        return CacheInfo(self.cache_hits, self.cache_misses, self.cache_size,
                         len(self._cache))

    def cache_clear(self) -> None:
        self._cache.clear()
        self.cache_hits = self.cache_misses = 0

    def _load_from_state_dict(self, *args, **kwargs):
        self.cache_clear()  # features of the old weights are stale
        super()._load_from_state_dict(*args, **kwargs)

    def _encode(self, text_ids: torch.Tensor,
                text_mask: torch.Tensor) -> torch.Tensor:
        with torch.set_grad_enabled(torch.is_grad_enabled()
                                    and not self.frozen):
            out = self.encoder(
                input_ids=text_ids, attention_mask=text_mask.long())
        return out.last_hidden_state.masked_fill(~text_mask[..., None], 0)

    def _encode_cached(self, text_ids: torch.Tensor,
                       text_mask: torch.Tensor) -> torch.Tensor:
        """:meth:`_encode` through the sentence cache; sentences missing from
        it (each distinct one once) are encoded as one batch."""
        b, length = text_ids.shape
        lengths = text_mask.sum(1)  # (B,)
        positions = torch.arange(length, device=text_mask.device)
        if not torch.equal(text_mask, positions < lengths[:, None]):
            raise ValueError(
                'HFTextEncoder cache: text_mask must be True on a prefix of '
                'each row (right padding); got a mask with holes or left '
                'padding')
        lengths = lengths.tolist()
        ids = text_ids.long().cpu().numpy()
        context = self._autocast_tag(text_ids.device)
        keys = [context + ids[i, :n].tobytes() for i, n in enumerate(lengths)]
        rows = {}  # key -> (L_i, D) features of this batch
        missed = {}  # key -> index of its first row
        for i, (key, n) in enumerate(zip(keys, lengths)):
            if n == 0 or key in rows or key in missed:
                continue
            if key in self._cache:
                self._cache.move_to_end(key)
                rows[key] = self._cache[key].to(text_ids.device)
            else:
                missed[key] = i
        self.cache_misses += len(missed)
        self.cache_hits += sum(n > 0 for n in lengths) - len(missed)
        if missed:
            idx = list(missed.values())
            n_max = max(lengths[i] for i in idx)
            feats = self._encode(text_ids[idx, :n_max],
                                 text_mask[idx, :n_max])  # (M, n_max, D)
            for feat, (key, i) in zip(feats, missed.items()):
                rows[key] = feat[:lengths[i]]
                # a copy: a view would keep the whole (M, n_max, D) alive
                self._cache[key] = feat[:lengths[i]].detach().to(
                    self.cache_device or feat.device, copy=True)
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        dtype = next(iter(rows.values())).dtype if rows else next(
            self.encoder.parameters()).dtype
        out = torch.zeros(b, length, self.out_channels, dtype=dtype,
                          device=text_ids.device)  # (B, L, D)
        for i, (key, n) in enumerate(zip(keys, lengths)):
            if n:
                out[i, :n] = rows[key]
        return out

    @staticmethod
    def _autocast_tag(device: torch.device) -> bytes:
        """Cache-key prefix naming the precision the encoder runs in."""
        if torch.is_autocast_enabled(device.type):
            return str(torch.get_autocast_dtype(device.type)).encode()
        return b'no-autocast'
