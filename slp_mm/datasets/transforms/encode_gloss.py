from typing import Optional

from mmcv.transforms import BaseTransform
from mmengine.logging import print_log

from slp_mm.registry import TRANSFORMS
from slp_mm.structures import GlossVocabulary


@TRANSFORMS.register_module()
class EncodeGloss(BaseTransform):
    """Gloss sequence -> vocabulary indexes, the CTC target.

    A sample with no glosses, or (with ``on_unknown='skip'``) a gloss outside
    the vocabulary, is skipped with a warning naming the sample and the
    glosses; :class:`SignPoseDataset` counts the skip.

    Required keys: ``gloss`` (list of str), ``id``; ``gloss_vocab_file``
    when no ``gloss_vocab`` is given (:class:`SignPoseDataset` sets it from
    its ``gloss_vocab``).
    Added keys: ``gloss_ids`` (list of int).

    Args:
        gloss_vocab (str, optional): JSON written by
            ``tools/data/build_gloss_vocab.py``; default: the sample's
            ``gloss_vocab_file``.
        on_unknown (str): ``'error'`` or ``'skip'``.
        vocab_file: The former name of ``gloss_vocab``, refused with a
            message naming the new one.
    """

    def __init__(self,
                 gloss_vocab: Optional[str] = None,
                 on_unknown: str = 'skip',
                 vocab_file: Optional[str] = None) -> None:
        if vocab_file is not None:
            raise TypeError('EncodeGloss: vocab_file was renamed gloss_vocab '
                            '(the gloss vocabulary has one name in configs)')
        if on_unknown not in ('error', 'skip'):
            raise ValueError(f"on_unknown must be 'error' or 'skip', got "
                             f'{on_unknown!r}')
        self.gloss_vocab = gloss_vocab
        self._vocabs = {}  # path -> GlossVocabulary, loaded on first use
        if gloss_vocab is not None:
            self.vocab(gloss_vocab)
        self.on_unknown = on_unknown

    def vocab(self, path: Optional[str]) -> GlossVocabulary:
        """The vocabulary at ``path``, loaded once."""
        if path is None:
            raise ValueError(
                'EncodeGloss has no gloss_vocab and the sample has no '
                'gloss_vocab_file: give the dataset a gloss_vocab (or the '
                'transform one)')
        if path not in self._vocabs:
            self._vocabs[path] = GlossVocabulary.load(path)
        return self._vocabs[path]

    def transform(self, results: dict) -> Optional[dict]:
        gloss = results.get('gloss') or []
        sid = results.get('id')
        if not gloss:
            print_log(f"Skipping sample {sid!r}: field 'gloss' is empty",
                      logger='current', level=30)
            return None
        # a missing vocabulary is a config error, never a skipped sample
        vocab = self.vocab(self.gloss_vocab or results.get('gloss_vocab_file'))
        try:
            results['gloss_ids'] = vocab.encode(gloss)
        except KeyError as e:
            msg = f"Sample {sid!r}: field 'gloss': {e.args[0]}"
            if self.on_unknown == 'error':
                raise KeyError(msg) from e
            print_log(f'Skipping {msg}', logger='current', level=30)
            return None
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(gloss_vocab={self.gloss_vocab!r}, '
                f'on_unknown={self.on_unknown!r})')
