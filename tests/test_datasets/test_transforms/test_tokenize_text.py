import os.path as osp

import pytest
import torch

from slp_mm.datasets.transforms import TokenizeText
from slp_mm.structures import load_tokenizer


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


def test_truncation_is_counted_and_logged_once(synthetic_corpus, caplog):
    import logging

    from mmengine.logging import MMLogger
    path = osp.join(synthetic_corpus, 'tokenizer')
    n = len(load_tokenizer(path)('Apfel Haus Wasser Schule Regen Zug',
                                 add_special_tokens=False)['input_ids'])
    assert n > 2
    t = TokenizeText(path, max_length=4)
    logger = MMLogger.get_current_instance()
    logger.addHandler(caplog.handler)
    try:
        with caplog.at_level(logging.WARNING, logger=logger.name):
            for _ in range(2):  # a second epoch: no second count or log
                t.transform(dict(id='long-1', text='Apfel Haus Wasser '
                                 'Schule Regen Zug', language='de'))
            t.transform(dict(id='short', text='Apfel', language='de'))
            t.transform(dict(id='long-2', text='Zug Regen Schule Haus',
                             language='de'))
    finally:
        logger.removeHandler(caplog.handler)
    assert t.num_truncated == 2
    warnings = [r.getMessage() for r in caplog.records
                if r.levelno == logging.WARNING]
    assert len(warnings) == 2, warnings
    assert "'long-1'" in warnings[0]
    assert f'{n} tokens, kept 2' in warnings[0]
    assert "'long-2'" in warnings[1]
    # a fresh transform (e.g. another worker process) counts from zero
    assert TokenizeText(path, max_length=4).num_truncated == 0


def test_repeated_sentences_are_tokenised_once(synthetic_corpus, monkeypatch):
    path = osp.join(synthetic_corpus, 'tokenizer')
    cached, uncached = TokenizeText(path), TokenizeText(path, cache_size=0)
    calls = []

    class Counting:  # the tokenizer, counting sentences it encodes
        def __init__(self, tok):
            self.tok = tok

        def __call__(self, text, **kwargs):
            calls.append(text)
            return self.tok(text, **kwargs)

        def __getattr__(self, name):
            return getattr(self.tok, name)

    monkeypatch.setattr(cached, '_tokenizer', Counting(cached.tokenizer))
    sentences = [('This word is apple.', 'en'), ('Ein Satz.', 'de')] * 3
    for i, (text, lang) in enumerate(sentences):
        sample = dict(id=f's{i}', text=text, language=lang)
        got = cached.transform(dict(sample))['text_ids']
        assert torch.equal(got, uncached.transform(dict(sample))['text_ids'])
        got.fill_(0)  # the sample's own copy: the cached ids stay intact
    assert len(calls) == 2  # once per (sentence, language)


def test_cached_truncation_is_still_counted_per_sample(synthetic_corpus):
    path = osp.join(synthetic_corpus, 'tokenizer')
    t = TokenizeText(path, max_length=4)
    long = 'Apfel Haus Wasser Schule Regen Zug'
    for sid in ('a', 'b', 'a'):
        assert len(t.transform(dict(id=sid, text=long,
                                    language='de'))['text_ids']) == 4
    assert t.num_truncated == 2  # samples a and b, a once
