"""The paper's ablation configs (configs/pretrain/ablations): each changes
exactly its own setting of configs/pretrain/sl15m.py and, shrunk to toy size
on the synthetic corpus, trains for two iterations with finite losses. Also
the data-fraction subset of SignPoseDataset and tools/analysis/compare_runs.
"""
import copy
import glob
import importlib.util
import json
import math
import os
import os.path as osp

import numpy as np
import pytest
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.runner import Runner

from slp_mm.datasets import SignPoseDataset
from slp_mm.registry import HOOKS

from ..conftest import REPO

ABL_DIR = osp.join(REPO, 'configs', 'pretrain', 'ablations')
BASE_CFG = osp.join(REPO, 'configs', 'pretrain', 'sl15m.py')

MANUAL = ('body', 'left_hand', 'right_hand')
NON_MANUAL = ('face', 'mouth')


def _mask_ratio(cfg):
    ratios = [
        t['ratio'] for t in cfg.train_dataloader.dataset.pipeline
        if t['type'] == 'HierarchicalPoseMask'
    ]
    assert len(ratios) == 1
    return ratios[0]


def _branches(cfg):
    return {k: tuple(v) for k, v in cfg.model.embedder.branches.items()}


# name -> (expected value of the ablated setting, how to read it)
ABLATIONS = {
    **{f'stc_weight_{w}': (w, lambda c: c.model.stc_weight)
       for w in (0.1, 0.5, 1.0, 1.5, 2.0)},
    **{f'window_{w}': (w, lambda c: c.model.stc_head.window)
       for w in (1, 2, 4, 8, 16)},
    **{f'mask_ratio_{r}': (r, _mask_ratio) for r in (0, 0.2, 0.4, 0.6, 0.8)},
    'similarity_coarse':
    ('coarse', lambda c: c.model.stc_head.get('granularity', 'fine')),
    'embedder_linear': ('PoseLinearEmbedder', lambda c: c.model.embedder.type),
    'features_manual_only': ((dict(manual=MANUAL), ('manual', ), 512, 512),
                             lambda c: (_branches(c),
                                        tuple(c.model.encoder.branches),
                                        c.model.mpm_head.in_channels,
                                        c.model.stc_head.pose_channels)),
    'features_non_manual_only':
    ((dict(non_manual=NON_MANUAL), ('non_manual', ), 512, 512),
     lambda c: (_branches(c), tuple(c.model.encoder.branches),
                c.model.mpm_head.in_channels, c.model.stc_head.pose_channels)),
    'mpm_only': ((None, None), lambda c:
                 (c.model.stc_head, c.model.text_encoder)),
    'stc_only': (None, lambda c: c.model.mpm_head),
    **{f'data_{p}': (p / 100,
                     lambda c: c.train_dataloader.dataset.get('fraction', 1.0))
       for p in (25, 50, 75, 100)},
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
        undone.train_dataloader.dataset.pipeline = base.train_pipeline
        undone.train_pipeline = base.train_pipeline
    elif name == 'similarity_coarse':
        m.stc_head.pop('granularity')
    elif name == 'embedder_linear':
        m.embedder = bm.embedder
    elif name.startswith('features_'):
        for key in ('embedder', 'encoder', 'mpm_head', 'stc_head'):
            m[key] = bm[key]
    elif name == 'mpm_only':
        m.stc_head, m.text_encoder = bm.stc_head, bm.text_encoder
    elif name == 'stc_only':
        m.mpm_head = bm.mpm_head
    elif name.startswith('data_'):
        undone.train_dataloader.dataset.pop('fraction')
    assert _flat(undone) == _flat(base)


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
        if name == 'mask_ratio_0':
            assert rec['loss_mpm'] == 0  # no masked joint: 0, not NaN
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


# ---------------------------------------------------------------- compare


def _load_compare_runs():
    path = osp.join(REPO, 'tools', 'analysis', 'compare_runs.py')
    spec = importlib.util.spec_from_file_location('compare_runs', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _fake_run(work_dir, timestamp, records):
    vis = osp.join(work_dir, timestamp, 'vis_data')
    os.makedirs(vis)
    with open(osp.join(vis, 'scalars.json'), 'w') as f:
        for r in records:
            f.write(json.dumps(r) + '\n')


def test_compare_runs(tmp_path, capsys):
    compare_runs = _load_compare_runs()
    a, b = str(tmp_path / 'run_a'), str(tmp_path / 'run_b')
    _fake_run(a, '20260101_000000', [
        dict(loss=3.0, loss_mpm=2.0, loss_stc=1.0, step=1),
        dict(loss=2.0, loss_mpm=1.5, loss_stc=0.5, step=2),
    ])
    _fake_run(b, '20260101_000000', [dict(loss=5.0, loss_mpm=4.0, step=1)])
    # a resumed run: the later timestamp's values win
    _fake_run(b, '20260102_000000', [
        dict(loss=1.0, loss_mpm=0.75, step=2),
        {'islr/top1_acc': 0.5, 'step': 2},
    ])
    out = str(tmp_path / 'report' / 'cmp')
    compare_runs.main(
        [a, b, '--keys', 'loss', 'loss_mpm', 'loss_stc', 'islr/top1_acc',
         '--out', out])
    printed = capsys.readouterr().out
    md = open(out + '.md').read()
    assert printed == md
    lines = md.strip().splitlines()
    assert lines[0] == '| run | loss | loss_mpm | loss_stc | islr/top1_acc |'
    assert lines[2] == '| run_a | 2 | 1.5 | 0.5 | - |'
    assert lines[3] == '| run_b | 1 | 0.75 | - | 0.5 |'
    rows = open(out + '.csv').read().strip().splitlines()
    assert rows[0] == 'run,loss,loss_mpm,loss_stc,islr/top1_acc'
    assert rows[1] == 'run_a,2.0,1.5,0.5,'
    assert rows[2] == 'run_b,1.0,0.75,,0.5'
    assert osp.getsize(out + '.png') > 0
    with pytest.raises(FileNotFoundError):
        compare_runs.compare([str(tmp_path / 'missing')], ['loss'],
                             str(tmp_path / 'x'))
