"""The Character MLP tab's part 4 (becoming a backprop ninja): the gradient check and the
speed of both ways of computing gradients.

The ``cmp`` table (``charmlp.backprop_ninja``) is computed in a thread (``ui/background.py``)
on the model shown, or on part 4's own network: when the user asks, when its page is
shown and the model changed, and when training pauses or ends.  Results older than the
latest request are dropped.  The steps/s of each kind of backward ("autograd", "manual")
are measured over a run's whole stretches of training (:class:`SpeedMeter`: start-up,
pauses and the final losses left out) and shown once a run has trained long enough to say
(``MIN_SECONDS``); the last figure of each kind stays.
"""

from __future__ import annotations

import math
import time
from typing import Any

from playground.ui.background import run_in_thread
from playground.ui.tabs.charmlp import job
from playground.ui.tabs.charmlp.state import BACKWARD_NAMES

SHORT_BACKWARD = {"autograd": "autograd", "manual": "by hand"}
MIN_SECONDS = 1.0  # the training time a rate must span before it is shown
MIN_STEPS = 20  # and the steps
SPEED_EVERY_S = 1.0  # the figure shown while it trains changes at most this often


class SpeedMeter:
    """Steps per second of one run over its stretches of training.

    A stretch runs from the first step seen while the run plays to the last step seen
    before it pauses or ends: the start-up before the first step (building the dataset),
    pauses, and the final losses measured after the last step are not training time.
    """

    def __init__(self) -> None:
        self.steps = 0  # in closed stretches
        self.seconds = 0.0
        self._first: tuple[float, int] | None = None  # (time, step) of the open stretch
        self._last: tuple[float, int] | None = None

    def step_seen(self, step: int, now: float) -> None:
        """A frame of steps up to ``step`` arrived at ``now`` while the run plays."""
        if self._first is None:
            self._first = (now, step)
        self._last = (now, step)

    def pause(self) -> None:
        """The run paused, stopped or ended: close the open stretch."""
        if self._first is not None and self._last is not None:
            self.seconds += self._last[0] - self._first[0]
            self.steps += self._last[1] - self._first[1]
        self._first = self._last = None

    def totals(self) -> tuple[int, float]:
        """(steps, seconds) measured so far, the open stretch included."""
        steps, seconds = self.steps, self.seconds
        if self._first is not None and self._last is not None:
            seconds += self._last[0] - self._first[0]
            steps += self._last[1] - self._first[1]
        return steps, seconds

    def rate(self) -> float | None:
        """Steps per second, or None while too little was measured to say."""
        steps, seconds = self.totals()
        if seconds < MIN_SECONDS or steps < MIN_STEPS:
            return None
        return steps / seconds


def unsupported(config: Any) -> str:
    """Why the cmp table can't follow this model ("" when it can)."""
    if config.architecture != "mlp":
        what = "the WaveNet hierarchy (part 5): its FlattenConsecutive layers and 3-D BatchNorm"
        what += " are not part 4's exercise"
    elif len(config.hidden) != 1:
        what = f"a flat MLP with {len(config.hidden)} hidden layers"
    else:
        return ""
    return (
        "The backprop ninja table follows makemore part 4's network, a flat MLP with one "
        f"hidden layer; this model is {what}. Pick \u201cpart 4's network\u201d above to see "
        "the lecture's table, or a one-layer preset (Lecture, BatchNorm, Tiny)."
    )


def rate_text(rate: float | None) -> str:
    """A rate to three significant digits, as measuring gives no more: 2,134.6 -> "2,130"."""
    if not rate:
        return "–"
    if rate < 10:
        return f"{rate:.2g}"
    return f"{round(rate, 2 - math.floor(math.log10(rate))):,.0f}"


def speed_text(kind: str | None, rate: float | None, speeds: dict[str, float]) -> str:
    """ "this run: 2,100 steps/s (autograd) · last measured: autograd 2,100, by hand 2,400";
    ``kind``: the run's backward while it plays (None: no run plays); ``rate`` None: not
    measured long enough yet."""
    fmt = rate_text

    last = ", ".join(f"{SHORT_BACKWARD[k]} {fmt(speeds.get(k))}" for k in BACKWARD_NAMES)
    text = f"last measured: {last} steps/s"
    if kind is not None:
        now = f"{fmt(rate)} steps/s" if rate else "measuring…"
        text = f"<b>this run: {now}</b> ({SHORT_BACKWARD[kind]}) · " + text
    return text


class Part4Mixin:
    """Part of :class:`CharMLPTab` (``self`` is the tab)."""

    def _init_part4(self) -> None:
        self._ninja_gen = 0
        self._ninja_key: tuple | None = None  # what the table shows (model, step)
        self.speeds: dict[str, float] = {}  # backward kind -> last steps/s measured
        self.speed_meter = SpeedMeter()  # the run now
        self._speed_shown = ""
        self._speed_at = -math.inf  # when the figure was last updated while training

    def _connect_part4(self) -> None:
        view = self.views.ninja
        view.refresh_clicked.connect(lambda: self.check_gradients(force=True))
        view.network_changed.connect(lambda _n: self.check_gradients(force=True))
        self.views.pages.currentChanged.connect(lambda _i: self.check_gradients())
        self.show_speed()

    # ------------------------------------------------------------------ the cmp table
    def check_gradients(self, force: bool = False) -> bool:
        """Compute the cmp table in a thread; without ``force`` only when its page is shown
        and the model changed since.  True if a check started."""
        view = self.views.ninja
        if self.cm is None or self.words is None:
            return False
        if not force and not view.isVisible():
            return False
        lecture = view.network() == "lecture"
        model = None if lecture else self.model
        if model is None and not lecture:
            return False
        if not lecture and unsupported(model.config):
            view.show_unsupported(unsupported(model.config))
            self._ninja_key = None
            return False
        key = ("lecture",) if lecture else (id(model), model.steps_trained)
        if not force and key == self._ninja_key:
            return False
        self._ninja_key = key
        what = (
            "part 4's network (a batch of 32)"
            if lecture
            else f"the current model at step {model.steps_trained:,} (a batch of 32)"
        )
        self._ninja_gen += 1
        gen = self._ninja_gen
        view.show_busy(what)
        cm, words = self.cm, self.words
        run_in_thread(
            self,
            lambda: job.backprop_ninja(cm, words, model),
            lambda result: self._ninja_done(gen, result, what),
            lambda exc: self._ninja_failed(gen, exc),
            name="charmlp-ninja",
        )
        return True

    def _ninja_done(self, gen: int, result: tuple[list, dict], what: str) -> None:
        if gen == self._ninja_gen:
            rows, formulas = result
            self.views.ninja.show_rows(rows, formulas, what[0].upper() + what[1:])

    def _ninja_failed(self, gen: int, exc: BaseException) -> None:
        if gen == self._ninja_gen:
            self._ninja_key = None
            self.views.ninja.show_error(f"The check failed: {exc}")

    # ------------------------------------------------------------------ steps/s
    def _new_speed_run(self) -> None:
        """A job starts: its speed is measured afresh."""
        self.speed_meter = SpeedMeter()

    def _measure_speed(self, step: int, final: bool) -> None:
        """A frame of the job arrived: its steps count if the run plays (not the frame of
        the final losses, measured after the last step)."""
        meter, now = self.speed_meter, time.perf_counter()
        if self.session.running and not final:
            meter.step_seen(step, now)
        if now - self._speed_at >= SPEED_EVERY_S:  # a label that changes lays out its panel
            self._speed_at = now
            self._keep_speed()

    def _speed_paused(self) -> None:
        self.speed_meter.pause()
        self._keep_speed()

    def _keep_speed(self) -> None:
        rate = self.speed_meter.rate()
        if rate is not None and self.run is not None:
            self.speeds[self.run.config.backward] = rate
        self.show_speed()

    def show_speed(self) -> None:
        running = self.session.running and self.run is not None
        kind = self.run.config.backward if running else None
        text = speed_text(kind, self.speed_meter.rate() if running else None, self.speeds)
        if text != self._speed_shown:
            self._speed_shown = text
            self.settings_panel.speed_label.setText(text)
