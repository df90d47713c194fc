import math
import os.path as osp
import subprocess
import sys
import tracemalloc

import cv2
import numpy as np
import pytest
from PIL import Image

from slp_mm.utils.cli_errors import UserError
from slp_mm.visualization import (render_pose_animation, save_animation,
                                  subsample_step)
from slp_mm.visualization.pose_drawer import PART_COLORS

from ..conftest import REPO

T, W, H = 6, 96, 64


def _moving_nose():
    """A nose (body joint 0) moving right by 10 px a frame, the only
    confident joint."""
    kpts = np.zeros((T, 133, 2), np.float32)
    kpts[:, 0] = np.stack([10 + 10 * np.arange(T), np.full(T, 30)], 1)
    scores = np.zeros((T, 133), np.float32)
    scores[:, 0] = 1
    return kpts, scores


def _near(pixel, bgr, tol):
    return np.abs(pixel.astype(int) - bgr).max() <= tol


def test_frames_put_the_joint_where_the_data_says():
    kpts, scores = _moving_nose()
    frames = list(render_pose_animation(kpts, scores, size=(W, H)))
    assert len(frames) == T and frames[0].shape == (H, W, 3)
    for t, frame in enumerate(frames):
        x, y = 10 + 10 * t, 30
        assert tuple(frame[y, x]) == PART_COLORS['body']
        assert tuple(frame[y, x + 5]) == (255, 255, 255)
        assert tuple(frame[y, (x + 30) % W]) == (255, 255, 255)


def test_gif_and_mp4_have_one_frame_per_pose(tmp_path):
    frames = list(render_pose_animation(*_moving_nose(), size=(W, H)))
    gif, mp4 = str(tmp_path / 'a.gif'), str(tmp_path / 'a.mp4')
    assert save_animation(iter(frames), gif, fps=10) == T
    assert save_animation(iter(frames), mp4, fps=10) == T
    with Image.open(gif) as im:
        assert (im.n_frames, im.size) == (T, (W, H))
        assert im.info['duration'] == 100
        im.seek(2)
        assert _near(np.asarray(im.convert('RGB'))[30, 30][::-1],
                     PART_COLORS['body'], 8)
    cap = cv2.VideoCapture(mp4)
    assert (cap.get(cv2.CAP_PROP_FRAME_WIDTH),
            cap.get(cv2.CAP_PROP_FRAME_HEIGHT)) == (W, H)
    decoded = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        decoded.append(frame)
    assert len(decoded) == T
    with pytest.raises(UserError, match="'.avi'"):
        save_animation(frames, str(tmp_path / 'a.avi'))
    with pytest.raises(UserError, match=f'{tmp_path}: is a directory'):
        save_animation(frames, str(tmp_path))


def test_drawn_over_the_video_scaled_to_its_size(tmp_path):
    video = str(tmp_path / 'video.mp4')
    writer = cv2.VideoWriter(video, cv2.VideoWriter_fourcc(*'mp4v'), 10,
                             (2 * W, 2 * H))
    for _ in range(T + 2):  # longer videos are fine
        writer.write(np.full((2 * H, 2 * W, 3), (200, 40, 40), np.uint8))
    writer.release()
    kpts, scores = _moving_nose()
    frames = list(
        render_pose_animation(kpts, scores, size=(W, H), video=video))
    assert len(frames) == T and frames[0].shape == (2 * H, 2 * W, 3)
    # the pose coordinates are scaled x2 to the video; the rest is video
    assert _near(frames[1][60, 40], PART_COLORS['body'], 20)
    assert _near(frames[1][10, 10], (200, 40, 40), 20)
    with pytest.raises(UserError, match='decoded 8 frames'):
        list(render_pose_animation(np.zeros((9, 133, 2)), np.zeros((9, 133)),
                                   video=video))


def test_undecodable_video_is_named(tmp_path):
    bad = tmp_path / 'broken.mp4'
    bad.write_text('not a video')
    with pytest.raises(UserError, match='broken.mp4: no video frame'):
        list(render_pose_animation(*_moving_nose(), size=(W, H),
                                   video=str(bad)))


def test_a_long_clip_is_streamed_not_kept(tmp_path):
    """2,000 frames of 160 x 120 hold 115 MB if kept (what a 20,000-frame
    HD clip did with 8 GB); streamed, the peak of Python-side allocations
    is a few frames."""
    t, w, h = 2000, 160, 120
    kpts = np.zeros((t, 133, 2), np.float32)
    kpts[:, 0] = np.stack([10 + np.arange(t) % 140, np.full(t, 60)], 1)
    scores = np.zeros((t, 133), np.float32)
    scores[:, 0] = 1
    tracemalloc.start()
    try:
        count = save_animation(
            render_pose_animation(kpts, scores, size=(w, h)),
            str(tmp_path / 'long.gif'), fps=25)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == t
    kept = t * w * h * 3
    assert peak < kept / 50  # about 40 frames; all 2,000 were kept before
    with Image.open(tmp_path / 'long.gif') as im:
        assert im.n_frames == t


def test_subsample_step():
    assert subsample_step(20000, 1000) == 20
    assert subsample_step(1000, 1000) == subsample_step(5, 0) == 1
    assert subsample_step(1001, 1000) == 2


def _draw_pose(*args, cwd):
    return subprocess.run(
        [sys.executable,
         osp.join(REPO, 'tools', 'analysis', 'draw_pose.py'), *args],
        capture_output=True, text=True, cwd=cwd)


@pytest.mark.slow
def test_draw_pose_cli(synthetic_corpus, tmp_path):
    from slp_mm.corpus import SignCorpus
    sample = SignCorpus(synthetic_corpus)[2]
    t = sample['num_frames']
    proc = _draw_pose(synthetic_corpus, '--index', '2', '--gif', 's.gif',
                      '--max-frames', str(t // 2), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    step = math.ceil(t / (t // 2))  # 71 frames, at most 35: 1 in 3
    assert (f'{t} frames, more than --max-frames {t // 2}: animating 1 '
            f'frame in {step}') in proc.stdout
    with Image.open(tmp_path / 's.gif') as im:
        assert im.n_frames <= t // 2
        assert im.size == (int(sample['width']), int(sample['height']))
    assert not osp.exists(tmp_path / 'pose.png')  # no grid unless asked for
    # --out a directory: one line naming it, no OpenCV internals
    proc = _draw_pose(synthetic_corpus, '--out', str(tmp_path), cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [
        f'draw_pose.py: error: {tmp_path}: is a directory; expected an image '
        "file name ending in one of ('.png', '.jpg', '.jpeg', '.bmp', "
        "'.webp')  (--debug for the traceback)"
    ]
