"""The data sample that travels with one sign sequence through the pipeline."""
import torch
from mmengine.structures import BaseDataElement


class SignDataSample(BaseDataElement):
    """Annotations and per-sample tensors of one sign sequence.

    Metainfo (set once by the dataset): ``sample_id``, ``dataset``,
    ``signer``, ``language``, ``text`` (``None`` when unpaired), ``gloss``,
    ``num_frames``, ``width``, ``height``, ``fps``.

    Data fields (set by transforms / heads):
        - ``text_ids`` (L,) long: token ids, sentence then language token.
        - ``mpm_mask`` (T, K) bool: joints hidden from the encoder for masked
          pose modelling.
        - ``gt_label`` (1,) long: class index for recognition.
        - ``gloss_ids`` (L,) long: gloss indexes for CTC recognition.
        - ``clip_embeds``, ``clip_mask``, ``word_embeds``, ``word_mask`` and
          the STC head's ``word_temperature``: set by
          ``SignPretrainer.predict`` for retrieval; ``pred_score`` /
          ``pred_label`` (ISLR), ``pred_gloss`` (CSLR) by recognizers.
    """

    @property
    def is_paired(self) -> bool:
        """Whether the sample has a sentence (and so takes part in STC)."""
        return self.get('text_ids', None) is not None

    @property
    def text_ids(self) -> torch.Tensor:
        return self._text_ids

    @text_ids.setter
    def text_ids(self, value) -> None:
        self.set_field(torch.as_tensor(value, dtype=torch.long), '_text_ids',
                       dtype=torch.Tensor)

    @text_ids.deleter
    def text_ids(self) -> None:
        del self._text_ids

    @property
    def mpm_mask(self) -> torch.Tensor:
        return self._mpm_mask

    @mpm_mask.setter
    def mpm_mask(self, value) -> None:
        self.set_field(torch.as_tensor(value, dtype=torch.bool), '_mpm_mask',
                       dtype=torch.Tensor)

    @mpm_mask.deleter
    def mpm_mask(self) -> None:
        del self._mpm_mask

    @property
    def gloss_ids(self) -> torch.Tensor:
        return self._gloss_ids

    @gloss_ids.setter
    def gloss_ids(self, value) -> None:
        self.set_field(torch.as_tensor(value, dtype=torch.long),
                       '_gloss_ids', dtype=torch.Tensor)

    @gloss_ids.deleter
    def gloss_ids(self) -> None:
        del self._gloss_ids

    @property
    def gt_label(self) -> torch.Tensor:
        return self._gt_label

    @gt_label.setter
    def gt_label(self, value) -> None:
        self.set_field(
            torch.as_tensor(value, dtype=torch.long).reshape(-1), '_gt_label',
            dtype=torch.Tensor)

    @gt_label.deleter
    def gt_label(self) -> None:
        del self._gt_label

