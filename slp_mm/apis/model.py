"""Build a trained model from its config and checkpoint, and the pipeline
that prepares its inputs: what every inference entry point starts from."""
import os.path as osp
from typing import Optional, Union

import torch
from mmengine.config import Config, ConfigDict
from mmengine.dataset import Compose
from mmengine.runner.checkpoint import (_load_checkpoint,
                                        _load_checkpoint_to_model)
from mmengine.utils import import_modules_from_strings

from slp_mm.engine import install_checkpoint_safety, register_all_modules
from slp_mm.registry import MODELS
from slp_mm.utils.cli_errors import CheckpointMismatchError
from slp_mm.utils.config_data import config_from_text
from slp_mm.utils.published_checkpoint import (check_side_config,
                                               load_published_checkpoint)
from .hub_model import hub_side_config, resolve_published_model

PUBLISHED_SUFFIX = '.safetensors'


def init_model(config: Union[None, str, Config] = None,
               checkpoint: Optional[str] = None,
               device: str = 'cpu') -> torch.nn.Module:
    """Build the model of a config, load a checkpoint (weights only) and put
    it in eval mode on ``device``.

    The config is kept on the model as ``model.cfg`` (its test pipeline
    prepares inputs) and the checkpoint's ``dataset_meta`` (class names,
    gloss vocabulary, languages of the training data) as
    ``model.dataset_meta`` ({} when the checkpoint has none).

    Args:
        config: A config file or :class:`Config`; None takes the one the
            checkpoint carries (a training checkpoint's ``meta['cfg']`` or a
            published model's, both read as data: no code runs).
        checkpoint: A ``.pth`` training checkpoint (loaded weights-only,
            :func:`install_checkpoint_safety` is installed here), a published
            ``<name>-<sha8>.safetensors`` file, a Hugging Face Hub-layout
            folder (``tools/model_converters/publish_model.py --hub-dir``) or
            a Hub repo id found in the local Hugging Face cache (nothing is
            downloaded). A published model is verified against its hash and
            runs only its own config: a config file given with it must hold
            the same config (the ``.py`` written beside it does).
        device: ``'cpu'``, ``'cuda'``...
    """
    register_all_modules()
    install_checkpoint_safety()
    if checkpoint is None:
        if config is None:
            raise ValueError('init_model needs a config, a checkpoint that '
                             'carries one, or both')
        return _build(_as_config(config), config, device)
    published = resolve_published_model(checkpoint)
    if published is not None:
        loaded = load_published_checkpoint(published)
        for side in (config if isinstance(config, str) else None,
                     hub_side_config(published)):
            if side is not None:
                check_side_config(side, loaded, published)
        cfg = config if isinstance(config, Config) else loaded.config
        state_dict, meta = loaded.state_dict, loaded.meta
        checkpoint = published
    else:
        if '://' not in checkpoint and not osp.isfile(checkpoint):
            raise FileNotFoundError(f'checkpoint {checkpoint} does not exist')
        loaded = _load_checkpoint(checkpoint, map_location='cpu')
        meta = loaded.get('meta') or {}
        if config is None and not meta.get('cfg'):
            raise ValueError(
                f'{checkpoint} carries no config (field "meta.cfg"): '
                'init_model needs a config')
        cfg = (_as_config(config) if config is not None else
               config_from_text(meta['cfg'], f'{checkpoint} (meta.cfg)'))
        state_dict = loaded.get('state_dict', loaded)
    model = _build(cfg, config, device, state_dict, checkpoint)
    model.dataset_meta = dict(meta.get('dataset_meta') or {})
    return model


def _as_config(config: Union[str, Config]) -> Config:
    return Config.fromfile(config) if isinstance(config, str) else config


def _build(cfg: Config,
           config: Union[None, str, Config],
           device: str,
           state_dict: Optional[dict] = None,
           checkpoint: Optional[str] = None) -> torch.nn.Module:
    """The model of ``cfg`` with ``state_dict`` loaded strictly."""
    if cfg.get('custom_imports'):  # project models (a config read as data
        import_modules_from_strings(**cfg.custom_imports)  # imports none)
    cfg.model.pop('pretrained', None)  # the checkpoint holds every weight
    model = MODELS.build(cfg.model)
    if state_dict is not None:
        where = config if isinstance(config, str) else (
            'the given config' if config is not None else
            f'the config stored in {checkpoint}')
        check_fits(model, state_dict, checkpoint, where)
        _load_checkpoint_to_model(model, dict(state_dict=state_dict),
                                  strict=True)
    model.cfg = cfg
    model.dataset_meta = {}
    return model.to(device).eval()


def check_fits(model: torch.nn.Module, state_dict: dict, checkpoint: str,
               config: str) -> None:
    """Refuse, in one sentence naming both files and the first layer that
    differs, a checkpoint whose weights do not fit the model (missing or
    extra names, other shapes)."""
    expected = model.state_dict()
    given = {k[len('module.'):] if k.startswith('module.') else k: v
             for k, v in state_dict.items()}
    problems = [
        f'layer {k!r} has shape {tuple(given[k].shape)} in the checkpoint '
        f'and {tuple(v.shape)} in the model'
        for k, v in expected.items()
        if k in given and isinstance(v, torch.Tensor)
        and isinstance(given[k], torch.Tensor) and given[k].shape != v.shape
    ]
    problems += [f'layer {k!r} of the model is not in the checkpoint'
                 for k in expected if k not in given]
    problems += [f'layer {k!r} of the checkpoint is not in the model'
                 for k in given if k not in expected]
    if problems:
        more = (f' (and {len(problems) - 1} more differences)'
                if len(problems) > 1 else '')
        raise CheckpointMismatchError(
            f'checkpoint {checkpoint} does not match the model of {config}: '
            f'{problems[0]}{more}; pass the config it was trained with, or '
            'none to use the one it carries')


def test_pipeline_cfg(cfg: Config) -> list:
    """The transforms (configs) that prepare an input for inference: the
    test dataloader's pipeline, or a config's ``test_pipeline``
    (pre-training configs have no test dataloader)."""
    loader = cfg.get('test_dataloader') or cfg.get('val_dataloader')
    if loader is not None:
        return loader.dataset.pipeline
    if cfg.get('test_pipeline') is not None:
        return cfg.test_pipeline
    raise KeyError('the config has no test_dataloader, val_dataloader or '
                   'test_pipeline to prepare inputs with')


def train_pipeline_cfg(cfg: Config) -> list:
    """The training transforms (configs) with every pose stage per sample,
    for a picture of what training does to one sample: a batched config's
    dataset pipeline packs the stored arrays (``PackSignInputs(stack=
    False)``) and leaves the keypoint selection and normalisation to the
    data preprocessor's ``batch_transforms`` and the MPM masks to the
    ``collate_fn``'s ``mask``; those stages run here before the packing,
    in that order (a pipeline's order, after the sentence's tokenisation,
    which they do not read)."""
    pipeline = [ConfigDict(t) for t in cfg.train_dataloader.dataset.pipeline]
    stages = [ConfigDict(t) for t in cfg.model.get(
        'data_preprocessor', {}).get('batch_transforms', [])]
    mask = (cfg.train_dataloader.get('collate_fn') or {}).get('mask')
    if mask is not None:
        stages.append(ConfigDict(mask))
    if stages and pipeline and pipeline[-1].type == 'PackSignInputs':
        pipeline[-1:] = stages + [ConfigDict(pipeline[-1], stack=True)]
    return pipeline


def build_test_pipeline(cfg: Config) -> Compose:
    """The composed :func:`test_pipeline_cfg` of a config."""
    return Compose(test_pipeline_cfg(cfg))
