import hashlib
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
EXTRA_STATE_KEY = '_extra_state'  # torch's key for get_extra_state()


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

    Checkpoints: a frozen encoder whose weights are those loaded from
    ``name_or_path`` (case 2; ``weights_from_name``) leaves them out of its
    state dict (for ``configs/pretrain/sl15m.py`` that is mBART-cc25's
    encoder, 408M of the model's 467M parameters, 1.63 of 1.87 GB) and
    keeps only ``_extra_state``: ``name_or_path`` and the SHA-256 of the
    weights (:meth:`weights_sha256`). Loading such a checkpoint keeps the
    weights built from the name once their hash matches, and fails with
    both hashes when it does not. Random, trained (``frozen=False``) or
    replaced (by a checkpoint holding other weights) weights are saved as
    usual, and checkpoints that hold the weights load as before.

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
        self._weights_sha256 = None  # computed on first need
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
        self.weights_from_name = self.is_pretrained and frozen
        self.register_state_dict_post_hook(_drop_weights_loaded_by_name)

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

    def weights_sha256(self) -> str:
        """SHA-256 of the wrapped model's state dict: for each entry, in
        name order, its name, dtype and shape, then its raw bytes (the same
        values in another dtype hash differently). Computed once, as the
        weights are frozen, and again after a checkpoint loads weights;
        1.2 s for mBART-cc25's encoder (1.63 GB) on an idle CPU core."""
        if self._weights_sha256 is None:
            sha = hashlib.sha256()
            for name, tensor in sorted(self.encoder.state_dict().items()):
                tensor = tensor.detach().cpu().contiguous()
                sha.update(f'{name}:{tensor.dtype}:{tuple(tensor.shape)};'
                           .encode())
                sha.update(tensor.reshape(-1).view(torch.uint8).numpy())
            self._weights_sha256 = sha.hexdigest()
        return self._weights_sha256

    def get_extra_state(self) -> torch.Tensor:
        """``{"name_or_path", "weights_sha256"}`` as JSON in a uint8 tensor;
        ``weights_sha256`` is None when the weights are in the state dict.
        A tensor, not a dict: mmengine broadcasts every state-dict entry
        when training starts and safetensors stores tensors only."""
        source = dict(
            name_or_path=self.name_or_path,
            weights_sha256=(self.weights_sha256()
                            if self.weights_from_name else None))
        return torch.frombuffer(
            bytearray(json.dumps(source).encode()), dtype=torch.uint8)

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        """Load the weights a checkpoint holds, or, when it names them
        instead, check their hash and keep the ones built from the name.
        The extra state is read here, not in ``set_extra_state``, because
        what to do depends on whether the weights are there."""
        self.cache_clear()  # features of the old weights are stale
        source = state_dict.pop(prefix + EXTRA_STATE_KEY, None)
        source = None if source is None else json.loads(
            source.cpu().numpy().tobytes())  # older checkpoints: none
        weights_prefix = prefix + 'encoder.'
        weights = {
            k[len(weights_prefix):]: v
            for k, v in state_dict.items() if k.startswith(weights_prefix)
        }
        if weights:
            self._note_loaded_weights(weights)
        elif source is not None and source['weights_sha256'] is not None:
            self._check_weights_sha256(source)
            # the encoder keeps its weights: hand them back to its modules
            # (a no-op copy) so that none is reported missing
            state_dict.update({
                weights_prefix + k: v
                for k, v in self.encoder.state_dict().items()
            })
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)

    def _note_loaded_weights(self, weights: dict) -> None:
        """Weights other than the name's are saved from now on."""
        if self.weights_from_name:
            own = self.encoder.state_dict()
            self.weights_from_name = own.keys() == weights.keys() and all(
                torch.equal(weights[k].to(v.device), v)
                for k, v in own.items())
        self._weights_sha256 = None

    def _check_weights_sha256(self, source: dict) -> None:
        expected, found = source['weights_sha256'], self.weights_sha256()
        if found != expected:
            built = (f'loaded from {self.name_or_path!r}' if self.is_pretrained
                     else 'random (no pretrained weights were loaded)')
            raise ValueError(
                'HFTextEncoder: the checkpoint leaves out the weights of its '
                f'frozen text encoder {source["name_or_path"]!r} (sha256 '
                f'{expected}), but the weights here, {built}, differ (sha256 '
                f'{found}); build the model with the weights the checkpoint '
                'was trained with')

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


def _drop_weights_loaded_by_name(module: HFTextEncoder, state_dict: dict,
                                 prefix: str, local_metadata: dict) -> None:
    """State-dict post hook: leave out the weights that ``name_or_path``
    gives back (its ``_extra_state`` names them and holds their hash)."""
    if module.weights_from_name:
        weights_prefix = prefix + 'encoder.'
        for key in [k for k in state_dict if k.startswith(weights_prefix)]:
            del state_dict[key]
