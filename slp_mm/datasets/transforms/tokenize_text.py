from typing import Dict, Optional, Tuple

import torch
from mmcv.transforms import BaseTransform
from mmengine.logging import print_log

from slp_mm.registry import TRANSFORMS
from slp_mm.structures.tokenizer import MBART_LANGUAGE_TOKENS, load_tokenizer


@TRANSFORMS.register_module()
class TokenizeText(BaseTransform):
    """Tokenise the sentence and put the language token after it.

    The ids follow mBART's source format: ``sentence </s> <lang>``, so one
    multilingual text encoder tells the languages apart. Unpaired samples
    (``text`` is ``None``) get no ids and take no part in contrastive
    learning. The tokenizer is loaded lazily, once per worker process.

    Required keys: ``text``, ``language``, ``id``.
    Added keys: ``text_ids`` (L,) long tensor (a copy of the cached ids),
    ``L <= max_length``.

    A sentence longer than ``max_length`` keeps its first tokens. Each
    truncated sentence (sample ``id`` and text) is counted in
    ``num_truncated`` and logged once, with its original and kept token
    counts, at WARNING level; both are per process (each dataloader worker
    counts its own).

    Args:
        tokenizer (str): Name or local path for
            ``transformers.AutoTokenizer`` (loaded with
            ``local_files_only=True``: no download).
        max_length (int): Longest id sequence, language token included.
        language_tokens (Dict[str, str], optional): Language code of the
            data -> token of the tokenizer. Defaults to mBART's codes.
        cache_size (int): Sentences whose ids are kept (per process;
            emptied when full). Sentences repeat heavily (isolated-sign
            words, shared sentences), and a lookup costs ~1 us against
            ~100 us for the tokenizer.
    """

    def __init__(self,
                 tokenizer: str,
                 max_length: int = 128,
                 language_tokens: Optional[Dict[str, str]] = None,
                 cache_size: int = 65536) -> None:
        if max_length < 3:
            raise ValueError(f'max_length must be >= 3, got {max_length}')
        self.tokenizer_name = tokenizer
        self.max_length = max_length
        self.language_tokens = dict(language_tokens or MBART_LANGUAGE_TOKENS)
        self.cache_size = cache_size
        self._tokenizer = None
        self._cache = {}  # (sentence, language) -> (num tokens, (L,) ids)
        self.num_truncated = 0
        self._truncated = set()

    @property
    def tokenizer(self):
        if self._tokenizer is None:
            self._tokenizer = load_tokenizer(self.tokenizer_name)
        return self._tokenizer

    def transform(self, results: dict) -> dict:
        text = results.get('text')
        if text is None:
            results['text_ids'] = None
            return results
        key = (text, results.get('language'))
        if key not in self._cache:
            if len(self._cache) >= self.cache_size:
                self._cache.clear()
            self._cache[key] = self._encode(*key, results.get('id'))
        num_tokens, ids = self._cache[key]
        sample = (results.get('id'), text)
        if num_tokens > self.max_length - 2 and sample not in self._truncated:
            self._truncated.add(sample)  # once per sentence, not per epoch
            self.num_truncated += 1
            print_log(
                f'Truncating the sentence of sample {sample[0]!r}: '
                f'{num_tokens} tokens, kept {self.max_length - 2} '
                f'(max_length={self.max_length} with </s> and the language '
                'token)',
                logger='current',
                level=30)
        results['text_ids'] = ids.clone()  # the sample's own
        return results

    def _encode(self, text: str, lang: str,
                sample_id) -> Tuple[int, torch.Tensor]:
        """The sentence's token count and its ids ``sentence </s> <lang>``
        cut to ``max_length``."""
        tok = self.tokenizer
        lang_token = self.language_tokens.get(lang)
        lang_id = (tok.convert_tokens_to_ids(lang_token)
                   if lang_token is not None else None)
        if lang_id is None or lang_id == tok.unk_token_id:
            raise KeyError(
                f"Sample {sample_id!r}: field 'language' is {lang!r}, "
                f'which has no language token in tokenizer '
                f'{self.tokenizer_name!r} (mapped to {lang_token!r}); known '
                f'languages: {sorted(self.language_tokens)}')
        ids = tok(text, add_special_tokens=False)['input_ids']
        return len(ids), torch.tensor(
            ids[:self.max_length - 2] + [tok.eos_token_id, lang_id])

    def __getstate__(self):  # tokenizers are rebuilt in each worker
        state = self.__dict__.copy()
        state['_tokenizer'] = None
        return state

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(tokenizer='
                f'{self.tokenizer_name!r}, max_length={self.max_length})')
