"""Damaged WLASL / MS-ASL annotation JSON: a file that is not the expected
kind is refused with a ValueError naming it; a bad entry becomes a reject
naming the file, and the good ones load with valid labels."""
import json

from hypothesis import example, given
from hypothesis import strategies as st

from slp_mm.preparation.converters import load_msasl, load_wlasl
from slp_mm.preparation.converters.base import SPLITS
from .case_outcomes import read_or_refuse
from .mutations import damaged_json

name = st.text('abcxyz ', min_size=1, max_size=5).filter(str.strip)
split = st.sampled_from(['train', 'val', 'test'])
MAX_GLOSSES = 4
wlasl = st.lists(
    st.fixed_dictionaries(
        dict(
            gloss=name,
            instances=st.lists(
                st.fixed_dictionaries(
                    dict(video_id=name, split=split,
                         signer_id=st.integers(0, 9))),
                max_size=3))),
    min_size=1, max_size=MAX_GLOSSES)
msasl_clips = st.lists(
    st.fixed_dictionaries(
        dict(label=st.integers(0, 2), signer_id=st.integers(0, 9)),
        optional=dict(text=st.sampled_from(['a', 'b', 'c']))),
    max_size=4)


def _check(annotations, files, num_classes):
    for split, records in annotations.records.items():
        assert split in SPLITS
        for record in records:
            assert isinstance(record['id'], str) and record['id']
            assert 0 <= record['label'] < num_classes
    assert all(r['file'] in files for r in annotations.rejects)


@given(text=damaged_json(wlasl))
@example(text='[' * 100000)
@example(text='[{"gloss": "a", "instances": [{"video_id": "v", '
         '"split": ["train"], "signer_id": 1}]}]')  # unhashable split
def test_damaged_wlasl(tmp_path_factory, text):
    ann_dir = tmp_path_factory.mktemp('wlasl')
    path = str(ann_dir / 'WLASL_v0.3.json')
    with open(path, 'w') as f:
        f.write(text)
    annotations = read_or_refuse('WLASL JSON',
                                 lambda: load_wlasl(str(ann_dir)), path)
    if annotations is not None:
        _check(annotations, [path], MAX_GLOSSES)


@given(
    file=st.sampled_from(['MSASL_classes.json', 'MSASL_train.json']),
    data=st.data())
def test_damaged_msasl(tmp_path_factory, file, data):
    ann_dir = tmp_path_factory.mktemp('msasl')
    documents = {
        'MSASL_classes.json': ['a', 'b', 'c'],
        'MSASL_train.json': data.draw(msasl_clips, label='clips'),
    }
    for name_, document in documents.items():
        with open(ann_dir / name_, 'w') as f:
            f.write(json.dumps(document))
    text = data.draw(damaged_json(st.just(documents[file])), label=file)
    path = str(ann_dir / file)
    with open(path, 'w') as f:
        f.write(text)
    annotations = read_or_refuse(
        'MS-ASL JSON', lambda: load_msasl(str(ann_dir), splits=('train', )),
        path)
    if annotations is not None:
        _check(annotations, [str(ann_dir / 'MSASL_train.json')], 3)
