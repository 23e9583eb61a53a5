"""One-off background work (load a file, import torch, evaluate a model) off the GUI thread.

The rule, as in :mod:`playground.ui.worker`: **a background thread never touches Qt.**
It computes into plain Python attributes; a QTimer on the GUI thread polls them and
calls back there.  Emitting a signal from a Python thread while the GUI thread
destroys the receiver can deadlock (the emitting thread waits for the GIL inside a
Qt lock that the destroying thread needs), so nothing here emits from a thread.

The poll timer is a child of ``parent``: if the parent is closed and deleted first,
the callbacks are simply never called.

API::

    task = run_in_thread(parent, work, on_done, on_error, name="load names")
    task.running()    # True until the callback has run

    # with progress and cancel: work(progress) calls progress.report(value) and may
    # watch progress.cancelled; on_progress(value) runs on the GUI thread
    task = BackgroundTask(parent, work, on_done, on_error, on_progress, name="download")
    task.cancel()
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer

POLL_MS = 20


class Progress:
    """What ``work`` gets in its thread: ``report(value)`` and the ``cancelled`` Event.

    Plain Python on purpose: the thread must hold no Qt object, because a thread that
    drops the last reference to one destroys it there, and that can deadlock.
    """

    def __init__(self) -> None:
        self.cancelled = threading.Event()
        self.value: Any = None
        self.result: Any = None
        self.error: BaseException | None = None
        self.finished = threading.Event()

    def report(self, value: Any) -> None:
        """The next poll on the GUI thread hands ``value`` to on_progress."""
        self.value = value

    def run(self, work: Callable[[Progress], Any]) -> None:
        try:
            self.result = work(self)
        except BaseException as exc:  # noqa: BLE001 - handed to on_error on the GUI thread
            self.error = exc
        finally:
            self.finished.set()


class BackgroundTask(QObject):
    """``work(progress)`` running in a daemon thread; callbacks on the GUI thread.

    ``work`` must not hold Qt objects (closures over ``self`` of a widget included).
    """

    def __init__(
        self,
        parent: QObject,
        work: Callable[[Progress], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None] | None = None,
        on_progress: Callable[[Any], None] | None = None,
        name: str = "background",
    ):
        super().__init__(parent)
        self.state = Progress()
        self._shown: Any = None
        self._on_done, self._on_error, self._on_progress = on_done, on_error, on_progress
        self._over = False
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)
        threading.Thread(target=self.state.run, args=(work,), name=name, daemon=True).start()
        self._timer.start()

    @property
    def cancelled(self) -> threading.Event:
        return self.state.cancelled

    @property
    def progress(self) -> Any:
        """The latest value ``work`` reported."""
        return self.state.value

    def cancel(self) -> None:
        """Ask ``work`` to stop (it watches ``progress.cancelled``)."""
        self.state.cancelled.set()

    def running(self) -> bool:
        return not self._over

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the thread's work is done (tests, shutdown); True if it is."""
        return self.state.finished.wait(timeout)

    def _poll(self) -> None:
        st = self.state
        finished = st.finished.is_set()
        if finished:  # running() is False from here on, also inside on_progress
            self._timer.stop()
            self._over = True
        value = st.value
        if value is not None and value is not self._shown:
            self._shown = value
            if self._on_progress is not None:
                self._on_progress(value)
        if not finished:
            return
        self.deleteLater()
        if st.error is None:
            self._on_done(st.result)
        elif self._on_error is not None:
            self._on_error(st.error)
        else:
            raise st.error


def run_in_thread(
    parent: QObject,
    work: Callable[[], Any],
    on_done: Callable[[Any], None],
    on_error: Callable[[BaseException], None] | None = None,
    name: str = "background",
) -> BackgroundTask:
    """Run ``work()`` in a daemon thread; ``on_done(result)`` or ``on_error(exception)`` later
    on the GUI thread, unless ``parent`` is gone by then."""
    return BackgroundTask(parent, lambda _task: work(), on_done, on_error, name=name)
