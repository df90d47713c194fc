"""The paper's ablation configs (configs/pretrain/ablations): each changes
exactly its own setting of configs/pretrain/sl15m.py and, shrunk to toy size
on the synthetic corpus, trains for two iterations with finite losses. Also
the data-fraction subset of SignPoseDataset (the run comparison is tested in
tests/test_visualization/test_run_comparison.py).
"""
import copy
import glob
import json
import math
import os.path as osp

import inspect

import numpy as np
import pytest
import torch
from mmcv.transforms import Compose
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.hooks import Hook
from mmengine.runner import Runner

from slp_mm.datasets import SignPoseDataset
from slp_mm.registry import HOOKS
from slp_mm.structures import get_layout
from slp_mm.utils.config_check import _lookup

from ..conftest import REPO

ABL_DIR = osp.join(REPO, 'configs', 'pretrain', 'ablations')
BASE_CFG = osp.join(REPO, 'configs', 'pretrain', 'sl15m.py')

MANUAL = ('body', 'left_hand', 'right_hand')
NON_MANUAL = ('face', 'mouth')


def _train_stages(cfg):
    """The training transforms: the dataset's, the collate_fn's masks and
    the data preprocessor's batch transforms (sl15m runs the pose stages
    there)."""
    mask = cfg.train_dataloader.collate_fn.get('mask')
    return list(cfg.train_dataloader.dataset.pipeline) + (
        [] if mask is None else [mask]) + list(
        cfg.model.data_preprocessor.get('batch_transforms', []))


def _mask_ratio(cfg):
    ratios = [
        t['ratio'] for t in _train_stages(cfg)
        if t['type'] == 'HierarchicalPoseMask'
    ]
    assert len(ratios) == 1
    return ratios[0]


def _branches(cfg):
    return {k: tuple(v) for k, v in cfg.model.embedder.branches.items()}


def _pipeline_types(cfg):
    return [t['type'] for t in _train_stages(cfg)]


def _layout(cfg):
    layouts = {t['layout'] for t in _train_stages(cfg)
               if t['type'] == 'SelectKeypoints'}
    layouts |= {t['layout'] for t in cfg.test_pipeline
                if t['type'] == 'SelectKeypoints'}
    layouts.add(cfg.model.embedder.layout)
    assert len(layouts) == 1, layouts  # data and model agree
    return layouts.pop()


def _features(cfg):
    return (_layout(cfg), _branches(cfg), tuple(cfg.model.encoder.branches),
            cfg.model.mpm_head.in_channels, cfg.model.mpm_head.num_keypoints,
            cfg.model.stc_head.pose_channels)


# name -> (expected value of the ablated setting, how to read it). The
# baseline row of every table is sl15m.py itself (mask ratio 0.4, lambda 1,
# window 4, all data); the 0% mask-ratio row is stc_only.
ABLATIONS = {
    **{f'stc_weight_{w}': (w, lambda c: c.model.stc_weight)
       for w in (0.1, 0.5, 1.5, 2.0)},
    **{f'window_{w}': (w, lambda c: c.model.stc_head.window)
       for w in (1, 2, 8, 16)},
    **{f'mask_ratio_{r}': (r, _mask_ratio) for r in (0.2, 0.6, 0.8)},
    'similarity_coarse':
    ('coarse', lambda c: c.model.stc_head.get('granularity', 'fine')),
    'stc_duplicates_as_negatives':
    ('negatives',
     lambda c: c.model.stc_head.get('duplicate_sentences', 'positives')),
    'embedder_linear': ('PoseLinearEmbedder', lambda c: c.model.embedder.type),
    'features_manual_only':
    (('sign79_manual', dict(manual=MANUAL), ('manual', ), 512, 53, 512),
     _features),
    'features_non_manual_only':
    (('sign79_non_manual', dict(non_manual=NON_MANUAL), ('non_manual', ),
      512, 26, 512), _features),
    'mpm_only': ((None, None), lambda c:
                 (c.model.stc_head, c.model.text_encoder)),
    'stc_only': ((None, False), lambda c: (
        c.model.mpm_head, 'HierarchicalPoseMask' in _pipeline_types(c))),
    **{f'data_{p}': (p / 100,
                     lambda c: c.train_dataloader.dataset.get('fraction', 1.0))
       for p in (25, 50, 75)},
}

@pytest.fixture(scope='module')
def base_cfg():
    return Config.fromfile(BASE_CFG)


def _load(name):
    return Config.fromfile(osp.join(ABL_DIR, name + '.py'))


def _flat(cfg):
    """Config as plain nested dicts, without the path-dependent keys."""
    d = json.loads(json.dumps(cfg.to_dict(), default=repr))
    return d


def test_every_ablation_has_a_config():
    files = {osp.basename(f)[:-3] for f in glob.glob(osp.join(ABL_DIR, '*.py'))}
    assert files == set(ABLATIONS)


@pytest.mark.parametrize('name', sorted(ABLATIONS))
def test_ablation_changes_only_its_setting(name, base_cfg):
    cfg = _load(name)
    expected, read = ABLATIONS[name]
    value = read(cfg)
    if isinstance(expected, float):
        assert value == pytest.approx(expected)
    else:
        assert value == expected
    # everything but the ablated setting is sl15m's: undo the ablation on a
    # copy and compare
    undone = copy.deepcopy(cfg)
    base = copy.deepcopy(base_cfg)
    m, bm = undone.model, base.model
    if name.startswith('stc_weight_'):
        m.stc_weight = bm.stc_weight
    elif name.startswith('window_'):
        m.stc_head.window = bm.stc_head.window
    elif name.startswith('mask_ratio_'):
        undone.mpm_mask = base.mpm_mask
        undone.train_dataloader.collate_fn = base.train_dataloader.collate_fn
    elif name == 'similarity_coarse':
        m.stc_head.pop('granularity')
    elif name == 'stc_duplicates_as_negatives':
        m.stc_head.pop('duplicate_sentences')
    elif name == 'embedder_linear':
        m.embedder = bm.embedder
    elif name.startswith('features_'):
        for key in ('embedder', 'encoder', 'mpm_head', 'stc_head'):
            m[key] = bm[key]
        undone.pop('feature_set')
        m.data_preprocessor = bm.data_preprocessor
        undone.train_batch_transforms = base.train_batch_transforms
        undone.test_pipeline = base.test_pipeline
        undone.train_dataloader.collate_fn = base.train_dataloader.collate_fn
    elif name == 'mpm_only':
        m.stc_head, m.text_encoder = bm.stc_head, bm.text_encoder
    elif name == 'stc_only':
        m.mpm_head = bm.mpm_head
        undone.train_dataloader.collate_fn = base.train_dataloader.collate_fn
    elif name.startswith('data_'):
        undone.train_dataloader.dataset.pop('fraction')
    assert _flat(undone) == _flat(base)


def _resolved(node):
    """Plain nested config with each component's constructor defaults filled
    in, so a setting written out at its default equals leaving it out."""
    if isinstance(node, dict):
        out = {k: _resolved(v) for k, v in node.items()}
        component = (_lookup(out['type'])
                     if isinstance(out.get('type'), str) else None)
        if component is not None:
            for p in inspect.signature(component).parameters.values():
                if p.default is not p.empty:
                    out.setdefault(p.name, _resolved(p.default))
        return out
    if isinstance(node, (list, tuple)):
        return [_resolved(v) for v in node]
    return node


def _comparable(cfg):
    return json.dumps(_resolved(cfg.to_dict()), sort_keys=True, default=repr)


@pytest.mark.parametrize(
    'name',
    sorted(osp.basename(f)[:-3] for f in glob.glob(osp.join(ABL_DIR, '*.py'))))
def test_no_ablation_is_the_baseline(name, base_cfg):
    # the baseline row is sl15m.py itself, not a copy that trains the same
    assert _comparable(_load(name)) != _comparable(base_cfg)


def test_resolving_fills_defaults(base_cfg):
    # the comparison above sees through a default written out ...
    cfg = copy.deepcopy(base_cfg)
    cfg.train_dataloader.dataset.fraction = 1.0
    cfg.model.stc_head.granularity = 'fine'
    assert _comparable(cfg) == _comparable(base_cfg)
    # ... and not through a changed value
    cfg.model.stc_head.window = 8
    assert _comparable(cfg) != _comparable(base_cfg)


def _packed(cfg, corpus, pipeline, raw=None, training=True):
    """One synthetic sample through ``pipeline`` (tokenizer re-pointed at
    the corpus), batched by the model's data preprocessor (its batch
    transforms run in ``training`` only)."""
    from slp_mm.registry import MODELS
    pipeline = copy.deepcopy(pipeline)
    for t in pipeline:
        if t['type'] == 'TokenizeText':
            t['tokenizer'] = osp.join(corpus, 'tokenizer')
    ds = _dataset(corpus)
    raw = ds.get_data_info(0) if raw is None else raw
    item = Compose(pipeline)(copy.deepcopy(raw))
    preprocessor = MODELS.build(cfg.model.data_preprocessor)
    return preprocessor(pseudo_collate([item]), training=training)['inputs']


def test_stc_only_masks_nothing(synthetic_corpus):
    cfg = _load('stc_only')
    assert cfg.model.mpm_head is None
    inputs = _packed(cfg, synthetic_corpus,
                     cfg.train_dataloader.dataset.pipeline)
    assert inputs['mpm_mask'] is None  # every joint reaches the encoder


@pytest.mark.parametrize('name, kept, hidden', [
    ('features_manual_only', MANUAL, NON_MANUAL),
    ('features_non_manual_only', NON_MANUAL, MANUAL),
])
def test_single_feature_model_sees_only_its_joints(name, kept, hidden,
                                                    demo_cfg,
                                                    synthetic_corpus,
                                                    tmp_path):
    from slp_mm.registry import MODELS
    cfg = shrink(_load(name), demo_cfg, synthetic_corpus, tmp_path)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    sign79 = get_layout('sign79')
    raw = _dataset(synthetic_corpus).get_data_info(0)
    moved = copy.deepcopy(raw)  # every hidden joint elsewhere, confident
    coco = [sign79.source_indexes[i] for i in sign79.part_indexes(hidden)]
    moved['keypoints'][:, coco] += np.float32(37)
    moved['scores'][:, coco] = 0.9
    control = copy.deepcopy(raw)  # a kept joint moved: seen
    control['keypoints'][:, sign79.source_indexes[
        sign79.part_indexes(kept)[0]]] += np.float32(37)
    for t in cfg.test_pipeline:
        if t['type'] == 'TemporalSample':
            t['max_frames'] = 64
    n_kept = len(sign79.part_indexes(kept))
    inputs = [
        _packed(cfg, synthetic_corpus, cfg.test_pipeline, sample,
                training=False) for sample in (raw, moved, control)
    ]
    feats = []
    model.eval()
    for x in inputs:
        pose, pose_mask = x['pose'], x['pose_mask']
        assert pose.shape[2] == n_kept == model.mpm_head.num_keypoints
        with torch.no_grad():
            feats.append(model.extract_feat(pose, pose_mask))
        # MPM reconstructs the kept joints only
        assert model.mpm_head(feats[-1]).shape == (*pose.shape[:2], n_kept,
                                                   2)
    assert torch.equal(feats[0], feats[1])
    assert not torch.allclose(feats[0], feats[2])
    model.train()  # BatchNorm on the batch's statistics too
    tokens, tokens_moved = (model.embedder(x['pose'], x['pose_mask'])
                            for x in inputs[:2])
    assert list(tokens) == list(cfg.model.encoder.branches)
    for branch in tokens:
        assert torch.equal(tokens[branch], tokens_moved[branch])


# ---------------------------------------------------------------- training


# ---------------------------------------------------------------- training


@HOOKS.register_module(force=True)
class _RecordLossesHook(Hook):
    """Keeps the logged losses of every training iteration."""

    def __init__(self):
        self.records = []

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        self.records.append(
            {k: float(v.detach() if hasattr(v, 'detach') else v)
             for k, v in (outputs or {}).items()})


def shrink(cfg, demo_cfg, corpus, work_dir, embed_dims=32, text_dims=None):
    """The ablation at toy size on the synthetic corpus, CPU, 2 iterations.

    Head widths are derived from the ablated branches (``len(branches) x
    embed_dims``) so single-branch ablations stay consistent.
    """
    cfg = copy.deepcopy(cfg)
    model = cfg.model
    branches = list(model.encoder.branches)
    assert list(model.embedder.branches) == branches
    pose_channels = len(branches) * embed_dims
    if model.embedder.type == 'PoseGCNEmbedder':
        model.embedder.gcn_channels = (16, 32)
    model.embedder.embed_dims = embed_dims
    model.encoder.update(
        embed_dims=embed_dims, num_layers=1, num_heads=4, max_frames=64)
    if model.text_encoder is not None:
        model.text_encoder = copy.deepcopy(demo_cfg.model.text_encoder)
        text_dims = model.text_encoder.config.d_model
    if model.mpm_head is not None:
        model.mpm_head.update(in_channels=pose_channels, hidden_channels=64)
    if model.stc_head is not None:
        model.stc_head.update(
            pose_channels=pose_channels, text_channels=text_dims,
            embed_dims=32)

    loader = cfg.train_dataloader
    loader.update(
        batch_size=8, num_workers=0, persistent_workers=False,
        pin_memory=False)
    # sl15m's LengthBucketSampler(batch_size=64): replaced, not merged
    loader.sampler = dict(type='DefaultSampler', shuffle=True)
    ds = loader.dataset
    ds.data_root, ds.ann_file = '', corpus
    for t in ds.pipeline:
        if t.type == 'TemporalSample':
            t.max_frames = 64
        if t.type == 'TokenizeText':
            t.tokenizer = osp.join(corpus, 'tokenizer')
            t.max_length = 32

    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=2)
    cfg.param_scheduler = []
    cfg.log_processor = dict(window_size=1, by_epoch=False)
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=1)
    cfg.default_hooks.checkpoint = None
    cfg.custom_hooks = list(cfg.custom_hooks) + [
        dict(type='_RecordLossesHook')]
    cfg.work_dir = str(work_dir)
    cfg.experiment_name = 'ablation_' + osp.basename(str(work_dir))
    cfg.randomness = dict(seed=0)
    return cfg


def _build_dataset(cfg):
    from slp_mm.registry import DATASETS
    return DATASETS.build(cfg.train_dataloader.dataset)


@pytest.mark.parametrize('name', sorted(ABLATIONS))
def test_ablation_trains(name, demo_cfg, synthetic_corpus, tmp_path):
    cfg = shrink(_load(name), demo_cfg, synthetic_corpus, tmp_path / name)
    runner = Runner.from_cfg(cfg)
    runner.train()
    recorder = [h for h in runner.hooks if isinstance(h, _RecordLossesHook)]
    records = recorder[0].records
    assert len(records) == 2
    model = cfg.model
    expected = set()
    if model.mpm_head is not None:
        expected.add('loss_mpm')
    if model.stc_head is not None:
        expected.add('loss_stc')
    for rec in records:
        assert expected <= set(rec), rec
        if model.mpm_head is None:
            assert 'loss_mpm' not in rec
        if model.stc_head is None:
            assert 'loss_stc' not in rec
        for k, v in rec.items():
            assert math.isfinite(v), (k, v)
    if name.startswith('data_'):
        assert len(runner.train_dataloader.dataset) == round(
            cfg.train_dataloader.dataset.fraction * 48)


# ---------------------------------------------------------------- fraction


def _dataset(corpus, **kwargs):
    return SignPoseDataset(ann_file=corpus, pipeline=[], **kwargs)


def test_fraction_sizes_and_determinism(synthetic_corpus):
    full = _dataset(synthetic_corpus)
    n = len(full)
    assert n == 48
    for frac in (0.25, 0.5, 0.75):
        a = _dataset(synthetic_corpus, fraction=frac)
        b = _dataset(synthetic_corpus, fraction=frac)
        assert len(a) == round(frac * n)
        np.testing.assert_array_equal(a._indexes, b._indexes)  # every run
        assert (np.diff(a._indexes) > 0).all()  # sorted, no duplicates
        assert set(a._indexes) <= set(full._indexes)
    c = _dataset(synthetic_corpus, fraction=0.5, fraction_seed=1)
    d = _dataset(synthetic_corpus, fraction=0.5)
    assert not np.array_equal(c._indexes, d._indexes)
    np.testing.assert_array_equal(
        _dataset(synthetic_corpus, fraction=1.0)._indexes, full._indexes)
    # applied after the other filters
    paired = _dataset(synthetic_corpus, paired_only=True)
    sub = _dataset(synthetic_corpus, paired_only=True, fraction=0.5)
    assert len(sub) == round(0.5 * len(paired))
    assert set(sub._indexes) <= set(paired._indexes)
    # lengths() follows the subset
    assert len(sub.lengths()) == len(sub)


@pytest.mark.parametrize('frac', [0, -0.1, 1.5])
def test_fraction_out_of_range(frac, synthetic_corpus):
    with pytest.raises(ValueError, match='fraction'):
        _dataset(synthetic_corpus, fraction=frac)

