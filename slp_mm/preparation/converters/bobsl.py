"""BOBSL, the BBC-Oxford British Sign Language dataset (Albanie et al.,
2021): BBC broadcasts (1,940 episodes with subtitles) with an in-vision BSL
interpreter and English subtitles, cut into sign-text pairs by subtitle
times, as the paper does.

Each *episode* is one long video (about an hour) with one WebVTT subtitle
file per alignment kind and one pose sequence. This module parses the
subtitles, keeps the usable cues and cuts an episode's pose sequence into
one sample per cue; ``tools/data/bobsl/convert.py`` writes the corpora.

Release layout (BOBSL v1.2 README; ``subtitles/<kind>/<episode>.vtt`` also
read by the sign-language-processing/datasets BOBSL builder)::

    subset2episode.json        {"train": [episode, ...], "val": [...],
                                "test": [...]}  (some copies: "public_test")
    subtitles/audio-aligned/<episode>.vtt                        1,940 episodes
    subtitles/audio-aligned-heuristic-correction/<episode>.vtt   1,940 episodes
    subtitles/manually-aligned/<episode>.vtt                     55 episodes
    pose/<episode>.tar         OpenPose (137 points, per-frame JSON files),
                               read by tools/data/bobsl/convert.py with
                               ``--pose-format openpose-json``

The WebVTT parser is a small strict one written here: no WebVTT parser is
installed with this project's stack, and subtitles need only the cue block
grammar (header, ``NOTE`` / ``STYLE`` / ``REGION`` blocks skipped, optional
cue identifier, ``[hh:]mm:ss.ttt --> [hh:]mm:ss.ttt [settings]``, payload
lines). Every line is decoded on its own, so one bad byte rejects one cue,
not an hour of subtitles.
"""
import html
import math
import os.path as osp
import re
from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple

from .base import SPLITS, check_splits, make_reject
from .isolated import read_json

DATASET = 'bobsl'
LANGUAGE = 'en'
# 444x444 videos at 25 fps, as the sign-language-processing/datasets BOBSL
# builder has them (not checked against the release itself): used where a
# pose file does not store its own size and rate
VIDEO_INFO = dict(width=444.0, height=444.0, fps=25.0)
SPLIT_FILE = 'subset2episode.json'
SUBTITLE_KINDS = ('manually-aligned', 'audio-aligned-heuristic-correction',
                  'audio-aligned')
# our split -> its key in subset2episode.json, the first one present wins
FILE_SPLITS = dict(train=('train', ), dev=('val', ),
                   test=('test', 'public_test'))
# a frame boundary a timestamp hits exactly must not move a frame on
# because of float rounding (milliseconds x fps)
FRAME_EPS = 1e-6

_TIMESTAMP = r'(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})'
_TIMING = re.compile(rf'{_TIMESTAMP}[ \t]+-->[ \t]+{_TIMESTAMP}(?:[ \t].*)?')
_TAG = re.compile(r'<[^>]*>')  # <i>, </b>, <c.yellow>, <v Name>, <00:01.000>
_SKIPPED_BLOCK = re.compile(rb'(NOTE|STYLE|REGION)(?:[ \t].*)?')


class Cue(NamedTuple):
    """One subtitle cue; ``problem`` says why it is unusable (``None`` if
    usable, then ``start`` < ``end`` in seconds and ``text`` is
    non-empty)."""
    index: int  # position among the file's cues from 0, bad cues included
    line: int  # line number of the cue's first line, from 1
    start: Optional[float]
    end: Optional[float]
    text: Optional[str]
    problem: Optional[str] = None


def cue_id(episode: str, index: int) -> str:
    """The sample id of a cue: stable while the subtitle file is."""
    return f'{episode}_{index}'


def subtitle_file(release_dir: str, kind: str, episode: str) -> str:
    if kind not in SUBTITLE_KINDS:
        raise ValueError(f'subtitle kind {kind!r}, expected one of '
                         f'{list(SUBTITLE_KINDS)}')
    return osp.join(release_dir, 'subtitles', kind, episode + '.vtt')


def load_episode_splits(path: str,
                        splits: Sequence[str] = SPLITS
                        ) -> Dict[str, List[str]]:
    """The episodes of each split from ``subset2episode.json``.

    Raises:
        ValueError: If a split's key is missing, an entry is not an
            episode name, or an episode is listed twice (within a split or
            across the splits asked for: that would leak test data).
    """
    check_splits(splits)
    subsets = read_json(path, dict, 'subset names to episode lists')
    episodes, seen = {}, {}
    for split in splits:
        key = next((k for k in FILE_SPLITS[split] if k in subsets), None)
        if key is None:
            raise ValueError(f'{path}: no field '
                             f'{" or ".join(map(repr, FILE_SPLITS[split]))} '
                             f'for split {split!r}; fields are '
                             f'{sorted(subsets)}')
        names = subsets[key]
        if not isinstance(names, list):
            raise ValueError(f'{path}: field {key!r} is a '
                             f'{type(names).__name__}, expected a list of '
                             'episode names')
        for i, name in enumerate(names):
            if not (isinstance(name, str) and name.strip()):
                raise ValueError(f'{path}: field {key!r}, entry {i} is '
                                 f'{name!r}, expected an episode name')
            if name in seen:
                raise ValueError(f'{path}: episode {name!r} is listed in '
                                 f'{key!r} and before in {seen[name]!r}')
            seen[name] = key
        episodes[split] = names
    return episodes


def read_vtt(path: str) -> List[Cue]:
    """The cues of a WebVTT file, each with its text cleaned: lines joined
    by a space, tags stripped, HTML entities unescaped, whitespace
    collapsed.

    Raises:
        ValueError: If the file does not start with ``WEBVTT`` (it is not
            a subtitle file, so no cue in it can be trusted).
    """
    with open(path, 'rb') as f:
        lines = f.read().removeprefix(b'\xef\xbb\xbf').splitlines()
    if not lines or not re.fullmatch(rb'WEBVTT([ \t].*)?', lines[0]):
        first = lines[0][:40] if lines else b''
        raise ValueError(f'{path}, line 1: is {first!r}, expected "WEBVTT": '
                         'not a WebVTT file')
    header, *blocks = _blocks(lines)
    for offset, line in enumerate(header[1]):
        if b'-->' in line:
            raise ValueError(f'{path}, line {offset + 1}: a cue timing in '
                             'the header; a blank line must end the header')
    cues = []
    for number, block in blocks:
        if _SKIPPED_BLOCK.fullmatch(block[0]):
            continue
        cues.append(_parse_cue(len(cues), number, block))
    return cues


def _blocks(lines: List[bytes]) -> List[Tuple[int, List[bytes]]]:
    """Runs of non-blank lines, each with its first line number."""
    blocks = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if blocks and blocks[-1][0] + len(blocks[-1][1]) == number:
            blocks[-1][1].append(line)
        else:
            blocks.append((number, [line]))
    return blocks


def _parse_cue(index: int, number: int, block: List[bytes]) -> Cue:
    def bad(problem):
        return Cue(index, number, None, None, None, problem)

    texts = []
    for offset, raw in enumerate(block):
        try:
            texts.append(raw.decode('utf-8'))
        except UnicodeDecodeError as e:
            return bad(f'line {number + offset} is not valid UTF-8 (byte '
                       f'0x{raw[e.start]:02x} at column {e.start + 1})')
    timing = 0 if '-->' in texts[0] else 1  # else line 0 is an identifier
    if timing >= len(texts) or '-->' not in texts[timing]:
        return bad('has no timing line "start --> end"')
    match = _TIMING.fullmatch(texts[timing].strip())
    if match is None:
        return bad(f'line {number + timing}: timing {texts[timing]!r} is '
                   'not "[hh:]mm:ss.ttt --> [hh:]mm:ss.ttt"')
    start, end = _seconds(match.groups()[:4]), _seconds(match.groups()[4:])
    if end <= start:
        return bad(f'ends at {end:.3f} s, not after its start at '
                   f'{start:.3f} s')
    payload = ' '.join(texts[timing + 1:])
    text = ' '.join(html.unescape(_TAG.sub('', payload)).split())
    if not text:
        return bad('has no text')
    return Cue(index, number, start, end, text)


def _seconds(fields: Sequence[Optional[str]]) -> float:
    hours, minutes, seconds, millis = fields
    return (int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) +
            int(millis) / 1000)


def select_cues(episode: str,
                split: str,
                cues: Sequence[Cue],
                min_duration: Optional[float] = None,
                max_duration: Optional[float] = None,
                file: Optional[str] = None) -> Tuple[List[Cue], List[dict]]:
    """The usable cues lasting ``min_duration`` to ``max_duration``
    seconds (either may be ``None``: no limit), and a reject for each
    other cue."""
    kept, rejects = [], []
    for cue in cues:
        problem = cue.problem
        if problem is None:
            duration = cue.end - cue.start
            if min_duration is not None and duration < min_duration:
                problem = (f'lasts {duration:.3f} s, less than the minimum '
                           f'duration of {min_duration:g} s')
            elif max_duration is not None and duration > max_duration:
                problem = (f'lasts {duration:.3f} s, more than the maximum '
                           f'duration of {max_duration:g} s')
        if problem is None:
            kept.append(cue)
        else:
            rejects.append(
                make_reject(
                    f'cue {problem}',
                    id=cue_id(episode, cue.index),
                    split=split,
                    file=file,
                    line=cue.line))
    return kept, rejects


def frame_span(start: float, end: float, fps: float) -> Tuple[int, int]:
    """The frames ``[first, stop)`` shown from ``start`` to ``end`` seconds,
    frame ``t`` being shown at ``t / fps``."""
    return (math.ceil(start * fps - FRAME_EPS),
            math.ceil(end * fps - FRAME_EPS))


def cut_episode(episode: str,
                split: str,
                cues: Sequence[Cue],
                pose: dict,
                padding: float = 0.0,
                shift: float = 0.0,
                signer: Optional[str] = None,
                file: Optional[str] = None) -> Tuple[List[dict], List[dict]]:
    """One sample per cue, cut from an episode's pose sequence.

    A sample's ``keypoints`` and ``scores`` are views into the episode's
    arrays (no copy). A cue is rejected if any of its frames lies beyond
    the end of the sequence, if it covers no frame, or if no keypoint is
    detected in its frames.

    Args:
        cues (list[Cue]): Usable cues (see :func:`select_cues`).
        pose (dict): The episode's ``keypoints`` (T, K, 2), ``scores``
            (T, K), ``width``, ``height`` and ``fps``.
        padding (float): Seconds added before and after each cue, clipped
            to the sequence.
        shift (float): Seconds added to every cue time first (e.g. +2.7 s
            moves audio-aligned subtitles towards the signing).
        signer (str, optional): The episode's signer, if known.
        file (str, optional): The pose file, named in rejects.

    Returns:
        tuple: The samples (data-contract dicts) and the rejects.
    """
    keypoints, scores, fps = pose['keypoints'], pose['scores'], pose['fps']
    num_frames = len(keypoints)
    samples, rejects = [], []
    for cue in cues:
        sid = cue_id(episode, cue.index)
        start, end = cue.start + shift, cue.end + shift
        first, stop = frame_span(start, end, fps)
        first = max(first, 0)
        problem = None
        if stop > num_frames:
            problem = (f'cue {start:.3f}-{end:.3f} s needs frames up to '
                       f'{stop - 1}, beyond the {num_frames} frames of the '
                       f'pose sequence ({num_frames / fps:.3f} s at '
                       f'{fps:g} fps)')
        elif stop <= first:
            problem = (f'cue {start:.3f}-{end:.3f} s covers no frame at '
                       f'{fps:g} fps')
        elif not scores[first:stop].any():
            problem = (f'no keypoint detected in frames {first}-{stop - 1} '
                       f'(cue {start:.3f}-{end:.3f} s)')
        if problem is not None:
            rejects.append(
                make_reject(
                    problem,
                    stage='invalid_sample',
                    id=sid,
                    split=split,
                    file=file))
            continue
        padded = frame_span(start - padding, end + padding, fps)
        window = slice(max(padded[0], 0), min(padded[1], num_frames))
        samples.append(
            dict(
                id=sid,
                text=cue.text,
                language=LANGUAGE,
                dataset=DATASET,
                signer=signer,
                keypoints=keypoints[window],  # (t, K, 2) view
                scores=scores[window],  # (t, K) view
                width=pose['width'],
                height=pose['height'],
                fps=fps))
    return samples, rejects
