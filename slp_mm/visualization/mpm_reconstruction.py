"""Masked pose modelling (MPM) picture: input / masked / reconstructed.

Coordinates are drawn as the model sees them (normalised to [-1, 1]):
the body, face and mouth in the frame, each hand (the ``box_parts`` of
:class:`NormalizeParts`) in its own box, drawn as an inset under the body.
Each box keeps a margin (:data:`BOX_MARGIN`) so joints on its edge, and
their rings, are drawn whole.
"""
from typing import Dict, Optional, Sequence

import cv2
import numpy as np
import torch

from slp_mm.structures import get_layout

from .pose_drawer import MASK_COLOR, draw_legend, draw_pose_frame

BOX_MARGIN = 0.1  # share of a box's size left free on each side
PANEL_TITLES = ('input', 'masked', 'reconstructed')
HEADER = 28  # pixels of the column titles


@torch.no_grad()
def reconstruct_masked_pose(
        model, inputs: Dict[str, torch.Tensor]) -> Dict[str, np.ndarray]:
    """Run a pre-training model's encoder on the masked pose and its MPM
    decoder on the features, as :meth:`SignPretrainer.loss` does.

    Args:
        model: A :class:`SignPretrainer` with an ``mpm_head``, in eval mode.
        inputs: A preprocessed batch (see :func:`prepare_sample_batch`)
            holding an ``mpm_mask``; its first sample is used.

    Returns:
        dict of numpy arrays over the sample's real frames: ``pose``
        (T, K, 3) the unmasked input (x, y, confidence), ``mpm_mask``
        (T, K) True on masked joints, and ``reconstruction`` (T, K, 2): the
        decoder's output on masked joints, the input elsewhere.
    """
    if model.mpm_head is None:
        raise ValueError('the model has no mpm_head to reconstruct with')
    mpm_mask = inputs.get('mpm_mask')
    if mpm_mask is None:
        raise ValueError('the batch has no mpm_mask: the pipeline needs '
                         'HierarchicalPoseMask')
    pose, pose_mask = inputs['pose'], inputs['pose_mask']
    feats = model.extract_feat(pose, pose_mask, mpm_mask)  # (B, T, C)
    pred = model.mpm_head(feats)  # (B, T, K, 2)
    t = int(pose_mask[0].sum())
    pose, mask = pose[0, :t], mpm_mask[0, :t]
    recon = torch.where(mask[..., None], pred[0, :t].to(pose.dtype),
                        pose[..., :2])
    return dict(pose=pose.cpu().numpy(),
                mpm_mask=mask.cpu().numpy(),
                reconstruction=recon.cpu().numpy())


def draw_mpm_reconstruction(pose: np.ndarray,
                            mpm_mask: np.ndarray,
                            reconstruction: np.ndarray,
                            layout='sign79',
                            box_parts: Sequence[str] = ('left_hand',
                                                        'right_hand'),
                            frames: Optional[Sequence[int]] = None,
                            num_frames: int = 4,
                            panel_size: int = 240,
                            score_thr: float = 0.3) -> np.ndarray:
    """Rows of frames, columns input / masked / reconstructed -> BGR image.

    Masked joints are ringed in :data:`MASK_COLOR`: at their true position
    in the input and masked panels (the masked panel leaves the joints out,
    as the encoder got them), at the decoded position in the reconstructed
    panel. Joints scored under ``score_thr`` are not drawn.

    Args:
        pose: (T, K, 3) normalised x, y and confidence.
        mpm_mask: (T, K) True on masked joints.
        reconstruction: (T, K, 2) normalised coordinates.
        layout: Keypoint layout of the K joints.
        box_parts: Parts normalised to their own box (drawn as insets).
        frames: Frame indexes to draw (default: ``num_frames`` evenly
            spaced).
        panel_size: Width of one panel (its height is 1.5x: body square
            plus a row of hand insets).

    Returns:
        (HEADER + rows * 1.5 * panel_size + legend, 3 * panel_size, 3)
        uint8 BGR image; the legend names the part colours and the ring.
    """
    layout = get_layout(layout)
    drawn = pose[..., 2] > score_thr  # (T, K)
    reach = float(np.abs(pose[..., :2][drawn]).max(initial=0))
    if reach > 2:
        raise ValueError(f'pose coordinates reach {reach:.1f}: expected '
                         'coordinates normalised to [-1, 1] (NormalizeParts)')
    t = len(pose)
    if frames is None:
        frames = np.unique(
            np.linspace(0, t - 1, min(num_frames, t)).astype(int))
    bad = [f for f in frames if not 0 <= f < t]
    if bad:
        raise IndexError(f'frames {bad} out of range for {t} frames')
    regions = panel_regions(layout, box_parts, panel_size)
    s = panel_size
    rows = []
    for f in frames:
        visible = pose[f, :, 2] > score_thr  # (K,)
        masked = mpm_mask[f] & visible
        panels = [
            _draw_panel(pose[f, :, :2], visible, masked, layout, regions, s),
            _draw_panel(pose[f, :, :2], visible & ~mpm_mask[f], masked, layout,
                        regions, s),
            _draw_panel(reconstruction[f], visible, masked, layout, regions, s)
        ]
        cv2.putText(panels[0], f'frame {f}', (6, 18), cv2.FONT_HERSHEY_SIMPLEX,
                    0.5, (0, 0, 0), 1)
        rows.append(np.hstack(panels))
    header = np.full((HEADER, 3 * s, 3), 255, np.uint8)
    for i, title in enumerate(PANEL_TITLES):
        cv2.putText(header, title, (i * s + 8, HEADER - 8),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.6, (0, 0, 0), 1)
    legend = draw_legend(layout, 3 * s, masked=True)
    return np.vstack([header] + rows + [legend])


def panel_regions(layout, box_parts: Sequence[str], panel_size: int):
    """[(joint indexes, (x0, y0, w, h) pixel box, inset label)] of one
    panel: the frame parts in the top square, each box part in an inset
    below it."""
    s = panel_size
    box_idx = layout.part_indexes(box_parts) if box_parts else []
    frame_idx = np.setdiff1d(np.arange(layout.num_keypoints), box_idx)
    regions = [(frame_idx, (0, 0, s, s), None)]
    inset = s // max(len(box_parts), 2)
    for i, part in enumerate(box_parts):
        regions.append((np.asarray(layout.parts[part]), (i * inset, s, inset,
                                                         s // 2), part))
    return regions


def to_pixels(coords: np.ndarray, box) -> np.ndarray:
    """(..., 2) coordinates in [-1, 1] -> pixels of the (x0, y0, w, h)
    box, inside its :data:`BOX_MARGIN`."""
    x0, y0, w, h = box
    size = np.array([w, h]) * (1 - 2 * BOX_MARGIN)
    start = np.array([x0, y0]) + BOX_MARGIN * np.array([w, h])
    return (coords + 1) / 2 * size + start


def _draw_panel(coords, drawn, masked, layout, regions, s) -> np.ndarray:
    """One panel: the ``drawn`` joints (K,) at ``coords`` (K, 2), rings on
    the ``masked`` ones; each region is drawn in its own view of the panel,
    so a joint decoded outside its box cannot spill into the next one."""
    img = np.full((s * 3 // 2, s, 3), 255, np.uint8)
    ring = max(4, s // 60)
    for idx, box, label in regions:
        x0, y0, w, h = box
        view = img[y0:y0 + h, x0:x0 + w]  # (h, w, 3), drawn in place
        cv2.rectangle(view, (0, 0), (w - 1, h - 1), (220, 220, 220), 1)
        if label:
            cv2.putText(view, label.replace('_', ' '), (4, 12),
                        cv2.FONT_HERSHEY_SIMPLEX, 0.35, (150, 150, 150), 1)
        pts = np.zeros((layout.num_keypoints, 2), np.float32)  # (K, 2)
        pts[idx] = to_pixels(coords[idx], (0, 0, w, h))
        in_region = np.zeros(layout.num_keypoints, bool)
        in_region[idx] = True
        view[:] = draw_pose_frame(pts, (drawn & in_region).astype(np.float32),
                                  layout, (w, h),
                                  score_thr=0.5,
                                  canvas=view)
        for j in np.flatnonzero(masked & in_region):
            cv2.circle(view, tuple(np.round(pts[j]).astype(int)), ring,
                       MASK_COLOR, 1, cv2.LINE_AA)
    return img
