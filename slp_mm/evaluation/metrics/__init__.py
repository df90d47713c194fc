from .retrieval_metric import RetrievalMetric
from .sign_acc_metric import SignAccMetric
from .translation_metric import TranslationMetric
from .wer_metric import WERMetric

__all__ = [
    'RetrievalMetric', 'SignAccMetric', 'WERMetric', 'TranslationMetric'
]
