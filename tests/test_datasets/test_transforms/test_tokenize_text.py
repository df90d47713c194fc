import os.path as osp

import pytest

from slp_mm.datasets import load_tokenizer
from slp_mm.datasets.transforms import TokenizeText


def test_language_token_follows_sentence(synthetic_corpus):
    path = osp.join(synthetic_corpus, 'tokenizer')
    tok = load_tokenizer(path)
    t = TokenizeText(path, max_length=128)
    for lang, code in [('en', 'en_XX'), ('de', 'de_DE'), ('zh', 'zh_CN')]:
        ids = t.transform(dict(id='a', text='This word is apple.',
                               language=lang))['text_ids']
        assert ids[-1] == tok.convert_tokens_to_ids(code)
        assert ids[-2] == tok.eos_token_id == 2
        assert tok.decode(ids[:-2]).strip() == 'This word is apple.'


def test_truncation_keeps_language_token(synthetic_corpus):
    path = osp.join(synthetic_corpus, 'tokenizer')
    ids = TokenizeText(path, max_length=4).transform(
        dict(id='a', text='Apfel Haus Wasser Schule Regen Zug',
             language='de'))['text_ids']
    assert len(ids) == 4
    assert ids[-1] == load_tokenizer(path).convert_tokens_to_ids('de_DE')


def test_unpaired_and_unknown_language(synthetic_corpus):
    path = osp.join(synthetic_corpus, 'tokenizer')
    t = TokenizeText(path)
    assert t.transform(dict(id='a', text=None, language=None))[
        'text_ids'] is None
    with pytest.raises(KeyError, match="'clip-9'.*'language' is 'xx'"):
        t.transform(dict(id='clip-9', text='Hi.', language='xx'))


def test_missing_tokenizer_is_a_clear_error(tmp_path):
    t = TokenizeText(str(tmp_path / 'nope'))
    with pytest.raises(FileNotFoundError, match='not available offline'):
        t.transform(dict(id='a', text='Hi.', language='en'))
