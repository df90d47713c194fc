import math
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from matplotlib import colormaps

from slp_mm.corpus import SignCorpus
from slp_mm.models.heads import FineGrainedContrastiveHead
from slp_mm.structures import MBART_LANGUAGE_TOKENS, load_tokenizer
from slp_mm.visualization import (draw_similarity_heatmap,
                                  pair_similarity_maps, prepare_sample_batch)

from ..conftest import REPO


def test_clip_word_matrices_reduce_to_the_similarity():
    torch.manual_seed(0)
    head = FineGrainedContrastiveHead(
        pose_channels=8, text_channels=6, embed_dims=4, window=2,
        word_temperature=0.5)
    pose, text = torch.randn(3, 7, 8), torch.randn(2, 5, 6)
    pose_mask = torch.arange(7)[None] < torch.tensor([[7], [5], [2]])
    text_mask = torch.arange(5)[None] < torch.tensor([[5], [3]])
    clips, clip_mask, words, word_mask = head.embed(pose, pose_mask, text,
                                                    text_mask)
    sim, weighted = head.clip_word_similarity(clips, words, word_mask)
    assert sim.shape == weighted.shape == (3, 2, 4, 5)
    scores = head.similarity(clips, clip_mask, words, word_mask)
    for i in range(3):
        for j in range(2):
            n_c, n_w = int(clip_mask[i].sum()), int(word_mask[j].sum())
            s = sim[i, j, :n_c, :n_w]
            assert torch.allclose(s, clips[i, :n_c] @ words[j, :n_w].T,
                                  atol=1e-6)  # cosine similarities
            by_hand = (F.softmax(s / 0.5, -1) * s).sum(-1).mean()
            assert scores[i, j].item() == pytest.approx(by_hand.item(),
                                                        abs=1e-6)
            assert not weighted[i, j, :, n_w:].any()  # padded words


def _argmax_cell(fig, ax, shape, cmap='RdBu_r'):
    """(row, col) of the cell drawn in the colour map's top colour, found
    in the rendered image."""
    fig.canvas.draw()
    img = np.asarray(fig.canvas.buffer_rgba())[..., :3].astype(int)
    top = np.array(colormaps[cmap](1.0)[:3]) * 255
    box = ax.get_window_extent()  # display pixels, origin bottom-left
    h = img.shape[0]
    x0, x1 = int(math.ceil(box.x0)), int(box.x1)
    y0, y1 = int(math.ceil(h - box.y1)), int(h - box.y0)
    ys, xs = np.nonzero(np.abs(img[y0:y1, x0:x1] - top).max(-1) <= 2)
    assert len(xs) > 20
    rows, cols = shape
    return (int(ys.mean() / (y1 - y0) * rows),
            int(xs.mean() / (x1 - x0) * cols))


def test_heatmap_draws_the_argmax_cell_in_the_top_colour():
    rng = np.random.default_rng(0)
    sim = rng.uniform(-0.5, 0.3, (6, 9))
    sim[4, 2] = 0.9
    weighted = rng.uniform(0, 0.1, (6, 9))
    weighted[1, 7] = 0.5
    words = [f'w{i}' for i in range(6)]
    clips = [f'{4 * c}-{4 * c + 3}' for c in range(9)]
    fig = draw_similarity_heatmap(sim, weighted, words, clips, title='t')
    ax_sim, ax_weighted = fig.axes[:2]
    assert _argmax_cell(fig, ax_sim, sim.shape) == (4, 2)
    assert _argmax_cell(fig, ax_weighted, weighted.shape) == (1, 7)
    assert [t.get_text() for t in ax_sim.get_yticklabels()] == words
    assert [t.get_text() for t in ax_sim.get_xticklabels()] == clips
    # diverging, centred on 0: a 0 cell is the map's middle (white)
    for ax, mat in ((ax_sim, sim), (ax_weighted, weighted)):
        image = ax.get_images()[0]
        reach = np.abs(mat).max()
        assert image.get_clim() == pytest.approx((-reach, reach))
        assert image.get_cmap().name == 'RdBu_r'
        middle = colormaps['RdBu_r'](0.5)[:3]
        assert np.allclose(image.to_rgba(0.0)[:3], middle)


def test_pair_maps_of_the_model(demo_pretrainer, synthetic_corpus):
    model = demo_pretrainer.model
    np.random.seed(0)
    row = SignCorpus(synthetic_corpus)[5]
    data = prepare_sample_batch(model, demo_pretrainer.pipeline, row)
    tok = load_tokenizer(osp.join(synthetic_corpus, 'tokenizer'))
    maps = pair_similarity_maps(model, data, tok)
    sample = data['data_samples'][0]
    n_clips = math.ceil(sample.num_frames / 4)
    # the sentence's words, without </s> and the language token
    lang = MBART_LANGUAGE_TOKENS[row['language']]
    ids = sample.text_ids.tolist()
    assert tok.convert_ids_to_tokens(ids[-2:]) == ['</s>', lang]
    assert tok.convert_tokens_to_string(maps['words']) == row['text']
    n_words = len(ids) - 2
    assert maps['sim'].shape == maps['weighted'].shape == (n_words, n_clips)
    inds = sample.frame_inds
    assert maps['clips'][0] == f'{inds[0]}-{inds[3]}'
    assert maps['clips'][-1] == f'{inds[4 * (n_clips - 1)]}-{inds[-1]}'
    # the score is the model's own STC score of the pair
    with torch.no_grad():
        feats = model.extract_feat(data['inputs']['pose'],
                                   data['inputs']['pose_mask'])
        text = model.text_encoder(data['inputs']['text_ids'],
                                  data['inputs']['text_mask'])
        score = model.stc_head.similarity(*model.stc_head.embed(
            feats, data['inputs']['pose_mask'], text,
            data['inputs']['text_mask']))
    assert maps['score'] == pytest.approx(score.item(), abs=1e-5)


@pytest.mark.slow
def test_visualize_similarity_cli(demo_pretrainer, synthetic_corpus,
                                  tmp_path):
    import cv2
    out = str(tmp_path / 'sim.png')
    proc = subprocess.run(
        [sys.executable,
         osp.join(REPO, 'tools', 'analysis', 'visualize_similarity.py'),
         osp.join(REPO, 'configs', 'pretrain', 'demo.py'),
         demo_pretrainer.checkpoint, '--corpus', synthetic_corpus, '--index',
         '5', '--out', out] + demo_pretrainer.cli_options,
        capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert 'synthetic-000005: score ' in proc.stdout
    img = cv2.imread(out)
    assert (img < 250).any(-1).mean() > 0.2  # drawn, not blank
