"""Random samples through the demo pre-training pipeline (CheckPoseSample
-> TemporalSample -> SelectKeypoints -> NormalizeParts ->
HierarchicalPoseMask -> TokenizeText -> PackSignInputs): each is either
skipped by CheckPoseSample (which SignPoseDataset counts) or packed into
finite inputs; no NaN/inf reaches the model."""
import copy

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from mmengine.dataset import Compose

from slp_mm.corpus.pose_sample_check import find_sample_problem
from .case_outcomes import count

# pixel coordinates at 1/8 px resolution (coinciding hand joints are
# tested separately below)
coordinate = st.integers(-8000, 8000).map(lambda v: v / 8)
# values no detector writes, and sizes no video has
BAD_VALUE = [float(np.float32(v)) for v in (np.nan, np.inf, -np.inf, 1e30,
                                            -3e38, 2e6)]
BAD_SIZE = [0.0, -5.0, 1e-30, np.nan, np.inf, '64']
DAMAGE = (None, None, None, 'value', 'size', 'no_frames', 'keypoint_count',
          'text')


@st.composite
def samples(draw):
    """A plausible sample (T frames of 133 points, score in [0, 1]), or one
    with a single kind of damage."""
    damage = draw(st.sampled_from(DAMAGE))
    t = 0 if damage == 'no_frames' else draw(st.integers(1, 70))
    k = draw(st.sampled_from([79, 1])) if damage == 'keypoint_count' else 133
    # hypothesis fills most of an array with one value: cheap to draw
    kpts = draw(hnp.arrays(np.float32, (t, k, 2), elements=coordinate,
                           fill=coordinate))
    scores = draw(hnp.arrays(np.float32, (t, k),
                             elements=st.floats(0, 1, width=32)))
    if damage == 'value' and t:
        array = draw(st.sampled_from([kpts, scores]))
        index = tuple(draw(st.integers(0, n - 1)) for n in array.shape)
        array[index] = draw(st.sampled_from(BAD_VALUE))
    width, height = draw(st.sampled_from([(64.0, 48.0), (1920, 1080)]))
    if damage == 'size':
        width = draw(st.sampled_from(BAD_SIZE))
    text = draw(st.one_of(st.none(), st.text(min_size=1).filter(str.strip)))
    if damage == 'text':
        text = draw(st.sampled_from(['', '  ', b'\xff', 3]))
    return dict(
        id='fuzz', corpus_location='fuzz, row 0', language='en',
        keypoints=kpts, scores=scores, width=width, height=height, text=text)


@pytest.fixture(scope='module')
def pipeline(demo_cfg, synthetic_corpus):
    steps = copy.deepcopy(demo_cfg.train_dataloader.dataset.pipeline)
    for step in steps:
        if step['type'] == 'TokenizeText':
            step['tokenizer'] = f'{synthetic_corpus}/tokenizer'
    return Compose(steps)


@given(sample=samples())
def test_random_samples_are_skipped_or_finite(pipeline, sample):
    packed = pipeline(copy.deepcopy(sample))
    if packed is None:
        assert find_sample_problem(sample, 133) is not None
        count('pre-training pipeline', 'skipped')
        return
    count('pre-training pipeline', 'packed')
    inputs = packed['inputs']  # (T, 79, 3)
    assert inputs.dtype == torch.float32 and inputs.shape[1:] == (79, 3)
    assert torch.isfinite(inputs).all()


def test_hand_box_of_nearly_coinciding_joints_stays_finite(pipeline):
    kpts = np.full((1, 133, 2), 30, np.float32)
    scores = np.ones((1, 133), np.float32)
    # left hand (COCO-WholeBody 92-112): two confident joints at the image
    # corner 1e-38 px apart, the rest of the hand below score_thr at 30 px
    kpts[0, 91:93] = 0
    kpts[0, 92, 0] = 1e-38
    scores[0, 93:112] = 0.05
    packed = pipeline(dict(id='near', keypoints=kpts, scores=scores,
                           width=64.0, height=48.0, text=None,
                           language='en'))
    assert torch.isfinite(packed['inputs']).all()
