"""Load a pre-trained pose encoder into a downstream model, loudly."""
from typing import Optional, Sequence, Union

import torch
from mmengine.logging import print_log
from mmengine.runner.checkpoint import _load_checkpoint


def load_pretrained_encoder(model: torch.nn.Module,
                            checkpoint: Union[str, dict],
                            prefixes: Sequence[str] = ('embedder.',
                                                       'encoder.'),
                            name: Optional[str] = None) -> dict:
    """Copy the checkpoint's ``prefixes`` weights into ``model``.

    ``checkpoint`` is a path, or a checkpoint already loaded (then ``name``
    says where it came from in the messages).

    Logs how many tensors were loaded and lists the missing (in the model,
    not the checkpoint) and unexpected (in the checkpoint, not the model)
    keys. A tensor whose shape differs means the checkpoint's encoder does
    not match the config: that is an error, not a silent partial load.

    Returns:
        dict: ``loaded``, ``missing`` and ``unexpected`` key lists.
    """
    if isinstance(checkpoint, str):
        name = checkpoint
        checkpoint = _load_checkpoint(checkpoint, map_location='cpu')
    ckpt = checkpoint
    state = ckpt.get('state_dict', ckpt)
    state = {k[len('module.'):] if k.startswith('module.') else k: v
             for k, v in state.items()}
    wanted = {k: v for k, v in state.items() if k.startswith(tuple(prefixes))}
    if not wanted:
        raise KeyError(f'{name} holds no weights under {list(prefixes)}'
                       f'; its top-level keys start with '
                       f'{sorted({k.split(".")[0] for k in state})}')
    own = {k: v for k, v in model.state_dict().items()
           if k.startswith(tuple(prefixes))}
    mismatched = [f'{k}: checkpoint {tuple(v.shape)} vs model '
                  f'{tuple(own[k].shape)}' for k, v in wanted.items()
                  if k in own and v.shape != own[k].shape]
    if mismatched:
        raise ValueError(
            f'The encoder in {name} does not match the config '
            f'({len(mismatched)} tensors differ in shape), e.g.\n  ' +
            '\n  '.join(mismatched[:5]))
    loaded = [k for k in wanted if k in own]
    missing = [k for k in own if k not in wanted]
    unexpected = [k for k in wanted if k not in own]
    model.load_state_dict({k: wanted[k] for k in loaded}, strict=False)
    print_log(
        f'Loaded {len(loaded)} pre-trained tensors from {name}; '
        f'missing: {missing or "none"}; unexpected: {unexpected or "none"}',
        logger='current')
    return dict(loaded=loaded, missing=missing, unexpected=unexpected)
