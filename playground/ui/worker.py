"""THE worker: runs a core training generator off the GUI thread.

The job (a generator of :class:`playground.core.training.Snapshot`) runs in a
plain Python daemon thread.  A QTimer on the GUI thread collects what it
produced at most ~40 times per second (60 for views that ask for it, see
:attr:`Worker.frame_ms`) and emits :attr:`Worker.frame` there, so
views always update on the GUI thread, never faster than they can draw, and
every metric of every step still arrives (in ``Frame.history``).

Expensive views (``Snapshot.detail``, then ``Snapshot.render``) are computed in
the job's thread, only when the GUI has consumed the previous frame, while the
generator is suspended.  Partial snapshots (views from inside an epoch) make frames
without counting as steps.  The same channel drives a job in a child process
(ui/job_process.py), where training shares no GIL with the GUI.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from playground.core.training import Diverged, Job, Snapshot, job_cores, limit_blas_threads
from playground.ui.collector import collect_garbage_on_gui_thread

FRAME_MS = 25  # at most 40 frames per second: views keep up with ~30 on a busy machine
SWITCH_S = 0.0002  # the GIL's switch interval while a job runs in a thread (see Worker.start)
FAST_FRAME_MS = 16  # ~60 frames per second, for views whose cost per frame stays small


@dataclass
class Frame:
    """What views receive: the latest state plus every metric since the last frame."""

    generation: int
    step: int
    total: int | None
    unit: str
    metrics: dict[str, float]
    history: list[tuple[int, dict[str, float]]] = field(default_factory=list)
    detail: dict[str, Any] = field(default_factory=dict)
    final: bool = False
    partial: bool = False  # a view from inside a unit: ``step`` units are complete
    hand: int = 0  # the hand-set weights it shows (ProcessWorker.give's count)


class _Channel:
    """What the job's thread and the GUI share: plain Python, guarded by one lock.

    The job's thread holds only this (never the Worker): a thread that drops the last
    reference to a Qt object destroys it there, and that can deadlock with the GUI
    thread.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.wake = threading.Condition(self.lock)
        self.generation = 0
        self.paused = True
        self.stop = False
        self.step_budget = 0
        self.refresh = False
        self.want_detail = True
        self.view_options: dict[str, Any] = {}  # what the GUI wants in the next frame
        self.hand = 0  # weights set by hand that reached the job (their count)
        self.history: list[tuple[int, dict[str, float]]] = []
        self.pending: Frame | None = None
        self.outcome: tuple[str, str] | None = None  # ("finished"|"failed", message)
        self.units: int | None = None  # the step of the latest snapshot (None: none yet)

    def begin(self, gen: int, paused: bool) -> None:
        """Ready for job ``gen``: nothing of the last one left."""
        with self.lock:
            self.generation = gen
            self.paused, self.stop, self.step_budget = paused, False, 0
            self.history, self.pending, self.outcome = [], None, None
            self.want_detail, self.refresh, self.units = True, False, None

    def halt(self) -> None:
        """Stop whatever job runs; frames still in flight are dropped."""
        with self.lock:
            self.stop = True
            self.generation += 1
            self.wake.notify_all()

    # ------------------------------------------------------------- job thread
    def run(self, job: Job, gen: int) -> None:
        last: Snapshot | None = None
        limit_blas_threads(job_cores())  # numpy in the job leaves the GUI thread a core
        try:
            while True:
                with self.lock:
                    if self.stop or gen != self.generation:
                        return
                    idle = self.paused and self.step_budget == 0
                    # paused: show the latest state once (after a pause, or on request)
                    show = (
                        idle
                        and last is not None
                        and (self.refresh or (bool(self.history) and self.pending is None))
                    )
                    self.refresh = False if idle else self.refresh
                    if idle and not show:
                        self.wake.wait(0.25)
                        continue
                if show:
                    self.post(last, gen, force=True, record=False)
                    continue
                try:
                    snap = next(job)
                except StopIteration:
                    if last is not None:
                        self.post(last, gen, force=True, final=True, record=False)
                    with self.lock:
                        if gen == self.generation:
                            self.outcome = ("finished", "")
                            self.wake.notify_all()  # for a child's pump (job_process)
                    return
                last = snap
                if snap.partial:  # a view from inside a unit: a frame if one is wanted
                    self.post(snap, gen, force=False, record=False)
                    continue
                with self.lock:
                    stepped = self.step_budget > 0
                    if stepped:
                        self.step_budget -= 1
                    force = stepped and self.step_budget == 0
                self.post(snap, gen, force=force)
        except Exception as exc:  # noqa: BLE001 - every failure must reach the user
            if isinstance(exc, Diverged):
                message = str(exc)
            else:
                traceback.print_exc(file=sys.stderr)
                message = f"Training stopped with an error: {type(exc).__name__}: {exc}"
            if last is not None:  # show what happened up to the failure
                with contextlib.suppress(Exception):
                    self.post(last, gen, force=True, record=False)
            with self.lock:
                if gen == self.generation:
                    self.outcome = ("failed", message)
                    self.wake.notify_all()  # for a child's pump (job_process)
        finally:
            with contextlib.suppress(Exception):
                job.close()

    def post(
        self, snap: Snapshot, gen: int, force: bool, final: bool = False, record: bool = True
    ) -> None:
        with self.lock:
            if gen != self.generation:
                return
            if record:
                self.history.append((snap.step, dict(snap.metrics)))
                self.units = snap.step
            need = force or final or self.want_detail
            if need:
                self.want_detail = False
        if not need:
            return
        hand = self.hand  # before detail(): it loads what was handed in up to here
        detail = snap.detail() if snap.detail is not None else {}  # the generator waits
        with self.lock:
            if self.view_options:
                detail["view"] = dict(self.view_options)  # for render: what to make
        frame = Frame(
            gen,
            snap.step,
            snap.total,
            snap.unit,
            dict(snap.metrics),
            detail=detail,
            final=final,
            partial=snap.partial,
            hand=hand,
        )
        if snap.render is not None:  # the views, from the copy
            frame.detail = {**frame.detail, **snap.render(frame.detail)}
        with self.lock:
            if gen == self.generation:
                self.pending = frame
                self.wake.notify_all()  # for a child's pump (job_process)


class WorkerBase(QObject):
    """What :class:`Worker` and ``job_process.ProcessWorker`` share: the signals, the
    state, the frame timer (which calls ``_poll``), the rate and handing frames on."""

    frame = Signal(object)  # Frame
    state_changed = Signal(str)
    failed = Signal(str)  # a message for the user
    finished = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._state = "idle"
        self._rate = 0.0
        self._rate_mark: tuple[float, int | None] = (time.perf_counter(), None)
        self._timer = QTimer(self)
        self._timer.setInterval(FRAME_MS)
        self._timer.timeout.connect(self._poll)
        self.view_options: dict[str, Any] = {}  # passed to the next frame's render

    @property
    def state(self) -> str:
        return self._state

    @property
    def frame_ms(self) -> int:
        """Milliseconds between frames at most (FRAME_MS unless set, e.g. FAST_FRAME_MS).

        Each frame also costs the job a ``detail()``: a faster rate trains a little slower.
        """
        return self._timer.interval()

    @frame_ms.setter
    def frame_ms(self, ms: int) -> None:
        self._timer.setInterval(max(1, int(ms)))

    @property
    def rate(self) -> float:
        """Units (steps/epochs) per second over the last second or so."""
        return self._rate

    def toggle(self) -> None:
        """Play if paused, pause if running."""
        if self._state == "running":
            self.pause()
        else:
            self.play()

    def play(self) -> None:
        raise NotImplementedError

    def pause(self) -> None:
        raise NotImplementedError

    def _poll(self) -> None:
        raise NotImplementedError

    def _restart_rate(self) -> None:
        self._rate, self._rate_mark = 0.0, (time.perf_counter(), None)

    def _measure_rate(self, units: int | None) -> None:
        now = time.perf_counter()
        t0, u0 = self._rate_mark
        if u0 is None:  # the first step seen (a resumed run starts at its own step)
            self._rate_mark = (now, units)
        elif units is not None and now - t0 >= 0.5:
            self._rate = (units - u0) / (now - t0)
            self._rate_mark = (now, units)

    def _deliver(self, frame: Frame | None, outcome: tuple[str, str] | None) -> None:
        """Emit a frame, then the job's end (``("finished"|"failed", message)``)."""
        if frame is not None:
            self.frame.emit(frame)
        if outcome is None:
            return
        kind, message = outcome
        self._timer.stop()
        self._rate = 0.0
        if kind == "finished":
            self._set_state("finished")
            self.finished.emit()
        else:
            self._set_state("failed")
            self.failed.emit(message)

    def _set_state(self, state: str) -> None:
        if state != self._state:
            self._state = state
            self.state_changed.emit(state)


class Worker(WorkerBase):
    """Runs one job at a time: play, pause, step, stop; throttled signals on the GUI thread.

    States: "idle" (no job), "running", "paused", "finished", "failed".
    Starting a new job stops the old one; frames of the old one are dropped.
    A job still running when the Worker is destroyed is stopped.
    """

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        collect_garbage_on_gui_thread()
        ch = self._ch = _Channel()
        self.destroyed.connect(lambda *_: ch.halt())  # not a method: keeps no Worker alive
        self._thread: threading.Thread | None = None

    # ----------------------------------------------------------------- control
    @property
    def generation(self) -> int:
        return self._ch.generation

    def has_job(self) -> bool:
        return self._thread is not None and self._state in ("running", "paused")

    def start(self, job: Job, paused: bool = False, live: Any = None) -> None:
        """Run ``job`` (stopping any current one). ``paused`` waits for play/step.

        ``job`` runs in another thread: it must not hold Qt objects (see _Channel).
        ``live`` (its LiveSettings) is the job's own object here: nothing to forward.
        """
        self.stop()
        # The GUI thread shares the GIL with the job: a repaint that calls into Qt a hundred
        # times can wait up to a switch interval per call (Python's default 5 ms: 80-100 ms
        # repaints of the network diagram, measured); at 0.2 ms the Character MLP's longest
        # events went from 27-44 to 17-22 ms at the same steps per second.
        if sys.getswitchinterval() > SWITCH_S:
            sys.setswitchinterval(SWITCH_S)
        ch = self._ch
        gen = ch.generation + 1
        ch.begin(gen, paused)
        self._restart_rate()
        self._thread = threading.Thread(
            target=ch.run, args=(job, gen), name=f"playground-job-{gen}", daemon=True
        )
        self._thread.start()
        self._timer.start()
        self._set_state("paused" if paused else "running")

    def play(self) -> None:
        if not self.has_job():
            return
        with self._ch.lock:
            self._ch.paused, self._ch.step_budget = False, 0
            self._ch.wake.notify_all()
        self._set_state("running")

    def pause(self) -> None:
        if not self.has_job():
            return
        with self._ch.lock:
            self._ch.paused, self._ch.step_budget = True, 0
            self._ch.want_detail = True
        self._set_state("paused")

    def step(self, n: int = 1) -> None:
        """Run ``n`` more units, then pause."""
        if not self.has_job():
            return
        with self._ch.lock:
            self._ch.paused = True
            self._ch.step_budget += n
            self._ch.want_detail = True
            self._ch.wake.notify_all()
        self._set_state("paused")

    def refresh(self) -> None:
        """Ask for a frame of the current state (e.g. after editing weights while paused)."""
        with self._ch.lock:
            self._ch.refresh = True
            self._ch.wake.notify_all()

    def close(self) -> None:
        """Stop for good (the window closes): the same as :meth:`stop` here."""
        self.stop()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the job and wait for its thread (up to ``timeout`` seconds)."""
        thread = self._thread
        self._ch.halt()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
        self._thread = None
        self._timer.stop()
        with self._ch.lock:
            self._ch.pending, self._ch.history = None, []
        if self._state in ("running", "paused"):
            self._set_state("idle")

    # --------------------------------------------------------------- GUI side
    def _poll(self) -> None:
        ch = self._ch
        with ch.lock:
            frame, outcome = ch.pending, ch.outcome
            if frame is not None:
                frame.history, ch.history = ch.history, []
                ch.pending = None
                ch.want_detail, ch.view_options = True, dict(self.view_options)
            if outcome is not None:
                ch.outcome = None
            units = ch.units
        self._measure_rate(units)
        if outcome is not None:
            self._thread = None
        self._deliver(frame, outcome)
