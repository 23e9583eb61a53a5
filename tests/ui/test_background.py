"""Background tasks: callbacks on the GUI thread, errors, progress, a parent gone first."""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QObject

from playground.ui.background import BackgroundTask, Progress, run_in_thread


def test_result_arrives_on_the_gui_thread(qtbot):
    parent = QObject()
    got = []
    work_threads = []

    def work():
        work_threads.append(threading.current_thread())
        return 42

    task = run_in_thread(parent, work, lambda r: got.append((r, threading.current_thread())))
    qtbot.waitUntil(lambda: bool(got), timeout=5_000)
    assert got == [(42, threading.main_thread())]
    assert work_threads[0] is not threading.main_thread()
    assert not task.running()


def test_an_exception_goes_to_on_error(qtbot):
    errors = []
    run_in_thread(QObject(), lambda: 1 / 0, lambda r: None, errors.append)
    parent = QObject()
    run_in_thread(parent, lambda: 1 / 0, lambda r: None, errors.append)
    qtbot.waitUntil(lambda: bool(errors), timeout=5_000)
    assert isinstance(errors[0], ZeroDivisionError)


def test_progress_and_cancel(qtbot):
    parent = QObject()
    seen, done = [], []

    def work(task: Progress):
        for i in range(1000):
            if task.cancelled.is_set():
                return f"cancelled at {i}"
            task.report(i)
            time.sleep(0.005)
        return "ran to the end"

    task = BackgroundTask(parent, work, done.append, on_progress=seen.append)
    qtbot.waitUntil(lambda: len(seen) >= 3, timeout=5_000)
    task.cancel()
    qtbot.waitUntil(lambda: bool(done), timeout=5_000)
    assert done[0].startswith("cancelled at")
    assert seen == sorted(seen)  # the latest value at each poll, in order


def test_no_callback_once_the_parent_is_deleted(qtbot):
    parent = QObject()
    release = threading.Event()
    got = []
    task = run_in_thread(parent, lambda: release.wait(5), got.append)
    parent.deleteLater()
    qtbot.wait(50)  # the parent, and the task's poll timer with it, are gone
    release.set()
    assert task.wait(5)  # plain Python: works on a deleted QObject's wrapper
    qtbot.wait(100)
    assert got == []
