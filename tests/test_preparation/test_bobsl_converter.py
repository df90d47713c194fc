"""BOBSL: WebVTT parsing, the episode split file, cutting an episode's pose
sequence by cue times (on a real skeleton) and the conversion tool on a
tiny fake release."""
import json
import os
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest

from slp_mm.corpus import SignCorpus
from slp_mm.preparation.bobsl_conversion import convert_bobsl
from slp_mm.preparation.converters.bobsl import (Cue, cut_episode, frame_span,
                                                 load_episode_splits, read_vtt,
                                                 select_cues)
from slp_mm.preparation.pose_readers import read_pose_file
from ..conftest import REPO, shared_file

# episodes of the fake release: A trains, B is dev; of the test episodes
# C has no subtitle file and D no pose file
EP_A, EP_B = '5085344787448740525', '6179351457261416384'
EP_C, EP_D = 'no_subtitles', 'no_pose'
FRAMES_A, FRAMES_B = 100, 50  # at 25 fps

VTT_A = """WEBVTT
Kind: captions

NOTE the cues below cover every edge case

1
00:00:00.200 --> 00:00:01.000 align:start position:10%
<i>Hello</i> &amp; welcome &lt;3

2
00:00:01.000 --> 00:00:02.500
a multi-line
cue,&nbsp;here

00:00:02.400 --> 00:00:02.800
<v Narrator>nobody signs here</v>

00:00:03.000 --> 00:00:03.000
no duration

00:00:03.500 --> 00:00:04.100
past the end

00:00:00.000 --> 00:00:30.000
too long

00:00:01.500 --> 00:00:02.000
<b></b>

00:00:01,500 --> 00:00:02,000
comma timing
"""
# a Latin-1 file: the cue with a non-ASCII byte is rejected, ASCII is UTF-8
VTT_B = 'WEBVTT\r\n\r\n00:00.000 --> 00:01.000\r\ncafé\r\n\r\n' \
        '00:01.000 --> 00:02.000\r\nplain text\r\n'


def _write(path, text, encoding='utf-8'):
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w', encoding=encoding, newline='') as f:
        f.write(text)
    return str(path)


def _fake_pose(num_frames, seed):
    """(T, K, 3) x, y in pixels and a score in [0, 1]."""
    pose = np.random.default_rng(seed).uniform(
        1, 400, (num_frames, 133, 3)).astype(np.float32)
    pose[..., 2] /= 400
    return pose


def _make_release(root):
    """Release and pose folders; returns the (T, K, 3) pose arrays."""
    splits = dict(train=[EP_A], val=[EP_B], public_test=[EP_C, EP_D])
    _write(root / 'release' / 'subset2episode.json', json.dumps(splits))
    subs = root / 'release' / 'subtitles' / 'manually-aligned'
    _write(subs / f'{EP_A}.vtt', VTT_A)
    _write(subs / f'{EP_B}.vtt', VTT_B, encoding='latin-1')
    _write(subs / f'{EP_D}.vtt', 'WEBVTT\n\n00:00.000 --> 00:01.000\nhi\n')
    poses = {EP_A: _fake_pose(FRAMES_A, 0), EP_B: _fake_pose(FRAMES_B, 1)}
    poses[EP_A][60:70, :, 2] = 0  # nobody detected
    os.makedirs(root / 'poses' / 'dev')
    np.savez(root / 'poses' / f'{EP_A}.npz', keypoints=poses[EP_A], fps=25)
    np.savez(root / 'poses' / 'dev' / f'{EP_B}.npz', keypoints=poses[EP_B])
    _write(root / 'signers.json', json.dumps({EP_A: 'Signer07'}))
    return poses


# ------------------------------------------------------------------ WebVTT


def test_read_vtt_edge_cases(tmp_path):
    cues = read_vtt(_write(tmp_path / 'a.vtt', VTT_A))
    assert cues[:2] == [
        Cue(0, 6, 0.2, 1.0, 'Hello & welcome <3'),
        Cue(1, 10, 1.0, 2.5, 'a multi-line cue, here'),
    ]
    assert cues[2] == Cue(2, 15, 2.4, 2.8, 'nobody signs here')
    assert [(c.index, c.line, c.problem) for c in cues[3:]] == [
        (3, 18, 'ends at 3.000 s, not after its start at 3.000 s'),
        (4, 21, None),
        (5, 24, None),
        (6, 27, 'has no text'),
        (7, 30, "line 30: timing '00:00:01,500 --> 00:00:02,000' is not "
         '"[hh:]mm:ss.ttt --> [hh:]mm:ss.ttt"'),
    ]
    assert cues[5][2:5] == (0.0, 30.0, 'too long')

    cues = read_vtt(_write(tmp_path / 'b.vtt', VTT_B, encoding='latin-1'))
    assert cues == [
        Cue(0, 3, None, None, None,
            'line 4 is not valid UTF-8 (byte 0xe9 at column 4)'),
        Cue(1, 6, 1.0, 2.0, 'plain text'),
    ]
    # hours, a BOM and an identifier holding no arrow
    cues = read_vtt(
        _write(tmp_path / 'c.vtt', '\ufeffWEBVTT - BBC\n\nintro\n'
               '01:02:03.004 --> 01:02:04.000\nhi'))
    assert cues == [Cue(0, 3, 3723.004, 3724.0, 'hi')]


def test_read_vtt_refuses_other_files(tmp_path):
    srt = _write(tmp_path / 'a.srt', '1\n00:00:01,000 --> 00:00:02,000\nhi')
    with pytest.raises(ValueError, match=r"a\.srt, line 1: is b'1', "
                       'expected "WEBVTT"'):
        read_vtt(srt)
    glued = _write(tmp_path / 'g.vtt', 'WEBVTT\n00:01.000 --> 00:02.000\nhi')
    with pytest.raises(ValueError, match=r'g\.vtt, line 2: a cue timing in '
                       'the header'):
        read_vtt(glued)


def test_select_cues_by_duration():
    cues = [Cue(0, 1, 0.0, 0.4, 'a'), Cue(1, 4, 1.0, 3.0, 'b'),
            Cue(2, 7, 3.0, 9.5, 'c'),
            Cue(3, 9, None, None, None, 'has no text')]
    kept, rejects = select_cues('ep', 'train', cues, 0.5, 6.0, 'ep.vtt')
    assert kept == [cues[1]]
    assert [(r['id'], r['line'], r['reason']) for r in rejects] == [
        ('ep_0', 1, 'cue lasts 0.400 s, less than the minimum duration of '
         '0.5 s'),
        ('ep_2', 7, 'cue lasts 6.500 s, more than the maximum duration of '
         '6 s'),
        ('ep_3', 9, 'cue has no text'),
    ]
    assert all(r['stage'] == 'annotation' and r['file'] == 'ep.vtt'
               for r in rejects)


# ------------------------------------------------------------------ splits


def test_load_episode_splits(tmp_path):
    path = _write(tmp_path / 's.json', json.dumps(
        dict(train=['a', 'b'], val=['c'], test=['d'], public_test=['x'])))
    assert load_episode_splits(path) == dict(
        train=['a', 'b'], dev=['c'], test=['d'])
    _write(path, json.dumps(dict(train=['a'], val=['a'])))
    with pytest.raises(ValueError, match="episode 'a' is listed in 'val' "
                       "and before in 'train'"):
        load_episode_splits(path, ('train', 'dev'))
    with pytest.raises(ValueError, match=r"s\.json: no field 'test' or "
                       "'public_test' for split 'test'"):
        load_episode_splits(path, ('test', ))
    _write(path, json.dumps(dict(train=['a', 7])))
    with pytest.raises(ValueError, match="field 'train', entry 1 is 7"):
        load_episode_splits(path, ('train', ))


# ------------------------------------------------------------------ cutting


def test_frame_span_hits_exact_frame_boundaries():
    # 0.28 * 25 is 7.000000000000001 in floats: still frame 7
    assert frame_span(0.28, 0.56, 25) == (7, 14)
    assert frame_span(1.0, 2.5, 25) == (25, 63)


def test_cut_real_skeleton():
    pose = read_pose_file(
        shared_file('slp-pose-wholebody133',
                    'FOOTBALL.mmposewholebody.pose'))
    assert pose['keypoints'].shape == (62, 133, 2)  # 29.97 fps, 2.069 s
    cues = [Cue(0, 3, 0.5, 1.2, 'first'), Cue(1, 6, 1.0, 2.0, 'second'),
            Cue(2, 9, 1.9, 2.1, 'past the end')]
    samples, rejects = cut_episode('football', 'train', cues, pose,
                                   signer='S1', file='f.pose')
    # 0.5 * 29.97 = 14.985 -> 15, 1.2 * 29.97 = 35.964 -> 36 (exclusive)
    # 1.0 * 29.97 -> 30, 2.0 * 29.97 = 59.94 -> 60
    spans = [(15, 36), (30, 60)]
    assert [s['id'] for s in samples] == ['football_0', 'football_1']
    for sample, (a, b) in zip(samples, spans):
        np.testing.assert_array_equal(sample['keypoints'],
                                      pose['keypoints'][a:b])
        np.testing.assert_array_equal(sample['scores'], pose['scores'][a:b])
        # a view into the episode, not a copy
        assert np.shares_memory(sample['keypoints'], pose['keypoints'])
    assert {k: samples[0][k] for k in (
        'text', 'language', 'dataset', 'signer', 'width', 'height')} == dict(
            text='first', language='en', dataset='bobsl', signer='S1',
            width=640.0, height=360.0)
    # 2.1 * 29.97 = 62.937 -> frames up to 62, the sequence ends at 61
    assert rejects == [dict(
        id='football_2', split='train', stage='invalid_sample', file='f.pose',
        line=None, reason='cue 1.900-2.100 s needs frames up to 62, beyond '
        'the 62 frames of the pose sequence (2.069 s at 29.97 fps)')]

    # padding 0.25 s: 0.25 * 29.97 = 7.49 -> 8, 1.45 * 29.97 = 43.46 -> 44;
    # the second cue's padded end (2.25 s -> 68) is clipped to 62
    samples, _ = cut_episode('football', 'train', cues[:2], pose,
                             padding=0.25)
    assert [len(s['keypoints']) for s in samples] == [44 - 8, 62 - 23]
    # shift +0.5 s: 1.0 * 29.97 -> 30, 1.7 * 29.97 = 50.95 -> 51
    samples, _ = cut_episode('football', 'train', cues[:1], pose, shift=0.5)
    np.testing.assert_array_equal(samples[0]['keypoints'],
                                  pose['keypoints'][30:51])


# ------------------------------------------------------------------ tool


def test_conversion_of_fake_release_rejects_and_resumes(tmp_path, capsys):
    poses = _make_release(tmp_path)
    out = tmp_path / 'out'
    args = (str(tmp_path / 'release'), str(tmp_path / 'poses'), str(out))
    options = dict(max_duration=20, padding=0.1,
                   signers_file=str(tmp_path / 'signers.json'))
    # every cue of the test split is rejected: refused once all is written
    with pytest.raises(ValueError, match='^Every input of 1 split\\(s\\) was '
                       f'rejected: see {out / "test" / "rejects.json"}$'):
        convert_bobsl(*args, **options)

    corpora = {s: SignCorpus(str(out / s)) for s in ('train', 'dev', 'test')}
    assert {s: len(c) for s, c in corpora.items()} == dict(
        train=2, dev=1, test=0)
    # padded by 0.1 s: [0.1, 1.1) -> frames 3-27, [0.9, 2.6) -> 23-64
    # and [0.9, 2.1) -> 23-49, clipped to the 50 frames of EP_B
    expected = [
        ('train', 0, f'{EP_A}_0', 'Hello & welcome <3', 'Signer07', EP_A,
         3, 28),
        ('train', 1, f'{EP_A}_1', 'a multi-line cue, here', 'Signer07', EP_A,
         23, 65),
        ('dev', 0, f'{EP_B}_1', 'plain text', None, EP_B, 23, 50),
    ]
    for split, row, sid, text, signer, episode, a, b in expected:
        sample = corpora[split][row]
        assert (sample['id'], sample['text'], sample['signer'],
                sample['language'], sample['dataset'], sample['fps'],
                sample['width']) == (sid, text, signer, 'en', 'bobsl', 25.0,
                                     444.0)
        np.testing.assert_array_equal(sample['keypoints'],
                                      poses[episode][a:b, :, :2])
        np.testing.assert_array_equal(sample['scores'],
                                      poses[episode][a:b, :, 2])

    def rejects(split):
        with open(out / split / 'rejects.json', encoding='utf-8') as f:
            return {r['id']: (r['stage'], r['reason']) for r in json.load(f)}

    assert rejects('train') == {
        f'{EP_A}_2': ('invalid_sample', 'no keypoint detected in frames '
                      '60-69 (cue 2.400-2.800 s)'),
        f'{EP_A}_3': ('annotation', 'cue ends at 3.000 s, not after its '
                      'start at 3.000 s'),
        f'{EP_A}_4': ('invalid_sample', 'cue 3.500-4.100 s needs frames up '
                      'to 102, beyond the 100 frames of the pose sequence '
                      '(4.000 s at 25 fps)'),
        f'{EP_A}_5': ('annotation', 'cue lasts 30.000 s, more than the '
                      'maximum duration of 20 s'),
        f'{EP_A}_6': ('annotation', 'cue has no text'),
        f'{EP_A}_7': ('annotation', "cue line 30: timing '00:00:01,500 --> "
                      "00:00:02,000' is not \"[hh:]mm:ss.ttt --> "
                      '[hh:]mm:ss.ttt"'),
    }
    assert rejects('dev') == {
        f'{EP_B}_0': ('annotation', 'cue line 4 is not valid UTF-8 (byte '
                      '0xe9 at column 4)')}
    poses_dir = tmp_path / 'poses'
    assert rejects('test') == {
        EP_C: ('annotation', 'episode has no manually-aligned subtitle '
               'file'),
        f'{EP_D}_0': ('missing_pose', 'no pose file; tried '
                      f"['{poses_dir}/test/no_pose.npz', "
                      f"'{poses_dir}/test/no_pose.npy', "
                      f"'{poses_dir}/no_pose.npz', "
                      f"'{poses_dir}/no_pose.npy']"),
    }

    # a second run finds every split complete and writes nothing
    written = {p: os.stat(p).st_mtime_ns for p in out.rglob('*')}
    capsys.readouterr()
    assert convert_bobsl(*args, **options) == {}
    assert capsys.readouterr().out.count('is complete, skipped') == 3
    assert {p: os.stat(p).st_mtime_ns for p in out.rglob('*')} == written


@pytest.mark.slow
def test_tool_exits_non_zero_when_every_input_is_rejected(tmp_path):
    """A wrong pose folder rejects every cue: a failed conversion."""
    _make_release(tmp_path)
    (tmp_path / 'empty').mkdir()
    out = tmp_path / 'out'
    proc = subprocess.run(
        [sys.executable, 'tools/data/bobsl/convert.py',
         str(tmp_path / 'release'), str(tmp_path / 'empty'), str(out),
         '--max-duration', '20', '--splits', 'train'],
        cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert 'train: 0 samples from 1 episodes' in proc.stdout
    assert proc.stderr.rstrip().endswith(
        'Every input of 1 split(s) was rejected: see '
        f'{out / "train" / "rejects.json"}')
