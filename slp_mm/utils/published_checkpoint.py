"""Published model files: weights as safetensors named by their hash.

A training checkpoint holds the optimizer, schedulers, message hub and RNG
state (resume only) and is a pickle: loading one runs whatever it names. A
published model is ``<prefix>-<sha8>.safetensors`` (no code runs on load)
holding the ``state_dict`` and, in the safetensors metadata, the config
text and the checkpoint's meta as JSON; ``<sha8>`` is the first 8 hex
digits of the file's SHA-256 (OpenMMLab's ``publish_model`` convention), so
a renamed, truncated or altered file is refused. The config is also written
beside it as ``<prefix>-<sha8>.py`` for ``Config.fromfile``.

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
from typing import Dict, Optional, Tuple

import torch

from .file_hash import file_sha256

FILE_PATTERN = re.compile(r'-([0-9a-f]{8})\.safetensors$')


def publish_checkpoint(checkpoint: dict,
                       out_prefix: str,
                       config_text: Optional[str] = None) -> str:
    """Write a checkpoint's weights, config and meta as a published model.

    Args:
        checkpoint: A loaded mmengine checkpoint (``state_dict``, ``meta``;
            everything else is dropped).
        out_prefix: Output path without the ``-<sha8>.safetensors`` suffix.
        config_text: The model's config (default: ``meta['cfg']``, which
            mmengine's Runner stores).

    Returns:
        str: Path of the ``.safetensors`` file.
    """
    from safetensors.torch import save_file
    state_dict = checkpoint.get('state_dict')
    if not isinstance(state_dict, dict):
        raise KeyError('the checkpoint has no "state_dict" dict; found keys '
                       f'{sorted(checkpoint)}')
    meta = dict(checkpoint.get('meta') or {})
    config_text = config_text or meta.get('cfg')
    if not config_text:
        raise ValueError('the checkpoint has no config (field "meta.cfg"): '
                         'pass the config text')
    meta.pop('cfg', None)
    tensors, aliases = _dedup_shared(state_dict)
    metadata = dict(
        format='pt',
        config=config_text,
        meta=json.dumps(meta, default=_to_json),
        aliases=json.dumps(aliases))
    tmp = f'{out_prefix}.safetensors.partial'
    save_file(tensors, tmp, metadata=metadata)
    sha8 = file_sha256(tmp)[:8]
    out = f'{out_prefix}-{sha8}.safetensors'
    os.chmod(tmp, 0o644)  # safetensors creates it owner-only; it is public
    os.replace(tmp, out)
    with open(f'{out_prefix}-{sha8}.py', 'w') as f:
        f.write(config_text)
    return out


def load_published_checkpoint(
        path: str) -> Tuple[Dict[str, torch.Tensor], str]:
    """Verify a published model file against the hash in its name and load
    it without pickle.

    Returns:
        (state_dict, config_text): CPU tensors under every original name
        (aliases restored) and the config the weights were trained with.
    """
    from safetensors import safe_open
    match = FILE_PATTERN.search(osp.basename(path))
    if match is None:
        raise ValueError(f'{path}: not a published model file name, '
                         'expected <prefix>-<8 hex of sha256>.safetensors')
    sha = file_sha256(path)
    if not sha.startswith(match.group(1)):
        raise ValueError(f'{path}: SHA-256 {sha[:8]}... does not match the '
                         f'{match.group(1)} in its name: the file is '
                         'corrupt, altered or renamed')
    with safe_open(path, framework='pt', device='cpu') as f:
        metadata = f.metadata() or {}
        state_dict = {k: f.get_tensor(k) for k in f.keys()}
    if 'config' not in metadata:
        raise ValueError(f'{path}: field "config" missing from the '
                         'safetensors metadata')
    for alias, name in json.loads(metadata.get('aliases', '{}')).items():
        state_dict[alias] = state_dict[name]
    return state_dict, metadata['config']


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
