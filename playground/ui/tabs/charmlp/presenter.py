"""Frames -> the Character MLP tab's views (GUI thread only; no model work here).

Every step's loss arrives in ``Frame.history``; the presenter keeps them and draws at the
rate the session allows (``session.due``): the loss curves and the other views each at most
10 times a second, and not in the same paint: the views come ``VIEWS_AFTER_MS`` after the
curves, and one plot at a time, ``STAGE_MS`` apart (the embedding; the histograms; the
ratios and samples).  Painted together, plots stall the GUI thread for the sum of their
paints, and while a job trains each paint is slower: every call between Qt and Python waits
for the training thread to hand over the GIL.  The running mean is a trailing mean over
the last ``window`` steps, one point per step like the raw loss.
"""

from __future__ import annotations

import math
from collections import deque
from typing import Any

from PySide6.QtCore import QTimer

from playground.ui.style import TEST_COLOR
from playground.ui.tabs.charmlp.panels import SPLIT_SIZES, ViewsPanel
from playground.ui.widgets.charmlp_views import layer_names
from playground.ui.worker import Frame

CURVES = ("train, per step", "train, running mean", "dev")
VIEWS_AFTER_MS = 40  # the views, when due with the curves: drawn this much later
STAGE_MS = 15  # and one after the other, this far apart


def mean_window(steps: int) -> int:
    """How many steps the running mean spans for a run of ``steps``."""
    return max(10, steps // 400)


class Presenter:
    """Draws frames on a :class:`ViewsPanel`; ``due(view, rate, frame)`` paces it."""

    def __init__(self, views: ViewsPanel, due: Any):
        self.v = views
        self._due = due
        self.smoothed: Any = None  # charmlp_lr.smoothed, once the core is loaded
        self.first_loss: float | None = None
        self.vocab = 27
        self.finals: dict[str, float] = {}
        self.suggested: float | None = None
        self.keep_samples = False  # a loaded model: keep the samples drawn for it
        self._pending: dict[str, tuple[list, list]] = {n: ([], []) for n in CURVES}
        self._detail: dict[str, Any] | None = None
        self._last: Frame | None = None  # the latest frame, drawn or not
        self._window: deque[float] = deque(maxlen=10)
        self._sum = 0.0
        self._staged: list[Any] = []  # the parts of the latest views still to draw
        self._stage_timer = QTimer(views)
        self._stage_timer.setSingleShot(True)
        self._stage_timer.setInterval(STAGE_MS)
        self._stage_timer.timeout.connect(self._next_stage)

    # ------------------------------------------------------------------ runs
    def clear(self) -> None:
        """Empty every view: a new model is coming."""
        v = self.v
        v.loss_plot.clear_curves()
        for xs, ys in self._pending.values():
            xs.clear()
            ys.clear()
        self._detail = self._last = None
        self._staged = []
        self.first_loss = None
        self._window.clear()
        self._sum = 0.0
        self.finals = {}
        for r in range(3):
            v.table.item(r, 2).setText("–")
        v.reference_label.setText("")
        v.controls.clear()
        v.samples.show_samples([], "Samples")
        v.hist.set_layers(0)
        v.hist.set_titles("tanh activations")
        v.ratios.show_ratios([])
        self.keep_samples = False

    def begin_run(self, steps: int) -> None:
        """A job of ``steps`` steps starts (continuing or fresh)."""
        n = mean_window(steps)
        if n != self._window.maxlen:
            self._window = deque(self._window, maxlen=n)
            self._sum = sum(self._window)
        self.keep_samples = False

    def show_initial(self, view: dict[str, Any]) -> None:
        """The untrained (or just loaded) model: its embedding, the loss it should start at."""
        self.vocab = view["vocab"]
        self.v.scatter.set_vocabulary(view["itos"])
        self.v.scatter.show_points(
            view["embedding_2d"], view["axes"], scatter_title(view["emb"], view["step"])
        )
        self.v.hist.set_layers(view["layers"])
        self.v.ratios.set_names(layer_names(view["layers"]))
        self.show_init_label()

    def show_init_label(self) -> None:
        expected = math.log(self.vocab)
        text = (
            f"Initial loss: expected <b>{expected:.2f}</b> (= −ln(1/{self.vocab}), a uniform guess)"
        )
        if self.first_loss is not None:
            bad = self.first_loss > 1.5 * expected
            color = TEST_COLOR if bad else "#007a55"
            text += f" · this run's first loss: <b style='color:{color}'>{self.first_loss:.2f}</b>"
            if bad:
                text += " — confidently wrong; try Last layer × 0.01 or Kaiming init"
        self.v.init_label.setText(text)

    # ------------------------------------------------------------------ frames
    def on_frame(self, frame: Frame, progress: str) -> dict[str, float] | None:
        """Take a frame's steps; draw if due.  Returns the final losses once they come."""
        for step, m in frame.history:
            self._take(step, m)
        finals = next((m for _, m in frame.history if "final_train" in m), None)
        if "final_train" in frame.metrics:
            finals = frame.metrics
        if "embedding" in frame.detail:
            self._detail = frame.detail
        self._last = frame
        curves = self._due("charmlp curves", "slow", frame)
        if curves:
            self.draw_curves(frame, progress)
        if self._detail is not None and self._due("charmlp views", "slow", frame):
            if curves and not frame.final:
                # both due: the views a moment later, not in the same paint as the curves
                QTimer.singleShot(VIEWS_AFTER_MS, self._draw_views)
            else:
                self._draw_views()
        if finals is None:
            return None
        self.finals = {k: finals[f"final_{k}"] for k in SPLIT_SIZES}
        return self.finals

    def _take(self, step: int, m: dict[str, float]) -> None:
        loss = m.get("loss")
        pending = self._pending
        if loss is not None and math.isfinite(loss):
            if self.first_loss is None and step == 1:
                self.first_loss = loss
                self.show_init_label()
            lg = math.log10(max(loss, 1e-12))
            w = self._window
            if len(w) == w.maxlen:
                self._sum -= w[0]
            w.append(lg)
            self._sum += lg
            mean = self._sum / len(w)
            for name, y in (("train, per step", lg), ("train, running mean", mean)):
                pending[name][0].append(step)
                pending[name][1].append(y)
        dev = m.get("dev_loss")
        if dev is not None and math.isfinite(dev) and dev > 0:
            pending["dev"][0].append(step)
            pending["dev"][1].append(math.log10(dev))

    def flush(self, progress: Any) -> None:
        """Draw what the pacing held back (the run paused, ended or failed):
        ``progress(frame)`` writes the progress line."""
        if self._last is not None:
            self.draw(self._last, progress(self._last))

    def draw(self, frame: Frame, progress: str) -> None:
        """Draw what is pending (curves, views, progress)."""
        self.draw_curves(frame, progress)
        self._draw_views()

    def _draw_views(self) -> None:
        """The embedding, histograms, ratios and samples, if a newer detail came."""
        if self._detail is not None:
            self.show_detail(self._detail)
            self._detail = None

    def draw_curves(self, frame: Frame, progress: str) -> None:
        """The pending loss points and the progress line."""
        for name, (xs, ys) in self._pending.items():
            if xs:
                self.v.loss_plot.append(name, xs, ys)
                xs.clear()
                ys.clear()
        if "lr" in frame.metrics:
            progress += f" · lr {frame.metrics['lr']:.4g}"
        self.v.controls.show_frame(frame, progress)

    def show_detail(self, d: dict[str, Any]) -> None:
        """The views of a detail: the embedding now, the others a stage each after it."""
        v = self.v
        v.scatter.set_vocabulary(d["itos"])
        v.scatter.show_points(
            d["embedding_2d"], d["axes"], scatter_title(d["embedding"].shape[1], d["step"])
        )
        self._staged = [
            lambda: v.hist.show_stats(d["activations"]),
            lambda: self._show_ratios_and_samples(d),
        ]
        self._stage_timer.start()

    def _next_stage(self) -> None:
        if self._staged:
            self._staged.pop(0)()
        if self._staged:
            self._stage_timer.start()

    def _show_ratios_and_samples(self, d: dict[str, Any]) -> None:
        v = self.v
        v.ratios.show_ratios(d["ratios"])
        if not self.keep_samples:
            temp = v.temp_spin.value()
            v.samples.show_samples(d["samples"], f"Samples at step {d['step']:,} (temp. {temp:g})")

    def show_finals(self, finals: dict[str, float], reference: str) -> None:
        """The table of final losses, and the lecture's numbers beside them."""
        self.finals = dict(finals)
        for r, split in enumerate(SPLIT_SIZES):
            self.v.table.item(r, 2).setText(f"{finals[split]:.4f}")
        self.v.reference_label.setText(reference)

    def show_samples(self, samples: list[tuple[str, bool]], seed: int, temp: float) -> None:
        self.v.samples.show_samples(samples, f"Samples, seed {seed}, temp. {temp:g}")

    # ------------------------------------------------------------------ lr finder
    def show_finder(self, frame: Frame) -> float | None:
        """The finder's curve; returns the suggested rate once the sweep is done."""
        d = frame.detail
        if not d or self.smoothed is None:
            return None
        e, losses = d["exponents"], d["losses"]
        smooth = self.smoothed(losses, max(1, len(losses) // 20))
        done = frame.final
        self.suggested = d["suggested_lr"] if len(losses) > 20 else None
        shown = self.suggested if done else None
        self.v.finder_plot.show_curve(e, losses, smooth, shown)
        if shown:
            self.v.finder_plot.set_titles(
                f"lr finder · suggested {shown:.3g}", f"suggested {shown:.3g}"
            )
            return shown
        total = frame.total or 1000
        self.v.finder_plot.set_titles(
            f"lr finder · step {frame.step:,} of {total:,}", f"step {frame.step:,}/{total:,}"
        )
        return None


def scatter_title(emb: int, step: int) -> str:
    view = "real axes" if emb <= 2 else f"PCA of {emb}-D"
    return f"C ({view}) · step {step:,}"


# What the lectures printed, for the results table.
LECTURE_NUMBERS = {
    "lecture": "part 2 printed train 2.126, dev 2.170",
    "batchnorm": "part 3 printed train 2.067, dev 2.106",
    "wavenet": "part 5 printed train 1.769, dev 1.993",
}


def reference_text(preset: str, steps: int) -> str:
    """ "after 1,200 steps · for comparison, part 2 printed ... after 200,000"."""
    ref = LECTURE_NUMBERS.get(preset, "")
    return f"after {steps:,} steps" + (f" · for comparison, {ref} after 200,000" if ref else "")
