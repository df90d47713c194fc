"""ONNX export of the pose side: the same numbers under onnxruntime as in
PyTorch, at another batch size and length than the traced one."""
import os.path as osp

import pytest
import torch

from slp_mm.apis import init_model
from slp_mm.apis.onnx_export import (example_inputs, export_onnx,
                                     onnx_max_abs_difference)

from ..conftest import REPO

pytest.importorskip('onnxruntime')
pytest.importorskip('onnxscript')


@pytest.mark.slow
def test_islr_export_matches_pytorch(tmp_path):
    """From a checkpoint that carries its config, as the tool loads it."""
    torch.manual_seed(0)
    model = init_model(
        osp.join(REPO, 'configs', 'islr', 'traduttore_asl_words_scratch.py'))
    ckpt = tmp_path / 'islr.pth'
    torch.save(dict(meta=dict(cfg=model.cfg.pretty_text),
                    state_dict=model.state_dict()), ckpt)
    model = init_model(None, str(ckpt))
    out = str(tmp_path / 'islr.onnx')
    assert export_onnx(model, out) == ('logits', )
    diff = onnx_max_abs_difference(model, out)
    print(f'ISLR: max abs difference {diff:.3g}')
    assert diff < 1e-4
    import onnxruntime as ort
    session = ort.InferenceSession(out, providers=['CPUExecutionProvider'])
    assert [i.name for i in session.get_inputs()] == ['pose', 'pose_mask']
    pose, mask = example_inputs(model, 5, 40)  # other batch and length
    [logits] = session.run(None, dict(pose=pose.numpy(),
                                      pose_mask=mask.numpy()))
    assert logits.shape == (5, 14)


@pytest.mark.slow
def test_stc_pose_side_export_matches_pytorch(tmp_path):
    torch.manual_seed(0)
    model = init_model(osp.join(REPO, 'configs', 'pretrain', 'demo.py'))
    out = str(tmp_path / 'pose_side.onnx')
    assert export_onnx(model, out) == ('clip_embeddings', 'clip_mask')
    diff = onnx_max_abs_difference(model, out)
    print(f'STC pose side: max abs difference {diff:.3g}')
    assert diff < 1e-4


def test_models_without_an_onnx_graph_are_refused(tmp_path):
    with pytest.raises(ValueError, match='Linear: only ISLR models'):
        export_onnx(torch.nn.Linear(2, 2), str(tmp_path / 'unused.onnx'))
    assert not (tmp_path / 'unused.onnx').exists()
