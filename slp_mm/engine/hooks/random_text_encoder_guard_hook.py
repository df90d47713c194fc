from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from slp_mm.registry import HOOKS


@HOOKS.register_module()
class RandomTextEncoderGuardHook(Hook):
    """Refuse to train with a frozen text encoder that has random weights.

    When pretrained weights (e.g. mBART-cc25) are not available offline,
    :class:`HFTextEncoder` falls back to random weights so configs still
    build; training contrastively against a frozen random encoder would
    waste a run. Set ``allow_random_weights=True`` on the text encoder to
    allow it on purpose (the demo does).
    """

    priority = 'VERY_HIGH'

    def before_train(self, runner) -> None:
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        enc = getattr(model, 'text_encoder', None)
        if enc is None or not getattr(enc, 'frozen', False):
            return
        if not enc.is_pretrained and not enc.allow_random_weights:
            raise RuntimeError(
                f'The frozen text encoder {enc.name_or_path!r} has random '
                'weights (its pretrained weights were not found offline). '
                'Download them into the Hugging Face cache, or set '
                'model.text_encoder.allow_random_weights=True to train '
                'against a random text encoder on purpose.')
