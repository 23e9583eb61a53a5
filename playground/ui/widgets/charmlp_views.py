"""Views of the Character MLP tab: embedding scatter, tanh histograms, grad/data ratios,
learning-rate finder curve, samples, and makemore part 4's gradient check (the ``cmp``
table).  Each creates its plot items once and updates them."""

from __future__ import annotations

import html
import math
import re
import time
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QPainterPath, QTransform
from PySide6.QtWidgets import (
    QComboBox,
    QGraphicsItem,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from playground.ui.style import OKABE_ITO, REFERENCE_COLOR, TEST_COLOR, TRAIN_COLOR

VOWELS = set("aeiou")
FLOOR = -6.0  # log10 ratio where the bars start
VOWEL_COLOR = OKABE_ITO[0]  # orange
CONSONANT_COLOR = OKABE_ITO[1]  # blue
PAD_COLOR = "#000000"


_TAG = re.compile(r"<[^>]+>")
LEFT_AXIS_PX = 46  # room for the left axis' title and tick labels such as "-0.25"
NICE = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)  # view widths, x 10^k


def nice_ceil(x: float) -> float:
    """The smallest of 1, 1.2, 1.5, 2, ... 8 times a power of ten that is >= ``x`` (> 0)."""
    p = 10.0 ** math.floor(math.log10(x))
    return next(m * p for m in NICE if m * p >= x * (1 - 1e-9))


class FittedPlot(pg.PlotWidget):
    """A plot whose title is the longest of a few variants that fits its width, so a narrow
    window shortens the title instead of cutting it (and the plot) off at the right edge.

    The title is set (and the plot laid out again) only when its text changes, and the axes
    (with their grid lines) are painted from a pixmap: updated every frame, these plots
    would otherwise lay out and repaint their axes every frame."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._titles: tuple[str, ...] = ()
        self._title_size = "10pt"
        self._shown_title: tuple[str, str] | None = None
        for name in ("left", "bottom", "top", "right"):
            self.getAxis(name).setCacheMode(QGraphicsItem.DeviceCoordinateCache)
        # a fixed width: pyqtgraph fits the left axis to its tick labels, so a new range
        # ("0.1" -> "0.15") would lay out and repaint the whole plot
        self.getAxis("left").setWidth(LEFT_AXIS_PX)
        _elastic(self.plotItem.titleLabel)

    def set_titles(self, *variants: str, size: str = "10pt") -> None:
        """Show the first of ``variants`` (longest first; HTML allowed) that fits."""
        if variants == self._titles and size == self._title_size:
            return
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
        if (text, self._title_size) == self._shown_title:
            return
        self._shown_title = (text, self._title_size)
        self.plotItem.setTitle(text, color="#222", size=self._title_size)
        self.plotItem.titleLabel.item.setToolTip("")
        if self.plotItem.geometry() != self.range:  # a longer title had pushed it wider
            self.plotItem.setGeometry(self.range)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt name
        self._fit_title()  # first: the plot is then laid out once, at its new width
        super().resizeEvent(event)


def _elastic(label: pg.LabelItem) -> None:
    """Let ``label`` (a plot's title) be narrower than its text: pyqtgraph makes the text's
    width the label's minimum on every resize, which lays the whole plot out wider than
    its widget (its right part cut off) whenever a title does not fit."""
    update_min = label.updateMin

    def no_min_width() -> None:
        update_min()
        label.setMinimumWidth(0)
        label._sizeHint[Qt.SizeHint.MinimumSize] = (0, label._sizeHint[Qt.SizeHint.MinimumSize][1])

    label.updateMin = no_min_width
    no_min_width()


# Where a letter may sit around its point, best first: right, left, above, below, then the
# diagonals.  (ax, ay, gx, gy): the point of the letter's box at fraction (ax, ay) (0, 0:
# top left) sits gx, gy pixels from the point (y down).
LABEL_SPOTS = (
    (0.0, 0.5, 7, 0),
    (1.0, 0.5, -7, 0),
    (0.5, 1.0, 0, -7),
    (0.5, 0.0, 0, 7),
    (0.0, 1.0, 5, -5),
    (0.0, 0.0, 5, 5),
    (1.0, 1.0, -5, -5),
    (1.0, 0.0, -5, 5),
)
MARKER_RADIUS = 5.0  # pixels: the scatter's dots (size 9) and half a pixel of air
CORE_RADIUS = 2.5  # a letter may touch another point's dot, never hide its centre


def place_labels(
    points: np.ndarray, boxes: np.ndarray, area: tuple[float, float], previous: list[int]
) -> list[int]:
    """Where each point's label goes: an index into LABEL_SPOTS, or -1 (left out).

    points (n, 2): the points in pixels (y down); boxes (n, 2): each letter's size (width,
    height); area: the view's (width, height); previous: the spots of the last placement.
    A letter must stay inside the area, overlap no letter placed before it and no other
    point's centre; it prefers a spot clear of the other points altogether, then the first
    spot (right of its point), then the spot it had (so letters don't jump about while the
    points move).  A letter with no such spot is left out: every letter shown can be read.
    The letters shown before are placed first.  (Every overlap is computed at once, in
    numpy: about 1 ms for 27 letters.)
    """
    n, k = len(points), len(LABEL_SPOTS)
    if n == 0:
        return []
    rects = letter_boxes(points, boxes)  # (n, k, 4)
    inside = (rects[..., 0] >= 0) & (rects[..., 1] >= 0)
    inside &= (rects[..., 2] <= area[0]) & (rects[..., 3] <= area[1])
    others = ~np.eye(n, dtype=bool)[:, None, :]  # (n, 1, n): a label and the other points
    free = inside & ~(_hits(rects, points, CORE_RADIUS) & others).any(axis=2)
    clear = free & ~(_hits(rects, points, MARKER_RADIUS) & others).any(axis=2)
    flat = rects.reshape(n * k, 4)
    a, b = flat[:, None, :], flat[None, :, :]
    apart = (a[..., 2] <= b[..., 0]) | (b[..., 2] <= a[..., 0])
    apart |= (a[..., 3] <= b[..., 1]) | (b[..., 3] <= a[..., 1])
    clash = (~apart).reshape(n, k, n, k)  # label i at spot s overlaps label j at spot t
    previous = list(previous)[:n] + [-1] * (n - len(previous))
    out = [-1] * n
    placed_i: list[int] = []
    placed_s: list[int] = []
    for i in sorted(range(n), key=lambda i: (previous[i] < 0, i)):
        taken = clash[i][:, placed_i, placed_s].any(axis=1) if placed_i else np.zeros(k, bool)
        spot = _pick((clear[i] & ~taken).tolist(), previous[i])
        if spot < 0:
            spot = _pick((free[i] & ~taken).tolist(), previous[i])
        if spot >= 0:
            out[i] = spot
            placed_i.append(i)
            placed_s.append(spot)
    return out


def letter_boxes(points: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """(n, k, 4): the rectangle (x0, y0, x1, y1) of letter i at spot s, in pixels."""
    spots = np.asarray(LABEL_SPOTS, float)
    boxes = np.asarray(boxes, float)
    x0 = points[:, None, 0] + spots[None, :, 2] - spots[None, :, 0] * boxes[:, None, 0]
    y0 = points[:, None, 1] + spots[None, :, 3] - spots[None, :, 1] * boxes[:, None, 1]
    return np.stack([x0, y0, x0 + boxes[:, None, 0], y0 + boxes[:, None, 1]], axis=2)


def letter_paths(ch: str, font: QFont) -> tuple[list[QPainterPath], tuple[float, float]]:
    """``ch`` drawn at each of LABEL_SPOTS around a point at (0, 0), in pixels (y down),
    and the letter's size (width, height)."""
    glyph = QPainterPath()
    glyph.addText(0, 0, font, ch)
    box = glyph.boundingRect()
    w, h = max(box.width(), 1.0), max(box.height(), 1.0)
    paths = []
    for ax, ay, gx, gy in LABEL_SPOTS:
        placed = QPainterPath(glyph)
        placed.translate(gx - box.left() - ax * w, gy - box.top() - ay * h)
        paths.append(placed)
    return paths, (w, h)


def _hits(rects: np.ndarray, points: np.ndarray, radius: float) -> np.ndarray:
    """(n, k, m): whether rectangle (i, s) of ``rects`` overlaps the square of ``radius``
    around point j."""
    px, py = points[None, None, :, 0], points[None, None, :, 1]
    r = rects[..., None]
    return (
        (r[..., 0, :] < px + radius)
        & (px - radius < r[..., 2, :])
        & (r[..., 1, :] < py + radius)
        & (py - radius < r[..., 3, :])
    )


def _pick(ok: list[bool], previous: int) -> int:
    """The first spot if ``ok``, else the previous one if ``ok``, else the first ``ok``."""
    if ok[0]:
        return 0
    if previous >= 0 and ok[previous]:
        return previous
    return ok.index(True) if True in ok else -1


class EmbeddingScatter(FittedPlot):
    """Each character of the vocabulary as a labelled point of its (2-D view of the) embedding."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent=parent)
        self.setBackground("w")
        self.showGrid(x=True, y=True, alpha=0.2)
        self.setMinimumSize(200, 150)
        self.set_titles("Embedding C", size="9pt")
        self._follow = True  # keep every point and its label in view until the user pans
        self._axes: tuple[str, ...] = ()  # the axis labels shown
        self._want_axes: tuple[str, ...] = ()  # the latest ones
        self._axes_at = -math.inf  # when they were last changed
        self._axes_timer = QTimer(self)  # restarted by each update: fires once they stop
        self._axes_timer.setSingleShot(True)
        self._axes_timer.setInterval(1500)
        self._axes_timer.timeout.connect(self._show_axes)
        vb = self.plotItem.vb
        vb.enableAutoRange(enable=False)  # _frame moves the view, in steps
        vb.sigRangeChangedManually.connect(self._stop_following)
        vb.sigRangeChanged.connect(lambda *_: self._moving or self.place_labels())
        vb.sigResized.connect(lambda *_: self.place_labels())
        self._moving = False  # show_points places the labels itself
        self.scatter = pg.ScatterPlotItem(
            size=9, pen=pg.mkPen("w", width=0.5), hoverable=True, tip=_point_tip
        )
        self.addItem(self.scatter)
        self.letters = pg.ScatterPlotItem(pen=None)  # every label, as a symbol
        self.addItem(self.letters)
        self.spots: list[int] = []  # where each label sits (LABEL_SPOTS), -1: left out
        self._symbols: list[list[QPainterPath]] = []  # per character, per spot
        self._boxes = np.zeros((0, 2))  # each letter's size in pixels
        self._symbol_size = 1
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
        """Make each character's label symbols (once per vocabulary).

        The letters are one scatter item whose symbols are the letters themselves, each
        drawn beside its point: updating them is one setData (27 text items were 27 Qt
        calls per frame, each waiting for the training thread's hold on the GIL)."""
        if itos == self.itos:
            return
        self.itos = list(itos)
        made = [letter_paths(ch, self._font) for ch in self.itos]
        self._boxes = np.array([box for _, box in made], float).reshape(-1, 2)
        # a symbol is a path in units of its size, centred on its point: room for the
        # farthest letter
        w, h = self._boxes.max(axis=0) if len(made) else (1.0, 1.0)
        reach = max(max(abs(gx) + w, abs(gy) + h) for _, _, gx, gy in LABEL_SPOTS)
        self._symbol_size = size = 2 * math.ceil(reach) + 2
        unit = QTransform.fromScale(1 / size, 1 / size)
        self._symbols = [[unit.map(path) for path in paths] for paths, _ in made]
        self.spots = [0] * len(self.itos)
        self._brushes = [
            pg.mkBrush(PAD_COLOR if ch == "." else VOWEL_COLOR if ch in VOWELS else CONSONANT_COLOR)
            for ch in self.itos
        ]
        self.letters.clear()

    def show_points(self, xy: np.ndarray, axes: tuple[str, str], title: str) -> None:
        """Move the points to ``xy`` (V, 2)."""
        xy = np.asarray(xy, dtype=float)
        self.xy = xy.copy()
        self.moves += 1
        self.scatter.setData(pos=xy, brush=self._brushes, data=self.itos[: len(xy)])
        self._want_axes = (str(axes[0]), str(axes[1]))
        now = time.monotonic()
        if not self._axes or self._want_axes[0].split(" (")[0] != self._axes[0].split(" (")[0]:
            self._show_axes()  # the first labels, or other axes (real ones, PCA)
        elif self._want_axes != self._axes:
            # PCA's shares change a little every frame; a new label repaints the axis (and
            # its grid): at most once a second, here (with the points, in one paint, not
            # at any moment), and the last labels shown once the points stop moving
            if now - self._axes_at >= 1.0:
                self._show_axes()
            else:
                self._axes_timer.start()
        key = (
            f'<span style="color:{VOWEL_COLOR}">vowels</span> · '
            f'<span style="color:{CONSONANT_COLOR}">consonants</span>'
        )
        step = title.split(" · ")[-1]
        self.set_titles(f"{title} · {key}", f"C · {step} · {key}", key, size="9pt")
        if self._follow and len(xy):
            self._moving = True
            try:
                self._frame(xy)
            finally:
                self._moving = False
        self.place_labels()

    def letter_rects(self) -> list[QRectF]:
        """Where the letters shown are drawn, in scene coordinates (from the symbols drawn)."""
        vb, rects = self.plotItem.vb, []
        for spot in self.letters.points():
            centre = vb.mapViewToScene(spot.pos())
            box = spot.symbol().boundingRect()
            size = spot.size()
            rects.append(
                QRectF(
                    centre.x() + box.left() * size,
                    centre.y() + box.top() * size,
                    box.width() * size,
                    box.height() * size,
                )
            )
        return rects

    def place_labels(self) -> None:
        """Put each letter beside its point where it overlaps no other letter nor point
        (:func:`place_labels`); one with no room is left out (hover its point for it)."""
        vb = self.plotItem.vb
        n = min(len(self.itos), len(self.xy))
        (x0, x1), (y0, y1) = vb.viewRange()
        w, h = vb.width(), vb.height()
        if not n or w <= 0 or h <= 0 or x1 <= x0 or y1 <= y0:
            return
        xy = self.xy[:n]
        pixels = np.stack([(xy[:, 0] - x0) * (w / (x1 - x0)), (y1 - xy[:, 1]) * (h / (y1 - y0))], 1)
        self.spots = spots = place_labels(pixels, self._boxes[:n], (w, h), self.spots)
        shown = [i for i in range(n) if spots[i] >= 0]
        self.letters.setData(
            pos=xy[shown],
            symbol=[self._symbols[i][spots[i]] for i in shown],
            brush=[self._brushes[i] for i in shown],
            size=self._symbol_size,
        )

    def _show_axes(self) -> None:
        self._axes_timer.stop()
        self._axes_at = time.monotonic()
        old = self._axes or ("", "")
        for i, name in enumerate(("bottom", "left")):
            if self._want_axes[i] != old[i] or not self._axes:
                self.setLabel(name, self._want_axes[i])
        self._axes = self._want_axes

    def _stop_following(self, *_) -> None:
        self._follow = False

    def _frame(self, xy: np.ndarray) -> None:
        """Keep the points in view, with room on the right for the labels.  The view moves
        only when a point (or label) leaves it, or the points fill less than 40% of it,
        and then in nice steps: moving it every frame would lay out and repaint the
        axes every frame."""
        (x0, y0), (x1, y1) = xy.min(axis=0), xy.max(axis=0)
        sx, sy = max(x1 - x0, 1e-6), max(y1 - y0, 1e-6)
        need = ((x0 - 0.05 * sx, x1 + 0.14 * sx), (y0 - 0.08 * sy, y1 + 0.1 * sy))
        vb = self.plotItem.vb
        shown = vb.viewRange()
        new = [_steady_range(tuple(now), want) for now, want in zip(shown, need, strict=True)]
        if new != [tuple(r) for r in shown]:
            vb.setRange(xRange=new[0], yRange=new[1], padding=0)  # also ends auto-range


def _point_tip(x: float, y: float, data: Any) -> str:
    """The hover text of a point of the embedding: its character and where it is."""
    return f"{data!r}: ({x:.2f}, {y:.2f})"


def _steady_range(now: tuple[float, float], need: tuple[float, float]) -> tuple[float, float]:
    """``now`` if it holds ``need`` and is at most 2.5 times as wide; else a range of a nice
    width (1.2 to 1.5 times ``need``'s) that starts on a tenth of that width."""
    lo, hi = need
    span = hi - lo
    if now[0] <= lo and hi <= now[1] and now[1] - now[0] <= 2.5 * span:
        return now
    width = nice_ceil(1.2 * span)
    tick = width / 10
    start = math.floor((lo - (width - span) / 2) / tick) * tick
    return (start, start + width)


def layer_color(i: int) -> str:
    """The colour of hidden layer ``i`` (from 0) in the activation histograms."""
    return OKABE_ITO[(i + 1) % len(OKABE_ITO)]


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
        self.edges = np.linspace(-1, 1, 51)
        self.curves: list[pg.PlotDataItem] = []
        self.saturated: list[float] = []
        for x in (-0.97, 0.97):
            self.addItem(
                pg.InfiniteLine(x, angle=90, pen=pg.mkPen(REFERENCE_COLOR, style=Qt.DotLine))
            )
        self.setXRange(-1.05, 1.05, padding=0)
        self.enableAutoRange(x=False, y=False)
        self.getAxis("left").enableAutoSIPrefix(False)  # before a range: shares, not x1000
        self._top = 0.0  # the y axis' top: grows in steps, shrinks only when far too tall
        self._set_top(0.1)
        self.setToolTip(
            "How the outputs of each tanh layer are spread, on a fixed batch of 1,024 training "
            "contexts. Piles at -1 and +1 are saturated units: they pass almost no gradient "
            "(dotted lines at |t| = 0.97). The title gives each layer's saturated share in its "
            "curve's colour: L1, L2, …: hidden layers 1, 2, …"
        )

    def set_layers(self, n: int) -> None:
        """One curve per tanh layer (created when the number of layers changes)."""
        if n == len(self.curves):
            return
        for c in self.curves:
            self.removeItem(c)
        self.curves = []
        for i in range(n):
            pen = pg.mkPen(layer_color(i), width=2)
            self.curves.append(self.plot(self.edges, np.zeros(50), stepMode="center", pen=pen))
        self._set_top(0.1)

    def _set_top(self, top: float) -> None:
        if top != self._top:
            self._top = top
            self.setYRange(0.0, top, padding=0)

    def _fit_top(self, highest: float) -> None:
        """Room for ``highest`` (a share) and a little above it, in steps of 0.05."""
        need = min(highest * 1.15 + 0.01, 1.05)
        if need > self._top or need < self._top / 3:
            self._set_top(max(0.1, math.ceil(need / 0.05 - 1e-9) * 0.05))

    def show_stats(self, activations: list[dict]) -> None:
        self.set_layers(len(activations))
        self.saturated = [a["saturated"] for a in activations]
        highest = 0.0
        for c, a in zip(self.curves, activations, strict=False):
            counts = np.asarray(a["counts"], float)
            shares = counts / max(counts.sum(), 1.0)
            highest = max(highest, float(shares.max(initial=0.0)))
            c.setData(self.edges, shares)
        self._fit_top(highest)
        if len(self.saturated) == 1:
            share = f"{self.saturated[0]:.0%}"
            self.set_titles(
                f"tanh outputs · saturated: {share}", f"saturated: {share}", f"sat. {share}"
            )
            return
        # several layers: the title is the legend too, each share in its curve's colour
        named = [
            f'<span style="color:{layer_color(i)}">L{i + 1} {s:.0%}</span>'
            for i, s in enumerate(self.saturated)
        ]
        bare = [
            f'<span style="color:{layer_color(i)}">{s:.0%}</span>'
            for i, s in enumerate(self.saturated)
        ]
        self.set_titles(
            "saturated: " + " · ".join(named),
            " ".join(named),
            "sat. " + " ".join(bare),
            " ".join(bare),
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

    def set_names(self, names: list[str]) -> None:
        """The layers' names on the axis (set when the model is shown, so that training's
        first frame changes neither the axis nor the range)."""
        if names != self.names:
            self.names = list(names)
            self.getAxis("bottom").setTicks([list(enumerate(names))])
            self.setXRange(-0.6, max(len(names), 1) - 0.4, padding=0)

    def show_ratios(self, ratios: list[dict]) -> None:
        """The bars of each layer ([]: none, the layers' names stay)."""
        if ratios:
            self.set_names([r["name"] for r in ratios])
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


def layer_names(layers: int) -> list[str]:
    """The names of a model's weight matrices as the ratio bars show them: C, W1, ..., W out."""
    return ["C", *(f"W{i + 1}" for i in range(layers)), "W out"]


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
        # room beside -3 and 0 for their tick labels (pyqtgraph leaves out a label that
        # passes the end of a gridded axis): the ends of the sweep are the rates that matter
        self.setXRange(-3.2, 0.2, padding=0)
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


FAIL_BACKGROUND = QColor("#f7c6c6")
FAIL_TEXT = QColor("#8b0000")
NINJA_NETWORKS = {
    "current": "the current model",
    "lecture": "part 4's network (64 hidden, BatchNorm)",
}
# the exercise 2 and 3 one-liners, shown under the step-by-step lines of these rows
ONE_GO = {"logits": "logits (exercise 2)", "hprebn": "hprebn (exercise 3)"}


def row_tooltip(name: str, formulas: dict[str, str]) -> str:
    """The hand-written lines behind a row's gradient (rich text, monospaced)."""
    text = formulas.get(name)
    if not text:
        return f"d{name}: no hand-written formula was found for this row."
    parts = [f"<b>d{html.escape(name)}</b>, by hand:<pre>{html.escape(text)}</pre>"]
    one_go = formulas.get(ONE_GO.get(name, ""))
    if one_go:
        parts.append(f"In one go ({ONE_GO[name].split('(')[1]}:<pre>{html.escape(one_go)}</pre>")
    return "".join(parts)


class NinjaView(QWidget):
    """makemore part 4's ``cmp`` table: for each tensor, from the loss back to C, whether
    the gradient written by hand equals autograd's (exact), is close (approx), and the
    largest difference.  A row that is neither is red; hovering a row shows its formula."""

    refresh_clicked = Signal()
    network_changed = Signal(str)  # "current" or "lecture"

    CAPTION = (
        "<b>Part 4</b>: every gradient of one batch written by hand, from the loss back to C, "
        "and checked against autograd's <tt>loss.backward()</tt> (exact: bit for bit; "
        "approximate: <tt>torch.allclose</tt>). Hover a row for its formula."
    )

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.caption = QLabel(self.CAPTION)
        self.caption.setWordWrap(True)
        self.caption.setTextFormat(Qt.RichText)
        self.network_combo = QComboBox()
        for key, text in NINJA_NETWORKS.items():
            self.network_combo.addItem(text, key)
        self.network_combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.network_combo.setMinimumContentsLength(16)
        self.network_combo.setToolTip(
            "Check the model this tab shows or trains (a flat MLP with one hidden layer), or "
            "part 4's own network, whose table has every row of the lecture (BatchNorm's too)."
        )
        self.network_combo.activated.connect(
            lambda _i: self.network_changed.emit(self.network_combo.currentData())
        )
        self.refresh_button = QPushButton("Check again")
        self.refresh_button.setObjectName("ninjaRefresh")
        self.refresh_button.setToolTip(
            "Run the hand-written backward pass and autograd's on a batch now (it also runs "
            "by itself whenever training pauses or ends)."
        )
        self.refresh_button.clicked.connect(self.refresh_clicked)
        self.status = QLabel("")
        self.status.setObjectName("ninjaStatus")
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.RichText)
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("ninjaTable")
        self.table.setHorizontalHeaderLabels(["tensor", "exact", "approximate", "maxdiff"])
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 3)
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.table.setSelectionMode(QTableWidget.NoSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.Stretch)
        self.table.setToolTip("Hover a row: the lines that compute its gradient by hand.")
        self.unsupported = QLabel("")
        self.unsupported.setObjectName("ninjaUnsupported")
        self.unsupported.setWordWrap(True)
        self.unsupported.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        self.unsupported.setVisible(False)
        self.rows: list[dict[str, Any]] = []
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("Check"))
        row.addWidget(self.network_combo, 1)
        row.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addWidget(self.caption)
        layout.addLayout(row)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.unsupported, 1)

    def network(self) -> str:
        """ "current" (the tab's model) or "lecture" (part 4's own network)."""
        return self.network_combo.currentData()

    def show_busy(self, what: str) -> None:
        self.status.setText(f"Checking {what} …")

    def show_unsupported(self, text: str) -> None:
        """Say why there is no table (instead of an empty or a wrong one)."""
        self.rows = []
        self.table.setRowCount(0)
        self.table.setVisible(False)
        self.unsupported.setText(text)
        self.unsupported.setVisible(True)
        self.status.setText("")

    def show_error(self, text: str) -> None:
        self.status.setText(f"<span style='color:{TEST_COLOR}'>{html.escape(text)}</span>")

    def show_rows(self, rows: list[dict[str, Any]], formulas: dict[str, str], what: str) -> None:
        """The cmp table, one row per tensor in the lecture's order."""
        self.rows = [dict(r) for r in rows]
        self.unsupported.setVisible(False)
        self.table.setVisible(True)
        t = self.table
        t.setRowCount(len(rows))
        for i, r in enumerate(rows):
            ok = bool(r["exact"] or r["approx"])
            cells = [r["name"], str(bool(r["exact"])), str(bool(r["approx"]))]
            cells.append(f"{r['maxdiff']:.1e}" if r["maxdiff"] else "0")
            tip = row_tooltip(r["name"], formulas)
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(tip)
                if j:
                    item.setTextAlignment(Qt.AlignCenter)
                if not ok:
                    item.setBackground(QBrush(FAIL_BACKGROUND))
                    item.setForeground(QBrush(FAIL_TEXT))
                t.setItem(i, j, item)
        failing = self.failing()
        exact = sum(bool(r["exact"]) for r in rows)
        if failing:
            names = ", ".join(failing)
            summary = (
                f"<b style='color:{TEST_COLOR}'>{len(failing)} of {len(rows)} do not match "
                f"autograd</b> ({names})"
            )
        else:
            summary = (
                f"<b style='color:#007a55'>all {len(rows)} match autograd</b> "
                f"({exact} exact, {len(rows) - exact} approximate)"
            )
        self.status.setText(f"{what}: {summary}")

    def failing(self) -> list[str]:
        """The names of the rows that are neither exact nor approximate."""
        return [r["name"] for r in self.rows if not (r["exact"] or r["approx"])]
