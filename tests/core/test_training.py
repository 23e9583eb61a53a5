from __future__ import annotations

import math

import numpy as np
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


def test_a_classifier_whose_loss_goes_back_to_chance_has_collapsed():
    """The classifier's "collapsed" signal: the loss left chance level ln C (it blew up, or
    it had learnt something), came back and stays there; a run that never left is slow."""
    from playground.core.training import Collapsed, DivergenceGuard

    chance = math.log(10)

    def guard() -> DivergenceGuard:
        return DivergenceGuard("epoch", patience=2, start=chance, chance=chance, stuck=10)

    # issue 18: Digits at lr 2, windows of 1/50 epoch: 14.53, 3.965, 2.56, 2.39, ... at chance
    blew_up = [14.53, 3.965, 2.56, 2.39, 2.345, 2.357, 2.353, 2.372, 2.387, 2.407, 2.375]
    g = guard()
    for step, loss in enumerate(blew_up[:-1], 1):
        assert g.check(loss, step) == loss
    with pytest.raises(Collapsed, match=r"collapsed at epoch 11.*ln 10 = 2\.30.*learning rate"):
        g.check(blew_up[-1], 11)
    assert issubclass(Collapsed, Diverged)  # every tab already says a Diverged's message
    g = guard()  # learnt something, then lost it
    with pytest.raises(Collapsed):
        for step, loss in enumerate([2.3, 1.5, 1.2, 0.9, *[2.31] * 10], 1):
            g.check(loss, step)
    g = guard()  # a tiny learning rate: at chance for long, but it never left
    for step, loss in enumerate([*[2.34] * 50, *np.linspace(2.3, 1.5, 50)], 1):
        g.check(loss, step)
    g = guard()  # back near chance, but better than guessing now and then: not stuck
    for step, loss in enumerate([14.0, *[2.3, 2.3, 2.3, 2.1] * 10], 1):
        g.check(loss, step)
    g.restart(chance)  # weights set anew: measured afresh
    assert (g.left_chance, g.at_chance) == (False, 0)
    plain = DivergenceGuard("epoch", start=chance)  # no chance level given: no such signal
    for step, loss in enumerate([3.0, *[2.3] * 30], 1):
        plain.check(loss, step)
