"""Published model files: weights as safetensors named by their hash.

A training checkpoint holds the optimizer, schedulers, message hub and RNG
state (resume only) and is a pickle: loading one runs whatever it names. A
published model is ``<prefix>-<sha8>.safetensors`` (no code runs on load)
holding the ``state_dict`` and, in the safetensors metadata, the config
text and the checkpoint's meta as JSON; ``<sha8>`` is the first 8 hex
digits of the file's SHA-256 (OpenMMLab's ``publish_model`` convention), so
a renamed, truncated or altered file is refused. The config is stored twice
in the metadata: as JSON data (``config_data``, what loading reads: no code
runs, see :mod:`slp_mm.utils.config_data`) and as mmengine's text
(``config``), which is also written beside the weights as
``<prefix>-<sha8>.py`` for people to read; a side file that differs from the
stored text is refused on load (:func:`check_side_config`).

Tensors that are the same view of one storage (tied weights, shared
buffers such as a GCN's adjacency) are stored once; the metadata's
``aliases`` restores the other names on load.

A frozen text encoder loaded from pretrained weights (``HFTextEncoder``,
e.g. mBART-cc25) is not in the state dict, so not in the published file
either: its ``_extra_state`` names it and holds the hash of its weights,
and building the model from the config loads it by name and checks them.
"""
import json
import os
import os.path as osp
import re
from typing import Dict, NamedTuple, Optional

import torch
from mmengine.config import Config

from .config_data import config_from_json, config_from_text, config_to_json
from .file_hash import file_sha256

FILE_PATTERN = re.compile(r'-([0-9a-f]{8})\.safetensors$')
SHA256_PATTERN = re.compile(r'[0-9a-f]{64}')
HUB_WEIGHTS = 'model.safetensors'  # the Hugging Face Hub's file name


class PublishedModel(NamedTuple):
    """What a published model file holds."""
    state_dict: Dict[str, torch.Tensor]  # every original name (aliases)
    config: Config  # read as data: no code ran
    config_text: str  # mmengine's text of the same config
    meta: dict  # the checkpoint's meta: epoch, dataset_meta, ...


def publish_checkpoint(checkpoint: dict,
                       out_prefix: str,
                       config: Optional[Config] = None) -> str:
    """Write a checkpoint's weights, config and meta as a published model.

    Args:
        checkpoint: A loaded mmengine checkpoint (``state_dict``, ``meta``;
            everything else is dropped).
        out_prefix: Output path without the ``-<sha8>.safetensors`` suffix.
        config: The model's config (default: ``meta['cfg']``, the text
            mmengine's Runner stores, read as data).

    Returns:
        str: Path of the ``.safetensors`` file.
    """
    tmp = f'{out_prefix}.safetensors.partial'
    config = save_published_model(checkpoint, tmp, config)
    sha8 = file_sha256(tmp)[:8]
    out = f'{out_prefix}-{sha8}.safetensors'
    os.replace(tmp, out)
    with open(f'{out_prefix}-{sha8}.py', 'w') as f:
        f.write(config.pretty_text)
    return out


def save_published_model(checkpoint: dict,
                         path: str,
                         config: Optional[Config] = None) -> Config:
    """Write the safetensors file of :func:`publish_checkpoint` to ``path``
    (any name: a Hub folder names it ``model.safetensors``) and return the
    config stored in it."""
    from safetensors.torch import save_file
    state_dict = checkpoint.get('state_dict')
    if not isinstance(state_dict, dict):
        raise KeyError('the checkpoint has no "state_dict" dict; found keys '
                       f'{sorted(checkpoint)}')
    meta = dict(checkpoint.get('meta') or {})
    if config is None:
        if not meta.get('cfg'):
            raise ValueError('the checkpoint has no config (field '
                             '"meta.cfg"): pass the config')
        config = config_from_text(meta['cfg'], 'the checkpoint\'s meta.cfg')
    meta.pop('cfg', None)
    tensors, aliases = _dedup_shared(state_dict)
    metadata = dict(
        format='pt',
        config=config.pretty_text,
        config_data=config_to_json(config),
        meta=json.dumps(meta, default=_to_json),
        aliases=json.dumps(aliases))
    save_file(tensors, path, metadata=metadata)
    os.chmod(path, 0o644)  # safetensors creates it owner-only; it is public
    return config


def load_published_checkpoint(path: str) -> PublishedModel:
    """Verify a published model file against the SHA-256 prefix in its name
    (``<prefix>-<sha8>.safetensors``) or, for a ``model.safetensors`` in a
    Hugging Face cache, the blob it links to (named by its SHA-256), and
    load it without pickle and without running its config."""
    match = FILE_PATTERN.search(osp.basename(path))
    blob = osp.basename(osp.realpath(path))
    if match is not None:
        expected = match.group(1)
    elif SHA256_PATTERN.fullmatch(blob):
        expected = blob
    elif osp.basename(path) == HUB_WEIGHTS:
        expected = None  # a Hub folder: the Hub's LFS checks the hash
    else:
        raise ValueError(f'{path}: not a published model file name, '
                         'expected <prefix>-<8 hex of sha256>.safetensors '
                         f'or a Hub folder\'s {HUB_WEIGHTS}')
    if expected is not None:
        sha = file_sha256(path)
        if not sha.startswith(expected):
            raise ValueError(f'{path}: SHA-256 {sha[:8]}... does not match '
                             f'the {expected[:8]} in its name: the file is '
                             'corrupt, altered or renamed')
    return _read_published(path)


def _read_published(path: str) -> PublishedModel:
    from safetensors import safe_open
    try:
        with safe_open(path, framework='pt', device='cpu') as f:
            metadata = f.metadata() or {}
            state_dict = {k: f.get_tensor(k) for k in f.keys()}
    except Exception as e:  # safetensors raises its own error types
        raise ValueError(f'{path}: not a readable safetensors file ({e})')
    if 'config' not in metadata:
        raise ValueError(f'{path}: field "config" missing from the '
                         'safetensors metadata')
    if 'config_data' in metadata:
        config = config_from_json(metadata['config_data'], path)
    else:  # published before the JSON form: its text, read as data
        config = config_from_text(metadata['config'], path)
    for alias, name in json.loads(metadata.get('aliases', '{}')).items():
        state_dict[alias] = state_dict[name]
    return PublishedModel(state_dict, config, metadata['config'],
                          json.loads(metadata.get('meta', '{}')))


def check_side_config(config_file: str, published: PublishedModel,
                      weights: str) -> None:
    """Refuse a config file given with a published model unless it holds
    the config stored in the weights file (its text, or the same data read
    without running it): a published model runs only its own config."""
    with open(config_file, encoding='utf-8') as f:
        text = f.read()
    if text == published.config_text:
        return
    read = config_from_json if config_file.endswith('.json') else \
        config_from_text
    try:
        same = (read(text, config_file).to_dict()
                == published.config.to_dict())
    except ValueError:
        same = False
    if not same:
        raise ValueError(
            f'{config_file} differs from the config stored in {weights}: '
            'a published model is loaded with its own config only (no code '
            'in a config file runs); give no config, or pass a Config '
            'object you built yourself')


def _dedup_shared(state_dict: dict):
    """Contiguous tensors, storing each exact view once, and {alias: kept
    name}; other overlapping views (safetensors refuses shared memory) are
    copied."""
    tensors, aliases, views, storages = {}, {}, {}, set()
    for name, value in state_dict.items():
        if not isinstance(value, torch.Tensor):
            raise TypeError(f'state_dict[{name!r}] is a {type(value)}, '
                            'expected a tensor')
        value = value.detach().cpu()
        if value.numel() == 0:
            tensors[name] = value.contiguous()
            continue
        ptr = value.untyped_storage().data_ptr()
        view = (ptr, value.storage_offset(), tuple(value.shape),
                value.stride(), value.dtype)
        if view in views:
            aliases[name] = views[view]
            continue
        views[view] = name
        shared = ptr in storages
        storages.add(ptr)
        tensors[name] = (value.clone(memory_format=torch.contiguous_format)
                         if shared else value.contiguous())
    return tensors, aliases


def _to_json(value):
    """Numpy scalars / arrays in the meta (e.g. ``dataset_meta``) as
    JSON."""
    if hasattr(value, 'tolist'):
        return value.tolist()
    raise TypeError(f'meta holds a {type(value)}, which has no JSON form')
