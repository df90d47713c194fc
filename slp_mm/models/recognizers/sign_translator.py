from slp_mm.registry import MODELS
from .sign_recognizer import SignRecognizer


@MODELS.register_module()
class SignTranslator(SignRecognizer):
    """Gloss-free sign language translation: the pre-training pose encoder
    + :class:`SignTranslationHead` (MLP projector and text decoder).

    The head takes its target sentences from the data samples
    (``text_ids``), so the recognizer's ``(feats, pose_mask, data_samples)``
    interface is all it needs; ``predict`` sets ``pred_text``.
    """
