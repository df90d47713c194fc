"""Loading a text tokenizer without downloads, and training a small one
offline (for the demo and tests, where no pretrained tokenizer exists)."""
import os
from typing import Dict, Iterable, Optional

# Data language code -> mBART-cc25 language token.
MBART_LANGUAGE_TOKENS: Dict[str, str] = dict(
    ar='ar_AR', cs='cs_CZ', de='de_DE', en='en_XX', es='es_XX', et='et_EE',
    fi='fi_FI', fr='fr_XX', gu='gu_IN', hi='hi_IN', it='it_IT', ja='ja_XX',
    kk='kk_KZ', ko='ko_KR', lt='lt_LT', lv='lv_LV', my='my_MM', ne='ne_NP',
    nl='nl_XX', ro='ro_RO', ru='ru_RU', si='si_LK', tr='tr_TR', vi='vi_VN',
    zh='zh_CN')
# mBART's special-token order, kept so pad = 1 and eos = 2 everywhere.
SPECIAL_TOKENS = ['<s>', '<pad>', '</s>', '<unk>']


def load_tokenizer(name_or_path: str):
    """``AutoTokenizer.from_pretrained`` from local files only.

    Raises a clear error (instead of trying the network) when the tokenizer
    is neither a local directory nor in the Hugging Face cache.
    """
    from transformers import AutoTokenizer
    try:
        return AutoTokenizer.from_pretrained(
            name_or_path, local_files_only=True)
    except (OSError, ValueError) as e:
        if os.path.isdir(name_or_path):
            raise FileNotFoundError(f'{name_or_path}: not a tokenizer '
                                    f'directory ({e})') from e
        # a relative path in a config is read from the working directory,
        # which is where a command run elsewhere goes wrong
        relative = ('' if os.path.isabs(name_or_path) else
                    f' under the working directory {os.getcwd()}')
        raise FileNotFoundError(
            f'Tokenizer {name_or_path!r} is not available offline: no such '
            f'local directory{relative}, and not in the Hugging Face cache '
            '(huggingface-cli download puts it there)') from e


def train_tokenizer(sentences: Iterable[str],
                    out_dir: str,
                    vocab_size: int = 1000,
                    language_tokens: Optional[Dict[str, str]] = None):
    """Train a BPE tokenizer on ``sentences`` and save it for
    ``AutoTokenizer``.

    Special tokens follow mBART (``<s>`` 0, ``<pad>`` 1, ``</s>`` 2,
    ``<unk>`` 3) and the language tokens come next, so models and data
    preprocessors configured for mBART work unchanged.
    """
    from tokenizers import Tokenizer, decoders, models, normalizers
    from tokenizers import pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    lang_tokens = sorted(set((language_tokens
                              or MBART_LANGUAGE_TOKENS).values()))
    tok = Tokenizer(models.BPE(unk_token='<unk>'))
    tok.normalizer = normalizers.NFKC()
    tok.pre_tokenizer = pre_tokenizers.Metaspace()
    tok.decoder = decoders.Metaspace()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=SPECIAL_TOKENS + lang_tokens,
        show_progress=False)
    tok.train_from_iterator(list(sentences), trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token='<s>',
        pad_token='<pad>',
        eos_token='</s>',
        unk_token='<unk>',
        additional_special_tokens=lang_tokens)
    os.makedirs(out_dir, exist_ok=True)
    fast.save_pretrained(out_dir)
    return fast
