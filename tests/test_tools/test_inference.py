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
        labels = [int(t['label']) for t in r['topk']]  # no class names
        scores = [t['score'] for t in r['topk']]
        assert len(set(labels)) == 3 and all(0 <= l < 14 for l in labels)
        assert list(scores) == sorted(scores, reverse=True)
    # one file in, one result out; same numbers as the batched call
    single = inference_recognizer(model, files[0], topk=3)
    assert single['topk'][0]['label'] == out[0]['topk'][0]['label']
    assert single['topk'][0]['score'] == pytest.approx(
        out[0]['topk'][0]['score'], abs=1e-5)


def test_sign_inferencer_on_a_folder(tmp_path):
    import shutil

    from slp_mm.apis import SignInferencer
    for w in ('SOUP', 'FOOTBALL'):
        shutil.copy(shared_file('slp-pose-wholebody133',
                                f'{w}.mmposewholebody.pose'),
                    tmp_path / f'{w}.pose')
    cfg = osp.join(REPO, 'configs', 'islr', 'traduttore_asl_words_scratch.py')
    inferencer = SignInferencer(cfg, topk=2)
    out = inferencer(str(tmp_path), batch_size=1)
    assert [osp.basename(r['file']) for r in out] == ['FOOTBALL.pose',
                                                      'SOUP.pose']
    assert all(len(r['topk']) == 2 for r in out)
    (tmp_path / 'empty').mkdir()
    with pytest.raises(FileNotFoundError, match='no pose files or videos'):
        inferencer(str(tmp_path / 'empty'))
    with pytest.raises(FileNotFoundError, match='no such pose file'):
        inferencer(str(tmp_path / 'missing.pose'))
