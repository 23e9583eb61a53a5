"""The Character MLP tab's pinned runs and its ready-made comparison.

Pin keeps the run shown: its settings (the state's model and training fields), its
curves (the running mean of log10 loss and the dev loss, thinned to at most
``PIN_POINTS`` points each), its final losses, training time and samples.  The
comparison "the initialisation lesson" (makemore part 3's story) trains part 2's MLP four
times from the same seed with playground/ui/compare.py: randn init, Kaiming, Kaiming with
a small last layer, and BatchNorm.
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QHeaderView, QLabel, QPushButton, QVBoxLayout, QWidget

from playground.ui.runs import PinnedRun
from playground.ui.tabs.charmlp.state import CharMLPState
from playground.ui.widgets.curves import CurvePlot
from playground.ui.widgets.runs_table import RunsPanel

PIN_POINTS = 1000  # the most points a pinned curve keeps
METRICS = [
    ("train", "train", "{:.4f}"),
    ("dev", "dev", "{:.4f}"),
    ("test", "test", "{:.4f}"),
    ("steps", "steps", "{:,.0f}"),
]
LABELS = {f: CharMLPState.spec(f).label for f in CharMLPState.core_fields()}
# "the initialisation lesson": makemore part 3's story in four runs of part 2's MLP
INIT_STEPS = 10_000
INIT_BASE = {
    "architecture": "mlp",
    "block_size": 3,
    "emb_dim": 10,
    "hidden": (200,),
    "optimizer": "sgd",
    "backward": "autograd",
    "batch_size": 32,
    "lr": 0.1,
    "decay_step": 100_000,
    "decay_factor": 0.1,
    "seed": 2147483647,
    "steps": INIT_STEPS,
}
INIT_LESSON = [
    ("randn init", {"init": "randn", "last_layer_scale": 1.0, "batchnorm": False}),
    ("Kaiming", {"init": "kaiming", "last_layer_scale": 1.0, "batchnorm": False}),
    ("Kaiming, last ×0.01", {"init": "kaiming", "last_layer_scale": 0.01, "batchnorm": False}),
    ("BatchNorm", {"init": "kaiming", "last_layer_scale": 0.01, "batchnorm": True}),
]
INIT_CAPTION = (
    "<b>Part 3's story in four runs</b>: randn init, Kaiming, Kaiming + last layer ×0.01, "
    "BatchNorm; part 2's MLP (200 hidden, lr 0.1), {steps:,} steps each, same seed: about a "
    "minute on 2 cores."
)


def thin(xs: list[float], ys: list[float], n: int = PIN_POINTS) -> tuple[list, list]:
    """At most ``n`` evenly spaced points of a curve (its first and last kept)."""
    if len(xs) <= n:
        return list(xs), list(ys)
    idx = np.unique(np.linspace(0, len(xs) - 1, n).round().astype(int))
    return [xs[i] for i in idx], [ys[i] for i in idx]


def run_settings(state: CharMLPState) -> dict[str, Any]:
    """What a pinned run keeps of the state: the model's and the training's fields."""
    return {k: v for k, v in state.to_dict().items() if k in CharMLPState.core_fields()}


class RunsPage(QWidget):
    """The pinned runs (table, overlays on ``plots``) and the initialisation lesson."""

    def __init__(self, plots: dict[str, CurvePlot], parent: QWidget | None = None):
        super().__init__(parent)
        self.panel = RunsPanel(plots, METRICS, LABELS)  # samples show in a run's tooltip
        self.panel.table.setMinimumHeight(70)
        header = self.panel.table.horizontalHeader()
        for col in (1, *range(3, self.panel.table.columnCount())):
            header.setSectionResizeMode(col, QHeaderView.ResizeToContents)
        self.compare_button = QPushButton("Run the initialisation lesson")
        self.compare_button.setObjectName("compareButton")
        self.compare_button.setToolTip(
            "Train the four runs one after another and pin each; your settings come back at "
            "the end."
        )
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop the comparison; the runs pinned so far stay.")
        self.progress_label = QLabel("")
        self.progress_label.setObjectName("comparisonProgress")
        self.caption = QLabel(INIT_CAPTION.format(steps=INIT_STEPS))
        self.caption.setWordWrap(True)
        self.caption.setTextFormat(Qt.RichText)
        self.progress_label.setWordWrap(True)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.compare_button, 0, Qt.AlignTop)
        row.addWidget(self.cancel_button, 0, Qt.AlignTop)
        row.addWidget(self.caption, 1)
        row.addWidget(self.progress_label, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addLayout(row)
        layout.addWidget(self.panel, 1)
        self.set_running(False)

    def set_running(self, running: bool) -> None:
        """While the lesson runs: its progress and Cancel instead of the caption."""
        self.compare_button.setEnabled(not running)
        self.cancel_button.setVisible(running)
        self.progress_label.setVisible(running)
        self.caption.setVisible(not running)


class RunsMixin:
    """Part of :class:`CharMLPTab` (``self`` is the tab): pin, restore, compare."""

    def _init_runs(self) -> None:
        self.comparison: Any = None
        self._trained_s, self._clock_t0 = 0.0, None  # training time of the model shown
        self._finals_at = -1  # the step the final losses shown were measured at

    def _connect_runs(self) -> None:
        page, runs = self.views.runs_page, self.runs
        runs.pin_clicked.connect(lambda: self.pin_run())
        runs.restore_requested.connect(self.restore_run_settings)
        runs.failed.connect(lambda text: self.show_message(text, "error"))
        runs.exported.connect(lambda path: self.saved("the pinned runs as CSV", path))
        runs.changed.connect(self._runs_changed)
        page.compare_button.clicked.connect(lambda: self.compare_init())
        page.cancel_button.clicked.connect(self.cancel_comparison)
        self.session.state_changed.connect(self._clock)
        self.state.connect(lambda *_: runs.set_current(run_settings(self.state)))
        runs.set_current(run_settings(self.state))

    # ------------------------------------------------------------------ time
    def _clock(self, state: str) -> None:
        """Count the seconds spent training the model shown."""
        now = time.perf_counter()
        if self._clock_t0 is not None:
            self._trained_s += now - self._clock_t0
        self._clock_t0 = now if state == "running" else None

    def _reset_clock(self) -> None:
        self._trained_s = 0.0
        self._clock_t0 = time.perf_counter() if self.session.running else None

    def trained_seconds(self) -> float:
        extra = time.perf_counter() - self._clock_t0 if self._clock_t0 is not None else 0.0
        return self._trained_s + extra

    # ------------------------------------------------------------------ pin
    def pin_run(self, name: str = "") -> PinnedRun | None:
        """Keep the run shown (settings, curves, final losses, time, samples) in the runs
        table; None, with a message, when nothing has been trained yet."""
        self.presenter.flush(self.session.progress_text)
        plot = self.views.loss_plot
        xs, ys = plot.data("train, running mean")
        if self.run is None or not len(xs):
            self.show_message("Nothing to pin yet: train the model first (Play).", "info")
            return None
        dx, dy = plot.data("dev")
        curves = {"loss/train": thin(xs.tolist(), ys.tolist())}
        if len(dx):
            curves["loss/dev"] = thin(dx.tolist(), dy.tolist())
        steps = self.run.model.steps_trained
        finals = self.presenter.finals if self._finals_at == steps else {}
        metrics = {k: float(v) for k, v in finals.items() if math.isfinite(v)}
        if "dev" not in metrics and len(dy):
            metrics["dev"] = float(10 ** dy[-1])  # the last dev loss measured
        metrics["steps"] = float(steps)
        run = PinnedRun(
            name,
            run_settings(self.state),
            curves,
            metrics,
            wall_s=self.trained_seconds(),
            samples=[s for s, _seen in self.views.samples.names],
        )
        self.runs.pin(run)
        self.views.show_page(self.views.runs_page)
        return run

    def _runs_changed(self) -> None:
        n = len(self.runs.book)
        self.views.set_page_title(self.views.runs_page, f"Compare runs ({n})" if n else "")

    def restore_run_settings(self, settings: dict) -> bool:
        """A pinned run's settings back in the form (checked first: a bad one changes
        nothing and says why)."""
        fields = {k: v for k, v in settings.items() if k in CharMLPState.core_fields()}
        try:
            checked = CharMLPState.from_dict(fields, strict=True)
        except ValueError as exc:
            self.show_message(f"Cannot restore those settings: {exc}", "error")
            return False
        self.apply({k: getattr(checked, k) for k in fields}, reason="the pinned run's settings")
        self.show_message("The pinned run's settings are back: press Play to train them again.")
        return True

    # ------------------------------------------------------------------ the lesson
    def comparing(self) -> bool:
        return self.comparison is not None and self.comparison.running

    def compare_init(self, **base: Any) -> Any:
        """ "The initialisation lesson": the four INIT_LESSON runs, each from the same seed;
        ``base`` overrides INIT_BASE (e.g. ``steps=30`` in a test).  Returns the
        Comparison (None if one runs or the core has not loaded)."""
        from playground.ui.compare import Comparison

        if self.comparing() or self.cm is None:
            return None
        if self.comparison is not None:
            self.comparison.deleteLater()
        page = self.views.runs_page
        comp = Comparison(self, INIT_LESSON, base={**INIT_BASE, **base})
        comp.progress.connect(page.progress_label.setText)
        comp.done.connect(self._comparison_done)
        self.comparison = comp
        page.set_running(True)
        self.views.show_page(page)
        comp.start()
        return comp

    def cancel_comparison(self) -> None:
        if self.comparison is not None:
            self.comparison.cancel()

    def _comparison_done(self, complete: bool) -> None:
        self.views.runs_page.set_running(False)
        if complete:
            self.show_message(
                "The initialisation lesson is pinned (dashed): compare the first steps and "
                "the dev losses. Your settings are back."
            )
        else:
            self.show_message("Comparison cancelled: the runs pinned so far stay.")
