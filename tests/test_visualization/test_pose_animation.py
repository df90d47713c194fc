import os.path as osp
import runpy

import cv2
import numpy as np
import pytest
from PIL import Image

from slp_mm.visualization import render_pose_animation, save_animation
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
    frames = render_pose_animation(kpts, scores, size=(W, H))
    assert len(frames) == T and frames[0].shape == (H, W, 3)
    for t, frame in enumerate(frames):
        x, y = 10 + 10 * t, 30
        assert tuple(frame[y, x]) == PART_COLORS['body']
        assert tuple(frame[y, x + 5]) == (255, 255, 255)
        assert tuple(frame[y, (x + 30) % W]) == (255, 255, 255)


def test_gif_and_mp4_have_one_frame_per_pose(tmp_path):
    frames = render_pose_animation(*_moving_nose(), size=(W, H))
    gif, mp4 = str(tmp_path / 'a.gif'), str(tmp_path / 'a.mp4')
    save_animation(frames, gif, fps=10)
    save_animation(frames, mp4, fps=10)
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
    with pytest.raises(ValueError, match="'.avi'"):
        save_animation(frames, str(tmp_path / 'a.avi'))


def test_drawn_over_the_video_scaled_to_its_size(tmp_path):
    video = str(tmp_path / 'video.mp4')
    writer = cv2.VideoWriter(video, cv2.VideoWriter_fourcc(*'mp4v'), 10,
                             (2 * W, 2 * H))
    for _ in range(T + 2):  # longer videos are fine
        writer.write(np.full((2 * H, 2 * W, 3), (200, 40, 40), np.uint8))
    writer.release()
    kpts, scores = _moving_nose()
    frames = render_pose_animation(kpts, scores, size=(W, H), video=video)
    assert len(frames) == T and frames[0].shape == (2 * H, 2 * W, 3)
    # the pose coordinates are scaled x2 to the video; the rest is video
    assert _near(frames[1][60, 40], PART_COLORS['body'], 20)
    assert _near(frames[1][10, 10], (200, 40, 40), 20)
    with pytest.raises(ValueError, match='decoded 8 frames'):
        render_pose_animation(np.zeros((9, 133, 2)), np.zeros((9, 133)),
                              video=video)


def test_undecodable_video_is_named(tmp_path):
    bad = tmp_path / 'broken.mp4'
    bad.write_text('not a video')
    with pytest.raises(IOError, match='broken.mp4: no video frame'):
        render_pose_animation(*_moving_nose(), size=(W, H), video=str(bad))


def test_draw_pose_cli_writes_a_gif_of_the_sample(synthetic_corpus,
                                                  tmp_path, monkeypatch):
    from slp_mm.corpus import SignCorpus
    main = runpy.run_path(osp.join(REPO, 'tools', 'analysis',
                                   'draw_pose.py'))['main']
    monkeypatch.chdir(tmp_path)
    main([synthetic_corpus, '--index', '2', '--gif', 's.gif'])
    sample = SignCorpus(synthetic_corpus)[2]
    with Image.open('s.gif') as im:
        assert im.n_frames == sample['num_frames']
        assert im.size == (int(sample['width']), int(sample['height']))
    assert not osp.exists('pose.png')  # no frame grid unless asked for
