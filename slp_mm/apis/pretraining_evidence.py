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
on the test block). Anything to be chosen (a masking ratio, a corpus) is
chosen with ``holdout=True``: the same protocol inside the training block,
trained on clips 0-9 of every word and scored on clips 10-14.

Each finished cell is a JSON file under ``<work_dir>/<protocol>/cells``,
where ``<protocol>`` names a hash of every setting and derived config, so
an interrupted run resumes where it stopped and a changed protocol starts
afresh instead of mixing old cells in. The work goes by (variant, seed)
units, seed by seed, optionally in parallel processes.
"""
import copy
import glob
import hashlib
import inspect
import json
import multiprocessing
import os
import os.path as osp
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from functools import partial
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
from mmengine.config import Config
from mmengine.runner import Runner, set_random_seed

from slp_mm.apis.sign_inferencer import SignInferencer
from slp_mm.corpus.sign_corpus import MANIFEST, SignCorpus, SignCorpusWriter
from slp_mm.engine import install_checkpoint_safety, register_all_modules
from slp_mm.preparation.converters.traduttore_asl_words import \
    convert_traduttore
from slp_mm.preparation.pose_readers import read_pose_file
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
HOLDOUT_FROM_CLIP = 10  # hold-out of the training block: clips 10-14 a word
UNLABELLED = 'unlabelled'  # corpus of the extra clips (ann_file)


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
        holdout (bool): Score on the hold-out of the training block
            (clips ``HOLDOUT_FROM_CLIP``-14 of every word) and train (and
            pre-train) on the clips before it; the test block is unused.
    """
    seeds: int = 5
    shots: Tuple[int, ...] = (1, 3, 0)
    pretrain_epochs: int = 25
    finetune_iters: int = 120
    finetune_batch_size: int = 16
    probe_steps: int = 300
    holdout: bool = False

    @classmethod
    def reduced(cls, **kwargs) -> 'EvidenceSettings':
        return cls(seeds=1, pretrain_epochs=1, finetune_iters=2,
                   probe_steps=5, **kwargs)


@dataclass
class EvidenceConfigs:
    """The configs the variants are derived from (paths)."""
    pretrain: str = 'configs/pretrain/traduttore_asl_words_evidence.py'
    sigma: str = 'projects/sigma/configs/sigma_demo.py'
    finetune_scratch: str = 'configs/islr/traduttore_asl_words_scratch.py'
    finetune_pretrained: str = (
        'configs/islr/traduttore_asl_words_pretrained.py')


def write_unlabelled_clips(patterns: Sequence[str], out: str,
                           clip_frames: int = 20) -> int:
    """Write the ``.pose`` files matching ``patterns`` as one unlabelled
    corpus (no text, no label) cut into ``clip_frames``-frame pieces, the
    length of the traduttore clips (a last piece shorter than half of it is
    dropped); returns how many pieces it holds. Kept if it exists."""
    if osp.isfile(osp.join(out, MANIFEST)):
        return len(SignCorpus(out))
    files = sorted({f for p in patterns for f in glob.glob(p)})
    if not files:
        raise FileNotFoundError(f'no .pose file matches {list(patterns)}')
    writer = SignCorpusWriter(out, split='train')
    for path in files:
        pose = read_pose_file(path)
        frames = len(pose['keypoints'])
        for start in range(0, frames - clip_frames // 2 + 1, clip_frames):
            piece = slice(start, start + clip_frames)
            writer.write(
                dict(id=f'{osp.basename(path)}/{start}',
                     keypoints=pose['keypoints'][piece],  # (t, 133, 2)
                     scores=pose['scores'][piece],
                     width=pose['width'],
                     height=pose['height'],
                     fps=pose['fps'],
                     dataset=osp.basename(osp.dirname(path))))
    return writer.close()['num_samples']


def prepare_data(src: str, work_dir: str, holdout: bool = False,
                 unlabelled_pose_files: Sequence[str] = ()) -> dict:
    """Convert the clips (train = first block, test = second), train the
    template sentences' tokenizer, pick the training pool and the scored
    clips (the test block, or with ``holdout`` the training block's
    hold-out) and write every scored clip as a COCO-WholeBody ``.npz`` file
    for :class:`SignInferencer`; each step is skipped when its output
    exists. ``unlabelled_pose_files`` (glob patterns) become the
    ``unlabelled`` corpus of :func:`write_unlabelled_clips`."""
    data_dir = osp.join(work_dir, 'data')
    convert_traduttore(src, data_dir)
    if unlabelled_pose_files:
        write_unlabelled_clips(unlabelled_pose_files,
                               osp.join(data_dir, UNLABELLED))
    with open(osp.join(src, 'classes.txt'), encoding='utf-8') as f:
        classes = [line.strip() for line in f if line.strip()]
    sentences = [TEMPLATE.format(c) for c in classes]
    tokenizer = osp.join(data_dir, 'tokenizer')
    if not osp.isdir(tokenizer):
        train_tokenizer(sentences, tokenizer, vocab_size=200)
    train = SignCorpus(osp.join(data_dir, 'train'))
    train_labels = [int(x) for x in train.column('label')]
    if holdout:  # ids are '<word>/<clip index>'
        late = [int(i.rsplit('/', 1)[1]) >= HOLDOUT_FROM_CLIP
                for i in train.column('id')]
        pool = [i for i, x in enumerate(late) if not x]
        scored, ann_file = [i for i, x in enumerate(late) if x], 'train'
        corpus = train
    else:
        pool = None  # every training clip
        corpus = SignCorpus(osp.join(data_dir, 'test'))
        scored, ann_file = None, 'test'
    eval_indices = scored if scored is not None else range(len(corpus))
    clip_dir = osp.join(work_dir, f'{"holdout" if holdout else "test"}_clips')
    files = [osp.join(clip_dir, f'{i:03d}.npz') for i in eval_indices]
    if not osp.isfile(files[-1]):
        os.makedirs(clip_dir, exist_ok=True)
        for i, path in zip(eval_indices, files):
            s = corpus[i]
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
    all_labels = [int(x) for x in corpus.column('label')]
    return dict(data_dir=data_dir,
                tokenizer=tokenizer,
                classes=classes,
                sentences=sentences,
                eval_ann_file=ann_file,
                eval_indices=scored,
                eval_files=files,
                eval_labels=[all_labels[i] for i in eval_indices],
                train_pool=pool,
                pool_labels=[train_labels[i] for i in pool]
                if pool is not None else train_labels)


def _datasets(cfg: Config, key: str) -> list:
    """The dataset configs of a dataloader (those a ConcatDataset joins)."""
    dataset = cfg[key].dataset
    return dataset.datasets if dataset.type == 'ConcatDataset' else [dataset]


def _localise(cfg: Config, data: dict) -> Config:
    """Point every dataset and tokenizer of ``cfg`` at the work dir."""
    pipelines = [cfg.get('test_pipeline') or []]
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        for dataset in (_datasets(cfg, key) if cfg.get(key) else []):
            dataset.data_root = data['data_dir']
            pipelines.append(dataset.pipeline)
    for pipeline in pipelines:
        for t in pipeline:
            if t.type == 'TokenizeText':
                t.tokenizer = data['tokenizer']
    if cfg.model.get('lm_head'):
        cfg.model.lm_head.tokenizer = data['tokenizer']
    return cfg


def _uses_unlabelled(cfg: Config) -> bool:
    """Whether a pre-training config reads the unlabelled clips."""
    return any(d.ann_file == UNLABELLED
               for d in _datasets(cfg, 'train_dataloader'))


def _without_masking(pipeline: list) -> list:
    return [t for t in pipeline if t.type != 'HierarchicalPoseMask']


def pretrain_config(variant: str, configs: EvidenceConfigs,
                    settings: EvidenceSettings, data: dict) -> Config:
    """The pre-training config of ``variant`` (not ``scratch``), on the
    training pool (plus the config's unlabelled clips, MPM only)."""
    base = Config.fromfile(configs.pretrain)
    if variant == 'sigma':
        # Sigma's model on the evidence config's data and schedule
        cfg = Config.fromfile(configs.sigma)
        for key in ('train_dataloader', 'test_pipeline', 'param_scheduler',
                    'train_cfg', 'default_hooks'):
            cfg[key] = base[key]
    else:
        cfg = base
    datasets = _datasets(cfg, 'train_dataloader')
    if variant != 'mpm' and _uses_unlabelled(base):
        raise ValueError(f'{configs.pretrain}: the {UNLABELLED!r} clips have '
                         f'no text, so only the mpm variant can use them, '
                         f'not {variant!r}')
    for dataset in datasets:
        if dataset.ann_file == 'train':
            dataset.indices = data['train_pool']
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


def _run(cfg: Config, work_dir: str, seed: int, name: str,
         keep_config: bool) -> Runner:
    """The Runner of ``cfg``; with ``keep_config`` it holds ``cfg`` (then
    the checkpoints carry it, for ``publish_model.py``), without it mmengine
    does not format it with yapf five times (~1 s a run)."""
    cfg.work_dir = work_dir
    cfg.randomness = dict(seed=seed, deterministic=False)
    cfg.experiment_name = name  # one logger / visualizer per run
    cfg.log_level = 'WARNING'
    if keep_config:
        return Runner.from_cfg(cfg)
    return Runner(**{
        k: copy.deepcopy(cfg[k])
        for k in inspect.signature(Runner).parameters if k in cfg
    })


def pretrain(variant: str, seed: int, run_dir: str, configs: EvidenceConfigs,
             settings: EvidenceSettings, data: dict) -> Tuple[str, str]:
    """Pre-train (unless done) and publish; returns the training checkpoint
    and the published ``.safetensors`` file."""
    out = osp.join(run_dir, 'pretrain', f'{variant}_seed{seed}')
    prefix = osp.join(run_dir, 'published', f'{variant}_seed{seed}')
    ckpt = osp.join(out, f'epoch_{settings.pretrain_epochs}.pth')
    published = glob.glob(prefix + '-*.safetensors')
    if not (osp.isfile(ckpt) and published):
        cfg = pretrain_config(variant, configs, settings, data)
        runner = _run(cfg, out, seed, f'pretrain_{variant}_seed{seed}', True)
        runner.train()
        register_safe_globals()  # the checkpoint holds a HistoryBuffer
        checkpoint = torch.load(ckpt, map_location='cpu', weights_only=True)
        os.makedirs(osp.dirname(prefix), exist_ok=True)
        published = [publish_checkpoint(checkpoint, prefix)]
    return ckpt, published[0]


def shot_indices(train_labels: Sequence[int], shots: int,
                 seed: int) -> Optional[List[int]]:
    """``shots`` training clips per word drawn with ``seed`` (None = all);
    positions in ``train_labels``."""
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
    fixed iteration schedule over the training clips ``indices`` (None =
    the whole pool); scored on the scored clips once, at the end.

    The sampler is infinite: at the end of a finite loader mmengine's
    iteration loop sleeps 2 s, which at k = 1 (one batch an epoch) was 238
    of a cell's 260 s."""
    if pretrained:
        cfg = Config.fromfile(configs.finetune_pretrained)
        cfg.model.pretrained = pretrained
    else:
        cfg = Config.fromfile(configs.finetune_scratch)
    indices = indices or data['train_pool']
    n_clips = len(indices) if indices else len(data['pool_labels'])
    cfg.train_dataloader.batch_size = min(settings.finetune_batch_size,
                                          n_clips)
    cfg.train_dataloader.sampler = dict(type='InfiniteSampler', shuffle=True)
    if indices:
        cfg.train_dataloader.dataset.indices = indices
    cfg.test_dataloader.dataset.update(ann_file=data['eval_ann_file'],
                                       indices=data['eval_indices'])
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
             seed: int, run_dir: str, name: str, configs: EvidenceConfigs,
             settings: EvidenceSettings, data: dict) -> float:
    """ISLR top-1 (%) on the scored clips after fine-tuning."""
    cfg = finetune_config(pretrained, indices, configs, settings, data)
    runner = _run(cfg, osp.join(run_dir, 'finetune', name), seed, name,
                  False)
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
    all labelled clips of the training pool.

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
    for split in ('train', 'eval'):
        loader = Config(cfg.test_dataloader.to_dict())
        if split == 'train':
            loader.dataset.update(ann_file='train',
                                  indices=data['train_pool'])
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
    sim = inferencer.similarity(data['eval_files'], data['sentences'],
                                'en')  # (N, 14)
    labels = torch.tensor(data['eval_labels'])
    return float(100 * (sim.argmax(1) == labels).float().mean())


def protocol_dir(work_dir: str, settings: EvidenceSettings,
                 configs: EvidenceConfigs, data: dict) -> str:
    """``<work_dir>/protocol-<sha8>``: the hash of the settings (but the
    number of seeds and shots, which only add cells), the scored clips and
    every derived config (the work dir's paths left out), so cells of
    another protocol are never read."""
    neutral = dict(data, data_dir='<data>', tokenizer='<tokenizer>')
    mpm_only = _uses_unlabelled(Config.fromfile(configs.pretrain))
    derived = [
        pretrain_config(v, configs, settings, neutral).to_dict()
        for v in VARIANTS[1:] if v == 'mpm' or not mpm_only
    ] + [
        finetune_config(p, None, configs, settings, neutral).to_dict()
        for p in (None, '<pretrained>')
    ]
    fields = dict(asdict(settings), seeds=None, shots=None)
    text = json.dumps([fields, data['eval_indices'], derived],
                      sort_keys=True,
                      default=str)
    sha8 = hashlib.sha256(text.encode()).hexdigest()[:8]
    return osp.join(work_dir, f'protocol-{sha8}')


def cell_path(run_dir: str, variant: str, task: str, seed: int) -> str:
    return osp.join(run_dir, 'cells', f'{variant}_{task}_seed{seed}.json')


def task_names(settings: EvidenceSettings) -> List[str]:
    """Column keys: ``k1``, ``k3``, ``kall``, ``probe``, ``zeroshot``."""
    return [f'k{k or "all"}' for k in settings.shots] + ['probe', 'zeroshot']


def _cell(path: str, compute: Callable[[], float],
          log: Callable[[str], None]) -> None:
    """Compute a cell, then write it."""
    start = time.time()
    top1 = compute()
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(dict(top1=top1, seconds=time.time() - start), f)
    log(f'{osp.basename(path)[:-5]}: top-1 {top1:.2f} '
        f'({time.time() - start:.0f} s)')


def run_cells(variant: str, seed: int, run_dir: str,
              settings: EvidenceSettings, configs: EvidenceConfigs,
              data: dict, log: Callable[[str], None] = print) -> None:
    """Every missing cell of one variant and seed: pre-train (unless
    ``scratch``, or done), then the goal cells (probe, zero-shot) and the
    fine-tunings. Each cell reads the configs again, so a unit first checks
    that they still hash to ``run_dir``."""
    tasks = ['probe', 'zeroshot'] + task_names(settings)[:-2]
    if variant not in ZERO_SHOT_VARIANTS:
        tasks.remove('zeroshot')
    todo = [t for t in tasks
            if not osp.isfile(cell_path(run_dir, variant, t, seed))]
    if not todo:
        return
    if protocol_dir(osp.dirname(run_dir), settings, configs, data) != run_dir:
        raise RuntimeError(
            f'the configs of {run_dir} changed during the run (another '
            f'protocol now); rerun the command so that no cell mixes them')
    ckpt = published = None
    if variant != 'scratch':
        start = time.time()
        ckpt, published = pretrain(variant, seed, run_dir, configs, settings,
                                   data)
        log(f'pretrain_{variant}_seed{seed}: {time.time() - start:.0f} s')
    for task in todo:
        if task == 'probe':
            compute = partial(linear_probe, ckpt, seed, configs, settings,
                              data)
        elif task == 'zeroshot':
            compute = partial(zero_shot, published, data)
        else:
            picked = shot_indices(data['pool_labels'],
                                  0 if task == 'kall' else int(task[1:]),
                                  seed)
            pool = data['train_pool']
            indices = (picked if pool is None or picked is None else
                       [pool[i] for i in picked])
            compute = partial(finetune, ckpt, indices, seed, run_dir,
                              f'{variant}_{task}_seed{seed}', configs,
                              settings, data)
        _cell(cell_path(run_dir, variant, task, seed), compute, log)


def _init_worker() -> None:
    """A worker process of :func:`run_evidence`: one thread (the parallel
    processes share the cores), the modules registered, and fork as the
    start method, which every Runner sets (warning when it differs)."""
    torch.set_num_threads(1)
    multiprocessing.set_start_method('fork', force=True)
    register_all_modules()
    install_checkpoint_safety()


def run_evidence(run_dir: str,
                 data: dict,
                 settings: EvidenceSettings = EvidenceSettings(),
                 configs: EvidenceConfigs = EvidenceConfigs(),
                 variants: Sequence[str] = VARIANTS,
                 jobs: int = 1,
                 log: Callable[[str], None] = print) -> None:
    """Run (or resume) every cell of ``variants`` in the protocol's
    ``run_dir`` (:func:`protocol_dir`) on ``data`` (:func:`evidence_data`).
    ``jobs`` > 1 runs (variant, seed) units in that many single-threaded
    processes (the tiny model uses a second thread badly)."""
    unknown = set(variants) - set(VARIANTS)
    if unknown:
        raise ValueError(f'unknown variant(s) {sorted(unknown)}; known: '
                         f'{VARIANTS}')
    units = [(v, seed) for seed in range(settings.seeds) for v in variants]
    if jobs == 1:
        for variant, seed in units:
            run_cells(variant, seed, run_dir, settings, configs, data, log)
        return
    with ProcessPoolExecutor(jobs,
                             multiprocessing.get_context('spawn'),
                             initializer=_init_worker) as pool:
        futures = [
            pool.submit(run_cells, v, seed, run_dir, settings, configs, data,
                        log) for v, seed in units
        ]
        for future in futures:
            future.result()


def evidence_data(src: str, work_dir: str, settings: EvidenceSettings,
                  configs: EvidenceConfigs) -> dict:
    """:func:`prepare_data` for ``settings`` and the pre-training config's
    ``unlabelled_pose_files``."""
    return prepare_data(
        src, work_dir, settings.holdout,
        Config.fromfile(configs.pretrain).get('unlabelled_pose_files', ()))


def collect_results(run_dir: str,
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
                path = cell_path(run_dir, variant, task, seed)
                if osp.isfile(path):
                    with open(path, encoding='utf-8') as f:
                        values.append(json.load(f)['top1'])
            results[variant][task] = values
    return results


def markdown_table(results: Dict, settings: EvidenceSettings) -> str:
    """Mean ± std (over seeds) of top-1 on the scored clips, one row per
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
