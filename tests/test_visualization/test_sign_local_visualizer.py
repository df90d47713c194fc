import os.path as osp

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config

from slp_mm.registry import VISUALIZERS
from slp_mm.structures import SignDataSample
from slp_mm.visualization import (SignLocalVisualizer, draw_pose_grid,
                                  pair_similarity_maps, prepare_sample_batch)
from slp_mm.visualization.pose_drawer import PART_COLORS

from ..conftest import REPO

W, H = 320, 240


def _pose(t=4):
    """A nose and left eye (a body bone) moving right, in a 320 x 240 clip."""
    kpts = np.zeros((t, 133, 2), np.float32)
    kpts[:, 0] = np.stack([100 + 10 * np.arange(t), np.full(t, 120)], 1)
    kpts[:, 1] = kpts[:, 0] + (40, -40)
    scores = np.zeros((t, 133), np.float32)
    scores[:, :2] = 1
    return dict(keypoints=kpts, scores=scores, width=W, height=H, id='a.pose')


def _visualizer(tmp_path, name):
    runtime = Config.fromfile(
        osp.join(REPO, 'configs', '_base_', 'default_runtime.py'))
    vis = VISUALIZERS.build(
        dict(runtime.visualizer, name=name, save_dir=str(tmp_path), width=640))
    assert isinstance(vis, SignLocalVisualizer)
    return vis


def test_datasample_titled_with_the_top_class(tmp_path):
    vis = _visualizer(tmp_path, 'vis_title')
    vis.dataset_meta = dict(classes=['HOUSE', 'Guten Morgen', 'CAT'])
    sample = SignDataSample()
    sample.pred_score = torch.tensor([0.1, 0.7, 0.2])
    assert vis.prediction_title(sample) == 'Guten Morgen (0.70)'
    out = str(tmp_path / 'pred.png')
    rgb = vis.add_datasample('a.pose', sample, pose=_pose(), out_file=out)
    grid = draw_pose_grid(_pose()['keypoints'], _pose()['scores'],
                          size=(W, H), width=640)
    band = rgb.shape[0] - grid.shape[0]
    assert band >= 24 and rgb.shape[1] == 640
    # the picture under the title is the pose grid (RGB), the title is text
    np.testing.assert_array_equal(rgb[band:], grid[..., ::-1])
    assert (rgb[:band] < 128).any() and (rgb[:band] == 255).mean() > 0.8
    np.testing.assert_array_equal(cv2.imread(out), rgb[..., ::-1])
    assert (np.abs(grid.astype(int) - PART_COLORS['body']).max(-1) < 40).any()


def test_text_predictions_and_no_prediction(tmp_path):
    vis = _visualizer(tmp_path, 'vis_text')
    sample = SignDataSample()
    assert vis.prediction_title(sample) is None
    sample.set_field('Es regnet heute.', 'pred_text', field_type='metainfo')
    assert vis.prediction_title(sample) == 'Es regnet heute.'
    gloss = SignDataSample()
    gloss.set_field(['HEUTE', 'REGEN'], 'pred_gloss', field_type='metainfo')
    assert vis.prediction_title(gloss) == 'HEUTE REGEN'
    rgb = vis.add_datasample('x', sample, pose=_pose(), draw_pred=False,
                             out_file=str(tmp_path / 'x.png'))
    grid = draw_pose_grid(_pose()['keypoints'], _pose()['scores'],
                          size=(W, H), width=640)
    np.testing.assert_array_equal(rgb, grid[..., ::-1])  # no title band
    with pytest.raises(ValueError, match='x: add_datasample needs the pose'):
        vis.add_datasample('x', sample)


def test_without_a_file_the_picture_goes_to_the_backends(tmp_path):
    vis = _visualizer(tmp_path, 'vis_backend')
    rgb = vis.add_datasample('clip', None, pose=_pose(), step=3)
    # LocalVisBackend's layout: <save_dir>/vis_data/vis_image/<name>_<step>
    written = cv2.imread(
        str(tmp_path / 'vis_data' / 'vis_image' / 'clip_3.png'))
    np.testing.assert_array_equal(written, rgb[..., ::-1])


def test_model_pictures(demo_pretrainer, synthetic_corpus, tmp_path):
    from slp_mm.corpus import SignCorpus
    from slp_mm.structures import load_tokenizer
    model = demo_pretrainer.model
    vis = _visualizer(tmp_path, 'vis_model')
    np.random.seed(0)
    data = prepare_sample_batch(model, demo_pretrainer.pipeline,
                                SignCorpus(synthetic_corpus)[5])
    maps = pair_similarity_maps(model, data,
                                load_tokenizer(osp.join(synthetic_corpus,
                                                        'tokenizer')))
    out = str(tmp_path / 'sim.png')
    rgb = vis.add_similarity_heatmap('sim', maps, title='t', out_file=out)
    assert cv2.imread(out).shape == rgb.shape
    assert (rgb < 250).any(-1).mean() > 0.2  # drawn, not blank
