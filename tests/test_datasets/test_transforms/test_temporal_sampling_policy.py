"""Training pipelines subsample a long clip over its whole length instead of
cutting a window (docs/pretraining.md, "Temporal sampling policy")."""
import os.path as osp

import numpy as np
import pytest
from mmengine.config import Config

from slp_mm.registry import TRANSFORMS
from slp_mm.structures import train_tokenizer
from ...conftest import REPO

SENTENCE = 'A long sentence whose signs run from the first frame to the last.'
NUM_FRAMES = 600


@pytest.fixture(scope='module')
def tokenizer(tmp_path_factory):
    """A local stand-in for mBART's tokenizer (not available offline)."""
    path = str(tmp_path_factory.mktemp('tokenizer'))
    train_tokenizer([SENTENCE], path, 100)
    return path


def _long_clip(text):
    """600 frames; the nose's score is (frame index + 1) / 1000, which
    every transform keeps (unlike its coordinates)."""
    rng = np.random.default_rng(0)
    scores = np.ones((NUM_FRAMES, 133), np.float32)
    scores[:, 0] = (np.arange(NUM_FRAMES) + 1) / 1000
    return dict(id='long',
                keypoints=rng.uniform(0, 500, (NUM_FRAMES, 133, 2)).astype(
                    np.float32),
                scores=scores, width=500, height=500, fps=25.0, text=text,
                language='en', corpus_location='test')


@pytest.mark.parametrize('config,text', [
    ('configs/pretrain/sl15m.py', SENTENCE),
    ('configs/pretrain/sl15m.py', None),  # unpaired (MPM only): the same
    ('configs/pretrain/demo.py', SENTENCE),
    ('configs/retrieval/phoenix2014t.py', SENTENCE),
    ('configs/slt/how2sign.py', SENTENCE),
    ('configs/cslr/phoenix2014t.py', SENTENCE),
])
def test_training_keeps_a_frame_of_every_segment(config, text, tokenizer):
    cfg = Config.fromfile(osp.join(REPO, config))
    steps, tokenizes = [], False
    for step in cfg.train_dataloader.dataset.pipeline:
        if step.type == 'TokenizeText':
            step.tokenizer, tokenizes = tokenizer, True
        if step.type == 'TemporalSample':
            n = step.max_frames
        if step.type != 'EncodeGloss':  # glosses only, needs a vocabulary
            steps.append(TRANSFORMS.build(step))
    assert n < NUM_FRAMES
    # segment i of the clip is frames [i * 600 / n, (i + 1) * 600 / n)
    first = np.floor(np.arange(n) * NUM_FRAMES / n)
    last = np.ceil((np.arange(n) + 1) * NUM_FRAMES / n) - 1
    np.random.seed(0)
    for _ in range(5):
        sample = _long_clip(text)
        for step in steps:
            sample = step.transform(sample)
        inputs = sample['inputs']  # stored arrays where batched (sl15m)
        scores = (inputs['scores'] if isinstance(inputs, dict) else
                  inputs[..., 2].numpy())  # (n, K)
        nose_score = scores[:, 0]  # (n, )
        frames = np.round(nose_score * 1000) - 1
        assert len(frames) == n
        # the first and the last segment, and every one between
        assert frames[0] <= last[0] and frames[-1] >= first[-1]
        assert (first <= frames).all() and (frames <= last).all()
        # a sentence-paired sample wherever the task reads the sentence
        assert sample['data_samples'].is_paired == (
            tokenizes and text is not None)
