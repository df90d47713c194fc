import pytest
import torch

from slp_mm.models import SignClsHead
from slp_mm.models.utils import load_pretrained_encoder
from slp_mm.registry import MODELS
from slp_mm.structures import SignDataSample


def _samples(labels):
    out = []
    for i, l in enumerate(labels):
        s = SignDataSample(metainfo=dict(sample_id=f's{i}'))
        s.gt_label = l
        out.append(s)
    return out


def test_cls_head_pools_real_frames_and_smooths_labels():
    head = SignClsHead(num_classes=3, in_channels=2, label_smoothing=0.2)
    with torch.no_grad():
        head.fc.weight.copy_(torch.tensor([[1., 0.], [0., 1.], [0., 0.]]))
        head.fc.bias.zero_()
    feats = torch.tensor([[[2., 0.], [0., 2.], [9., 9.]]])
    mask = torch.tensor([[True, True, False]])
    logits = head(feats, mask)  # mean of real frames = (1, 1)
    assert torch.allclose(logits, torch.tensor([[1., 1., 0.]]))
    loss = head.loss(feats, mask, _samples([0]))['loss_cls']
    logp = torch.log_softmax(logits, -1)[0]
    # smoothed target: 0.8 on the label + 0.2 / 3 on every class
    expected = -(0.8 * logp[0] + 0.2 / 3 * logp.sum())
    assert loss.item() == pytest.approx(expected.item(), rel=1e-6)


def test_cls_head_rejects_bad_labels():
    head = SignClsHead(num_classes=3, in_channels=2)
    feats, mask = torch.zeros(2, 1, 2), torch.ones(2, 1, dtype=torch.bool)
    with pytest.raises(ValueError, match="'s1'.*label 7"):
        head.loss(feats, mask, _samples([0, 7]))
    with pytest.raises(ValueError, match='no class label'):
        head.loss(feats, mask, [SignDataSample(metainfo=dict(sample_id='x'))] * 2)


def _recognizer(demo_cfg, embed_dims=64):
    cfg = dict(type='SignRecognizer',
               embedder=dict(demo_cfg.model.embedder),
               encoder=dict(demo_cfg.model.encoder),
               head=dict(type='SignClsHead', num_classes=5,
                         in_channels=2 * embed_dims))
    cfg['embedder']['embed_dims'] = cfg['encoder']['embed_dims'] = embed_dims
    cfg['encoder']['num_heads'] = 4
    return MODELS.build(cfg)


def test_pretrained_encoder_loading_reports_and_checks(demo_cfg, tmp_path):
    pretrainer = MODELS.build(demo_cfg.model)
    ckpt = tmp_path / 'pre.pth'
    torch.save(dict(state_dict=pretrainer.state_dict()), ckpt)
    rec = _recognizer(demo_cfg)
    report = load_pretrained_encoder(rec, str(ckpt))
    assert report['missing'] == [] and report['unexpected'] == []
    assert len(report['loaded']) == len(
        [k for k in rec.state_dict() if k.startswith(('embedder.', 'encoder.'))])
    w = 'encoder.layers.manual.layers.0.linear1.weight'
    assert torch.equal(rec.state_dict()[w], pretrainer.state_dict()[w])
    with pytest.raises(ValueError, match='does not match the config'):
        load_pretrained_encoder(_recognizer(demo_cfg, embed_dims=32),
                                str(ckpt))
    torch.save(dict(state_dict={'head.fc.weight': torch.zeros(1)}), ckpt)
    with pytest.raises(KeyError, match='no weights under'):
        load_pretrained_encoder(rec, str(ckpt))
