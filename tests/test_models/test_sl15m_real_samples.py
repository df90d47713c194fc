"""The paper-size model of configs/pretrain/sl15m.py on two real
COCO-WholeBody samples (../shared/data/slp-pose-wholebody133)."""
import copy
import os.path as osp
from functools import partial

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import Compose

from slp_mm.preparation.pose_readers import read_pose_file
from slp_mm.registry import FUNCTIONS, MODELS
from slp_mm.structures import train_tokenizer

from ..conftest import REPO, shared_file


@pytest.fixture(scope='module')
def real_samples():
    out = []
    for word in ('FOOTBALL', 'SOUP'):
        path = shared_file('slp-pose-wholebody133',
                           f'{word}.mmposewholebody.pose')
        sample = read_pose_file(path)
        sample.update(id=word, text=f'This word is {word.lower()}.',
                      language='en', corpus_location=path)
        out.append(sample)
    return out


def test_read_pose_file(real_samples):
    soup = real_samples[1]
    assert soup['keypoints'].shape == (41, 133, 2)
    assert soup['scores'].shape == (41, 133)
    assert (soup['width'], soup['height']) == (320, 240)
    assert soup['fps'] == pytest.approx(29.97, abs=1e-3)
    # the raw MMPose predictions the file was made from agree exactly
    import json
    pred = json.load(open(shared_file('slp-pose-wholebody133',
                                      'SOUP.mmpose-predictions.json')))
    np.testing.assert_allclose(soup['keypoints'][3],
                               pred[3]['instances'][0]['keypoints'])


def test_read_pose_file_errors(tmp_path):
    bad = tmp_path / 'x.pose'
    bad.write_bytes(b'\x00\x01garbage')
    with pytest.raises(ValueError, match='x.pose'):
        read_pose_file(str(bad))
    path = shared_file('slp-pose-wholebody133',
                       'FOOTBALL.mediapipe-holistic.pose')
    # MediaPipe Holistic (576 points) is mapped onto COCO-WholeBody 133
    assert read_pose_file(path)['source_layout'] == 'mediapipe_holistic'


@pytest.mark.slow
def test_paper_model_forward_backward_on_real_samples(real_samples,
                                                      tmp_path, capsys):
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'pretrain', 'sl15m.py'))
    # the mBART tokenizer is not available offline: a local stand-in with
    # mBART's special ids, for these two sentences only
    tok_dir = str(tmp_path / 'tok')
    train_tokenizer([s['text'] for s in real_samples], tok_dir, 100)
    # the dataset's part; the pose stages run in the data preprocessor
    pipeline = copy.deepcopy(cfg.train_dataloader.dataset.pipeline)
    for t in pipeline:
        if t['type'] == 'TokenizeText':
            t['tokenizer'] = tok_dir
    pipeline = Compose(pipeline)
    torch.manual_seed(0)
    np.random.seed(0)
    # the loader's collate_fn pads them and draws the MPM masks
    collate = dict(cfg.train_dataloader.collate_fn)
    collate = partial(FUNCTIONS.get(collate.pop('type')), **collate)
    batch = collate([pipeline(dict(s)) for s in real_samples])

    model = MODELS.build(cfg.model)
    n_all = sum(p.numel() for p in model.parameters())
    n_train = sum(p.numel() for p in model.parameters() if p.requires_grad)
    with capsys.disabled():
        print(f'\nsl15m model: {n_all:,} parameters, {n_train:,} trainable '
              '(frozen mBART-cc25 encoder, random weights offline)')
    assert model.encoder.out_channels == 1024
    assert len(model.encoder.layers['manual'].layers) == 8
    assert model.text_encoder.out_channels == 1024
    assert not model.text_encoder.is_pretrained
    assert 50e6 < n_train < 70e6

    model.train()
    data = model.data_preprocessor(batch, training=True)
    assert data['inputs']['pose'].shape == (2, 62, 79, 3)
    losses = model(**data, mode='loss')
    assert torch.isfinite(losses['loss_mpm']) and torch.isfinite(
        losses['loss_stc'])
    assert losses['stc_pairs'].item() == 2
    (losses['loss_mpm'] + losses['loss_stc']).backward()
    gcn_grad = model.embedder.gcn[0].conv.weight.grad
    assert gcn_grad is not None and gcn_grad.abs().sum() > 0
    assert all(p.grad is None for p in model.text_encoder.parameters())
