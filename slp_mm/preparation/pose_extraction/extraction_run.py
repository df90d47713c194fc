"""One extraction run over a folder of videos: which videos this shard
takes, which are up to date, the run records that let an interrupted run
resume, and the refusal to mix two settings in one output folder
(``tools/data/extract_pose.py``)."""
import glob
import inspect
import json
import os
import os.path as osp
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from tqdm import tqdm

from slp_mm.registry import POSE_EXTRACTORS

from ..registered import get_registered
from .extract_video import build_pose_extractor
from .pose_file_writer import write_pose_file
from .pose_layouts import layout_components
from .video_frames import VIDEO_EXTENSIONS


def resolve_shard(shard: Optional[str],
                  environ: Mapping[str, str]) -> Tuple[int, int]:
    """(index, count) from ``I/N``, else from torchrun's variables, else
    (0, 1)."""
    if shard is not None:
        index, _, count = shard.partition('/')
        where = f'--shard {shard!r}'
    elif 'RANK' in environ or 'LOCAL_RANK' in environ:
        index = environ.get('RANK', environ.get('LOCAL_RANK'))
        count = environ.get('WORLD_SIZE', environ.get('LOCAL_WORLD_SIZE', 1))
        where = f'RANK/WORLD_SIZE ({index}/{count})'
    else:
        return 0, 1
    try:
        index, count = int(index), int(count)
    except ValueError:
        raise ValueError(f'{where}: expected I/N with integers') from None
    if not 0 <= index < count:
        raise ValueError(f'{where}: expected 0 <= I < N')
    return index, count


def find_videos(video_dir: str, extensions: Sequence[str]) -> List[str]:
    """Paths of the videos under a folder, relative to it, sorted."""
    extensions = tuple(e.lower() for e in extensions)
    return sorted(
        osp.relpath(osp.join(root, name), video_dir)
        for root, _, names in os.walk(video_dir) for name in names
        if name.lower().endswith(extensions))


def pose_path(out_dir: str, video: str) -> str:
    return osp.join(out_dir, osp.splitext(video)[0] + '.pose')


def is_up_to_date(out: str, video_path: str) -> bool:
    return osp.isfile(out) and osp.getmtime(out) >= osp.getmtime(video_path)


def run_file(out_dir: str, name: str, shard: Tuple[int, int]) -> str:
    """OUT_DIR/<name>.json, or a per-shard name when there are shards."""
    index, count = shard
    suffix = f'.shard-{index}-of-{count}' if count > 1 else ''
    return osp.join(out_dir, f'{name}{suffix}.json')


def _settings(backend: str, layout: str, options: Mapping) -> dict:
    """What makes two runs' .pose files alike, as JSON would record it;
    ``device`` is left out (it changes where a model runs, not what it
    is)."""
    options = {k: v for k, v in options.items() if k != 'device'}
    return json.loads(json.dumps(
        dict(backend=backend, layout=layout, options=options)))


def check_previous_runs(out_dir: str, backend: str, layout: str,
                        options: Mapping) -> None:
    """Refuse an OUT_DIR that an earlier run filled with another backend,
    layout or options.

    Up-to-date .pose files are skipped by modification time alone, so such
    a run would keep the old files beside the new ones and then overwrite
    the record of how they were made. Every record in OUT_DIR is checked
    (``extraction.json`` and each ``extraction.shard-I-of-N.json``), since
    another shard count writes other names over the same .pose files.

    Raises:
        ValueError: Naming the record and both settings, or a record that
            cannot be read.
    """
    current = _settings(backend, layout, options)
    pattern = glob.escape(out_dir)
    records = sorted(
        glob.glob(osp.join(pattern, 'extraction.json')) +
        glob.glob(osp.join(pattern, 'extraction.shard-*-of-*.json')))
    remedy = (f'use a new OUT_DIR, or delete {out_dir} to extract into it '
              'again')
    for path in records:
        try:
            with open(path, encoding='utf-8') as f:
                record = json.load(f)
            recorded = _settings(record['backend'], record['layout']['name'],
                                 record['options'])
        except (OSError, ValueError, KeyError, TypeError,
                AttributeError) as e:
            raise ValueError(
                f'{path}: cannot read the record of an earlier extraction '
                f'({type(e).__name__}: {e}); {remedy}') from e
        if recorded != current:
            raise ValueError(
                f'{path}: an earlier extraction into this OUT_DIR used '
                f'{recorded}, this run asks for {current}; its .pose files '
                f'would be kept and mixed with the new ones: {remedy}')


def check_backend_options(backend: str, options: Mapping,
                          device: Optional[str] = None) -> None:
    """Refuse options the backend's extractor does not take (``device`` is
    given on its own, and only to a backend that runs models on devices).

    Raises:
        ValueError: Naming the option and the backend's options.
    """
    params = inspect.signature(
        get_registered(POSE_EXTRACTORS, backend)).parameters
    for key in options:
        if key not in params or key == 'device':
            raise ValueError(f'--options {key}: not an option of the '
                             f'{backend} backend, which takes '
                             f'{sorted(set(params) - {"device"})}')
    if device and 'device' not in params:
        raise ValueError(f'--device: the {backend} backend runs on CPU')


def extract_videos(video_dir: str,
                   out_dir: str,
                   backend: str = 'mediapipe',
                   extensions: Sequence[str] = VIDEO_EXTENSIONS,
                   shard: Tuple[int, int] = (0, 1),
                   device: Optional[str] = None,
                   options: Optional[Mapping] = None) -> Dict[str, int]:
    """Extract the poses of this shard's videos under VIDEO_DIR into
    OUT_DIR/<path>/<name>.pose, skipping up-to-date files, recording each
    failed video (OUT_DIR/extraction_failures.json) and the run
    (OUT_DIR/extraction.json; per shard when there are shards).

    Args:
        video_dir (str): The folder searched for videos.
        out_dir (str): The output folder.
        backend (str): A name registered in ``POSE_EXTRACTORS``.
        extensions (Sequence[str]): Video file extensions.
        shard (tuple): (index, count), see :func:`resolve_shard`.
        device (str, optional): The model's device; ``cuda`` under torchrun
            means ``cuda:LOCAL_RANK``.
        options (Mapping, optional): The backend's keyword arguments.

    Returns:
        dict: The counts of videos, in shard, extracted, up to date and
        failed.

    Raises:
        ValueError: Two videos map to one .pose file, or OUT_DIR holds an
            extraction with other settings (:func:`check_previous_runs`).
    """
    extensions = list(extensions)
    videos = find_videos(video_dir, extensions)
    outputs = {}
    for video in videos:
        out = pose_path(out_dir, video)
        if out in outputs:
            raise ValueError(f'{outputs[out]} and {video} would both be '
                             f'written to {out}')
        outputs[out] = video
    index, count = shard
    mine = videos[index::count]
    options = dict(options or {})
    if device:
        local_rank = os.environ.get('LOCAL_RANK')
        options['device'] = (f'cuda:{local_rank}' if device == 'cuda'
                             and local_rank is not None else device)
    check_previous_runs(out_dir, backend,
                        get_registered(POSE_EXTRACTORS, backend).layout,
                        options)
    os.makedirs(out_dir, exist_ok=True)
    extractor = build_pose_extractor(backend, **options)
    counts = dict(
        videos=len(videos), in_shard=len(mine), extracted=0, up_to_date=0,
        failed=0)
    failures = []
    try:
        for video in tqdm(mine, desc=f'{backend} {index}/{count}',
                          unit='video'):
            src = osp.join(video_dir, video)
            out = pose_path(out_dir, video)
            if is_up_to_date(out, src):
                counts['up_to_date'] += 1
                continue
            try:
                pose = extractor.extract(src)
                os.makedirs(osp.dirname(out), exist_ok=True)
                write_pose_file(pose, out)
            except Exception as e:  # one bad video never stops the run
                failures.append(
                    dict(video=video, error=f'{type(e).__name__}: {e}'))
                counts['failed'] += 1
                tqdm.write(f'FAILED {video}: {failures[-1]["error"]}')
                continue
            counts['extracted'] += 1
    finally:
        extractor.close()
    components = layout_components(extractor.layout)
    _write_json(run_file(out_dir, 'extraction_failures', shard), failures)
    _write_json(
        run_file(out_dir, 'extraction', shard),
        dict(
            backend=backend,
            options=options,
            layout=dict(
                name=extractor.layout,
                num_keypoints=sum(len(c.points) for c in components),
                components={c.name: len(c.points)
                            for c in components}),
            video_dir=osp.abspath(video_dir),
            extensions=extensions,
            shard=list(shard),
            counts=counts))
    return counts


def _write_json(path: str, obj) -> None:
    """Write ``path`` whole or not at all (via ``<path>.partial``), so a
    shard starting meanwhile never reads half a record."""
    partial = path + '.partial'
    with open(partial, 'w', encoding='utf-8') as f:
        json.dump(obj, f, indent=2, ensure_ascii=False)
    os.replace(partial, path)
