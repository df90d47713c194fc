"""The gloss vocabulary of a CSLR dataset (index 0 is the CTC blank)."""
import json
from typing import Iterable, List, Sequence

BLANK = '<blank>'


class GlossVocabulary:
    """Gloss <-> index, built from a training split and saved as JSON.

    Args:
        glosses (Sequence[str]): The glosses, in index order after the
            blank.
    """

    def __init__(self, glosses: Sequence[str]) -> None:
        self.tokens = [BLANK] + [g for g in glosses if g != BLANK]
        self.index = {g: i for i, g in enumerate(self.tokens)}
        if len(self.index) != len(self.tokens):
            raise ValueError('the gloss vocabulary has duplicate glosses')

    blank_id = 0

    def __len__(self) -> int:
        return len(self.tokens)

    @classmethod
    def build(cls, sequences: Iterable[Sequence[str]]) -> 'GlossVocabulary':
        """Every gloss of the sequences, sorted for a stable order."""
        return cls(sorted({g for seq in sequences for g in seq}))

    @classmethod
    def load(cls, path: str) -> 'GlossVocabulary':
        with open(path, encoding='utf-8') as f:
            data = json.load(f)
        if data.get('tokens', [None])[0] != BLANK:
            raise ValueError(f'{path}: field "tokens" must start with '
                             f'{BLANK!r}')
        return cls(data['tokens'][1:])

    def save(self, path: str) -> None:
        with open(path, 'w', encoding='utf-8') as f:
            json.dump(dict(tokens=self.tokens), f, ensure_ascii=False,
                      indent=0)

    def encode(self, glosses: Sequence[str]) -> List[int]:
        """Indexes of the glosses; an unknown gloss raises KeyError."""
        unknown = [g for g in glosses if g not in self.index]
        if unknown:
            raise KeyError(f'glosses not in the vocabulary: {unknown}')
        return [self.index[g] for g in glosses]

    def decode(self, ids: Iterable[int]) -> List[str]:
        return [self.tokens[i] for i in ids if i != self.blank_id]
