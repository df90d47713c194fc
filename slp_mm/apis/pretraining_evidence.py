"""Evidence on real signing that the pre-training works: the ablation of
docs/results.md on the traduttore ASL words (14 words, MediaPipe Holistic).

Pre-training variants, all at the demo encoder's size on the poses of the
TRAINING block (the first recording block of every word; the test block is
another session and is only ever scored):

* ``scratch``: none (a randomly initialised encoder);
* ``mpm``: masked pose modelling only (no labels, no text);
* ``mpm_stc``: MPM + sign-text contrastive learning (STC) with the paper's
  template sentences ("This word is coffee.");
* ``stc``: STC only (no masking);
* ``sigma``: the Sigma plugin (``projects/sigma``) on the same clips and
  sentences.

Downstream, for every variant and seed: ISLR fine-tuning with ``k`` labelled
training clips per word (the same ``k`` clips for every variant of a seed),
a linear probe on the frozen features of all labelled training clips, and,
for the variants with STC, zero-shot recognition: the 14 template sentences
ranked by the published checkpoint's own STC similarity in
:class:`SignInferencer` (exactly what ``tools/infer.py --texts`` does).

Every schedule is fixed (the last checkpoint is scored; nothing is chosen
on the test block). Each finished cell is a JSON file under
``<work_dir>/cells``, so an interrupted run resumes where it stopped; the
loops go seed by seed, so a partial run still fills every cell.
"""
import glob
import json
import os
import os.path as osp
import time
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
from mmengine.config import Config
from mmengine.runner import Runner, set_random_seed

from slp_mm.apis.sign_inferencer import SignInferencer
from slp_mm.corpus.sign_corpus import SignCorpus
from slp_mm.engine import register_all_modules
from slp_mm.preparation.converters.traduttore_asl_words import \
    convert_traduttore
from slp_mm.registry import MODELS
from slp_mm.structures.tokenizer import train_tokenizer
from slp_mm.utils import register_safe_globals
from slp_mm.utils.published_checkpoint import publish_checkpoint

VARIANTS = ('scratch', 'mpm', 'mpm_stc', 'stc', 'sigma')
ZERO_SHOT_VARIANTS = ('mpm_stc', 'stc', 'sigma')
VARIANT_NAMES = dict(scratch='(a) scratch',
                     mpm='(b) MPM only',
                     mpm_stc='(c) MPM + STC',
                     stc='(d) STC only',
                     sigma='(e) Sigma')
TEMPLATE = 'This word is {}.'  # the converter's (and the paper's) sentence


@dataclass
class EvidenceSettings:
    """The fixed protocol; ``reduced()`` is the smoke-test size.

    Args:
        seeds (int): Seeds per cell (pre-training, subset and fine-tuning).
        shots (tuple): Labelled training clips per word for fine-tuning;
            0 = all of them (15).
        pretrain_epochs (int): Pre-training epochs (batch 16, 14 iters).
        finetune_iters (int): Fine-tuning iterations whatever ``k``
            (batch ``min(16, clips)``), lr x 0.1 at 1/3 and 2/3.
        probe_steps (int): Full-batch AdamW steps of the linear probe.
    """
    seeds: int = 5
    shots: Tuple[int, ...] = (1, 3, 0)
    pretrain_epochs: int = 25
    finetune_iters: int = 120
    finetune_batch_size: int = 16
    probe_steps: int = 300

    @classmethod
    def reduced(cls) -> 'EvidenceSettings':
        return cls(seeds=1, pretrain_epochs=1, finetune_iters=2, probe_steps=5)


@dataclass
class EvidenceConfigs:
    """The configs the variants are derived from (paths)."""
    pretrain: str = 'configs/pretrain/traduttore_asl_words_evidence.py'
    sigma: str = 'projects/sigma/configs/sigma_demo.py'
    finetune_scratch: str = 'configs/islr/traduttore_asl_words_scratch.py'
    finetune_pretrained: str = (
        'configs/islr/traduttore_asl_words_pretrained.py')


def prepare_data(src: str, work_dir: str) -> dict:
    """Convert the clips (train = first block, test = second), train the
    template sentences' tokenizer and write every test clip as a
    COCO-WholeBody ``.npz`` file for :class:`SignInferencer`; each step is
    skipped when its output exists."""
    data_dir = osp.join(work_dir, 'data')
    convert_traduttore(src, data_dir)
    with open(osp.join(src, 'classes.txt'), encoding='utf-8') as f:
        classes = [line.strip() for line in f if line.strip()]
    sentences = [TEMPLATE.format(c) for c in classes]
    tokenizer = osp.join(data_dir, 'tokenizer')
    if not osp.isdir(tokenizer):
        train_tokenizer(sentences, tokenizer, vocab_size=200)
    clip_dir = osp.join(work_dir, 'test_clips')
    test = SignCorpus(osp.join(data_dir, 'test'))
    labels = [int(x) for x in test.column('label')]
    files = [osp.join(clip_dir, f'{i:03d}.npz') for i in range(len(test))]
    if not osp.isfile(files[-1]):
        os.makedirs(clip_dir, exist_ok=True)
        for i, path in enumerate(files):
            s = test[i]
            np.savez(
                path,  # (T, 133, 3): x, y, score
                keypoints=np.concatenate(
                    [s['keypoints'], s['scores'][..., None]], -1),
                width=s['width'],
                height=s['height'],
                fps=s['fps'])
    with open(osp.join(work_dir, 'template_sentences.txt'),
              'w',
              encoding='utf-8') as f:
        f.write('\n'.join(sentences) + '\n')
    train_labels = [
        int(x) for x in SignCorpus(osp.join(data_dir, 'train')).column('label')
    ]
    return dict(data_dir=data_dir,
                tokenizer=tokenizer,
                classes=classes,
                sentences=sentences,
                test_files=files,
                test_labels=labels,
                train_labels=train_labels)


def _localise(cfg: Config, data: dict) -> Config:
    """Point every dataset and tokenizer of ``cfg`` at the work dir."""
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        if cfg.get(key):
            cfg[key].dataset.data_root = data['data_dir']
    pipelines = [cfg.get('test_pipeline') or []]
    pipelines += [
        cfg[k].dataset.pipeline
        for k in ('train_dataloader', 'test_dataloader') if cfg.get(k)
    ]
    for pipeline in pipelines:
        for t in pipeline:
            if t.type == 'TokenizeText':
                t.tokenizer = data['tokenizer']
    if cfg.model.get('lm_head'):
        cfg.model.lm_head.tokenizer = data['tokenizer']
    return cfg


def _without_masking(pipeline: list) -> list:
    return [t for t in pipeline if t.type != 'HierarchicalPoseMask']


def pretrain_config(variant: str, configs: EvidenceConfigs,
                    settings: EvidenceSettings, data: dict) -> Config:
    """The pre-training config of ``variant`` (not ``scratch``)."""
    base = Config.fromfile(configs.pretrain)
    if variant == 'sigma':
        # Sigma's model on the evidence config's data and schedule
        cfg = Config.fromfile(configs.sigma)
        for key in ('train_dataloader', 'test_pipeline', 'param_scheduler',
                    'train_cfg', 'default_hooks'):
            cfg[key] = base[key]
    else:
        cfg = base
    if variant == 'mpm':
        cfg.model.update(stc_head=None, text_encoder=None)
    if variant in ('stc', 'sigma'):  # no masked pose modelling: no masks
        cfg.model.mpm_head = None
        cfg.train_dataloader.dataset.pipeline = _without_masking(
            cfg.train_dataloader.dataset.pipeline)
    epochs = settings.pretrain_epochs
    cfg.train_cfg.max_epochs = epochs
    for scheduler in cfg.param_scheduler:  # cut at `epochs` (smoke test)
        scheduler.begin = min(scheduler.begin, epochs - 1)
        scheduler.end = min(scheduler.end, epochs)
    cfg.default_hooks.checkpoint.interval = epochs
    return _localise(cfg, data)


def _run(cfg: Config, work_dir: str, seed: int, name: str) -> Runner:
    cfg.work_dir = work_dir
    cfg.randomness = dict(seed=seed, deterministic=False)
    cfg.experiment_name = name  # one logger / visualizer per run
    cfg.log_level = 'WARNING'
    return Runner.from_cfg(cfg)


def pretrain(variant: str, seed: int, work_dir: str, configs: EvidenceConfigs,
             settings: EvidenceSettings, data: dict) -> Tuple[str, str]:
    """Pre-train (unless done) and publish; returns the training checkpoint
    and the published ``.safetensors`` file."""
    out = osp.join(work_dir, 'pretrain', f'{variant}_seed{seed}')
    prefix = osp.join(work_dir, 'published', f'{variant}_seed{seed}')
    ckpt = osp.join(out, f'epoch_{settings.pretrain_epochs}.pth')
    published = glob.glob(prefix + '-*.safetensors')
    if not (osp.isfile(ckpt) and published):
        cfg = pretrain_config(variant, configs, settings, data)
        runner = _run(cfg, out, seed, f'pretrain_{variant}_seed{seed}')
        runner.train()
        register_safe_globals()  # the checkpoint holds a HistoryBuffer
        checkpoint = torch.load(ckpt, map_location='cpu', weights_only=True)
        os.makedirs(osp.dirname(prefix), exist_ok=True)
        published = [publish_checkpoint(checkpoint, prefix)]
    return ckpt, published[0]


def shot_indices(train_labels: Sequence[int], shots: int,
                 seed: int) -> Optional[List[int]]:
    """``shots`` training clips per word drawn with ``seed`` (None = all)."""
    if not shots:
        return None
    rng = np.random.default_rng(seed)
    labels = np.asarray(train_labels)
    return sorted(
        int(i) for c in np.unique(labels)
        for i in rng.choice(np.flatnonzero(labels == c), shots, replace=False))


def finetune_config(pretrained: Optional[str], indices: Optional[List[int]],
                    configs: EvidenceConfigs, settings: EvidenceSettings,
                    data: dict) -> Config:
    """The ISLR config (the project's scratch / pre-trained recipe) on a
    fixed iteration schedule; scored on the test block once, at the end."""
    if pretrained:
        cfg = Config.fromfile(configs.finetune_pretrained)
        cfg.model.pretrained = pretrained
    else:
        cfg = Config.fromfile(configs.finetune_scratch)
    n_clips = len(indices) if indices else len(data['train_labels'])
    cfg.train_dataloader.batch_size = min(settings.finetune_batch_size,
                                          n_clips)
    if indices:
        cfg.train_dataloader.dataset.indices = indices
    iters = settings.finetune_iters
    cfg.train_cfg = dict(type='IterBasedTrainLoop',
                         max_iters=iters,
                         val_interval=iters + 1)
    cfg.param_scheduler = [
        dict(type='MultiStepLR',
             by_epoch=False,
             begin=0,
             end=iters,
             milestones=[iters // 3, 2 * iters // 3],
             gamma=0.1)
    ]
    cfg.val_dataloader = cfg.val_cfg = cfg.val_evaluator = None
    cfg.default_hooks.checkpoint = None  # scored in memory, at the end
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=iters)
    cfg.log_processor = dict(by_epoch=False)
    return _localise(cfg, data)


def finetune(pretrained: Optional[str], indices: Optional[List[int]],
             seed: int, work_dir: str, name: str, configs: EvidenceConfigs,
             settings: EvidenceSettings, data: dict) -> float:
    """ISLR top-1 (%) on the test block after fine-tuning."""
    cfg = finetune_config(pretrained, indices, configs, settings, data)
    runner = _run(cfg, osp.join(work_dir, 'finetune', name), seed, name)
    runner.train()
    return float(runner.test()['islr/top1_acc'])


@torch.no_grad()
def _pooled_features(model, loader) -> Tuple[torch.Tensor, torch.Tensor]:
    """(N, C) features: the encoder output averaged over the real frames,
    as :class:`SignClsHead` pools them; (N,) labels."""
    feats, labels = [], []
    for batch in loader:
        data = model.data_preprocessor(batch, False)
        pose_mask = data['inputs']['pose_mask']  # (B, T)
        out = model.extract_feat(data['inputs']['pose'], pose_mask)
        w = pose_mask[..., None].float()  # (B, T, 1)
        feats.append((out * w).sum(1) / w.sum(1).clamp(min=1))  # (B, C)
        labels += [int(s.gt_label) for s in data['data_samples']]
    return torch.cat(feats), torch.tensor(labels)


def linear_probe(pretrained: Optional[str], seed: int,
                 configs: EvidenceConfigs, settings: EvidenceSettings,
                 data: dict) -> float:
    """Top-1 (%) of a linear classifier on frozen (eval-mode) features of
    all labelled training clips.

    A multinomial logistic regression fitted by full-batch AdamW on
    standardised features: hand-written because scikit-learn is not in the
    stack, and a dozen lines of torch do the same job.
    """
    cfg = finetune_config(pretrained, None, configs, settings, data)
    set_random_seed(seed)
    model = MODELS.build(cfg.model)
    model.init_weights()  # loads the pre-trained encoder, as the Runner does
    model.eval()
    loaders = []
    for split in ('train', 'test'):
        loader = Config(cfg.test_dataloader.to_dict())
        loader.dataset.ann_file = split
        loaders.append(Runner.build_dataloader(loader.to_dict(), seed=seed))
    (x, y), (x_test, y_test) = [_pooled_features(model, lo) for lo in loaders]
    mean, std = x.mean(0), x.std(0).clamp(min=1e-6)
    x, x_test = (x - mean) / std, (x_test - mean) / std
    probe = torch.nn.Linear(x.shape[1], len(data['classes']))
    optim = torch.optim.AdamW(probe.parameters(), lr=1e-2, weight_decay=1e-2)
    with torch.enable_grad():
        for _ in range(settings.probe_steps):
            optim.zero_grad()
            torch.nn.functional.cross_entropy(probe(x), y).backward()
            optim.step()
    return float(100 * (probe(x_test).argmax(1) == y_test).float().mean())


def zero_shot(published: str, data: dict) -> float:
    """Top-1 (%) of ranking the 14 template sentences by the published
    model's STC similarity, through :class:`SignInferencer`."""
    inferencer = SignInferencer(None, published)
    sim = inferencer.similarity(data['test_files'], data['sentences'],
                                'en')  # (N, 14)
    labels = torch.tensor(data['test_labels'])
    return float(100 * (sim.argmax(1) == labels).float().mean())


def _cell(path: str, compute: Callable[[], float],
          log: Callable[[str], None]) -> None:
    """Compute a cell unless its JSON file exists, then write it."""
    if osp.isfile(path):
        return
    start = time.time()
    top1 = compute()
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(dict(top1=top1, seconds=time.time() - start), f)
    log(f'{osp.basename(path)[:-5]}: top-1 {top1:.2f} '
        f'({time.time() - start:.0f} s)')


def cell_path(work_dir: str, variant: str, task: str, seed: int) -> str:
    return osp.join(work_dir, 'cells', f'{variant}_{task}_seed{seed}.json')


def task_names(settings: EvidenceSettings) -> List[str]:
    """Column keys: ``k1``, ``k3``, ``kall``, ``probe``, ``zeroshot``."""
    return [f'k{k or "all"}' for k in settings.shots] + ['probe', 'zeroshot']


def run_evidence(src: str,
                 work_dir: str,
                 settings: EvidenceSettings = EvidenceSettings(),
                 configs: EvidenceConfigs = EvidenceConfigs(),
                 variants: Sequence[str] = VARIANTS,
                 log: Callable[[str], None] = print) -> None:
    """Run (or resume) every cell of ``variants``.

    Seed by seed; within a seed the cheap cells the goals hang on (linear
    probe, zero-shot, the fewest shots) come first for every variant, the
    other shots after, so an interrupted run has the most telling figures.
    """
    unknown = set(variants) - set(VARIANTS)
    if unknown:
        raise ValueError(f'unknown variant(s) {sorted(unknown)}; known: '
                         f'{VARIANTS}')
    register_all_modules()
    data = prepare_data(src, work_dir)
    first, *other_shots = settings.shots
    for seed in range(settings.seeds):
        models = {}
        for shots in ([first], other_shots):
            for variant in variants:
                if variant not in models:
                    log(f'[seed {seed}] pre-training {variant}')
                    models[variant] = (None, None) if variant == 'scratch' \
                        else pretrain(variant, seed, work_dir, configs,
                                      settings, data)
                ckpt, published = models[variant]
                if shots == [first]:
                    _cell(
                        cell_path(work_dir, variant, 'probe', seed), lambda:
                        linear_probe(ckpt, seed, configs, settings, data), log)
                if shots == [first] and variant in ZERO_SHOT_VARIANTS:
                    _cell(cell_path(work_dir, variant, 'zeroshot', seed),
                          lambda: zero_shot(published, data), log)
                for k in shots:
                    task = f'k{k or "all"}'
                    indices = shot_indices(data['train_labels'], k, seed)
                    _cell(
                        cell_path(work_dir, variant, task, seed),
                        lambda: finetune(ckpt, indices, seed, work_dir,
                                         f'{variant}_{task}_seed{seed}',
                                         configs, settings, data), log)


def collect_results(work_dir: str,
                    settings: EvidenceSettings,
                    variants: Sequence[str] = VARIANTS) -> Dict:
    """``{variant: {task: [top1 of every finished seed]}}`` from the cached
    cells (zero-shot only for the variants with STC)."""
    results = {}
    for variant in variants:
        results[variant] = {}
        for task in task_names(settings):
            values = []
            for seed in range(settings.seeds):
                path = cell_path(work_dir, variant, task, seed)
                if osp.isfile(path):
                    with open(path, encoding='utf-8') as f:
                        values.append(json.load(f)['top1'])
            results[variant][task] = values
    return results


def markdown_table(results: Dict, settings: EvidenceSettings) -> str:
    """Mean ± std (over seeds) of top-1 on the test block, one row per
    variant; '-' where a variant has no such task (or none finished), ``(n=)``
    where fewer seeds than ``settings.seeds`` finished."""
    tasks = task_names(settings)
    heads = dict(probe='linear probe (all)', zeroshot='zero-shot')
    header = ['pre-training'
              ] + [heads.get(t, f'fine-tune k={t[1:]}') for t in tasks]
    lines = ['| ' + ' | '.join(header) + ' |', '|' + '---|' * len(header)]
    for variant in results:
        cells = [VARIANT_NAMES[variant]]
        for task in tasks:
            values = results[variant][task]
            cell = (f'{np.mean(values):.1f} ± {np.std(values):.1f}'
                    if values else '-')
            if values and len(values) < settings.seeds:
                cell += f' (n={len(values)})'  # a partial run
            cells.append(cell)
        lines.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)
