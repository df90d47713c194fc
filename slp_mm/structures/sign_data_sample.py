"""The data sample that travels with one sign sequence through the pipeline."""
from functools import lru_cache
from typing import Any, Callable

import torch
from mmengine.structures import BaseDataElement


def _typed_field(name: str, convert: Callable[[Any], Any],
                 dtype: type) -> property:
    """A data field stored as ``_<name>``, converted on assignment (as
    mmengine's data samples type theirs with properties)."""
    private = f'_{name}'

    def fset(self, value) -> None:
        value = convert(value)
        if not isinstance(value, dtype):
            raise TypeError(f'{name} must be a {dtype.__name__}, got '
                            f'{type(value).__name__} {value!r}')
        self.set_field(value, private, dtype=dtype)

    def fdel(self) -> None:
        delattr(self, private)

    return property(lambda self: getattr(self, private), fset, fdel,
                    f'The ``{name}`` field ({dtype.__name__}).')


def _tensor(dtype=None) -> Callable[[Any], torch.Tensor]:
    """A tensor of ``dtype`` (None: the value's own, e.g. float16 under
    mixed precision)."""
    return lambda value: torch.as_tensor(value, dtype=dtype)


def _label(value) -> torch.Tensor:
    """A class index as a (1,) long tensor."""
    return torch.as_tensor(value, dtype=torch.long).reshape(-1)


def _gloss_list(value) -> list:
    """A gloss sequence: a list of strings (a string would be scored by its
    characters, so it is refused)."""
    if isinstance(value, str) or not all(isinstance(g, str) for g in value):
        raise TypeError(f'pred_gloss must be a list of gloss strings, got '
                        f'{value!r}')
    return list(value)


# tensor dtypes a numpy array holds exactly
_NUMPY_DTYPES = (torch.bool, torch.uint8, torch.int8, torch.int16, torch.int32,
                 torch.int64, torch.float16, torch.float32, torch.float64)


class _TensorByValue:
    """A CPU tensor's values in a pickle (see
    :meth:`SignDataSample.__getstate__`)."""
    __slots__ = ('array', )

    def __init__(self, array) -> None:
        self.array = array

    def __reduce__(self):
        return _TensorByValue, (self.array, )


@lru_cache(maxsize=None)
def _class_names(cls: type) -> frozenset:
    """Attribute names of a class (properties, methods)."""
    return frozenset(dir(cls))


class SignDataSample(BaseDataElement):
    """Annotations and per-sample tensors of one sign sequence.

    Metainfo (set once by the dataset): ``sample_id``, ``dataset``,
    ``signer``, ``language``, ``text`` (``None`` when unpaired), ``gloss``,
    ``num_frames``, ``width``, ``height``, ``fps``.

    Data fields (set by transforms):
        - ``text_ids`` (L,) long: token ids, sentence then language token.
        - ``mpm_mask`` (T, K) bool: joints hidden from the encoder for masked
          pose modelling.
        - ``gt_label`` (1,) long: class index for recognition.
        - ``gloss_ids`` (L,) long: gloss indexes for CTC recognition.

    Predictions (set by the heads' ``predict``, read by the metrics and the
    inferencer; typed, so a metric never looks for them in the metainfo):
        - ``pred_score`` (C,) float and ``pred_label`` (1,) long: ISLR class
          probabilities and the best class (``SignInferencer`` also puts a
          sign-text model's scores of its C gallery sentences in
          ``pred_score``).
        - ``pred_gloss`` (list of str) and ``pred_gloss_ids`` (L,) long: the
          decoded CSLR gloss sequence.
        - ``pred_text`` (str): the GF-SLT translation.
        - ``clip_embeds`` (T', E) float with ``clip_mask`` (T',) bool,
          ``word_embeds`` (L, E) float with ``word_mask`` (L,) bool and the
          STC head's ``word_temperature`` (float): the L2-normalised sign
          and sentence embeddings of sign-text retrieval.
    """

    def set_metainfo(self, metainfo: dict) -> None:
        """Set metainfo; a typed field (a prediction, a label) is refused
        there, so every reader finds it in one place."""
        typed = sorted(k for k in metainfo
                       if isinstance(getattr(type(self), k, None), property))
        if typed:
            raise KeyError(f'{typed} are typed data fields of SignDataSample, '
                           f'not metainfo: assign them (sample.{typed[0]} = '
                           '...)')
        super().set_metainfo(metainfo)

    def set_own_metainfo(self, metainfo: dict) -> None:
        """Set metainfo values this sample owns (read fresh from the corpus)
        as they are: mmengine's ``set_metainfo`` deep-copies each and sets
        it through ``set_field`` (~1.3 us a key, a third of packing a
        sample); this is one update, with the same refusals."""
        typed = sorted(_class_names(type(self)).intersection(metainfo))
        clash = sorted(self._data_fields.intersection(metainfo))
        if typed or clash:
            raise KeyError(f'{typed or clash} cannot be metainfo of '
                           'SignDataSample (typed or data fields)')
        self._metainfo_fields.update(metainfo)
        self.__dict__.update(metainfo)

    def __getstate__(self) -> dict:
        """Pickle its CPU tensors by value, as numpy arrays.

        A data sample crosses from a DataLoader worker to the training
        process pickled by torch's ``ForkingPickler``, which moves every
        tensor into a shared-memory segment of its own: for the few dozen
        token ids of a sample that costs ~350 us to send and ~150 us to
        receive, several times the whole pipeline of the sample
        (docs/benchmarks.md, 'Loader workers'). By value it is a copy of a
        few hundred bytes.
        """
        state = self.__dict__.copy()
        for key, value in state.items():
            if (isinstance(value, torch.Tensor) and value.device.type == 'cpu'
                    and not value.requires_grad
                    and value.dtype in _NUMPY_DTYPES):
                state[key] = _TensorByValue(value.numpy())
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update({
            key: torch.from_numpy(value.array)
            if isinstance(value, _TensorByValue) else value
            for key, value in state.items()
        })

    @property
    def is_paired(self) -> bool:
        """Whether the sample has a sentence (and so takes part in STC)."""
        return self.get('text_ids', None) is not None

    text_ids = _typed_field('text_ids', _tensor(torch.long), torch.Tensor)
    mpm_mask = _typed_field('mpm_mask', _tensor(torch.bool), torch.Tensor)
    gloss_ids = _typed_field('gloss_ids', _tensor(torch.long), torch.Tensor)
    gt_label = _typed_field('gt_label', _label, torch.Tensor)

    # -- predictions --------------------------------------------------------
    pred_score = _typed_field('pred_score', _tensor(), torch.Tensor)
    pred_label = _typed_field('pred_label', _label, torch.Tensor)
    pred_gloss = _typed_field('pred_gloss', _gloss_list, list)
    pred_gloss_ids = _typed_field('pred_gloss_ids', _tensor(torch.long),
                                  torch.Tensor)
    pred_text = _typed_field('pred_text', lambda v: v, str)
    clip_embeds = _typed_field('clip_embeds', _tensor(), torch.Tensor)
    clip_mask = _typed_field('clip_mask', _tensor(torch.bool), torch.Tensor)
    word_embeds = _typed_field('word_embeds', _tensor(), torch.Tensor)
    word_mask = _typed_field('word_mask', _tensor(torch.bool), torch.Tensor)
    word_temperature = _typed_field('word_temperature', float, float)
