"""Python's collector runs on the GUI thread in small steps; jobs leave the GUI a core."""

from __future__ import annotations

import gc
import sys
import types
import weakref

import pytest

from playground.core import training
from playground.ui import collector


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_cycles_are_collected_on_the_gui_thread_by_its_timer(qtbot):
    collector.collect_garbage_on_gui_thread()
    assert not gc.isenabled()  # never in a job's thread
    refs = []
    for _ in range(3000):  # past the young generation's threshold
        c = _Cycle()
        refs.append(weakref.ref(c))
        del c
    qtbot.waitUntil(lambda: all(r() is None for r in refs), timeout=5000)


def test_objects_of_new_imports_are_frozen_out_of_the_collectors_sight(monkeypatch):
    before = gc.get_freeze_count()
    monkeypatch.setattr(collector, "_modules_frozen", len(sys.modules))
    collector.freeze_long_lived_objects()  # no new module: nothing frozen
    assert gc.get_freeze_count() == before
    for i in range(collector.NEW_MODULES):
        monkeypatch.setitem(sys.modules, f"_fake_module_{i}", types.ModuleType(f"m{i}"))
    collector.freeze_long_lived_objects()
    assert gc.get_freeze_count() > before


def test_a_job_uses_every_core_but_the_guis(monkeypatch):
    monkeypatch.setattr(training.os, "cpu_count", lambda: 8)
    assert training.job_cores() == 7
    monkeypatch.setattr(training.os, "cpu_count", lambda: 1)
    assert training.job_cores() == 1
    monkeypatch.setattr(training.os, "cpu_count", lambda: None)
    assert training.job_cores() == 1


def test_numpys_blas_threads_can_be_limited():
    import numpy as np
    from threadpoolctl import threadpool_info, threadpool_limits

    np.ones((2, 2)) @ np.ones((2, 2))  # BLAS loaded
    blas = [i for i in threadpool_info() if i["user_api"] == "blas"]
    if not blas:
        pytest.skip("this numpy has no BLAS that threadpoolctl knows")
    before = blas[0]["num_threads"]
    try:
        training.limit_blas_threads(1)
        assert all(i["num_threads"] == 1 for i in threadpool_info() if i["user_api"] == "blas")
    finally:
        threadpool_limits(limits=before, user_api="blas")
