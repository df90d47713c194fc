"""A missing joint (score 0) is (0, 0) with confidence 0 after
normalisation, in every pipeline of every task, training and testing alike
(docs/pretraining.md, "Missing joints")."""
import glob
import os.path as osp

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mmengine.config import Config
from mmengine.dataset import pseudo_collate

from slp_mm.datasets.transforms import NormalizeParts, RandomAffinePose
from slp_mm.registry import MODELS, TRANSFORMS
from slp_mm.structures import get_layout
from ...conftest import REPO

LAYOUT = get_layout('sign79')
HANDS = ('left_hand', 'right_hand')
# steps that read or write text or glosses only (they need a tokenizer or a
# vocabulary file); the pose is untouched by them
TEXT_STEPS = ('TokenizeText', 'EncodeGloss')
CONFIGS = sorted(
    osp.relpath(f, REPO)
    for pattern in ('configs/*/*.py', 'projects/*/configs/*.py')
    for f in glob.glob(osp.join(REPO, pattern)) if '_base_' not in f)


def _clip_with_missing_joints():
    """A COCO-WholeBody 133 clip of 8 frames (no temporal sampling in any
    config: ISLR's 32 frames is the smallest limit) with every kind of
    missing joint, and the (T, 79) mask of joints expected missing."""
    rng = np.random.default_rng(0)
    t = 8
    kpts = rng.uniform(100, 300, (t, 133, 2)).astype(np.float32)
    scores = rng.uniform(0.5, 1, (t, 133)).astype(np.float32)
    src = np.asarray(LAYOUT.source_indexes)
    missing = np.zeros((t, 79), bool)

    def drop(frames, joints, coords=0.0):
        frames, joints = list(frames), list(joints)
        kpts[np.ix_(frames, src[joints])] = coords
        scores[np.ix_(frames, src[joints])] = 0
        missing[np.ix_(frames, joints)] = True

    left, right = LAYOUT.parts['left_hand'], LAYOUT.parts['right_hand']
    drop(range(t), [9])  # a wrist out of the frame, stored as (0, 0)
    drop([1], [15], coords=37.0)  # a face joint with stale coordinates
    drop([2], range(79))  # no signer detected
    drop([3], left, coords=250.0)  # left hand not detected
    drop([4], [right[5]])  # one joint of a detected hand
    drop([5], [left[0], right[20]], coords=120.0)
    # right hand with one confident joint: no box, so all of it is missing
    scores[6, src[right]] = 0.05
    scores[6, src[right[0]]] = 0.9
    missing[6, right] = True
    sample = dict(id='clip', keypoints=kpts, scores=scores, width=400,
                  height=300, fps=25.0, text='Ein Satz.', language='de',
                  gloss=['SATZ'], label=0, corpus_location='test')
    return sample, missing


def _pipelines(cfg):
    """Every pipeline a config runs: its data loaders' and, for
    pre-training, the inference one."""
    pipelines = {}
    for name in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        if cfg.get(name):
            dataset = cfg[name].dataset
            # a ConcatDataset: each of its datasets' pipelines
            for i, part in enumerate(dataset.get('datasets', [dataset])):
                key = name if 'datasets' not in dataset else f'{name}.{i}'
                pipelines[key] = part.pipeline
    if cfg.get('test_pipeline'):
        pipelines['test_pipeline'] = cfg.test_pipeline
    return pipelines


def _run(steps, sample, batch_transforms=()):
    """The pose a model gets: the pipeline, then the data preprocessor's
    batch transforms (training batches) on a batch of this one sample."""
    for step in steps:
        if step['type'] in TEXT_STEPS:
            continue
        sample = TRANSFORMS.build(step).transform(sample)
    if batch_transforms:
        preprocessor = MODELS.build(dict(type='SignDataPreprocessor',
                                         batch_transforms=batch_transforms))
        return preprocessor(pseudo_collate([sample]),
                            True)['inputs']['pose'][0].numpy()
    return sample['inputs'].numpy()  # (T, 79, 3)


@pytest.mark.parametrize('config', CONFIGS)
def test_missing_joints_are_zero_in_every_pipeline(config):
    cfg = Config.fromfile(osp.join(REPO, config))
    pipelines = _pipelines(cfg)
    assert any(n.startswith('train_dataloader') for n in pipelines)
    assert len(pipelines) >= 2
    clip, missing = _clip_with_missing_joints()
    np.random.seed(0)
    preprocessor = cfg.get('model', {}).get('data_preprocessor') or {}
    for name, steps in pipelines.items():
        batch_transforms = (preprocessor.get('batch_transforms', ())
                            if name.startswith('train_dataloader') else ())
        inputs = _run(steps, dict(clip, keypoints=clip['keypoints'].copy(),
                                  scores=clip['scores'].copy()),
                      batch_transforms)
        assert inputs.shape == (8, 79, 3), (config, name)
        np.testing.assert_array_equal(inputs[missing], 0,
                                      err_msg=f'{config} {name}')
        # and nothing else is missing
        assert (inputs[~missing, 2] > 0).all(), (config, name)


def _expected_normalisation(kpts, scores, width, height, norm):
    """The old (and still the) rule for joints that are present: the video
    frame for every part but the hands, the square box of its confident
    joints for a hand; a hand without such a box is missing."""
    out = kpts / np.float32([width, height]) * 2 - 1
    present = scores > 0
    for part in HANDS:
        idx = LAYOUT.parts[part]
        for f in range(len(kpts)):
            conf = kpts[f, idx][scores[f, idx] > norm.score_thr]
            if len(conf) < 2:
                present[f, idx] = False
                continue
            lo, hi = conf.min(0), conf.max(0)
            half = (hi - lo).max() / 2 * (1 + norm.box_margin)
            out[f, idx] = (kpts[f, idx] - (lo + hi) / 2) / half
    return out, present


@st.composite
def missing_patterns(draw):
    """Pixel keypoints of T frames of the 79 joints, with missing whole
    parts, single joints and whole frames stored as (0, 0) or as stale
    coordinates, and present joints scored in (0, 1] (some below the hand
    box threshold)."""
    t = draw(st.integers(1, 4))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    kpts = rng.uniform(0, 640, (t, 79, 2)).astype(np.float32)
    scores = rng.uniform(0.01, 1, (t, 79)).astype(np.float32)
    drops = draw(st.lists(st.one_of(
        st.tuples(st.just('part'), st.integers(0, t - 1),
                  st.sampled_from(sorted(LAYOUT.parts))),
        st.tuples(st.just('joint'), st.integers(0, t - 1),
                  st.integers(0, 78)),
        st.tuples(st.just('frame'), st.integers(0, t - 1), st.none())),
        max_size=8))
    for kind, f, what in drops:
        idx = {'part': lambda: LAYOUT.parts[what], 'joint': lambda: [what],
               'frame': lambda: slice(None)}[kind]()
        scores[f, idx] = 0
        if draw(st.booleans()):
            kpts[f, idx] = 0
    return kpts, scores


@settings(max_examples=150, derandomize=True, database=None, deadline=None)
@given(sample=missing_patterns())
def test_missing_joints_are_zero_after_normalisation_and_affine(sample):
    kpts, scores = sample
    norm = NormalizeParts()
    out = norm.transform(dict(keypoints=kpts.copy(), scores=scores.copy(),
                              width=640, height=480, layout='sign79'))
    expected, present = _expected_normalisation(kpts, scores, 640, 480, norm)
    np.testing.assert_array_equal(out['keypoints'][~present], 0)
    np.testing.assert_array_equal(out['scores'][~present], 0)
    np.testing.assert_allclose(out['keypoints'][present], expected[present],
                               rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(out['scores'][present], scores[present])

    np.random.seed(0)
    moved = RandomAffinePose().transform(
        dict(keypoints=out['keypoints'].copy(),
             scores=out['scores'].copy()))
    np.testing.assert_array_equal(moved['keypoints'][~present], 0)
    np.testing.assert_array_equal(moved['scores'][~present], 0)
    # present joints: one rotation, scale and shift for the whole sequence
    src = np.concatenate([out['keypoints'][present],
                          np.ones((present.sum(), 1), np.float32)], axis=1)
    fit = np.linalg.lstsq(src, moved['keypoints'][present], rcond=None)[0]
    np.testing.assert_allclose(src @ fit, moved['keypoints'][present],
                               atol=1e-4)
