"""Build a trained model from its config and checkpoint, and the pipeline
that prepares its inputs: what every inference entry point starts from."""
import os.path as osp
from typing import Optional, Union

import torch
from mmengine.config import Config
from mmengine.dataset import Compose
from mmengine.runner import load_checkpoint

from slp_mm.engine import install_checkpoint_safety, register_all_modules
from slp_mm.registry import MODELS
from slp_mm.utils import load_published_checkpoint

PUBLISHED_SUFFIX = '.safetensors'


def init_model(config: Union[None, str, Config] = None,
               checkpoint: Optional[str] = None,
               device: str = 'cpu') -> torch.nn.Module:
    """Build the model of a config, load a checkpoint (weights only) and put
    it in eval mode on ``device``. The config's test pipeline is kept on the
    model as ``model.cfg`` for :func:`inference_recognizer`.

    A published checkpoint (``tools/model_converters/publish_model.py``,
    ``<name>-<sha256 prefix>.safetensors``) is verified against its hash and
    loaded without pickle; its own config is used when ``config`` is None.
    A ``.pth`` checkpoint is loaded weights-only
    (:func:`install_checkpoint_safety` is installed here).
    """
    register_all_modules()
    install_checkpoint_safety()
    state_dict = None
    if checkpoint is not None and checkpoint.endswith(PUBLISHED_SUFFIX):
        state_dict, config_text = load_published_checkpoint(checkpoint)
        if config is None:
            config = Config.fromstring(config_text, '.py')
    if config is None:
        raise ValueError('init_model needs a config (or a published '
                         f'{PUBLISHED_SUFFIX} checkpoint that carries one)')
    cfg = Config.fromfile(config) if isinstance(config, str) else config
    cfg.model.pop('pretrained', None)  # the checkpoint holds every weight
    model = MODELS.build(cfg.model)
    if checkpoint is not None:
        _load_weights(model, checkpoint, config, state_dict)
    model.cfg = cfg
    return model.to(device).eval()


def _load_weights(model: torch.nn.Module, checkpoint: str,
                  config: Union[str, Config],
                  state_dict: Optional[dict] = None) -> None:
    """Load every weight strictly (``state_dict`` when the published file
    was read already); a checkpoint of another model fails with both files
    named and the first differences listed."""
    if '://' not in checkpoint and not osp.isfile(checkpoint):
        raise FileNotFoundError(f'checkpoint {checkpoint} does not exist')
    try:
        if state_dict is not None:
            model.load_state_dict(state_dict, strict=True)
        else:
            load_checkpoint(model, checkpoint, map_location='cpu',
                            strict=True)
    except RuntimeError as e:
        where = config if isinstance(config, str) else 'the given config'
        raise RuntimeError(
            f'checkpoint {checkpoint} does not match the model of {where}: '
            f'{str(e)[:1500]}\nPass the config the checkpoint was trained '
            'with (a published checkpoint has it beside the weights).'
        ) from e


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


def build_test_pipeline(cfg: Config) -> Compose:
    """The composed :func:`test_pipeline_cfg` of a config."""
    return Compose(test_pipeline_cfg(cfg))
