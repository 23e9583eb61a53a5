"""Pinned runs of the Bigram tab's neural net, and its ready-made comparisons.

A pinned run keeps the run's settings (learning rate, λ, steps, computation, and the words
it learnt), its loss curve, its final numbers and its training time.  Its loss is also
given as a gap to the counting model (k = 0, the best any bigram table can do) and as the
smoothing k whose counting model scores the same NLL: the lesson "regularization acts
like smoothing" as a number.  The Runs page is the shared :class:`RunsPanel` plus a
one-click comparison with its progress and a Cancel button.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from playground.ui.compare import Comparison
from playground.ui.runs import PinnedRun
from playground.ui.widgets.curves import CurvePlot
from playground.ui.widgets.runs_table import RunsPanel

RUN_FIELDS = ("lr", "l2", "steps", "method")  # what makes a run of the net differ
LABELS = {"lr": "lr", "l2": "λ", "steps": "steps", "method": "computed as", "words": "words"}
METRICS = [  # the table's columns (the CSV also has "total" and "trained_steps")
    ("loss", "NLL", "{:.4f}"),
    ("gap", "gap", "{:+.4f}"),
    ("like_k", "like k", "{:.3g}"),
]
METRIC_TIPS = {
    "NLL": "The run's final loss: mean NLL of every bigram.",
    "gap": "How far above the counting model without smoothing (k = 0, the best any "
    "bigram table can do) the run ended.",
    "like k": "The smoothing k whose counting table scores the same NLL: what the run's "
    "regularization (and unfinished training) amounts to.",
}
MAX_POINTS = 1000  # a pinned curve keeps at most this many points (saved with the settings)


@dataclass(frozen=True)
class Preset:
    """A ready-made comparison: variants run one after another from the same random W."""

    title: str
    tip: str
    variants: list[tuple[str, dict[str, Any]]]
    base: dict[str, Any]  # what every variant shares


PRESETS = {
    "smoothing": Preset(
        "Regularization acts like smoothing: λ = 0, 0.01, 0.1, 1",
        "Four runs from the same random W, lr 50, 500 steps, computed as row x of W. "
        "The 'like k' column gives the smoothing k whose counting table scores the same NLL: "
        "a larger λ pulls W towards 0 (equal probabilities) as more fake counts do. "
        "(λ = 0 keeps creeping towards k = 0 with more steps.)",
        [(f"λ = {x:g}", {"l2": x}) for x in (0.0, 0.01, 0.1, 1.0)],
        {"lr": 50.0, "method": "rows", "steps": 500},
    ),
    "computations": Preset(
        "Same maths, three computations: one-hot @ W, row x of W, counts",
        "Three runs from the same random W, lr 50, λ 0.01, 100 steps. The curves lie on top "
        "of each other (the same loss and gradient); only the time differs.",
        [
            ("one-hot(x) @ W", {"method": "onehot"}),
            ("row x of W", {"method": "rows"}),
            ("count trick", {"method": "counts"}),
        ],
        {"lr": 50.0, "l2": 0.01, "steps": 100},
    ),
}


# ---------------------------------------------------------------- numbers
def smoothing_nll(counts: np.ndarray, k: float) -> float:
    """Mean NLL of the bigrams counted in ``counts`` under their table smoothed by ``k``."""
    N = np.asarray(counts, dtype=np.float64)
    total = N.sum()
    if total <= 0:
        return math.nan
    P = (N + k) / np.maximum(N.sum(1, keepdims=True) + N.shape[1] * k, 1e-300)
    seen = N > 0
    return float(-(N[seen] * np.log(P[seen])).sum() / total)


def equivalent_smoothing(counts: np.ndarray, nll: float) -> float:
    """The smoothing k whose counting model scores ``nll`` on the same bigrams (0 at or
    below the unsmoothed table's NLL, inf beyond 10^7 fake counts, nan if unknown)."""
    if not math.isfinite(nll):
        return math.nan
    if nll <= smoothing_nll(counts, 0.0):
        return 0.0
    hi = 1.0
    while smoothing_nll(counts, hi) < nll:
        hi *= 4.0
        if hi > 1e7:
            return math.inf
    lo = 0.0
    for _ in range(60):  # the NLL grows with k: bisect
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if smoothing_nll(counts, mid) < nll else (lo, mid)
    return (lo + hi) / 2


def thinned(xs: np.ndarray, ys: np.ndarray, limit: int = MAX_POINTS) -> tuple[list, list]:
    """At most ``limit`` points of a curve, evenly spread, the first and last kept."""
    n = len(xs)
    if n > limit:
        keep = np.unique(np.linspace(0, n - 1, limit).round().astype(int))
        xs, ys = xs[keep], ys[keep]
    return [float(x) for x in xs], [float(y) for y in ys]


def make_run(
    name: str,
    settings: dict[str, Any],
    curve: tuple[np.ndarray, np.ndarray],
    last: dict[str, float],
    counts: np.ndarray,
) -> PinnedRun:
    """A :class:`PinnedRun` from the run's settings, loss curve and last metrics."""
    xs, ys = curve
    loss = float(ys[-1])
    floor = smoothing_nll(counts, 0.0)
    metrics = {
        "loss": loss,
        "gap": loss - floor,
        "like_k": equivalent_smoothing(counts, loss),
        "total": float(last.get("total", math.nan)),
        "trained_steps": float(xs[-1]),
    }
    metrics = {k: v for k, v in metrics.items() if not math.isnan(v)}
    curves = {"loss/train": thinned(np.asarray(xs), np.asarray(ys))}
    return PinnedRun(name, dict(settings), curves, metrics, float(last.get("wall_s", 0.0)))


def describe(settings: dict[str, Any]) -> str:
    """ "lr 50, λ 0.1, 500 steps, computed as rows"."""
    parts = [f"{LABELS.get(k, k)} {settings[k]:g}" for k in ("lr", "l2") if k in settings]
    if "steps" in settings:
        parts.append(f"{settings['steps']:,} steps")
    if "method" in settings:
        parts.append(f"computed as {settings['method']}")
    return ", ".join(parts)


# ---------------------------------------------------------------- the page
class RunsPage(QWidget):
    """The pinned runs (table, overlays on ``plots``) and the ready-made comparisons."""

    def __init__(self, plots: dict[str, CurvePlot], parent: QWidget | None = None):
        super().__init__(parent)
        self.panel = RunsPanel(plots, METRICS, LABELS)
        self.panel.table.setMinimumHeight(72)
        table = self.panel.table
        header = table.horizontalHeader()
        for col in (1, *range(3, table.columnCount())):  # the settings that differ: the rest
            header.setSectionResizeMode(col, QHeaderView.ResizeToContents)
        for col in range(table.columnCount()):
            item = table.horizontalHeaderItem(col)
            if item is not None and item.text() in METRIC_TIPS:
                item.setToolTip(METRIC_TIPS[item.text()])
        self.comparison: Comparison | None = None
        self.preset_combo = QComboBox()
        self.preset_combo.setObjectName("comparisonCombo")
        for i, (key, preset) in enumerate(PRESETS.items()):
            self.preset_combo.addItem(preset.title, key)
            self.preset_combo.setItemData(i, preset.tip, Qt.ToolTipRole)
        self.preset_combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.preset_combo.setMinimumContentsLength(20)
        self.preset_combo.setToolTip("A ready-made comparison: it trains and pins each run.")
        self.compare_button = QPushButton("Run comparison")
        self.compare_button.setObjectName("compareButton")
        self.compare_button.setToolTip(
            "Train each variant from the same random W and pin it (your settings come back "
            "at the end)."
        )
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop the comparison; the runs pinned so far stay.")
        self.cancel_button.clicked.connect(self.cancel)
        self.progress_label = QLabel("")
        self.progress_label.setObjectName("comparisonProgress")
        self.progress_label.setVisible(False)  # only while a comparison runs (and 4 s more)
        self._hide_later = QTimer(self)  # a child: it dies with the page, never fires after
        self._hide_later.setSingleShot(True)
        self._hide_later.setInterval(4000)
        self._hide_later.timeout.connect(lambda: self.progress_label.setVisible(self.running()))
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.preset_combo, 1)
        row.addWidget(self.compare_button)
        row.addWidget(self.cancel_button)
        v = QVBoxLayout(self)
        v.setContentsMargins(4, 4, 4, 4)
        v.addLayout(row)
        v.addWidget(self.progress_label)
        v.addWidget(self.panel, 1)
        self._set_running(False)

    def preset(self) -> str:
        """The key of the comparison chosen in the combo box."""
        return self.preset_combo.currentData()

    def start(self, tab: Any, key: str, steps: int | None = None) -> Comparison:
        """Run the comparison ``key`` on ``tab`` (``steps``: fewer steps, e.g. in a test)."""
        preset = PRESETS[key]
        base = {**preset.base, **({"steps": int(steps)} if steps else {})}
        if self.comparison is not None:
            self.comparison.deleteLater()  # the last one, done
        self.comparison = Comparison(tab, preset.variants, base=base)
        self.comparison.progress.connect(self.progress_label.setText)
        self._hide_later.stop()
        self.progress_label.setVisible(True)
        self.comparison.done.connect(lambda _ok: self._set_running(False))
        self._set_running(True)
        self.comparison.start()
        return self.comparison

    def running(self) -> bool:
        return self.comparison is not None and self.comparison.running

    def cancel(self) -> None:
        if self.comparison is not None:
            self.comparison.cancel()

    def _set_running(self, running: bool) -> None:
        self.compare_button.setEnabled(not running)
        self.preset_combo.setEnabled(not running)
        self.cancel_button.setVisible(running)
        if not running and self.comparison is not None:  # its last word stays a few seconds
            self._hide_later.start()
        self.panel.pin_button.setEnabled(not running)
