from __future__ import annotations

import gc
import threading
import time

from PySide6.QtCore import QObject

from playground.core.training import Diverged, Snapshot
from playground.ui.worker import Worker


def job(n, sleep=0.0, fail_at=None):
    for i in range(1, n + 1):
        if sleep:
            time.sleep(sleep)
        if i == fail_at:
            raise Diverged(i, "epoch", float("nan"))
        yield Snapshot(i, n, {"loss": 1.0 / i}, detail=lambda i=i: {"i": i}, unit="epoch")


def test_runs_to_the_end_and_keeps_every_metric(qtbot):
    w = Worker()
    frames = []
    w.frame.connect(frames.append)
    with qtbot.waitSignal(w.finished, timeout=5000):
        w.start(job(2000))
    steps = [s for f in frames for s, _ in f.history]
    assert steps == list(range(1, 2001))
    assert frames[-1].final and frames[-1].detail == {"i": 2000}
    assert len(frames) < 200  # throttled, not one frame per step
    assert w.state == "finished"


def test_step_pause_play(qtbot):
    w = Worker()
    frames = []
    w.frame.connect(frames.append)
    w.start(job(100), paused=True)
    qtbot.wait(100)
    assert frames == []
    w.step()
    qtbot.waitUntil(lambda: bool(frames) and frames[-1].step == 1, timeout=2000)
    w.step(3)
    qtbot.waitUntil(lambda: frames[-1].step == 4, timeout=2000)
    assert w.state == "paused"
    with qtbot.waitSignal(w.finished, timeout=5000):
        w.play()
    assert frames[-1].step == 100


def test_pause_flushes_history(qtbot):
    w = Worker()
    frames = []
    w.frame.connect(frames.append)
    w.start(job(10_000, sleep=0.001))
    qtbot.wait(200)
    w.pause()
    qtbot.wait(300)
    seen = [s for f in frames for s, _ in f.history]
    assert seen == list(range(1, len(seen) + 1))
    assert frames[-1].step == seen[-1]
    w.stop()


def test_divergence_reaches_the_user(qtbot):
    w = Worker()
    with qtbot.waitSignal(w.failed, timeout=5000) as blocker:
        w.start(job(100, fail_at=5))
    assert "diverged at epoch 5" in blocker.args[0]
    assert w.state == "failed"


def test_error_message_and_stop_mid_run(qtbot):
    def broken():
        yield Snapshot(1)
        raise RuntimeError("boom")

    w = Worker()
    with qtbot.waitSignal(w.failed, timeout=5000) as blocker:
        w.start(broken())
    assert "boom" in blocker.args[0]
    w.start(job(10**9, sleep=0.001))
    qtbot.wait(100)
    t = time.perf_counter()
    w.stop()
    assert time.perf_counter() - t < 1.0
    assert w.state == "idle"


def test_new_job_drops_old_frames(qtbot):
    w = Worker()
    gens = []
    w.frame.connect(lambda f: gens.append(f.generation))
    w.start(job(10**6, sleep=0.0005))
    qtbot.wait(100)
    w.start(job(10), paused=False)
    g = w.generation
    qtbot.waitUntil(lambda: w.state == "finished", timeout=3000)
    after = gens[gens.index(g) :] if g in gens else []
    assert after and all(x == g for x in after)


def test_garbage_is_collected_on_the_gui_thread_only(qtbot):
    import gc

    Worker()
    assert not gc.isenabled()  # a job thread never starts a collection
    for _ in range(3000):  # garbage in cycles: only a collection frees it
        cycle = []
        cycle.append(cycle)
    del cycle
    qtbot.waitUntil(lambda: gc.get_count()[0] < 1000, timeout=2000)  # the GUI timer collected


def test_a_deleted_worker_stops_its_job_and_dies_on_the_gui_thread(qtbot):
    """The job's thread holds no Qt object: were it to drop the last reference to the
    Worker, the Worker would be destroyed in that thread (a deadlock seen in CI)."""
    freed_in = []

    class Tracked(Worker):
        def __del__(self):
            freed_in.append(threading.current_thread())

    parent = QObject()
    w = Tracked(parent)
    w.start(job(10**6, sleep=0.001), paused=False)
    thread = w._thread
    qtbot.wait(50)
    del w
    del parent  # Python owns the parent: it and its child Worker are destroyed now
    qtbot.waitUntil(lambda: not thread.is_alive(), timeout=5000)
    gc.collect()
    assert freed_in == [threading.main_thread()]


def test_long_lived_objects_are_frozen_once_torch_is_there(qtbot):
    """A full collection of torch's and Qt's objects stalls the GUI ~100 ms: they are
    frozen out of the collector's sight at the first frame after torch is imported."""
    import torch  # noqa: F401 - the app imports it in a job; here, up front

    w = Worker()
    with qtbot.waitSignal(w.finished, timeout=5000):
        w.start(job(10))
    assert gc.get_freeze_count() > 100_000
