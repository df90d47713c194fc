import os.path as osp
import re
import subprocess
import sys

import cv2
import numpy as np
import pytest

from slp_mm.corpus import SignCorpus
from slp_mm.structures import get_layout
from slp_mm.visualization import (draw_legend, draw_mpm_reconstruction,
                                  prepare_sample_batch,
                                  reconstruct_masked_pose)
from slp_mm.visualization.mpm_reconstruction import HEADER, to_pixels
from slp_mm.visualization.pose_drawer import MASK_COLOR, PART_COLORS

from ..conftest import REPO

S = 200  # panel width; panels are S x 1.5 S


def _is(img, xy, bgr, tol=40):
    x, y = int(round(xy[0])), int(round(xy[1]))
    return np.abs(img[y, x].astype(int) - bgr).max() <= tol


def _ring(img, xy, sides=((4, 0), (-4, 0), (0, 4), (0, -4))):
    """Some pixel 4 px from ``xy`` (the ring radius) is the mask colour."""
    x, y = int(round(xy[0])), int(round(xy[1]))
    return any(_is(img, (x + dx, y + dy), MASK_COLOR, 80) for dx, dy in sides)


def _legend_height(width):
    return draw_legend('sign79', width, masked=True).shape[0]


def test_panels_put_joints_and_rings_where_the_data_says():
    k = get_layout('sign79').num_keypoints
    nose, hand = 0, get_layout('sign79').parts['left_hand'][0]
    pose = np.zeros((3, k, 3), np.float32)
    pose[1, nose] = (0, 0, 1)  # frame centre
    pose[1, hand] = (0.5, -0.5, 1)  # in the left-hand box
    mask = np.zeros((3, k), bool)
    mask[1, hand] = True
    recon = pose[..., :2].copy()
    recon[1, hand] = (-0.5, 0.5)
    img = draw_mpm_reconstruction(pose, mask, recon, frames=[1],
                                  panel_size=S)
    assert img.shape == (HEADER + 3 * S // 2 + _legend_height(3 * S), 3 * S,
                         3)
    nose_px = (S / 2, HEADER + S / 2)
    # the left-hand inset is the (0, S, S/2, S/2) box of each panel, drawn
    # inside a 10 % margin: [-1, 1] -> [10, 90] px
    hand_px = (10 + 0.75 * 80, HEADER + S + 10 + 0.25 * 80)
    recon_px = (2 * S + 10 + 0.25 * 80, HEADER + S + 10 + 0.75 * 80)
    inp, masked = 0, S  # x offsets of the input and masked panels
    for off in (inp, masked, 2 * S):  # the visible nose is in every panel
        assert _is(img, (nose_px[0] + off, nose_px[1]), PART_COLORS['body'])
    assert _is(img, hand_px, PART_COLORS['left_hand'])
    assert _ring(img, hand_px)
    # masked: the joint is gone, its ring stays at the true position
    assert _is(img, (hand_px[0] + masked, hand_px[1]), (255, 255, 255), 0)
    assert _ring(img, (hand_px[0] + masked, hand_px[1]))
    # reconstructed: drawn and ringed where the decoder put it
    assert _is(img, recon_px, PART_COLORS['left_hand'])
    assert _ring(img, recon_px)
    assert _is(img, (hand_px[0] + 2 * S, hand_px[1]), (255, 255, 255), 0)
    with pytest.raises(IndexError, match=r'frames \[3\]'):
        draw_mpm_reconstruction(pose, mask, recon, frames=[3])
    pixels = pose * np.array([320, 240, 1], np.float32) + [320, 240, 0]
    with pytest.raises(ValueError, match='reach 480.0: expected coord'):
        draw_mpm_reconstruction(pixels, mask, recon)


def test_insets_keep_edge_joints_whole_and_their_own():
    k = get_layout('sign79').num_keypoints
    left = get_layout('sign79').parts['left_hand'][0]
    pose = np.zeros((1, k, 3), np.float32)
    pose[0, left] = (1, 1, 1)  # the corner of its box
    mask = np.zeros((1, k), bool)
    mask[0, left] = True
    recon = pose[..., :2].copy()
    recon[0, left] = (2.5, 0)  # decoded outside its box, towards the right
    img = draw_mpm_reconstruction(pose, mask, recon, panel_size=S)
    box = (0, HEADER + S, S // 2, S // 2)
    corner = to_pixels(np.array([1.0, 1.0]), box)
    assert corner[0] < S // 2 - 4 and corner[1] < HEADER + 3 * S // 2 - 4
    # the whole ring is inside the inset: right of and below the joint too
    assert _ring(img, corner, ((4, 0), ))
    assert _ring(img, corner, ((0, 4), ))
    # the reconstruction outside the left-hand box stays out of the
    # right-hand inset next to it (only its grey label and frame there)
    right_inset = img[HEADER + S:HEADER + 3 * S // 2, 2 * S + S // 2:3 * S]
    spread = right_inset.max(-1).astype(int) - right_inset.min(-1)
    assert spread.max() < 10  # no colour: no joint, bone or ring
    input_inset = img[HEADER + S:HEADER + 3 * S // 2, :S // 2]
    spread = input_inset.max(-1).astype(int) - input_inset.min(-1)
    assert spread.max() > 100  # the input joint and its ring are coloured


def test_reconstruction_is_what_the_mpm_loss_scores(demo_pretrainer,
                                                     synthetic_corpus):
    model = demo_pretrainer.model
    np.random.seed(0)
    data = prepare_sample_batch(model, demo_pretrainer.pipeline,
                                SignCorpus(synthetic_corpus)[3])
    out = reconstruct_masked_pose(model, data['inputs'])
    pose, mask, recon = out['pose'], out['mpm_mask'], out['reconstruction']
    t = data['data_samples'][0].num_frames
    assert pose.shape == (t, 79, 3) and mask.shape == (t, 79)
    assert 0.3 < mask.mean() < 0.5  # HierarchicalPoseMask(ratio=0.4)
    np.testing.assert_array_equal(recon[~mask], pose[~mask][:, :2])
    assert not np.allclose(recon[mask], pose[mask][:, :2])
    # the training loss is the confidence-weighted error of this picture
    loss = model.loss(data['inputs'], data['data_samples'])['loss_mpm']
    w = mask * pose[..., 2]
    err = ((recon - pose[..., :2])**2).sum(-1)
    assert loss.item() == pytest.approx((w * err).sum() / w.sum(), rel=1e-5)


@pytest.mark.slow
def test_visualize_mpm_cli(demo_pretrainer, synthetic_corpus, tmp_path):
    out = str(tmp_path / 'mpm.png')
    proc = subprocess.run(
        [sys.executable,
         osp.join(REPO, 'tools', 'analysis', 'visualize_mpm.py'),
         osp.join(REPO, 'configs', 'pretrain', 'demo.py'),
         demo_pretrainer.checkpoint, '--corpus', synthetic_corpus, '--index',
         '3', '--frames', '0', '2', '--out', out] +
        demo_pretrainer.cli_options,
        capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    img = cv2.imread(out)
    assert img.shape == (HEADER + 2 * 360 + _legend_height(3 * 240), 3 * 240,
                         3)
    rings = (np.abs(img.astype(int) - MASK_COLOR).max(-1) < 60).sum()
    assert rings > 0 and 'joints masked; wrote' in proc.stdout


@pytest.mark.slow
def test_visualize_mpm_cli_on_a_batched_config(demo_pretrainer,
                                               synthetic_corpus, tmp_path):
    """A config whose dataset leaves the pose stages to the batch (sl15m's
    layout: selection and normalisation in the data preprocessor, masks in
    the collate_fn) is drawn with those stages run per sample."""
    config = tmp_path / 'batched_demo.py'
    demo = osp.join(REPO, 'configs', 'pretrain', 'demo.py')
    config.write_text(f"""_base_ = [{demo!r}]
train_dataloader = dict(
    dataset=dict(pipeline=_base_.batched_train_pipeline),
    collate_fn=dict(type='slp_mm.collate_sign_batch',
                    layout=_base_.train_batch_transforms[0]['layout'],
                    mask=_base_.train_batch_transforms[2]))
model = dict(data_preprocessor=dict(
    batch_transforms=_base_.train_batch_transforms[:2]))
""")
    tokenizer = osp.join(synthetic_corpus, 'tokenizer')
    out = str(tmp_path / 'mpm.png')
    proc = subprocess.run(
        [sys.executable,
         osp.join(REPO, 'tools', 'analysis', 'visualize_mpm.py'),
         str(config), demo_pretrainer.checkpoint, '--corpus',
         synthetic_corpus, '--index', '3', '--out', out, '--cfg-options',
         f'train_dataloader.dataset.pipeline.2.tokenizer={tokenizer}'],
        capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    masked, total = map(int, re.search(r'(\d+) of (\d+) joints masked',
                                       proc.stdout).groups())
    assert masked == round(0.4 * total)  # HierarchicalPoseMask(ratio=0.4)
    assert cv2.imread(out) is not None


def test_train_pipeline_cfg_runs_every_stage_per_sample():
    from mmengine.config import Config

    from slp_mm.apis import train_pipeline_cfg
    sl15m = Config.fromfile(osp.join(REPO, 'configs', 'pretrain',
                                     'sl15m.py'))
    pipeline = train_pipeline_cfg(sl15m)
    assert [t['type'] for t in pipeline] == [
        'CheckPoseSample', 'TemporalSample', 'TokenizeText',
        'SelectKeypoints', 'NormalizeParts', 'HierarchicalPoseMask',
        'PackSignInputs']
    assert pipeline[-1]['stack'] and pipeline[5]['ratio'] == 0.4
    # already per sample: as configured
    demo = Config.fromfile(osp.join(REPO, 'configs', 'pretrain', 'demo.py'))
    assert train_pipeline_cfg(demo) == list(
        demo.train_dataloader.dataset.pipeline)
