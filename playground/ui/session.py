"""One run session per tab: play/pause/step/reset/stop, frame pacing, progress text.

Every tab that trains owns one :class:`Session`.  The tab gives it a ``start`` function
that builds a job (a core training generator); the session decides when to call it:

- Play/Step with no job, or after a run ended: ``start(fresh)``, where ``fresh`` is True
  when the model must be new (first run, after Reset, after a shape setting changed);
- a shape setting changed (:meth:`shape_changed`): a running job is replaced at once by a
  fresh one; a paused or idle one is marked, and the next Play starts fresh.  The tab shows
  :attr:`notice` so the screen says so.

Views ask :meth:`due` whether to draw now: one place decides how often each view draws.
:meth:`progress_text` writes "step 1,200 of 30,000 · 950 steps/s · 31 s left" for all.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from playground.core.training import Job
from playground.ui.worker import Frame, Worker

# How often views may draw while a job runs (frames arrive at up to 40 per second, 60 where
# the tab asks for Worker.frame_ms = FAST_FRAME_MS).
VIEW_HZ = {"fast": 60.0, "normal": 20.0, "slow": 10.0, "rare": 2.0}


def format_seconds(seconds: float) -> str:
    """12 s, 3 min 5 s, 1 h 2 min."""
    s = int(round(max(seconds, 0)))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60} s" if s < 600 else f"{s // 60} min"
    return f"{s // 3600} h {s % 3600 // 60} min"


def plural(unit: str) -> str:
    """step -> steps, batch -> batches, epoch -> epochs."""
    hard = unit.endswith(("sh", "s", "x")) or (unit.endswith("ch") and unit != "epoch")
    return unit + ("es" if hard else "s")


class Session(QObject):
    """Play, pause, step, reset and stop for one tab, over THE :class:`Worker`.

    ``start(fresh: bool) -> Job | None`` builds the job (None: nothing to train, e.g. no
    data yet).  ``on_reset()`` runs after Reset stopped the job (the tab shows a fresh
    model).  ``controls`` (a RunControls) gets its buttons wired and follows the state.
    Signals are the worker's, on the GUI thread.
    """

    frame = Signal(object)  # Frame
    state_changed = Signal(str)
    failed = Signal(str)
    finished = Signal()
    notice_changed = Signal(str)
    was_reset = Signal()  # Reset stopped the job: the next run starts from new weights

    def __init__(
        self,
        parent: QObject,
        start: Callable[[bool], Job | None],
        on_reset: Callable[[], None] | None = None,
        controls: Any = None,
        process: bool = False,
    ):
        super().__init__(parent)
        if process:  # the job in a child process (``start`` returns a picklable spec)
            from playground.ui.job_process import ProcessWorker

            self.worker: Any = ProcessWorker(self)
        else:
            self.worker = Worker(self)
        self._start = start
        self._on_reset = on_reset
        self._fresh = True  # the next start makes a new model
        self._due: dict[str, float] = {}
        self._notice = ""
        self.live: Any = None  # the running job's LiveSettings, if it has any
        self.worker.frame.connect(self.frame)
        self.worker.state_changed.connect(self.state_changed)
        self.worker.failed.connect(self.failed)
        self.worker.finished.connect(self.finished)
        if controls is not None:
            controls.play_clicked.connect(self.toggle)
            controls.step_clicked.connect(self.step)
            controls.reset_clicked.connect(self.reset)
            controls.stop_clicked.connect(self.stop)
            controls.bind(self.worker)
            self.frame.connect(lambda f: controls.show_frame(f, self.progress_text(f)))

    # ---------------------------------------------------------------- state
    @property
    def state(self) -> str:
        """ "idle", "running", "paused", "finished" or "failed"."""
        return self.worker.state

    @property
    def running(self) -> bool:
        return self.worker.state == "running"

    @property
    def fresh_pending(self) -> bool:
        """True when the next Play starts a new model."""
        return self._fresh

    @property
    def notice(self) -> str:
        """What the tab should say about the model (e.g. a shape change waiting for Play)."""
        return self._notice

    def set_notice(self, text: str) -> None:
        if text != self._notice:
            self._notice = text
            self.notice_changed.emit(text)

    # ---------------------------------------------------------------- control
    def begin(self, fresh: bool | None = None, play: bool = True) -> bool:
        """Start a job now (stopping any): fresh if asked or pending.  False if none."""
        fresh = self._fresh if fresh is None else fresh
        self.worker.stop()
        job = self._start(fresh)
        if job is None:
            return False
        self._fresh = False
        self.set_notice("")
        self._due.clear()
        self.worker.start(job, paused=not play, live=self.live)
        return True

    def play(self) -> None:
        """Go on with the job, or start one (fresh if a new model is pending)."""
        if self.worker.has_job() and not self._fresh:
            self.worker.play()
        else:
            self.begin(play=True)

    def pause(self) -> None:
        self.worker.pause()

    def toggle(self) -> None:
        """Space: pause if running, else play."""
        if self.running:
            self.pause()
        else:
            self.play()

    def step(self, n: int = 1) -> None:
        """S: ``n`` more units, then pause (starting a job if there is none)."""
        if (not self.worker.has_job() or self._fresh) and not self.begin(play=False):
            return
        self.worker.step(n)

    def stop(self) -> None:
        """End the run; the model keeps what it learnt (the next Play goes on from it)."""
        self.worker.stop()

    def reset(self) -> None:
        """R: stop, and make the next run start from new random weights."""
        self.worker.stop()
        self._fresh = True
        self.set_notice("")
        if self._on_reset is not None:
            self._on_reset()
        self.was_reset.emit()

    def shape_changed(self, what: str = "the network's shape") -> None:
        """A setting that changes the model's shape: a running job restarts fresh at once;
        otherwise the next Play does, and :attr:`notice` says so."""
        if self.running:
            self.begin(fresh=True, play=True)
            self.set_notice(f"New model: {what} changed, so training started afresh.")
            return
        had_job = self.worker.has_job() or not self._fresh
        self.worker.stop()
        self._fresh = True
        if had_job:
            self.set_notice(f"{what[0].upper()}{what[1:]} changed: Play starts a new model.")

    def follow_live(self, state: Any, convert: Callable[[Any], dict] | None = None) -> None:
        """Push ``state``'s live fields to :attr:`live` whenever one changes
        (``convert(state)`` maps them to the job's names when they differ)."""
        live_names = set(state.values("live"))

        def changed(name: str, _value: Any) -> None:
            if name in live_names and self.live is not None:
                self.live.update(**(convert(state) if convert else state.values("live")))

        state.connect(changed)

    # ---------------------------------------------------------------- views
    def due(self, view: str, rate: str | float = "normal", frame: Frame | None = None) -> bool:
        """Whether ``view`` should draw now: at most ``rate`` (a VIEW_HZ name or Hz) times a
        second while running; always when paused, stepping or on the final frame."""
        if not self.running or (frame is not None and frame.final):
            return True
        hz = VIEW_HZ[rate] if isinstance(rate, str) else float(rate)
        now = time.perf_counter()
        if now >= self._due.get(view, 0.0):
            self._due[view] = now + 1.0 / hz
            return True
        return False

    def progress_text(self, frame: Frame) -> str:
        """ "epoch 12 of 50 · 3.1 epochs/s · 12 s left" (parts known so far)."""
        unit = frame.unit
        parts = [f"{unit} {frame.step:,}" + (f" of {frame.total:,}" if frame.total else "")]
        rate = self.worker.rate
        if self.running and rate > 0:
            units = plural(unit)
            parts.append(f"{rate:,.1f} {units}/s" if rate < 10 else f"{rate:,.0f} {units}/s")
            if frame.total:
                parts.append(f"{format_seconds((frame.total - frame.step) / rate)} left")
        return " · ".join(parts)

    def shutdown(self) -> None:
        self.worker.close()
