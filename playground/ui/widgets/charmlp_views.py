"""Views of the Character MLP tab: embedding scatter, tanh histograms, grad/data ratios,
learning-rate finder curve, samples.  Each creates its plot items once and updates them."""

from __future__ import annotations

import re

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics
from PySide6.QtWidgets import QLabel, QListView, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from playground.ui.style import OKABE_ITO, REFERENCE_COLOR, TEST_COLOR, TRAIN_COLOR

VOWELS = set("aeiou")
FLOOR = -6.0  # log10 ratio where the bars start
VOWEL_COLOR = OKABE_ITO[0]  # orange
CONSONANT_COLOR = OKABE_ITO[1]  # blue
PAD_COLOR = "#000000"


_TAG = re.compile(r"<[^>]+>")


class FittedPlot(pg.PlotWidget):
    """A plot whose title is the longest of a few variants that fits its width, so a narrow
    window shortens the title instead of cutting it (and the plot) off at the right edge."""

    def set_titles(self, *variants: str, size: str = "10pt") -> None:
        """Show the first of ``variants`` (longest first; HTML allowed) that fits."""
        self._titles = variants
        self._title_size = size
        self._fit_title()

    def _fit_title(self) -> None:
        variants = getattr(self, "_titles", ())
        if not variants:
            return
        font = QFont(self.font())
        font.setPointSizeF(float(self._title_size.removesuffix("pt")))
        metrics = QFontMetrics(font)
        # the title is centred over the data area: it may overhang the left axis as far as
        # it overhangs the right edge (a few pixels): the room is about the data area
        room = self.width() - self.getAxis("left").width() - 24
        text = variants[-1]
        for v in variants:
            if metrics.horizontalAdvance(_TAG.sub("", v).replace("&nbsp;", " ")) <= room:
                text = v
                break
        self.plotItem.setTitle(text, color="#222", size=self._title_size)
        self.plotItem.titleLabel.item.setToolTip("")
        # the label's own size hint must not force the plot wider than the widget
        self.plotItem.titleLabel.setMinimumWidth(0)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt name
        super().resizeEvent(event)
        self._fit_title()


def _plot(title: str, x_label: str, y_label: str) -> pg.PlotWidget:
    w = pg.PlotWidget()
    w.setBackground("w")
    w.plotItem.setTitle(title, color="#222", size="10pt")
    w.setLabel("bottom", x_label)
    w.setLabel("left", y_label)
    w.showGrid(x=True, y=True, alpha=0.2)
    w.setMinimumSize(200, 150)
    return w


class EmbeddingScatter(FittedPlot):
    """Each character of the vocabulary as a labelled point of its (2-D view of the) embedding."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent=parent)
        self.setBackground("w")
        self.showGrid(x=True, y=True, alpha=0.2)
        self.setMinimumSize(200, 150)
        self.set_titles("Embedding C", size="9pt")
        self._follow = True  # keep every point and its label in view until the user pans
        self.plotItem.vb.sigRangeChangedManually.connect(self._stop_following)
        self.scatter = pg.ScatterPlotItem(size=9, pen=pg.mkPen("w", width=0.5))
        self.addItem(self.scatter)
        self.labels: list[pg.TextItem] = []
        self.itos: list[str] = []
        self.xy = np.zeros((0, 2))
        self.moves = 0  # how many times the points were updated
        font = QFont()
        font.setPointSize(11)
        font.setBold(True)
        self._font = font
        self.setToolTip(
            "Each character's learned vector (the rows of C). With 2 dimensions these are the "
            "real axes; otherwise the two directions of largest spread (PCA). Similar "
            "characters move together: watch the vowels gather."
        )

    def set_vocabulary(self, itos: list[str]) -> None:
        """Create one label per character (once per vocabulary)."""
        if itos == self.itos:
            return
        for t in self.labels:
            self.removeItem(t)
        self.itos = list(itos)
        self.labels = []
        for ch in self.itos:
            color = PAD_COLOR if ch == "." else VOWEL_COLOR if ch in VOWELS else CONSONANT_COLOR
            t = pg.TextItem(ch, color=color, anchor=(-0.15, 0.6))
            t.setFont(self._font)
            self.addItem(t)
            self.labels.append(t)
        self._brushes = [
            pg.mkBrush(PAD_COLOR if ch == "." else VOWEL_COLOR if ch in VOWELS else CONSONANT_COLOR)
            for ch in self.itos
        ]

    def show_points(self, xy: np.ndarray, axes: tuple[str, str], title: str) -> None:
        """Move the points to ``xy`` (V, 2)."""
        xy = np.asarray(xy, dtype=float)
        self.xy = xy.copy()
        self.moves += 1
        self.scatter.setData(pos=xy, brush=self._brushes)
        for t, (x, y) in zip(self.labels, xy, strict=False):
            t.setPos(float(x), float(y))
        self.setLabel("bottom", axes[0])
        self.setLabel("left", axes[1])
        key = (
            f'<span style="color:{VOWEL_COLOR}">vowels</span> · '
            f'<span style="color:{CONSONANT_COLOR}">consonants</span>'
        )
        step = title.split(" · ")[-1]
        self.set_titles(f"{title} · {key}", f"C · {step} · {key}", key, size="9pt")
        if self._follow and len(xy):
            self._frame(xy)

    def _stop_following(self, *_) -> None:
        self._follow = False

    def _frame(self, xy: np.ndarray) -> None:
        """Fit the view to the points, with room on the right for the labels."""
        (x0, y0), (x1, y1) = xy.min(axis=0), xy.max(axis=0)
        sx, sy = max(x1 - x0, 1e-6), max(y1 - y0, 1e-6)
        vb = self.plotItem.vb
        vb.setRange(
            xRange=(x0 - 0.05 * sx, x1 + 0.14 * sx),
            yRange=(y0 - 0.08 * sy, y1 + 0.1 * sy),
            padding=0,
        )
        vb.enableAutoRange(enable=False)


class ActivationHistogram(FittedPlot):
    """A histogram of tanh outputs per hidden layer, with the share saturated (|t| > 0.97)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent=parent)
        self.setBackground("w")
        self.showGrid(x=True, y=True, alpha=0.2)
        self.setMinimumSize(200, 150)
        self.setLabel("bottom", "tanh output t")
        self.setLabel("left", "share of units")
        self.set_titles("tanh activations")
        self.legend = self.addLegend(offset=(5, 5), labelTextSize="8pt")
        self.legend.setBrush(pg.mkBrush(255, 255, 255, 210))  # readable over the bars
        self.edges = np.linspace(-1, 1, 51)
        self.curves: list[pg.PlotDataItem] = []
        self.saturated: list[float] = []
        for x in (-0.97, 0.97):
            self.addItem(
                pg.InfiniteLine(x, angle=90, pen=pg.mkPen(REFERENCE_COLOR, style=Qt.DotLine))
            )
        self.setXRange(-1.05, 1.05, padding=0)
        self.enableAutoRange(x=False)
        self.getAxis("left").enableAutoSIPrefix(False)
        self.setToolTip(
            "How the outputs of each tanh layer are spread, on a fixed batch of 1,024 training "
            "contexts. Piles at -1 and +1 are saturated units: they pass almost no gradient "
            "(dotted lines at |t| = 0.97). L1, L2, …: hidden layers 1, 2, …"
        )

    def set_layers(self, n: int) -> None:
        """One curve per tanh layer (created when the number of layers changes)."""
        if n == len(self.curves):
            return
        for c in self.curves:
            self.removeItem(c)
        self.legend.clear()
        self.curves = []
        for i in range(n):
            c = self.plot(
                self.edges,
                np.zeros(50),
                stepMode="center",
                pen=pg.mkPen(OKABE_ITO[(i + 1) % len(OKABE_ITO)], width=2),
                name=f"L{i + 1}" if n > 1 else "layer 1",
            )
            self.curves.append(c)
        self.legend.setColumnCount(max(n, 1))  # one row: several layers would hide the bars

    def show_stats(self, activations: list[dict]) -> None:
        self.set_layers(len(activations))
        self.saturated = [a["saturated"] for a in activations]
        for i, (c, a) in enumerate(zip(self.curves, activations, strict=False)):
            counts = np.asarray(a["counts"], float)
            c.setData(self.edges, counts / max(counts.sum(), 1.0))
            label = self.legend.getLabel(c) if hasattr(self.legend, "getLabel") else None
            # one layer: its share here; several: the title lists the shares in order
            text = (
                f"L{i + 1}" if len(activations) > 1 else f"layer 1: {a['saturated']:.0%} saturated"
            )
            if label is not None:
                label.setText(text)
        shares = ", ".join(f"{s:.0%}" for s in self.saturated)
        self.set_titles(
            f"tanh outputs · saturated: {shares}", f"saturated: {shares}", f"sat. {shares}"
        )


class RatioBars(FittedPlot):
    """log10 of grad:data (std of the gradient / std of the weights) per layer, and for SGD
    the update:data ratio lr * grad:data, with the lecture's rule of thumb 1e-3."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent=parent)
        self.setBackground("w")
        self.showGrid(x=False, y=True, alpha=0.2)
        self.setMinimumSize(200, 150)
        self.setLabel("left", "log10 ratio")
        self.setLabel("bottom", "layer · dashed: 1e-3")
        self.getAxis("bottom").enableAutoSIPrefix(False)  # layer names, not numbers
        grad = f'<span style="color:{TRAIN_COLOR}">grad:data</span>'
        update = f'<span style="color:{TEST_COLOR}">update:data</span>'
        self.set_titles(
            f"{grad} · {update} per layer",
            f"{grad} · {update}",
            f'<span style="color:{TRAIN_COLOR}">grad</span> · '
            f'<span style="color:{TEST_COLOR}">update</span>',
        )
        self.grad = pg.BarGraphItem(x=[], height=[], width=0.38, brush=TRAIN_COLOR)
        self.update = pg.BarGraphItem(x=[], height=[], width=0.38, brush=TEST_COLOR)
        self.addItem(self.grad)
        self.addItem(self.update)
        self.rule = pg.InfiniteLine(-3, angle=0, pen=pg.mkPen(REFERENCE_COLOR, style=Qt.DashLine))
        self.addItem(self.rule)
        self.names: list[str] = []
        self.values: dict[str, tuple[float, float | None]] = {}
        self.setYRange(-5, 0.5)
        self.setLimits(yMin=FLOOR)
        self.setToolTip(
            "How big each layer's gradient is compared with its weights (log10 scale). The "
            "update:data ratio (SGD) says how much one step changes the weights; Karpathy's "
            "rule of thumb is about 1e-3 (-3): far below learns slowly, far above is unstable."
        )

    def show_ratios(self, ratios: list[dict]) -> None:
        names = [r["name"] for r in ratios]
        if names != self.names:
            self.names = names
            self.getAxis("bottom").setTicks([list(enumerate(names))])
            self.setXRange(-0.6, max(len(names), 1) - 0.4, padding=0)
        # bars rise from a floor at 10^-6, so that negative logs read as heights
        x = np.arange(len(ratios))
        floor = np.full(len(ratios), FLOOR)
        g = np.log10([max(r["grad_data"], 1e-12) for r in ratios]) if ratios else floor
        self.grad.setOpts(x=x - 0.2, y0=floor, height=g - FLOOR)
        ups = [r["update_data"] for r in ratios]
        sgd = bool(ratios) and all(u is not None for u in ups)
        if sgd:
            u = np.log10([max(v, 1e-12) for v in ups])
            self.update.setOpts(x=x + 0.2, y0=floor, height=u - FLOOR)
        self.update.setVisible(sgd)
        self.values = {r["name"]: (r["grad_data"], r["update_data"]) for r in ratios}


class LrFinderPlot(FittedPlot):
    """Loss against log10(learning rate) from the finder sweep, with the suggested rate."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent=parent)
        self.setBackground("w")
        self.showGrid(x=True, y=True, alpha=0.2)
        self.setMinimumSize(200, 150)
        self.setLabel("bottom", "log10 learning rate")
        self.setLabel("left", "loss")
        self.set_titles("learning-rate finder", "lr finder")
        self.raw = self.plot([], [], pen=pg.mkPen("#BBBBBB", width=1))
        self.smooth = self.plot([], [], pen=pg.mkPen(TRAIN_COLOR, width=2))
        self.marker = pg.InfiniteLine(
            angle=90,
            pen=pg.mkPen(TEST_COLOR, width=1.5, style=Qt.DashLine),
            label="",
            labelOpts={"position": 0.9, "color": TEST_COLOR, "anchors": [(0, 0), (0, 0)]},
        )
        self.marker.setVisible(False)
        self.addItem(self.marker)
        self.setXRange(-3, 0, padding=0.02)
        self.enableAutoRange(x=False)
        self.points = 0
        self.setToolTip(
            "A fresh model takes one step at each rate, from 0.001 to 1, growing exponentially. "
            "The loss falls faster as the rate grows, until it is too big and the loss shoots up; "
            "a good rate sits a little before the lowest point."
        )

    def show_curve(self, exponents, losses, smooth, suggested: float | None) -> None:
        self.points = len(exponents)
        self.raw.setData(exponents, losses)
        self.smooth.setData(exponents, smooth)
        if len(losses):
            hi = float(np.percentile(losses, 98))
            self.setYRange(float(np.min(losses)) - 0.1, min(hi, float(losses[0]) + 1.0) + 0.1)
        if suggested:
            self.marker.setValue(np.log10(suggested))
            self.marker.label.setFormat(f"suggested {suggested:.3g}")
            self.marker.setVisible(True)
        else:
            self.marker.setVisible(False)

    def clear_curve(self) -> None:
        self.points = 0
        self.raw.setData([], [])
        self.smooth.setData([], [])
        self.marker.setVisible(False)


class SamplesView(QWidget):
    """Names drawn from the model, each marked new or already in the training set."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.title = QLabel("<b>Samples</b>")
        self.list = QListWidget()
        self.list.setToolTip(
            "Names the model makes up, one character at a time. Green: new, not in the "
            "training set. Grey: copied from a name it has seen."
        )
        self.list.setMinimumWidth(150)
        self.list.setFlow(QListView.TopToBottom)
        self.list.setWrapping(True)
        self.list.setResizeMode(QListView.Adjust)
        self.list.setSpacing(2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.list, 1)
        self.names: list[tuple[str, bool]] = []

    def show_samples(self, samples: list[tuple[str, bool]], title: str = "Samples") -> None:
        if samples == self.names:
            return
        self.names = list(samples)
        self.list.clear()
        for name, seen in samples:
            item = QListWidgetItem(
                f"{name or '(empty)'}  ·  {'in training set' if seen else 'new'}"
            )
            item.setForeground(QColor("#777777" if seen else "#007a55"))
            self.list.addItem(item)
        new = sum(not seen for _, seen in samples)
        self.title.setText(f"<b>{title}</b> ({new} of {len(samples)} new)")
        self.changed.emit()
