"""Models in the Hugging Face Hub layout: a folder ``huggingface_hub`` can
push as is, and the resolution of a published model from a file, such a
folder, or a Hub repo id found in the local Hugging Face cache.

Folder layout (``tools/model_converters/publish_model.py --hub-dir``)::

    README.md          # model card: YAML front matter (model-index with the
                       # metrics, read by the Hub) and the metrics table
    model.safetensors  # weights + config (data) + meta, as a published file
    config.json        # the same config as JSON data, for people and tools
    classes.txt        # class names by label, when the training data had
                       # them (also in the weights file's dataset_meta)

The model card is built with ``huggingface_hub``'s ``ModelCard`` /
``EvalResult`` rather than by hand; nothing here uses the network.
"""
import os
import os.path as osp
import re
from typing import Dict, Optional

from mmengine.config import Config

from slp_mm.utils.config_data import config_to_json
from slp_mm.utils.published_checkpoint import (HUB_WEIGHTS,
                                               save_published_model)

HUB_CONFIG = 'config.json'
HUB_CLASSES = 'classes.txt'
REPO_ID = re.compile(r'[\w.-]+/[\w.-]+')
# model type -> (Hub task type, task name) of the model card
TASKS = dict(
    SignRecognizer=('video-classification',
                    'Isolated sign language recognition'),
    SignCTCRecognizer=('automatic-speech-recognition',
                       'Continuous sign language recognition'),
    SignTranslator=('translation', 'Gloss-free sign language translation'),
    SignRetriever=('feature-extraction', 'Sign-text retrieval'),
    SignPretrainer=('feature-extraction', 'Sign-text pre-training'))


def resolve_published_model(checkpoint: str) -> Optional[str]:
    """The published weights file ``checkpoint`` names: a ``.safetensors``
    file, the ``model.safetensors`` of a Hub-layout folder, or that of a Hub
    repo id (``org/name``) in the local Hugging Face cache; None for a
    training checkpoint (``.pth``). Never downloads."""
    if checkpoint.endswith('.safetensors'):
        if not osp.isfile(checkpoint):
            raise FileNotFoundError(f'checkpoint {checkpoint} does not exist')
        return checkpoint
    if osp.isdir(checkpoint):
        weights = osp.join(checkpoint, HUB_WEIGHTS)
        if not osp.isfile(weights):
            raise FileNotFoundError(
                f'{checkpoint} is a folder without {HUB_WEIGHTS}: not a '
                'Hub-layout model (publish_model.py --hub-dir writes one)')
        return weights
    if osp.exists(checkpoint) or not REPO_ID.fullmatch(checkpoint) \
            or checkpoint.endswith('.pth'):
        return None
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import LocalEntryNotFoundError
    try:
        folder = snapshot_download(checkpoint, local_files_only=True)
    except LocalEntryNotFoundError:
        from huggingface_hub.constants import HF_HUB_CACHE
        raise FileNotFoundError(
            f'checkpoint {checkpoint} is neither a file nor a Hub repo in '
            f'the local Hugging Face cache ({HF_HUB_CACHE}); nothing is '
            'downloaded at run time: fetch it first with `hf download '
            f'{checkpoint}`') from None
    return resolve_published_model(folder)


def hub_side_config(weights: str) -> Optional[str]:
    """The ``config.json`` beside a Hub folder's weights, if any."""
    if osp.basename(weights) != HUB_WEIGHTS:
        return None
    side = osp.join(osp.dirname(weights), HUB_CONFIG)
    return side if osp.isfile(side) else None


def write_hub_folder(checkpoint: dict,
                     out_dir: str,
                     config: Optional[Config] = None,
                     metrics: Optional[Dict[str, float]] = None,
                     model_name: Optional[str] = None) -> str:
    """Write a checkpoint as a Hub-layout folder (see the module docstring).

    Args:
        checkpoint: A loaded mmengine checkpoint.
        out_dir: The folder (created; files in it are replaced).
        config: The model's config (default: the checkpoint's ``meta.cfg``).
        metrics: Metric name -> value for the model card (default: the last
            validation scalars the checkpoint's message hub recorded).
        model_name: Name on the card (default: the folder's name).

    Returns:
        str: Path of ``model.safetensors``.
    """
    from huggingface_hub import EvalResult, ModelCard, ModelCardData
    os.makedirs(out_dir, exist_ok=True)
    weights = osp.join(out_dir, HUB_WEIGHTS)
    config = save_published_model(checkpoint, weights, config)
    with open(osp.join(out_dir, HUB_CONFIG), 'w', encoding='utf-8') as f:
        f.write(config_to_json(config))
    classes = ((checkpoint.get('meta') or {}).get('dataset_meta')
               or {}).get('classes')
    if classes:
        with open(osp.join(out_dir, HUB_CLASSES), 'w',
                  encoding='utf-8') as f:
            f.writelines(f'{c}\n' for c in classes)
    source = 'as given when publishing'
    if metrics is None:
        metrics = validation_metrics(checkpoint)
        source = ('from the last validation before this checkpoint was '
                  'saved (the message hub stored in it)')
    model_type = config.model.get('type', '')
    task_type, task_name = TASKS.get(model_type, ('other', model_type))
    dataset = osp.basename(str(config.get('data_root', ''))) or 'unknown'
    model_name = model_name or osp.basename(osp.abspath(out_dir))
    card_data = ModelCardData(
        library_name='slp_mm',
        tags=['sign-language', 'pose', 'mmengine', model_type],
        model_name=model_name,
        eval_results=[
            EvalResult(task_type=task_type, task_name=task_name,
                       dataset_type=dataset, dataset_name=dataset,
                       metric_type=name, metric_name=name,
                       metric_value=float(value))
            for name, value in metrics.items()
        ] or None)
    rows = ''.join(f'| {name} | {float(value):.4g} |\n'
                   for name, value in metrics.items())
    table = (f'Metrics {source}:\n\n| metric | value |\n|---|---|\n' +
             rows if rows else 'No validation metrics were recorded in this '
             'checkpoint (`publish_model.py --metrics FILE` adds them).\n')
    card = ModelCard(
        f'---\n{card_data.to_yaml()}\n---\n\n# {model_name}\n\n'
        f'{task_name} ({model_type}) trained on `{dataset}` with slp_mm.\n\n'
        f'## Metrics\n\n{table}\n## Use\n\n```python\nfrom slp_mm.apis '
        'import SignInferencer\n\ninferencer = SignInferencer(None, '
        f"'ORG/{model_name}')  # from the local Hugging Face cache\n"
        "print(inferencer('clip.pose'))\n```\n\n"
        f'`{HUB_WEIGHTS}` holds the weights, the config (as data: loading '
        f'runs no code) and the class names; `{HUB_CONFIG}` is the same '
        'config for reading.\n')
    card.save(osp.join(out_dir, 'README.md'))
    return weights


def validation_metrics(checkpoint: dict) -> Dict[str, float]:
    """The last value of every ``val/`` metric in a checkpoint's message
    hub (mmengine's LoggerHook records them there), timings left out."""
    scalars = (checkpoint.get('message_hub') or {}).get('log_scalars') or {}
    return {
        name[len('val/'):]: float(buffer.current())
        for name, buffer in sorted(scalars.items())
        if name.startswith('val/') and hasattr(buffer, 'current')
        and not name.endswith('time')
    }
