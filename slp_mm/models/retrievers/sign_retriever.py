from typing import Optional

from slp_mm.registry import MODELS
from ..pretrainers import SignPretrainer


@MODELS.register_module()
class SignRetriever(SignPretrainer):
    """Sign-text retrieval (SL-RT): the pre-training model fine-tuned with the
    sign-text contrastive loss only.

    Training is :class:`SignPretrainer`'s STC (fine-grained by default;
    ``stc_head.granularity='coarse'`` for the [CLS]/mean variant); ``predict``
    gives the clip and word embeddings that :class:`RetrievalMetric` scores
    over the whole test set. MPM can be kept as an auxiliary loss by giving
    an ``mpm_head``.
    """

    def __init__(self,
                 embedder: dict,
                 encoder: dict,
                 text_encoder: dict,
                 stc_head: dict,
                 mpm_head: Optional[dict] = None,
                 **kwargs) -> None:
        super().__init__(
            embedder=embedder,
            encoder=encoder,
            text_encoder=text_encoder,
            mpm_head=mpm_head,
            stc_head=stc_head,
            **kwargs)
