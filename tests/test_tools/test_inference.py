import os.path as osp

import pytest
import torch
from mmengine.config import Config

from slp_mm.apis import inference_recognizer, init_model

from ..conftest import REPO, shared_file


def test_islr_inference_on_real_pose_files(tmp_path):
    files = [shared_file('slp-pose-wholebody133', f'{w}.mmposewholebody.pose')
             for w in ('SOUP', 'FOOTBALL')]
    cfg = Config.fromfile(osp.join(
        REPO, 'configs', 'islr', 'traduttore_asl_words_scratch.py'))
    model = init_model(cfg)
    ckpt = tmp_path / 'model.pth'
    torch.save(dict(state_dict=model.state_dict()), ckpt)
    model = init_model(cfg, str(ckpt))
    out = inference_recognizer(model, files, topk=3)
    assert len(out) == 2
    for r in out:
        labels, scores = zip(*r['topk'])
        assert len(set(labels)) == 3 and all(0 <= l < 14 for l in labels)
        assert list(scores) == sorted(scores, reverse=True)
    # one file in, one result out; same numbers as the batched call
    single = inference_recognizer(model, files[0], topk=3)
    assert single['topk'][0][0] == out[0]['topk'][0][0]
    assert single['topk'][0][1] == pytest.approx(out[0]['topk'][0][1],
                                                 abs=1e-5)
