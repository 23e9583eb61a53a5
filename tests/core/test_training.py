from __future__ import annotations

import math

import pytest

from playground.core.training import (
    Diverged,
    LiveSettings,
    Snapshot,
    check_finite,
    run,
    torch_threads,
)


def counting(n, settings=None):
    for i in range(1, n + 1):
        yield Snapshot(i, n, {"loss": 1.0 / i}, detail=lambda i=i: {"i": i})


def test_run_returns_last_snapshot_and_respects_steps():
    assert run(counting(5)).step == 5
    assert run(counting(5), steps=2).step == 2
    assert run(counting(3)).materialize() == {"i": 3}


def test_check_finite_raises_a_plain_message():
    assert check_finite(0.5, 1) == 0.5
    with pytest.raises(Diverged, match="diverged at epoch 7.*lower the learning rate"):
        check_finite(math.nan, 7, "epoch")


def test_live_settings_update_and_copy():
    s = LiveSettings(lr=0.1, l2=0.0)
    s.update(lr=0.01)
    s.l2 = 1e-3
    assert s.as_dict() == {"lr": 0.01, "l2": 1e-3}


def test_torch_threads_sets_and_restores_in_this_thread():
    import torch

    before = torch.get_num_threads()
    with torch_threads(1):
        assert torch.get_num_threads() == 1
        with torch_threads(1):
            assert torch.get_num_threads() == 1
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before
    with torch_threads(None):
        assert torch.get_num_threads() == before


def test_the_guard_stops_nan_and_a_loss_that_stays_far_above_its_start():
    from playground.core.training import DivergenceGuard

    g = DivergenceGuard("step", patience=3)
    for step, loss in enumerate([3.0, 2.5, 7.0, 2.9, 7.0, 7.0], 1):  # one spike is not enough
        assert g.check(loss, step) == loss
    with pytest.raises(
        Diverged, match=r"step 7: the loss rose to 7, more than twice its starting level \(3\)"
    ):
        g.check(7.0, 7)
    with pytest.raises(Diverged, match="became nan.*lower the learning rate"):
        DivergenceGuard().check(math.nan, 1)
    with pytest.raises(Diverged, match="became inf"):
        DivergenceGuard().check(math.inf, 1)
    g = DivergenceGuard("epoch", start=0.1, floor=math.log(2))  # started well: chance is fine
    assert g.limit == pytest.approx(2 * math.log(2))
    assert g.check(1.0, 1) == 1.0
    g = DivergenceGuard(start=1e5)  # a huge first loss: measured from the given start
    g.restart(2.0)
    with pytest.raises(Diverged):
        g.check(5.0, 3)
