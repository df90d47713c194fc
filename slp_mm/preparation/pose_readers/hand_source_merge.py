"""Replace the hands of a whole-body pose with a dedicated hand estimator's.

A whole-body estimator sees the hands small, blurred and often crossed; the
paper takes its hand joints from a second, hand-only estimator (InterWild)
wherever that one detects the hand, and keeps the whole-body hand
elsewhere.
"""
from typing import Optional

import numpy as np

from slp_mm.structures import get_layout

HANDS = ('left_hand', 'right_hand')


def merge_hand_source(body: dict,
                      hands: dict,
                      min_score: float = 0.3,
                      frame_offset: Optional[int] = None,
                      body_source: str = 'body',
                      hand_source: str = 'hands') -> dict:
    """A copy of ``body`` whose hands, frame by frame, are those of
    ``hands`` where ``hands`` detects them.

    A hand is taken whole (its 21 joints together, so one hand never
    mixes two estimators) when the mean score of its joints in ``hands``
    is above 0 and at least ``min_score``.

    Args:
        body (dict): The whole-body sample, data contract with 133 points.
        hands (dict): The hand estimator's sample in the same contract;
            only its hand joints are read. It must be in the pixels of the
            same video (same width and height) at the same fps.
        min_score (float): Least mean joint score of a detected hand.
        frame_offset (int, optional): The ``body`` frame of ``hands``'
            first frame, for a hand estimate of part of the clip; ``None``
            requires both to have the same number of frames.
        body_source, hand_source (str): Names of the two sources (their
            files, say), used in error messages.

    Returns:
        dict: ``body``'s fields, with new ``keypoints`` (T, 133, 2) and
        ``scores`` (T, 133) arrays.
    """
    layout = get_layout('coco_wholebody_133')
    for name, sample in ((body_source, body), (hand_source, hands)):
        shape = np.shape(sample['keypoints'])
        if shape[1:] != (layout.num_keypoints, 2):
            raise ValueError(f"{name}: field 'keypoints' has shape {shape}, "
                             f'expected (T, {layout.num_keypoints}, 2)')
    for key in ('width', 'height', 'fps'):
        if not np.isclose(body[key], hands[key], rtol=1e-3):
            raise ValueError(f'field {key!r} is {body[key]} in {body_source} '
                             f'but {hands[key]} in {hand_source}: the hand '
                             'joints must be in the same video frames')
    num_body, num_hands = len(body['keypoints']), len(hands['keypoints'])
    if frame_offset is None and num_hands != num_body:
        raise ValueError(f'{hand_source} has {num_hands} frames, '
                         f'{body_source} {num_body}: give frame_offset to '
                         'align a partial hand estimate')
    offset = frame_offset or 0
    if not 0 <= offset <= num_body - num_hands:
        raise ValueError(f'{hand_source}: {num_hands} frames from frame '
                         f'{offset} of {body_source} do not fit in its '
                         f'{num_body} frames')
    keypoints = np.array(body['keypoints'], np.float32)  # (T, 133, 2)
    scores = np.array(body['scores'], np.float32)  # (T, 133)
    for hand in HANDS:
        joints = layout.parts[hand]
        hand_score = hands['scores'][:, joints].mean(1)  # (T', )
        (detected, ) = np.nonzero((hand_score > 0)
                                  & (hand_score >= min_score))
        rows = np.ix_(detected + offset, joints)
        keypoints[rows] = hands['keypoints'][np.ix_(detected, joints)]
        scores[rows] = hands['scores'][np.ix_(detected, joints)]
    return {**body, 'keypoints': keypoints, 'scores': scores}
