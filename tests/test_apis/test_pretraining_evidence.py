import json
import os
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest

from slp_mm.apis.pretraining_evidence import (HOLDOUT_FROM_CLIP,
                                              VARIANT_NAMES, VARIANTS,
                                              ZERO_SHOT_VARIANTS,
                                              EvidenceConfigs,
                                              EvidenceSettings, cell_path,
                                              collect_results,
                                              finetune_config, markdown_table,
                                              prepare_data, protocol_dir,
                                              run_cells, shot_indices,
                                              write_unlabelled_clips)
from slp_mm.corpus.sign_corpus import SignCorpus

from ..conftest import REPO, shared_file


def test_shot_indices_draw_k_clips_of_every_word():
    labels = [0] * 5 + [1] * 5 + [2] * 5
    picked = shot_indices(labels, 2, seed=3)
    assert sorted(np.bincount(np.asarray(labels)[picked])) == [2, 2, 2]
    assert picked == shot_indices(labels, 2, seed=3)  # the seed decides
    assert shot_indices(labels, 0, seed=3) is None  # 0 = every clip


def test_table_of_cached_cells_mean_std_and_partial_seeds(tmp_path):
    settings = EvidenceSettings(seeds=3, shots=(1, 0))
    for seed, top1 in ((0, 10.0), (2, 20.0)):  # seed 1 not finished
        path = cell_path(str(tmp_path), 'mpm', 'k1', seed)
        os.makedirs(osp.dirname(path), exist_ok=True)
        with open(path, 'w') as f:
            json.dump(dict(top1=top1, seconds=1.0), f)
    results = collect_results(str(tmp_path), settings)
    assert results['mpm']['k1'] == [10.0, 20.0]
    assert results['scratch']['probe'] == []
    table = markdown_table(results, settings).splitlines()
    assert table[0] == ('| pre-training | fine-tune k=1 | fine-tune k=all '
                        '| linear probe (all) | zero-shot |')
    # mean 15, population std 5, over the 2 of 3 seeds that finished
    assert table[3] == (f'| {VARIANT_NAMES["mpm"]} | 15.0 ± 5.0 (n=2) | - '
                        '| - | - |')
    assert len(table) == 2 + len(VARIANTS)


def _data(work_dir='w', holdout=None):
    """A :func:`prepare_data` result without the clips (configs only)."""
    return dict(data_dir=f'{work_dir}/data',
                tokenizer=f'{work_dir}/data/tokenizer',
                eval_ann_file='train' if holdout else 'test',
                eval_indices=holdout,
                train_pool=None,
                pool_labels=[c for c in range(14) for _ in range(15)])


def test_protocol_dir_names_the_settings_not_the_seeds_or_work_dir():
    configs = EvidenceConfigs(
        **{k: osp.join(REPO, v)
           for k, v in vars(EvidenceConfigs()).items()})
    key = protocol_dir('w', EvidenceSettings(), configs, _data())
    assert key.startswith('w/protocol-')
    # more seeds or shots only add cells; the work dir's paths do not count
    assert protocol_dir('w', EvidenceSettings(seeds=2, shots=(1, )), configs,
                        _data('elsewhere')) == key
    # another schedule, scored clips or pre-training config: other cells
    assert protocol_dir('w', EvidenceSettings(finetune_iters=60), configs,
                        _data()) != key
    assert protocol_dir('w', EvidenceSettings(), configs,
                        _data(holdout=[10, 11])) != key
    hard = osp.join(REPO, 'configs', 'pretrain',
                    'traduttore_asl_words_evidence_hard_mask.py')
    assert protocol_dir('w', EvidenceSettings(),
                        EvidenceConfigs(**dict(vars(configs), pretrain=hard)),
                        _data()) != key


def test_a_unit_refuses_configs_changed_since_the_run_began(tmp_path):
    """Each cell reads the configs again: a unit whose configs no longer
    hash to its run dir stops before computing anything."""
    configs = EvidenceConfigs(
        **{k: osp.join(REPO, v)
           for k, v in vars(EvidenceConfigs()).items()})
    stale = str(tmp_path / 'protocol-00000000')
    with pytest.raises(RuntimeError, match='changed during the run'):
        run_cells('scratch', 0, stale, EvidenceSettings(), configs, _data())
    assert not osp.exists(stale)


def test_finetune_never_waits_at_an_epoch_end():
    """mmengine's iteration loop sleeps 2 s whenever a finite loader ends:
    at k = 1 (one batch an epoch) that was 238 s of a 260 s cell."""
    cfg = finetune_config(None, [0, 15], EvidenceConfigs(
        finetune_scratch=osp.join(REPO, EvidenceConfigs.finetune_scratch)),
                          EvidenceSettings(), _data())
    assert cfg.train_dataloader.sampler.type == 'InfiniteSampler'
    assert cfg.train_dataloader.batch_size == 2
    assert cfg.train_dataloader.dataset.indices == [0, 15]


def test_holdout_splits_the_training_block_by_clip_index(tmp_path):
    src = osp.dirname(
        shared_file('traduttore-asl-words', 'traduttore_asl_words_shared.npz'))
    data = prepare_data(src, str(tmp_path), holdout=True)
    ids = SignCorpus(osp.join(data['data_dir'], 'train')).column('id')
    clip = [int(i.rsplit('/', 1)[1]) for i in ids]
    assert data['eval_ann_file'] == 'train'  # the test block is not read
    assert sorted(clip[i] for i in data['train_pool']) == sorted(
        list(range(HOLDOUT_FROM_CLIP)) * 14)
    assert sorted(clip[i] for i in data['eval_indices']) == sorted(
        list(range(HOLDOUT_FROM_CLIP, 15)) * 14)
    assert np.bincount(data['pool_labels']).tolist() == [10] * 14
    assert np.bincount(data['eval_labels']).tolist() == [5] * 14
    assert len(data['eval_files']) == 70


def test_unlabelled_clips_are_cut_like_the_traduttore_clips(tmp_path):
    path = shared_file('sld-real-samples',
                       'autsl_signer0_sample1000.holistic.pose')  # 43 frames
    out = str(tmp_path / 'unlabelled')
    assert write_unlabelled_clips([path], out) == 2  # the last 3 dropped
    corpus = SignCorpus(out)
    assert corpus.column('num_frames') == [20, 20]
    assert corpus.column('text') == [None, None]
    assert corpus.column('label') == [None, None]


@pytest.mark.slow
def test_reduced_run_fills_every_cell(tmp_path):
    """The tool end to end at the smoke-test size on the real clips, in two
    worker processes: every variant pre-trains, publishes and is scored;
    the table has a figure in every cell (zero-shot only where the model
    has STC)."""
    data = osp.dirname(
        shared_file('traduttore-asl-words', 'traduttore_asl_words_shared.npz'))
    out = tmp_path / 'results.md'
    env = dict(os.environ, PYTHONPATH=REPO, OMP_NUM_THREADS='1')
    proc = subprocess.run([
        sys.executable, 'tools/analysis/pretraining_evidence.py', '--reduced',
        '--jobs', '2',
        '--data', data, '--work-dir',
        str(tmp_path / 'work'), '--out',
        str(out)
    ],
                          cwd=REPO,
                          env=env,
                          capture_output=True,
                          text=True,
                          timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = {
        line.split(' | ')[0][2:]: line.split(' | ')[1:]
        for line in out.read_text().splitlines() if line.startswith('| (')
    }
    assert len(rows) == len(VARIANTS)
    for variant in VARIANTS:
        cells = rows[VARIANT_NAMES[variant]]
        assert len(cells) == 5  # k = 1, 3, all, probe, zero-shot
        for cell in cells[:4]:
            assert float(cell.split(' ± ')[0]) >= 0
        assert (cells[4].strip(' |') == '-') == (variant
                                                 not in ZERO_SHOT_VARIANTS)
    published = os.listdir(
        next((tmp_path / 'work').glob('protocol-*')) / 'published')
    assert sum(f.endswith('.safetensors') for f in published) == 4
