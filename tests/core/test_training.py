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
