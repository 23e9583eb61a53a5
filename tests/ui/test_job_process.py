"""The worker whose job trains in a child process (ui/job_process.py)."""

from __future__ import annotations

import math
import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass

import pytest

from playground.core.training import Diverged, LiveSettings, Snapshot
from playground.ui import job_process
from playground.ui.job_process import ProcessWorker, _Child

WAIT = 30_000  # ms: a new child imports torch first


def _job(n: int, sleep: float, fail_at: int | None, live: LiveSettings, box: dict):
    for i in range(1, n + 1):
        time.sleep(sleep)
        if i == fail_at:
            raise Diverged(i, "epoch", math.nan)
        yield Snapshot(i - 1, n, {}, detail=lambda: {"weights": box.get("w")}, partial=True)
        yield Snapshot(
            i,
            n,
            {"loss": 1.0 / i, "lr": live.lr},
            detail=lambda i=i: {"i": i, "weights": box.get("w")},
            unit="epoch",
            render=lambda d: {"twice": 2 * d["i"]} if "i" in d else {},
        )


@dataclass
class CountingSpec:
    """A job of ``n`` epochs; ``live.lr`` in its metrics; weights handed in are shown."""

    n: int
    sleep: float = 0.0
    fail_at: int | None = None

    def make(self, store: dict):
        live = LiveSettings(lr=0.1)
        box: dict = {}
        store.update(live=live, give=lambda w: box.update(w=w), pid=os.getpid())
        return _job(self.n, self.sleep, self.fail_at, live, box)


def _worker(qtbot) -> tuple[ProcessWorker, list]:
    w = ProcessWorker()
    frames: list = []
    w.frame.connect(frames.append)
    return w, frames


def test_runs_to_the_end_in_a_child_and_keeps_every_metric(qtbot):
    w, frames = _worker(qtbot)
    with qtbot.waitSignal(w.finished, timeout=WAIT):
        w.start(CountingSpec(3000))
    steps = [s for f in frames for s, _ in f.history]
    assert steps == list(range(1, 3001))  # partial snapshots record nothing
    assert frames[-1].final and frames[-1].detail["twice"] == 6000  # rendered there
    assert len(frames) < 300  # one per frame the GUI drew, not one per step
    assert w.state == "finished"
    w.close()


def test_step_pause_play_and_live_settings(qtbot):
    w, frames = _worker(qtbot)
    live = LiveSettings(lr=0.1)
    w.start(CountingSpec(100_000, sleep=0.0005), paused=True, live=live)
    w.step(3)
    qtbot.waitUntil(lambda: bool(frames) and frames[-1].step == 3, timeout=WAIT)
    assert w.state == "paused" and not frames[-1].partial
    live.update(lr=0.5)  # sent on while the job runs; it reads it every epoch
    w.play()
    qtbot.waitUntil(lambda: any(m["lr"] == 0.5 for f in frames for _, m in f.history), timeout=WAIT)
    w.pause()
    qtbot.wait(200)
    at = frames[-1].step
    qtbot.wait(300)
    assert frames[-1].step == at and w.state == "paused"
    w.close()


def test_divergence_reaches_the_user(qtbot):
    w, _ = _worker(qtbot)
    with qtbot.waitSignal(w.failed, timeout=WAIT) as blocker:
        w.start(CountingSpec(100, fail_at=20))
    assert "diverged" in blocker.args[0].lower()
    assert w.state == "failed"
    w.close()


def test_frames_older_than_weights_set_by_hand_are_not_shown(qtbot):
    w, frames = _worker(qtbot)
    w.start(CountingSpec(1_000_000, sleep=0.0002))
    qtbot.waitUntil(lambda: len(frames) > 3, timeout=WAIT)
    w.pause()
    w.give("mine")
    w.refresh()
    n = len(frames)
    mine = lambda: len(frames) > n and frames[-1].detail["weights"] == "mine"  # noqa: E731
    qtbot.waitUntil(mine, timeout=WAIT)
    assert all(f.detail["weights"] == "mine" for f in frames[n:])
    w.close()


def test_a_child_that_dies_says_so_and_a_new_one_takes_over(qtbot):
    w, frames = _worker(qtbot)
    w.start(CountingSpec(1_000_000, sleep=0.0002))
    qtbot.waitUntil(lambda: len(frames) > 3, timeout=WAIT)
    with qtbot.waitSignal(w.failed, timeout=WAIT) as blocker:
        os.kill(w._child.proc.pid, signal.SIGKILL)
    message = blocker.args[0]
    assert "training process stopped" in message and "killed (SIGKILL)" in message
    assert "out of memory" in message and "Press Reset or Play" in message
    assert w.state == "failed"
    frames.clear()
    with qtbot.waitSignal(w.finished, timeout=WAIT):
        w.start(CountingSpec(50))
    assert frames[-1].step == 50
    w.close()


def test_closing_mid_run_frees_the_child_for_the_next_worker(qtbot):
    _Child.drop_spares()  # room in the pool of idle children
    w, frames = _worker(qtbot)
    w.start(CountingSpec(1_000_000, sleep=0.0002))
    qtbot.waitUntil(lambda: len(frames) > 3, timeout=WAIT)
    proc = w._child.proc
    w.close()  # the window closes while it trains
    assert w.state == "idle" and w._child.proc is None
    w2, frames2 = _worker(qtbot)
    with qtbot.waitSignal(w2.finished, timeout=WAIT):
        w2.start(CountingSpec(20))
    assert w2._child.proc is proc  # the same child, reset: torch was loaded already
    assert [s for f in frames2 for s, _ in f.history] == list(range(1, 21))
    w2.close()


def test_a_setting_changed_just_before_play_applies_from_the_first_step(qtbot):
    w, frames = _worker(qtbot)
    live = LiveSettings(lr=0.1)
    w.start(CountingSpec(5), paused=True, live=live)
    live.update(lr=0.7)  # no poll in between: Play itself sends it
    with qtbot.waitSignal(w.finished, timeout=WAIT):
        w.play()
    assert [m["lr"] for f in frames for _, m in f.history] == [0.7] * 5
    w.close()


def _children() -> set[int]:
    return {p.pid for p in multiprocessing.active_children() if p.name == "playground-trainer"}


def _no_spares() -> None:
    _Child.drop_spares()  # no idle child to reuse: the next start spawns one


@pytest.mark.skipif(not hasattr(signal, "SIGSTOP"), reason="POSIX: a child frozen on purpose")
def test_a_child_that_never_answers_is_named_and_replaced(qtbot, monkeypatch):
    """Nothing waits for ever: a child that has not said hello in time is ended, the job
    fails with a message, and the next start works with a new child."""
    _no_spares()
    monkeypatch.setattr(job_process, "START_TIMEOUT_S", 3.0)
    before = _children()
    w, frames = _worker(qtbot)
    w.start(CountingSpec(10))
    (pid,) = _children() - before
    os.kill(pid, signal.SIGSTOP)  # alive, but silent: as if stuck in its start
    with qtbot.waitSignal(w.failed, timeout=WAIT) as blocker:
        pass
    message = blocker.args[0]
    assert "could not start" in message and "did not answer within 3 s" in message
    assert "Press Reset or Play" in message and w.state == "failed"
    with qtbot.waitSignal(w.finished, timeout=WAIT):
        w.start(CountingSpec(5))
    assert frames[-1].step == 5
    w.close()


NO_MAIN_GUARD = """
    # A teaching script as many are written: no `if __name__ == "__main__":` guard.
    import os, sys
    with open(os.environ["RUNS_LOG"], "a") as f:
        f.write("ran\\n")
    from PySide6.QtWidgets import QApplication
    from PySide6.QtCore import QEventLoop, QTimer
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from playground.ui.main_window import MainWindow
    window = MainWindow(tab="boundary", persist=False)
    window.show()
    tab = window.current_tab()

    def wait(ok, seconds):
        end = __import__("time").monotonic() + seconds
        while not ok() and __import__("time").monotonic() < end:
            loop = QEventLoop()
            QTimer.singleShot(50, loop.quit)
            loop.exec()
        return ok()

    ready = wait(tab.is_ready, 60)
    tab.toggle_play()
    trained = wait(lambda: tab.epoch >= 3, 60)
    print("RESULT", ready, trained, repr(tab.message()), flush=True)
    window.close()
"""


def test_a_script_without_a_main_guard_trains_in_a_child_that_does_not_run_it(tmp_path):
    script = tmp_path / "lesson.py"
    script.write_text(textwrap.dedent(NO_MAIN_GUARD))
    log = tmp_path / "runs.log"
    env = dict(os.environ, RUNS_LOG=str(log), XDG_CONFIG_HOME=str(tmp_path / "config"))
    out = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=200
    )
    result = [line for line in out.stdout.splitlines() if line.startswith("RESULT")]
    assert result == ["RESULT True True ''"], out.stdout + out.stderr[-3000:]
    assert log.read_text() == "ran\n"  # the script ran once: never again in the child


@pytest.mark.skipif(not hasattr(signal, "SIGSTOP"), reason="POSIX: a child frozen on purpose")
def test_the_boundary_tab_says_its_child_did_not_start_and_play_recovers(qtbot, monkeypatch):
    from playground.ui.tabs.boundary import BoundaryTab

    _no_spares()
    monkeypatch.setattr(job_process, "START_TIMEOUT_S", 3.0)
    before = _children()
    tab = BoundaryTab()
    qtbot.addWidget(tab)
    tab.show()
    qtbot.waitUntil(lambda: bool(_children() - before), timeout=WAIT)
    for pid in _children() - before:
        os.kill(pid, signal.SIGSTOP)  # the first child never answers
    qtbot.waitUntil(lambda: "could not start" in tab.message(), timeout=WAIT)
    assert "Press Reset or Play" in tab.message() and not tab.is_ready()
    tab.toggle_play()  # a new child, and training
    qtbot.waitUntil(lambda: tab.is_ready() and tab.epoch >= 2, timeout=WAIT)
    assert "could not start" not in tab.message()
    tab.shutdown()


@pytest.mark.skipif(not hasattr(signal, "SIGSTOP"), reason="POSIX: a child frozen on purpose")
def test_a_big_spec_to_a_child_that_is_not_reading_never_blocks_the_gui(qtbot):
    """The pipe holds 64 KB and a child reads nothing while it starts (or is busy): a 2 MB
    spec is written by the outbox's thread while the GUI goes on."""
    _no_spares()
    before = _children()
    w, frames = _worker(qtbot)
    with qtbot.waitSignal(w.finished, timeout=WAIT):
        w.start(CountingSpec(3))
    w.close()  # its child waits in the pool of idle children
    (pid,) = _children() - before
    os.kill(pid, signal.SIGSTOP)  # and reads nothing now
    try:
        w2, frames2 = _worker(qtbot)
        w2.start(BigSpec(n=5, payload=tuple(f"{i:064}" for i in range(30_000))))  # 2 MB: returns
        assert w2.state == "running"
    finally:
        os.kill(pid, signal.SIGCONT)
    qtbot.waitUntil(lambda: w2.state == "finished", timeout=WAIT)
    assert frames2[-1].step == 5
    w2.close()


@dataclass
class BigSpec(CountingSpec):
    payload: tuple = ()
