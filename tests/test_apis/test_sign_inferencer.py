"""SignInferencer on real clips with a small trained model: sign -> text and
text -> sign retrieval with the demo pre-training model, ISLR top-k, and the
errors users hit first."""
import json
import logging
import os
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest
import torch
from mmengine.config import Config

from slp_mm.apis import SignInferencer, init_model

from ..conftest import REPO, shared_file


def _real_clips():
    return [
        shared_file('slp-pose-wholebody133', 'SOUP.mmposewholebody.pose'),
        shared_file('slp-pose-wholebody133', 'FOOTBALL.mmposewholebody.pose'),
        shared_file('slp-pose-wholebody133',
                    'FOOTBALL.mediapipe-holistic.pose'),
    ]


@pytest.fixture(scope='module')
def demo_model(synthetic_corpus, tmp_path_factory):
    """The demo pre-training trained for two epochs (12 iterations) on the
    synthetic corpus: (config, checkpoint)."""
    work = str(tmp_path_factory.mktemp('demo_work'))
    tok = osp.join(synthetic_corpus, 'tokenizer')
    env = dict(os.environ, PYTHONPATH=REPO, OMP_NUM_THREADS='1')
    subprocess.run([
        sys.executable, 'tools/train.py', 'configs/pretrain/demo.py',
        '--work-dir', work, '--cfg-options',
        'train_dataloader.dataset.data_root=',
        f'train_dataloader.dataset.ann_file={synthetic_corpus}',
        f'train_dataloader.dataset.pipeline.5.tokenizer={tok}',
        'train_cfg.max_epochs=2', 'param_scheduler.1.end=2',
        'train_dataloader.batch_size=8'
    ], cwd=REPO, env=env, check=True, capture_output=True, timeout=600)
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'pretrain', 'demo.py'))
    cfg.test_pipeline[4].tokenizer = tok
    return cfg, osp.join(work, 'epoch_2.pth')


TEXTS = ['This word is soup.', 'This word is football.',
         'The weather is nice today.', 'I like trains.']


@pytest.mark.slow
def test_sign_to_text_ranking(demo_model):
    cfg, ckpt = demo_model
    files = _real_clips()
    inferencer = SignInferencer(cfg, ckpt, topk=3)
    out = inferencer(files, texts=TEXTS, language='en', batch_size=2)
    assert [r['file'] for r in out] == files
    sim = inferencer.similarity(files, TEXTS, 'en')
    assert sim.shape == (3, 4) and torch.isfinite(sim).all()
    for row, r in zip(sim, out):
        ranked = r['ranked_texts']
        assert len(ranked) == 3
        scores = [s for _, s in ranked]
        assert scores == sorted(scores, reverse=True)
        # the best text is the argmax of the similarity row
        assert ranked[0][0] == TEXTS[int(row.argmax())]
        assert scores[0] == pytest.approx(row.max().item(), abs=1e-6)
    # deterministic: the same call again, one file at a time
    again = inferencer(files, texts=TEXTS, language='en', batch_size=1)
    for a, b in zip(out, again):
        assert [t for t, _ in a['ranked_texts']] == [
            t for t, _ in b['ranked_texts']]
        for (_, x), (_, y) in zip(a['ranked_texts'], b['ranked_texts']):
            assert x == pytest.approx(y, abs=1e-5)


@pytest.mark.slow
def test_text_to_sign_search(demo_model):
    cfg, ckpt = demo_model
    files = _real_clips()
    inferencer = SignInferencer(cfg, ckpt)
    hits = inferencer.search(TEXTS[0], files, language='en')
    assert sorted(h['file'] for h in hits) == sorted(files)
    scores = [h['score'] for h in hits]
    assert scores == sorted(scores, reverse=True)
    col = inferencer.similarity(files, TEXTS[:1], 'en')[:, 0]
    assert hits[0]['file'] == files[int(col.argmax())]
    with pytest.raises(KeyError, match="'xx'"):
        inferencer.search(TEXTS[0], files, language='xx')
    with pytest.raises(ValueError, match='pass texts='):
        inferencer(files)
    with pytest.raises(ValueError, match='empty'):
        inferencer(files, texts=['  '], language='en')


ISLR_CFG = osp.join(REPO, 'configs', 'islr', 'traduttore_asl_words_scratch.py')


@pytest.fixture(scope='module')
def islr_model():
    torch.manual_seed(0)
    return init_model(ISLR_CFG)  # random weights: the plumbing, not quality


def test_islr_topk_with_class_names(islr_model, tmp_path):
    ckpt = tmp_path / 'islr.pth'
    torch.save(dict(state_dict=islr_model.state_dict()), ckpt)
    names = [f'class {i}' for i in range(14)]
    inferencer = SignInferencer(ISLR_CFG, str(ckpt), topk=4,
                                class_names=names)
    files = _real_clips()
    out = inferencer(files)
    samples = inferencer(files, return_datasamples=True)
    for r, s in zip(out, samples):
        # a Hugging Face pipeline's list: the best classes by name
        best = s.pred_score.topk(4)
        assert r['topk'] == [
            dict(label=names[i], score=pytest.approx(p, abs=1e-6))
            for i, p in zip(best.indices.tolist(), best.values.tolist())
        ]
        assert s.pred_label.item() == best.indices[0].item()
    assert json.loads(json.dumps(out)) == out  # plain JSON-able results
    assert inferencer(files) == out  # deterministic
    assert [len(r['topk']) for r in inferencer(files, topk=2)] == [2, 2, 2]


def test_class_names_come_with_the_model(islr_model):
    files = _real_clips()[:1]
    islr_model.dataset_meta = dict(classes=[f'sign{i}' for i in range(14)])
    try:
        named = SignInferencer(islr_model, topk=3)(files)[0]['topk']
    finally:
        del islr_model.dataset_meta
    indexed = SignInferencer(islr_model, topk=3)(files)[0]['topk']
    assert [t['label'] for t in named] == [
        f"sign{t['label']}" for t in indexed]  # no names: the index


def test_unknown_keyword_is_refused_by_name(islr_model):
    with pytest.raises(ValueError, match='colour'):
        SignInferencer(islr_model)(_real_clips()[:1], colour='red')


def test_missing_hand_is_reported(islr_model, monkeypatch):
    """A real clip where MediaPipe lost the right hand in every frame is
    answered with a warning that names the part; a complete MMPose clip
    gets none."""
    from slp_mm.apis import pose_coverage
    logged = []
    monkeypatch.setattr(pose_coverage, 'print_log',
                        lambda msg, *a, **k: logged.append((msg, k)))
    one_hand = shared_file('slp-pose-evaluation-asl',
                           '000017451997373907346-LIBRARY.pose')
    complete = _real_clips()[0]
    out = SignInferencer(islr_model)([complete, one_hand])
    assert len(out) == 2  # still answered
    parts = {m.split(': ')[1].split(' missing')[0] for m, _ in logged}
    assert parts == {'right_hand'}
    hand = next(m for m, _ in logged if 'right_hand' in m)
    assert hand.startswith(f'{one_hand}: right_hand missing in 100% of 37 '
                           'frames')
    assert all(k['level'] == logging.WARNING for _, k in logged)


def test_missing_part_shares_of_a_synthetic_clip():
    from slp_mm.apis.pose_coverage import missing_part_shares
    from slp_mm.structures import get_layout
    layout = get_layout('sign79')
    scores = np.ones((10, 133), np.float32)
    keypoints = np.zeros((10, 133, 2), np.float32)
    scores[:6, 91:112] = 0  # left hand (COCO-WholeBody 92-112) in 6 frames
    keypoints[:3, 112:133] = np.nan  # right hand in 3 frames
    scores[:9, 112] = 0  # one right-hand joint more: the hand is still seen
    shares = missing_part_shares(keypoints, scores, layout)
    assert shares == dict(body=0.0, face=0.0, mouth=0.0, left_hand=0.6,
                          right_hand=0.3)


def test_visualize_step_draws_each_clip(islr_model, tmp_path):
    pytest.importorskip('slp_mm.visualization.sign_local_visualizer')
    files = _real_clips()[:2]
    out = SignInferencer(islr_model)(files, return_vis=True,
                                     vis_out_dir=str(tmp_path))
    for r in out:
        image = r['visualization']
        assert image.ndim == 3 and image.shape[2] == 3
        name = osp.splitext(osp.basename(r['file']))[0]
        assert osp.isfile(tmp_path / f'{name}.png')
    assert 'visualization' not in SignInferencer(islr_model)(files)[0]


@pytest.mark.slow
def test_clear_errors(demo_model, tmp_path):
    cfg, ckpt = demo_model
    islr = osp.join(REPO, 'configs', 'islr', 'traduttore_asl_words_scratch.py')
    with pytest.raises(RuntimeError,
                       match=r'epoch_2.pth does not match the model of .*'
                       r'traduttore_asl_words_scratch.py'):
        init_model(islr, ckpt)
    with pytest.raises(FileNotFoundError, match='does not exist'):
        init_model(islr, str(tmp_path / 'nope.pth'))
    inferencer = SignInferencer(cfg, ckpt)
    bad = tmp_path / 'clip.txt'
    bad.write_text('hello')
    with pytest.raises(ValueError, match='not a pose file or video'):
        inferencer([str(bad)], texts=TEXTS, language='en')
    broken = tmp_path / 'broken.pose'
    broken.write_bytes(b'\x00\x01garbage')
    with pytest.raises(ValueError, match='broken.pose'):
        inferencer([str(broken)], texts=TEXTS, language='en')


@pytest.mark.slow
def test_infer_cli_writes_json(demo_model, tmp_path):
    import json
    import subprocess
    import sys
    cfg, ckpt = demo_model
    cfg_file = tmp_path / 'demo_cfg.py'
    cfg.dump(str(cfg_file))
    texts = tmp_path / 'texts.txt'
    texts.write_text('\n'.join(TEXTS) + '\n', encoding='utf-8')
    clips = _real_clips()[:2]
    out = tmp_path / 'out.json'

    def infer(*args):
        proc = subprocess.run(
            [sys.executable, osp.join(REPO, 'tools', 'infer.py'),
             str(cfg_file), ckpt, *clips, '--language', 'en', *args],
            capture_output=True, text=True, timeout=600,
            env=dict(os.environ, PYTHONPATH=REPO))
        assert proc.returncode == 0, proc.stderr[-2000:]
        return proc.stdout

    printed = infer('--texts', str(texts), '--topk', '2', '--out', str(out))
    assert 'SOUP.mmposewholebody.pose:' in printed
    saved = json.loads(out.read_text(encoding='utf-8'))
    assert [r['file'] for r in saved] == clips
    assert [len(r['ranked_texts']) for r in saved] == [2, 2]
    best = saved[0]['ranked_texts'][0]
    assert f'{best[1]:8.4f}  {best[0]}' in printed
    printed = infer('--query', TEXTS[1]).splitlines()
    ranked = printed[printed.index(f'clips ranked for {TEXTS[1]!r}:') + 1:]
    assert sorted(line.split(':')[0] for line in ranked) == sorted(
        osp.basename(c) for c in clips)


def test_video_input_goes_through_pose_extraction(tmp_path):
    pytest.importorskip('mediapipe')
    video = shared_file('slp-pose-wholebody133', 'FOOTBALL.mp4')
    cfg = osp.join(REPO, 'configs', 'islr', 'traduttore_asl_words_scratch.py')
    inferencer = SignInferencer(
        cfg, topk=3, pose_backend_options=dict(model_complexity=1))
    sample = inferencer.read(video)
    assert sample['keypoints'].shape == (62, 133, 2)
    assert sample['source_layout'] == 'mediapipe_holistic'
    # the same joints as the published MediaPipe file of this clip
    ref = inferencer.read(shared_file('slp-pose-wholebody133',
                                      'FOOTBALL.mediapipe-holistic.pose'))
    both = (sample['scores'] > 0.5) & (ref['scores'] > 0.5)
    assert both[:, :11].mean() > 0.5  # upper body seen in both
    dist = abs(sample['keypoints'] - ref['keypoints']).max(-1)[both]
    assert float(np.median(dist)) < 2.0  # pixels
    out = inferencer([video])
    assert len(out) == 1 and len(out[0]['topk']) == 3
    broken = tmp_path / 'broken.mp4'
    broken.write_bytes(b'not a video at all')
    with pytest.raises(ValueError, match='broken.mp4'):
        inferencer([str(broken)])


def _publish(checkpoint, prefix, config=None):
    from slp_mm.apis.model_publishing import publish_model
    return publish_model(checkpoint, prefix, config=config)


@pytest.mark.slow
def test_published_checkpoint_round_trip(demo_model, tmp_path):
    """publish -> load -> identical predictions (retrieval and ISLR)."""
    cfg, ckpt = demo_model
    files = _real_clips()
    published = _publish(ckpt, str(tmp_path / 'demo'))
    assert published.endswith('.safetensors')
    before = SignInferencer(cfg, ckpt).similarity(files, TEXTS, 'en')
    after = SignInferencer(cfg, published).similarity(files, TEXTS, 'en')
    assert torch.equal(before, after)

    islr = osp.join(REPO, 'configs', 'islr', 'traduttore_asl_words_scratch.py')
    model = init_model(islr)
    pth = str(tmp_path / 'islr.pth')
    torch.save(dict(state_dict=model.state_dict()), pth)
    published = _publish(pth, str(tmp_path / 'islr'), config=islr)
    # the published file carries its config: none needs to be given
    out = SignInferencer(None, published, topk=14)(files)
    assert out == SignInferencer(islr, pth, topk=14)(files)
    with pytest.raises(ValueError, match='needs a config'):
        init_model(None, pth)


def test_npy_inputs_take_the_video_info(tmp_path):
    src = shared_file('slp-pose-wholebody133', 'SOUP.mmposewholebody.pose')
    cfg = osp.join(REPO, 'configs', 'islr', 'traduttore_asl_words_scratch.py')
    model = init_model(cfg)
    sample = SignInferencer(model).read(src)
    arr = np.concatenate([sample['keypoints'], sample['scores'][..., None]],
                         axis=-1)  # (T, 133, 3)
    npy = tmp_path / 'soup.npy'
    np.save(npy, arr)
    with pytest.raises(ValueError, match='width'):
        SignInferencer(model)([str(npy)])
    info = dict(width=sample['width'], height=sample['height'],
                fps=sample['fps'])
    out = SignInferencer(model, topk=3, video_info=info)([str(npy)])
    assert out[0]['topk'] == SignInferencer(model, topk=3)([src])[0]['topk']
    with pytest.raises(ValueError, match='3 class names for a model of 14'):
        SignInferencer(model, class_names=['a', 'b', 'c'])([src])
    with pytest.raises(ValueError, match='texts= needs'):
        SignInferencer(model)([src], texts=['hello'], language='en')


def test_folder_video_without_its_pose_backend_is_skipped(tmp_path):
    """A folder of pose files and videos on the README install (no
    mediapipe): the videos are reported and skipped, the pose files
    answered (it used to end in an ImportError traceback)."""
    import importlib.util

    from slp_mm.apis.batch_inference import map_skipping_unreadable
    from slp_mm.apis.sign_inferencer import list_clips
    if importlib.util.find_spec('mediapipe') is not None:
        pytest.skip('mediapipe is installed')
    import shutil
    shutil.copy(shared_file('slp-pose-wholebody133',
                            'SOUP.mmposewholebody.pose'), tmp_path / 'a.pose')
    (tmp_path / 'b.mp4').write_bytes(b'not decoded: no backend to try')
    inferencer = SignInferencer(
        osp.join(REPO, 'configs', 'islr', 'traduttore_asl_words_scratch.py'))
    results, failed = map_skipping_unreadable(
        inferencer, list_clips(str(tmp_path)), batch_size=2)
    assert [osp.basename(r['file']) for r in results] == ['a.pose']
    [(video, error)] = failed.items()
    assert osp.basename(video) == 'b.mp4'
    assert str(error).startswith(f'{video}: cannot extract its poses: The '
                                 'mediapipe backend needs mediapipe')
