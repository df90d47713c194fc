"""Every ISLR, CSLR and retrieval config (the ablation ones too) trains a
few iterations on CPU, shrunk to the demo encoder size and re-pointed at the
synthetic corpus; downstream models load the pre-training checkpoint they
are made for (shapes, temperature, STC window)."""
import copy
import glob
import math
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner, load_checkpoint

from slp_mm.corpus import SignCorpus
from slp_mm.registry import MODELS
from slp_mm.structures import GlossVocabulary

from ..conftest import REPO
from .test_ablations import shrink


def _configs(task):
    return sorted(
        osp.relpath(f, REPO)
        for pattern in ('*.py', 'ablations/*.py')
        for f in glob.glob(osp.join(REPO, 'configs', task, pattern)))


def _pretraining_for(config):
    """The pre-training config whose checkpoint a downstream config loads."""
    for features in ('non_manual_only', 'manual_only'):
        if config.endswith(f'_{features}.py'):
            return f'ablations/features_{features}'
    return 'sl15m'


def _shrink(cfg, corpus, tmp_path):
    cfg = copy.deepcopy(cfg)
    cfg.model.embedder.update(gcn_channels=(16, ), embed_dims=32)
    cfg.model.encoder.update(embed_dims=32, num_layers=1, num_heads=4,
                             max_frames=64)
    cfg.model.pretrained = None
    for loader in (cfg.train_dataloader, cfg.val_dataloader):
        loader.update(batch_size=8, num_workers=0, persistent_workers=False)
        loader.sampler = dict(type='DefaultSampler', shuffle=True)
        loader.dataset.update(data_root='', ann_file=corpus)
        for t in loader.dataset.pipeline:
            if t.type == 'TemporalSample':
                t.max_frames = 64
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=2,
                         val_interval=2)
    cfg.param_scheduler = []
    cfg.test_dataloader = cfg.test_evaluator = cfg.test_cfg = None
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=2)
    cfg.work_dir = str(tmp_path)
    return cfg


@pytest.mark.parametrize('config', _configs('islr'))
def test_islr_config_trains(config, synthetic_corpus, tmp_path):
    cfg = _shrink(Config.fromfile(osp.join(REPO, config)), synthetic_corpus,
                  tmp_path)
    cfg.model.head.in_channels = 32 * len(cfg.model.encoder.branches)
    # the synthetic isolated signs have 16 classes
    cfg.model.head.num_classes = max(cfg.model.head.num_classes, 16)
    for loader in (cfg.train_dataloader, cfg.val_dataloader):
        loader.dataset.datasets = ['synthetic-isolated']  # labelled samples
    cfg.val_evaluator.pop('subsets', None)
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert runner.iter == 2
    metrics = runner.val_loop.run()
    assert 0 <= metrics['islr/top1_acc'] <= 100


@pytest.mark.parametrize('config', _configs('cslr'))
def test_cslr_config_trains(config, synthetic_corpus, tmp_path):
    vocab = str(tmp_path / 'vocab.json')
    GlossVocabulary.build(SignCorpus(synthetic_corpus).column('gloss')).save(
        vocab)
    cfg = _shrink(Config.fromfile(osp.join(REPO, config)), synthetic_corpus,
                  tmp_path)
    cfg.model.head.update(gloss_vocab=vocab, in_channels=64,
                          hidden_channels=32, beam_size=2)
    cfg.train_dataloader.dataset.gloss_vocab = vocab
    cfg.val_evaluator.protocol = 'raw'
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert runner.iter == 2
    assert torch.isfinite(torch.tensor(runner.val_loop.run()['cslr/wer']))


# ------------------------------------------------ pre-trained checkpoints


@pytest.fixture(scope='module')
def pretrained(demo_cfg, synthetic_corpus, tmp_path_factory):
    """name -> checkpoint of that pre-training config, shrunk as in
    test_ablations and trained one iteration, saved by mmengine (its config
    as text in meta['cfg'])."""
    made = {}

    def get(name):
        if name not in made:
            work_dir = tmp_path_factory.mktemp(name.replace('/', '_'))
            cfg = shrink(
                Config.fromfile(
                    osp.join(REPO, 'configs', 'pretrain', name + '.py')),
                demo_cfg, synthetic_corpus, work_dir)
            cfg.train_cfg.max_iters = 1
            cfg.default_hooks.checkpoint = dict(
                type='CheckpointHook', interval=1, by_epoch=False)
            Runner.from_cfg(cfg).train()
            made[name] = str(work_dir / 'iter_1.pth')
        return made[name]

    return get


def _shrink_retrieval(config, demo_cfg, corpus, tmp_path, checkpoint):
    cfg = shrink(Config.fromfile(osp.join(REPO, config)), demo_cfg, corpus,
                 tmp_path)
    cfg.model.pretrained = checkpoint
    cfg.train_cfg.val_interval = 2
    loader = cfg.val_dataloader
    loader.update(batch_size=8, num_workers=0)
    loader.dataset.update(data_root='', ann_file=corpus, indices=16)
    for t in loader.dataset.pipeline:
        if t.type == 'TemporalSample':
            t.max_frames = 64
        if t.type == 'TokenizeText':
            t.update(tokenizer=osp.join(corpus, 'tokenizer'), max_length=32)
    cfg.default_hooks.checkpoint = None
    cfg.test_dataloader = cfg.test_evaluator = cfg.test_cfg = None
    return cfg


@pytest.mark.parametrize('config', _configs('retrieval'))
def test_retrieval_config_fine_tunes_its_pretraining(
        config, pretrained, demo_cfg, synthetic_corpus, tmp_path):
    checkpoint = pretrained(_pretraining_for(config))
    cfg = _shrink_retrieval(config, demo_cfg, synthetic_corpus, tmp_path,
                            checkpoint)
    runner = Runner.from_cfg(cfg)
    runner.train()  # init_weights loads the checkpoint, then 2 iterations
    assert runner.iter == 2
    metrics = runner.val_loop.run()
    assert 0 <= metrics['retrieval/t2v/R1'] <= 100


@pytest.mark.parametrize('config', _configs('islr') + _configs('retrieval'))
def test_downstream_loads_its_pretraining_encoder(config, pretrained,
                                                  demo_cfg,
                                                  synthetic_corpus,
                                                  tmp_path):
    """The single-feature configs take their ablation checkpoint's
    embedder/encoder as they are (shapes checked by the loader)."""
    checkpoint = pretrained(_pretraining_for(config))
    if config.startswith(osp.join('configs', 'retrieval')):
        cfg = _shrink_retrieval(config, demo_cfg, synthetic_corpus, tmp_path,
                                checkpoint)
    else:
        cfg = _shrink(Config.fromfile(osp.join(REPO, config)),
                      synthetic_corpus, tmp_path)
        cfg.model.embedder.gcn_channels = (16, 32)
        cfg.model.head.in_channels = 32 * len(cfg.model.encoder.branches)
        cfg.model.pretrained = checkpoint
    model = MODELS.build(cfg.model)
    model.init_weights()
    state = torch.load(checkpoint, map_location='cpu')['state_dict']
    own = model.state_dict()
    encoder_keys = [k for k in state if k.startswith(('embedder.',
                                                      'encoder.'))]
    assert encoder_keys and all(k in own for k in encoder_keys)
    for k in encoder_keys:
        assert torch.equal(own[k], state[k]), k


def test_retrieval_restarts_the_temperature(pretrained, demo_cfg,
                                            synthetic_corpus, tmp_path):
    """Table III: SL-RT fine-tunes from temperature 0.07, whatever the
    pre-training ended with."""
    ckpt = torch.load(pretrained('sl15m'), map_location='cpu')
    ckpt['state_dict']['stc_head.logit_scale'].fill_(math.log(1 / 0.02))
    drifted = str(tmp_path / 'drifted.pth')
    torch.save(ckpt, drifted)
    cfg = _shrink_retrieval(
        osp.join('configs', 'retrieval', 'phoenix2014t.py'), demo_cfg,
        synthetic_corpus, tmp_path, drifted)
    model = MODELS.build(cfg.model)
    model.init_weights()
    temperature = 1 / model.stc_head.logit_scale.exp()
    assert temperature.item() == pytest.approx(0.07)
    # the STC projections are the pre-trained ones
    for k in ('stc_head.pose_proj.weight', 'stc_head.text_proj.weight'):
        assert torch.equal(model.state_dict()[k], ckpt['state_dict'][k])
    # a pre-training checkpoint as `load_from` would keep 0.02: refused
    runner_model = MODELS.build(dict(cfg.model, pretrained=None))
    with pytest.raises(ValueError, match='model.pretrained'):
        load_checkpoint(runner_model, drifted)


def test_retrieval_takes_the_pretraining_window(pretrained, demo_cfg,
                                                synthetic_corpus, tmp_path):
    window_8 = pretrained('ablations/window_8')
    config = osp.join('configs', 'retrieval', 'phoenix2014t.py')
    cfg = _shrink_retrieval(config, demo_cfg, synthetic_corpus, tmp_path,
                            window_8)
    model = MODELS.build(cfg.model)
    model.init_weights()
    assert model.stc_head.window == 8
    # clips of 8 frames at test time too
    loader = Runner.build_dataloader(cfg.val_dataloader)
    batch = model.data_preprocessor(next(iter(loader)), False)
    with torch.no_grad():
        samples = model(**batch, mode='predict')
    t = batch['inputs']['pose'].shape[1]
    assert samples[0].clip_embeds.shape[0] == math.ceil(t / 8)
    # a window in the config that is not the checkpoint's fails loudly
    wrong = copy.deepcopy(cfg.model)
    wrong.stc_head.window = 4
    with pytest.raises(ValueError, match='window of 8.*window=4'):
        MODELS.build(wrong).init_weights()
    # the fine-tuned checkpoint carries its window to testing
    finetuned = str(tmp_path / 'finetuned.pth')
    torch.save(dict(state_dict=model.state_dict()), finetuned)
    tested = MODELS.build(dict(cfg.model, pretrained=None))
    assert tested.stc_head.window == 4  # the head's default until loaded
    load_checkpoint(tested, finetuned, strict=True)
    assert tested.stc_head.window == 8
    with pytest.raises(ValueError, match='window of 8.*window=4'):
        load_checkpoint(MODELS.build(dict(wrong, pretrained=None)),
                        finetuned)
