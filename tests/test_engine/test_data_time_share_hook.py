from types import SimpleNamespace

import pytest
from mmengine.logging import MessageHub

from slp_mm.engine.hooks import DataTimeShareHook


def test_logs_the_share_of_the_iteration_spent_loading(monkeypatch):
    clock = iter([0.0, 1.0, 4.0, 4.0, 4.5, 6.0, 6.0])
    monkeypatch.setattr('mmengine.hooks.iter_timer_hook.time.time',
                        lambda: next(clock))
    hub = MessageHub.get_instance('test_data_time_share')
    runner = SimpleNamespace(message_hub=hub, iter=0, max_iters=10)
    hook = DataTimeShareHook()
    hook.before_train(runner)
    hook.before_train_epoch(runner)  # the clock starts: 0
    hook.before_train_iter(runner, 0)  # 1 s waiting for the batch
    hook.after_train_iter(runner, 0)  # 4 s in all
    assert hub.get_scalar('train/data_time_share').current() == 0.25
    runner.iter = 1
    hook.before_train_iter(runner, 1)  # 0.5 s of 2 s
    hook.after_train_iter(runner, 1)
    assert hub.get_scalar('train/data_time_share').current() == 0.25
    assert hub.get_scalar('train/data_time_share').mean() == pytest.approx(
        0.25)
