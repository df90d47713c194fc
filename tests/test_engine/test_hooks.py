from types import SimpleNamespace
from unittest.mock import MagicMock

import pytest
from mmengine.logging import MessageHub

from slp_mm.engine.hooks import (RandomTextEncoderGuardHook,
                                 SkippedSampleLoggerHook)
from slp_mm.models import HFTextEncoder
from slp_mm.structures import SignDataSample

TINY = dict(model_type='mbart', vocab_size=64, d_model=8, encoder_layers=1,
            decoder_layers=0, encoder_attention_heads=2,
            decoder_attention_heads=2, encoder_ffn_dim=16,
            decoder_ffn_dim=16, max_position_embeddings=16)


def _runner(text_encoder):
    return SimpleNamespace(model=SimpleNamespace(text_encoder=text_encoder))


def test_guard_refuses_frozen_random_text_encoder():
    enc = HFTextEncoder(config=TINY)
    assert not enc.is_pretrained
    with pytest.raises(RuntimeError, match='allow_random_weights=True'):
        RandomTextEncoderGuardHook().before_train(_runner(enc))
    RandomTextEncoderGuardHook().before_train(
        _runner(HFTextEncoder(config=TINY, allow_random_weights=True)))
    # a trainable text encoder is not frozen random features: allowed
    RandomTextEncoderGuardHook().before_train(
        _runner(HFTextEncoder(config=TINY, frozen=False)))


def test_unknown_text_encoder_offline_is_a_clear_error():
    with pytest.raises(FileNotFoundError, match='not available offline'):
        HFTextEncoder(name_or_path='someone/no-such-model')


def test_skipped_samples_are_counted_and_logged():
    hub = MessageHub.get_instance('test_skipped_hook')
    runner = MagicMock(message_hub=hub, epoch=0)
    hook = SkippedSampleLoggerHook()

    def batch(*skipped):
        samples = []
        for ids in skipped:
            s = SignDataSample()
            if ids:
                s.set_metainfo(dict(skipped_ids=ids))
            samples.append(s)
        return dict(data_samples=samples)

    hook.before_train_epoch(runner)
    hook.after_train_iter(runner, 0, batch(['a'], [], ['b', 'c']))
    hook.after_train_iter(runner, 1, batch([]))
    hook.after_train_epoch(runner)
    assert hub.get_info('skipped_samples') == 3
    msg = runner.logger.warning.call_args[0][0]
    assert '3 samples were skipped' in msg and "'a', 'b', 'c'" in msg
    hook.before_train_epoch(runner)
    hook.after_train_iter(runner, 0, batch(['d']))
    hook.after_train_epoch(runner)
    assert hub.get_info('skipped_samples') == 4
    assert hub.get_scalar('train/skipped_samples').current() == 4
