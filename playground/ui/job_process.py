"""A worker whose job trains in a child process: the GUI keeps its own core and GIL.

On two cores a training thread and the GUI thread take turns at one GIL: every small
torch op lets the other thread in, and the trainer waits up to a switch interval to get
it back, so drawing at 60 frames per second cost the Decision boundary's trainer ~40%
of its epochs, and the trainer's ops lengthened the GUI's repaints (measured, see
benchmarks/boundary.py).  Here the job runs in a spawned Python process, driven by the
same :class:`~playground.ui.worker._Channel` as in a thread.  What crosses the pipe:

* GUI -> child: start (a picklable *spec* whose ``make(store)`` builds the job there),
  play, pause, step, refresh, stop, "want" (the GUI drew a frame: make the next one; with
  the view options), live settings, weights set by hand (``give``), quit;
* child -> GUI: "hello" once it runs, then frames (their views already rendered), every
  metric (``history``), the step counter and the job's outcome.

The child is started without the parent's ``__main__``: multiprocessing's spawn would import
the user's script again there (a teaching script without ``if __name__ == "__main__":``
would open a second window in the child and never answer; a notebook's cannot be imported
at all). The child needs only ``child_main``.  A child that does not say hello within
:data:`START_TIMEOUT_S`, or that ends (an import error, out of memory, killed from outside),
fails the job with a message saying what happened and what to do; the next Play or Reset
starts a new child.

``store`` is a dict that lives in the child across jobs: a spec keeps its model there, so
"go on with the same model" needs nothing sent back.  :class:`ProcessWorker` has
:class:`~playground.ui.worker.Worker`'s API and signals; the child starts with the first
job (importing torch there, not in the GUI) and is stopped with the worker.
"""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing as mp
import os
import queue
import signal
import sys
import threading
import time
import types
from collections.abc import Iterator
from typing import Any

from PySide6.QtCore import QObject, QTimer

from playground.ui.worker import Frame, WorkerBase, _Channel

PUMP_S = 0.05  # how often the child sends the step counter when nothing else happens
CHILD_NICE = 10  # the training process's lower priority: when the GUI and training want the
# same core, the GUI gets it (on 2 cores its repaints took twice their CPU time, waiting)
SOON_MS = 2  # a frame timer tick that found no frame looks again this soon (until one comes)
START_TIMEOUT_S = 60.0  # a child that has not said hello by then is not going to


# ======================================================================= the child
def _pump(ch: _Channel, conn: Any) -> None:
    """Send what the job made (frames, metrics, outcome) as _poll would take it: woken by
    a new frame or the job's end, else every PUMP_S for the step counter."""
    sent_units: int | None = None
    while True:
        with ch.lock:
            if ch.pending is None and ch.outcome is None:
                ch.wake.wait(PUMP_S)
            frame, outcome = ch.pending, ch.outcome
            if frame is not None:
                frame.history, ch.history = ch.history, []
                ch.pending = None
            if outcome is not None:
                ch.outcome = None
            units, gen = ch.units, ch.generation
        if frame is not None or outcome is not None or units != sent_units:
            sent_units = units
            try:
                conn.send(("update", gen, frame, outcome, units))
            except (OSError, ValueError):
                return  # the GUI is gone


def child_main(conn: Any) -> None:
    """The child process: one job at a time, commanded through ``conn``."""
    if hasattr(os, "nice"):  # the GUI wins a core it shares with training (POSIX)
        os.nice(CHILD_NICE)
    conn.send(("hello", os.getpid()))
    ch = _Channel()
    store: dict[str, Any] = {}
    threading.Thread(target=_pump, args=(ch, conn), daemon=True).start()
    thread: threading.Thread | None = None
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            msg = ("quit",)
        kind = msg[0]
        if kind in ("start", "stop", "quit", "reset"):
            ch.halt()
            if thread is not None:
                thread.join()
                thread = None
            if kind == "quit":
                return
            if kind == "reset":  # back in the pool: nothing of the old worker stays
                store.clear()
        if kind == "start":
            _, gen, spec, paused = msg
            ch.begin(gen, paused)
            try:
                job = spec.make(store)
            except Exception as exc:  # noqa: BLE001 - the GUI says it
                with ch.lock:
                    ch.outcome = ("failed", f"Could not start training: {exc}")
                    ch.wake.notify_all()
                continue
            thread = threading.Thread(target=ch.run, args=(job, gen), daemon=True)
            thread.start()
            continue
        with ch.lock:
            if kind == "play":
                ch.paused, ch.step_budget = False, 0
            elif kind == "pause":
                ch.paused, ch.step_budget, ch.want_detail = True, 0, True
            elif kind == "step":
                ch.paused, ch.want_detail = True, True
                ch.step_budget += msg[1]
            elif kind == "refresh":
                ch.refresh = True
            elif kind == "want":
                ch.want_detail, ch.view_options = True, msg[1]
            ch.wake.notify_all()
        if kind == "live" and store.get("live") is not None:
            store["live"].update(**msg[1])
        elif kind == "give" and store.get("give") is not None:
            store["give"](msg[1])
            ch.hand = msg[2]


# ======================================================================= the GUI side
_GENERATIONS = itertools.count(1)  # job numbers, unique across workers (children are reused)
SPARES = 2  # idle children kept for the next worker (a new tab, a test): torch is loaded


@contextlib.contextmanager
def _without_main_script() -> Iterator[None]:
    """While a child is spawned, ``__main__`` is an empty module: spawn then has no script
    to import again in the child (it takes the main module's ``__spec__`` or ``__file__``)."""
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main


def why_it_ended(exitcode: int | None) -> str:
    """A child's exit code in words, with what to do."""
    if exitcode is None:
        return "it stopped answering"
    if exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        if -exitcode == getattr(signal, "SIGKILL", 9):
            return (
                f"it was killed ({name}): the system may have run out of memory, or another "
                "program ended it. Close other programs or choose a smaller network"
            )
        return f"it was ended by {name}"
    return (
        f"it exited with code {exitcode}, an error in the child (the terminal that started "
        "the app shows it)"
    )


class _Outbox:
    """The GUI's end of a child's pipe, written by a thread of its own: a big message (a
    word list) or a child still starting (not reading yet) never blocks the GUI thread.
    Messages keep their order; the thread holds no Qt object."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.broken = False
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        threading.Thread(target=self._run, name="playground-send", daemon=True).start()

    def send(self, msg: tuple) -> None:
        """Queue ``msg`` for the child (OSError once the pipe is known to be broken)."""
        if self.broken:
            raise OSError("the pipe to the training process is closed")
        self._queue.put(msg)

    def close(self) -> None:
        """No more messages: the thread ends after the ones queued."""
        self._queue.put(None)

    def _run(self) -> None:
        while (msg := self._queue.get()) is not None:
            try:
                self.conn.send(msg)
            except (OSError, ValueError):
                self.broken = True  # the child is gone: the GUI finds out as it polls
                return


class _Child:
    """The child process and the GUI's end of its pipe (read here, written by an _Outbox)."""

    spares: list[tuple[Any, Any, _Outbox]] = []  # (process, pipe, outbox) of idle children

    def __init__(self) -> None:
        self.proc: Any = None
        self.conn: Any = None
        self.outbox: _Outbox | None = None
        self.spawned_at: float | None = None  # until it said hello (None: it has)

    @classmethod
    def drop_spares(cls) -> None:
        """End every idle child (the next worker starts a new one)."""
        while cls.spares:
            proc, conn, outbox = cls.spares.pop()
            cls._end(proc, conn, outbox, 5.0)

    def spawn(self) -> None:
        """A child for this worker: an idle one if there is one alive, else a new one."""
        self.close(0.5)
        while _Child.spares:
            proc, conn, outbox = _Child.spares.pop()
            if proc.is_alive() and not outbox.broken:
                self.proc, self.conn, self.outbox, self.spawned_at = proc, conn, outbox, None
                return
            self._end(proc, conn, outbox, 0.0)
        ctx = mp.get_context("spawn")
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=child_main, args=(child,), name="playground-trainer", daemon=True)
        with _without_main_script():
            proc.start()
        child.close()
        self.proc, self.conn, self.outbox = proc, parent, _Outbox(parent)
        self.spawned_at = time.monotonic()

    def send(self, msg: tuple) -> None:
        """Send ``msg`` to the child (OSError or ValueError when there is none to send to)."""
        if self.outbox is None:
            raise ValueError("no training process")
        self.outbox.send(msg)

    def late(self) -> bool:
        """True when the child has not said hello within START_TIMEOUT_S."""
        t0 = self.spawned_at
        return t0 is not None and time.monotonic() - t0 > START_TIMEOUT_S

    def release(self) -> None:
        """Done with the child: it waits, reset, for the next worker (or ends)."""
        proc, outbox = self.proc, self.outbox
        healthy = proc is not None and proc.is_alive() and self.spawned_at is None
        if healthy and outbox is not None and not outbox.broken and len(_Child.spares) < SPARES:
            outbox.send(("reset",))
            _Child.spares.append((proc, self.conn, outbox))
            self.proc = self.conn = self.outbox = None
            return
        self.close()

    def close(self, timeout: float = 2.0) -> None:
        """End the child process."""
        proc, conn, outbox = self.proc, self.conn, self.outbox
        self.proc = self.conn = self.outbox = None
        self._end(proc, conn, outbox, timeout)

    @staticmethod
    def _end(proc: Any, conn: Any, outbox: _Outbox | None, timeout: float) -> None:
        if outbox is not None:
            with contextlib.suppress(OSError):
                outbox.send(("quit",))
            outbox.close()
        if proc is not None:
            proc.join(timeout)
            if proc.is_alive():
                proc.terminate()
                proc.join(1.0)
        if conn is not None:
            conn.close()


class ProcessWorker(WorkerBase):
    """:class:`~playground.ui.worker.Worker`'s API, with the job in a child process.

    ``start(spec)`` takes a picklable spec (``spec.make(store) -> Job``, run in the child)
    instead of a generator; ``live`` (a LiveSettings) is watched and its values sent on
    when they change; :meth:`give` hands the child weights set by hand.
    """

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._child = _Child()
        self._gen = 0
        self._hand = 0  # weights given by hand so far: older frames are not shown
        self._units: int | None = None
        self._late_history: list = []  # metrics whose frame was dropped: with the next
        self._live: Any = None
        self._live_sent: dict | None = None
        # a tick that found no frame looks again SOON_MS later: the next frame, asked for
        # at the last one, is often ~8 ms away, and the next tick a whole frame
        self._soon = QTimer(self, singleShot=True, interval=SOON_MS)
        self._soon.timeout.connect(self._poll_soon)
        child = self._child
        self.destroyed.connect(lambda *_: child.release())  # holds the child, not the worker

    # ----------------------------------------------------------------- control
    @property
    def generation(self) -> int:
        return self._gen

    def has_job(self) -> bool:
        return self._state in ("running", "paused")

    def start(self, spec: Any, paused: bool = False, live: Any = None) -> None:
        """Run the job ``spec.make(store)`` builds in the child (stopping any current one)."""
        self._gen = next(_GENERATIONS)
        self._live, self._live_sent = live, None
        self._restart_rate()
        self._units, self._late_history = None, []
        if not self._send("start", self._gen, spec, paused):
            return
        self._sync_live()
        self._timer.start()
        self._set_state("paused" if paused else "running")

    def play(self) -> None:
        if self.has_job():
            self._sync_live()  # a setting changed just before Play applies from its first step
            self._send("play")
            self._set_state("running")

    def pause(self) -> None:
        if self.has_job():
            self._send("pause")
            self._set_state("paused")

    def step(self, n: int = 1) -> None:
        """Run ``n`` more units, then pause."""
        if self.has_job():
            self._sync_live()
            self._send("step", n)
            self._set_state("paused")

    def refresh(self) -> None:
        """Ask for a frame of the current state (e.g. after editing weights while paused)."""
        if self.has_job():
            self._send("refresh")

    def give(self, weights: Any) -> None:
        """Weights set by hand: the job loads them before its next view."""
        if self.has_job():
            self._hand += 1
            self._send("give", weights, self._hand)

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the job; its frames still on the way are dropped.  Does not wait: the
        child finishes the old job's step before it starts the next."""
        self._gen = next(_GENERATIONS)
        if self._child.outbox is not None:
            self._send("stop")
        self._timer.stop()
        if self._state in ("running", "paused"):
            self._set_state("idle")

    def close(self, timeout: float = 5.0) -> None:
        """Done with the child process (it waits for the next worker; a later start takes
        a child again)."""
        self._timer.stop()
        self._gen = next(_GENERATIONS)
        self._child.release()
        if self._state in ("running", "paused"):
            self._set_state("idle")

    # --------------------------------------------------------------- plumbing
    def _send(self, *msg: Any) -> bool:
        child = self._child
        if child.outbox is None or child.outbox.broken or not self._alive():
            if msg[0] != "start":
                return False
            child.spawn()
        try:
            child.send(msg)
            return True
        except (OSError, ValueError):
            self._died()
            return False

    def _sync_live(self) -> None:
        if self._live is None:
            return
        values = self._live.as_dict()
        if values != self._live_sent:
            self._live_sent = values
            self._send("live", values)

    def _died(self) -> None:
        """The child ended or never started: say why, and drop it (the next start makes one)."""
        child = self._child
        starting = child.spawned_at is not None
        code = child.proc.exitcode if child.proc is not None else None
        if code is None and child.proc is not None and child.proc.is_alive():
            child.proc.kill()  # silent for too long: it will not answer now
        child.close(0.5)
        if starting:
            what = "The training process could not start"
            if code is None:
                why = (
                    f"it did not answer within {START_TIMEOUT_S:.0f} s (a busy or very slow "
                    "machine, or PyTorch could not load)"
                )
            else:
                why = why_it_ended(code)
        else:
            what, why = "The training process stopped", why_it_ended(code)
        self._deliver(None, ("failed", f"{what}: {why}. Press Reset or Play to start a new one."))

    def _alive(self) -> bool:
        proc = self._child.proc
        return proc is not None and proc.is_alive()

    def _poll_soon(self) -> None:
        """Look again between ticks, until the frame comes or the tick is near."""
        if self._timer.isActive() and self._timer.remainingTime() > SOON_MS:
            self._poll()

    def _poll(self) -> None:
        conn = self._child.conn
        if conn is None:
            return
        self._sync_live()
        frame, outcome, history, received = None, None, [], False
        try:
            while conn.poll():
                msg = conn.recv()
                if msg[0] == "hello":
                    self._child.spawned_at = None
                    continue
                _, gen, f, out, units = msg
                if gen != self._gen:
                    continue
                self._units = units
                if f is not None:
                    history += f.history
                    received = True
                    if f.hand >= self._hand:
                        frame = f
                if out is not None:
                    outcome = out
        except (EOFError, OSError):
            self._died()
            return
        if not received and outcome is None and (self._child.late() or not self._alive()):
            self._died()
            return
        self._measure_rate(self._units)
        if not received and self._state == "running" and not self._soon.isActive():
            self._soon.start()
        if received:  # the next frame, made in the child while this one is drawn here (the
            # views asked for while drawing it come with the one after)
            self._send("want", dict(self.view_options))
        if frame is None and history:  # their frame showed weights older than a hand edit
            self._late_history += history
        if frame is not None:
            frame.history, self._late_history = self._late_history + history, []
            self._deliver(frame, None)
        self._deliver(None, outcome)


__all__ = ["Frame", "ProcessWorker", "child_main"]
