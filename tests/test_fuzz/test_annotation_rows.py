"""Damaged annotation rows of the PHOENIX-2014(-T), CSL-Daily and How2Sign
loaders: every clean row becomes a record with its fields, every damaged
row a reject naming the file and line; the file's other rows still load."""
from typing import NamedTuple, Optional

import pytest
from hypothesis import given
from hypothesis import strategies as st

from slp_mm.preparation.converters import csl_daily, how2sign, phoenix2014, \
    phoenix2014t
from .case_outcomes import count


class Loader(NamedTuple):
    module: object
    file: str  # the train split's annotation file
    sep: str
    id_column: str
    gloss_column: Optional[str]
    text_column: Optional[str]
    fixed: dict  # clean values of fields with a constrained format
    gloss_chars: str = ''  # the dataset's gloss script (gloss_characters.py)


# printable ASCII but the separator
PHOENIX_GLOSS = ''.join(chr(c) for c in range(33, 127) if chr(c) != '|')
LOADERS = dict(
    phoenix2014t=Loader(phoenix2014t, 'PHOENIX-2014-T.train.corpus.csv', '|',
                        'name', 'orth', 'translation', {}, PHOENIX_GLOSS),
    phoenix2014=Loader(phoenix2014, 'phoenix-2014-multisigner.train.corpus'
                       '.csv', '|', 'id', 'annotation', None, {},
                       PHOENIX_GLOSS),
    csl_daily=Loader(csl_daily, 'csl-daily.corpus.csv', '|', 'name', 'gloss',
                     'text', dict(split='train', num_frames='12'),
                     PHOENIX_GLOSS + '中文手语'),
    how2sign=Loader(how2sign, 'how2sign_realigned_train.csv', '\t',
                    'SENTENCE_NAME', None, 'SENTENCE', {}))
DAMAGE = ('missing_field', 'extra_separator', 'empty_required', 'non_utf8',
          'duplicate_id')

# any text but separators and line ends; U+2028 and U+0085 are not line
# ends in a CSV file
field_text = st.text(
    st.characters(blacklist_characters='|\t\r\n',
                  blacklist_categories=('Cs', )),
    min_size=1, max_size=8).filter(str.strip)


@st.composite
def annotation_file(draw, loader: Loader):
    """(file bytes, [(line number, row fields or None if damaged)])."""
    columns = loader.module.COLUMNS
    lines = [loader.sep.join(columns).encode()]
    rows = []
    for i in range(draw(st.integers(1, 6))):
        if draw(st.integers(0, 4)) == 0:
            lines.append(draw(st.sampled_from([b'', b'  ', b'\t'])))
        fields = {c: loader.fixed.get(c) or draw(field_text) for c in columns}
        if loader.gloss_column:
            fields[loader.gloss_column] = draw(
                st.text(loader.gloss_chars + ' ', min_size=1,
                        max_size=12).filter(str.strip))
        fields[loader.id_column] = f'clip{i}'
        damage = draw(st.sampled_from(DAMAGE)) if i and draw(
            st.booleans()) else None
        if damage == 'empty_required':
            fields[draw(st.sampled_from(loader.module.REQUIRED))] = ' '
        elif damage == 'duplicate_id':
            fields[loader.id_column] = 'clip0'
        values = [fields[c] for c in columns]
        if damage == 'missing_field':
            values.pop(draw(st.integers(0, len(values) - 1)))
        elif damage == 'extra_separator':
            at = draw(st.integers(0, len(values) - 1))
            values[at] += loader.sep + draw(field_text)
        line = loader.sep.join(values).encode()
        if damage == 'non_utf8':
            at = draw(st.integers(0, len(line)))
            line = line[:at] + draw(st.sampled_from([b'\xff', b'\xc3',
                                                     b'\xed\xa0\x80'])) \
                + line[at:]
        lines.append(line)
        rows.append((len(lines), None if damage else fields))
    ending = draw(st.sampled_from([b'\n', b'\r\n']))
    return ending.join(lines) + ending, rows


@pytest.mark.parametrize('name', sorted(LOADERS))
@given(data=st.data())
def test_damaged_rows_are_rejected_and_the_rest_loads(tmp_path_factory, name,
                                                      data):
    loader = LOADERS[name]
    content, rows = data.draw(annotation_file(loader), label='file')
    ann_dir = tmp_path_factory.mktemp(name)
    path = str(ann_dir / loader.file)
    with open(path, 'wb') as f:
        f.write(content)
    annotations = getattr(loader.module, f'load_{name}')(
        str(ann_dir), splits=('train', ))
    clean = [(line, fields) for line, fields in rows if fields is not None]
    records = annotations.records['train']
    assert [r['id'] for r in records] == [f[loader.id_column]
                                          for _, f in clean]
    for record, (_, fields) in zip(records, clean):
        gloss, text = loader.gloss_column, loader.text_column
        assert record['gloss'] == (fields[gloss].split() if gloss else [])
        assert record['text'] == (fields[text].strip() if text else None)
    assert sorted(r['line'] for r in annotations.rejects) == \
        [line for line, fields in rows if fields is None]
    assert all(r['file'] == path for r in annotations.rejects)
    count(f'{name} annotation file',
          'rows rejected' if annotations.rejects else 'all rows loaded')


@pytest.mark.parametrize('name', sorted(LOADERS))
@given(content=st.binary(max_size=64))
def test_foreign_file_is_refused_naming_it(tmp_path_factory, name, content):
    """A file whose first line is not the header: no row can be trusted."""
    loader = LOADERS[name]
    ann_dir = tmp_path_factory.mktemp(name)
    path = str(ann_dir / loader.file)
    with open(path, 'wb') as f:
        f.write(content)
    with pytest.raises(ValueError, match=f'{path}, line 1: header is'):
        getattr(loader.module, f'load_{name}')(str(ann_dir),
                                               splits=('train', ))
    count(f'{name} annotation file', 'refused')
