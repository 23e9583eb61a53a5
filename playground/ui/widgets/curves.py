"""A live line plot (loss, accuracy) whose curves grow without being rebuilt.

Drawing cost matters: a plot that changes every frame repaints its axes (and their grid
lines) too.  The axes and the legend are therefore cached as pixmaps (redrawn only when
their ticks change), and with ``stepped=True`` the plot sets its own ranges, which grow in
nice steps (0..10, 0..15, 0..20, ...): the ticks are recomputed a few times per decade
instead of on every new point, as pyqtgraph's auto-range would.

The legend is a row between the title and the plot area, never inside it: wherever the
curves go, it covers none of them.  Its entries sit side by side, in as many rows as the
plot's width needs.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGraphicsItem, QSizePolicy

HEADROOM = 1.05  # the y range reaches a little above the data (the legend is outside it)
_NICE = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)


def nice_ceil(v: float) -> float:
    """The smallest number of the form {1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8} x 10^k that is >= v."""
    if not math.isfinite(v) or v <= 0:
        return 1.0 if not math.isfinite(v) or v == 0 else -nice_floor(-v)
    e = 10.0 ** math.floor(math.log10(v))
    for m in _NICE:
        if m * e >= v * (1 - 1e-9):
            return m * e
    return 10 * e


def nice_floor(v: float) -> float:
    """The largest number of the form {1, 1.2, 1.5, 2, ...} x 10^k that is <= v (0 for v = 0)."""
    if not math.isfinite(v) or v == 0:
        return 0.0
    if v < 0:
        return -nice_ceil(-v)
    e = 10.0 ** math.floor(math.log10(v))
    for m in reversed(_NICE):
        if m * e <= v * (1 + 1e-9):
            return m * e
    return e


class _Series:
    def __init__(self, item: pg.PlotDataItem):
        self.item = item
        self.x = np.empty(1024)
        self.y = np.empty(1024)
        self.n = 0
        self.label = ""  # for pinned curves: the legend's text
        self.lo = (math.inf, math.inf)  # running (min x, min y)
        self.hi = (-math.inf, -math.inf)  # running (max x, max y)

    def extend(self, xs: np.ndarray, ys: np.ndarray) -> None:
        need = self.n + len(xs)
        if need > len(self.x):
            size = max(need, 2 * len(self.x))
            self.x = np.resize(self.x, size)
            self.y = np.resize(self.y, size)
        self.x[self.n : need] = xs
        self.y[self.n : need] = ys
        self.n = need
        self.lo = (min(self.lo[0], xs.min()), min(self.lo[1], ys.min()))
        self.hi = (max(self.hi[0], xs.max()), max(self.hi[1], ys.max()))


class CurvePlot(pg.PlotWidget):
    """Named curves that grow as training reports; created once, updated with setData.

    ``stepped=True``: the plot keeps its own ranges, grown in nice steps, instead of
    pyqtgraph's auto-range (much cheaper to repaint while training); the x range spans at
    least ``x_min_span``, and :meth:`set_y_limits` can pin the y range (e.g. 0..100 %).
    """

    def __init__(
        self,
        title: str = "",
        x_label: str = "step",
        y_label: str = "loss",
        parent=None,
        stepped: bool = False,
        x_min_span: float = 10.0,
    ):
        super().__init__(parent=parent)
        self.setBackground("w")
        self.plotItem.setTitle(title, color="#222")
        self.setLabel("bottom", x_label)
        self.setLabel("left", y_label)
        self.showGrid(x=True, y=True, alpha=0.25)
        for name in ("left", "bottom"):  # "epoch (x0.001)" helps nobody: plain numbers
            self.getAxis(name).enableAutoSIPrefix(False)
        self._place_legend()
        self.plotItem.setClipToView(True)
        self.plotItem.setDownsampling(auto=True, mode="peak")
        # axes (with their grid lines) and the legend change rarely: paint them from a pixmap
        for name in ("left", "bottom", "top", "right"):
            self.getAxis(name).setCacheMode(QGraphicsItem.DeviceCoordinateCache)
        self.plotItem.legend.setCacheMode(QGraphicsItem.DeviceCoordinateCache)
        self._series: dict[str, _Series] = {}
        self._overlays: dict[str, _Series] = {}  # pinned runs' curves, by key
        self._lines: dict[str, pg.InfiniteLine] = {}
        self._stepped = stepped
        self._x_min_span = float(x_min_span)
        self._y_limits: tuple[float, float] | None = None
        self._view: tuple[float, float, float, float] | None = None
        if stepped:
            self.plotItem.enableAutoRange(x=False, y=False)
            self._apply_steps()

    def _place_legend(self) -> None:
        """The legend in the row of the (hidden) top axis: above the plot area (and the left
        axis: the whole width), right-aligned."""
        legend = self.addLegend(offset=None, labelTextSize="8pt", verSpacing=-6, frame=False)
        legend.layout.setContentsMargins(2, 0, 2, 0)
        legend.setSizePolicy(QSizePolicy.Maximum, QSizePolicy.Fixed)
        legend.setMinimumWidth(1)  # never widens the plot: _fit_legend wraps it instead
        layout = self.plotItem.layout
        layout.removeItem(self.getAxis("top"))  # never shown on these plots
        layout.addItem(legend, 1, 0, 1, 3, Qt.AlignRight | Qt.AlignVCenter)
        self.plotItem.vb.sigResized.connect(self._fit_legend)

    def _fit_legend(self) -> None:
        """As many legend entries side by side as the plot area's width holds."""
        legend = self.plotItem.legend
        gap = legend.layout.horizontalSpacing()  # between a sample and its label, and entries
        widths = [s.preferredWidth() + gap + label.preferredWidth() for s, label in legend.items]
        room = self.plotItem.width() - 6  # the legend's margins, and a pixel to spare

        def row(cols: int) -> float:  # the widest row's width with ``cols`` entries a row
            return sum(max(widths[c::cols]) for c in range(cols)) + gap * (cols - 1)

        cols = max(1, len(widths))
        while cols > 1 and row(cols) > room:
            cols -= 1
        if cols != legend.columnCount:
            legend.setColumnCount(cols)
        legend.updateGeometry()  # the plot's layout asks the legend for its new size

    def add_curve(
        self,
        name: str,
        color: str,
        width: float = 2.0,
        dashed: bool = False,
        symbol: str | None = None,
        label: str | None = None,
    ) -> None:
        """Declare a curve once; later :meth:`append` calls extend it.  ``label``: its text
        in the legend, if not ``name`` (a short one keeps a narrow plot's legend one row)."""
        pen = pg.mkPen(color, width=width, style=pg.QtCore.Qt.DashLine if dashed else None)
        kwargs = {"symbol": symbol, "symbolSize": 5, "symbolBrush": color} if symbol else {}
        item = self.plot([], [], pen=pen, name=label or name, skipFiniteCheck=True, **kwargs)
        if not dashed:  # separate segments, not one stroked path: a 2 px antialiased path of
            item.curve.setSegmentedLineMode("on")  # 1,000 points took 53 ms to paint, 4.7 now
        self._series[name] = _Series(item)
        self._fit_legend()

    def append(self, name: str, xs, ys) -> None:
        """Add points to a curve (non-finite values are dropped)."""
        xs = np.asarray(xs, dtype=float).ravel()
        ys = np.asarray(ys, dtype=float).ravel()
        ok = np.isfinite(ys) & np.isfinite(xs)
        if not ok.all():
            xs, ys = xs[ok], ys[ok]
        if len(xs) == 0:
            return
        s = self._series[name]
        s.extend(xs, ys)
        s.item.setData(s.x[: s.n], s.y[: s.n], skipFiniteCheck=True)
        if self._stepped:
            self._apply_steps()

    def set_overlay(self, key: str, xs, ys, color: str, label: str, visible: bool = True) -> None:
        """A pinned run's curve (dashed, in its own colour, labelled in the legend).

        Created once per ``key``; later calls replace its data, label and visibility.
        """
        s = self._overlays.get(key)
        if s is None:
            pen = pg.mkPen(color, width=1.5, style=pg.QtCore.Qt.DashLine)
            s = self._overlays[key] = _Series(self.plot([], [], pen=pen, name=label))
        xs = np.asarray(xs, dtype=float).ravel()
        ys = np.asarray(ys, dtype=float).ravel()
        ok = np.isfinite(xs) & np.isfinite(ys)
        s.n, s.lo, s.hi = 0, (math.inf, math.inf), (-math.inf, -math.inf)
        if ok.any():
            s.extend(xs[ok], ys[ok])
        s.item.setData(s.x[: s.n], s.y[: s.n], skipFiniteCheck=True)
        s.item.setPen(pg.mkPen(color, width=1.5, style=pg.QtCore.Qt.DashLine))
        s.item.setVisible(visible)
        s.label = label
        self._overlay_legend()
        if self._stepped:
            self._apply_steps()

    def _overlay_legend(self) -> None:
        """One pinned curve is named in the legend; with more, the runs table is their key
        (a legend of ten entries would cover a small plot)."""
        legend = self.plotItem.legend
        shown = [s for s in self._overlays.values() if s.item.isVisible()]
        for s in self._overlays.values():
            legend.removeItem(s.item)
        if len(shown) == 1:
            legend.addItem(shown[0].item, shown[0].label)
        self._fit_legend()

    def remove_overlay(self, key: str) -> None:
        """Forget a pinned run's curve."""
        s = self._overlays.pop(key, None)
        if s is not None:
            self.plotItem.legend.removeItem(s.item)
            self.removeItem(s.item)
            self._overlay_legend()
            if self._stepped:
                self._apply_steps()

    def overlay_keys(self) -> list[str]:
        """The keys of the pinned curves drawn (visible or not)."""
        return list(self._overlays)

    def overlay_visible(self, key: str) -> bool:
        return self._overlays[key].item.isVisible()

    def set_x_min_span(self, span: float) -> None:
        """The x range spans at least ``span`` (e.g. a run's planned epochs: the axis then
        stays put while the run fills it, instead of growing, and repainting, in steps)."""
        self._x_min_span = float(span)
        if self._stepped:
            self._apply_steps()

    def set_y_limits(self, lo: float | None, hi: float | None = None) -> None:
        """Pin the y range to lo..hi (stepped plots); None: grow with the data again."""
        self._y_limits = None if lo is None or hi is None else (float(lo), float(hi))
        if self._stepped:
            self._apply_steps()

    def _apply_steps(self) -> None:
        """Set the ranges from the data, in nice steps; only touch the view when they move."""
        full = [s for s in self._series.values() if s.n]
        full += [s for s in self._overlays.values() if s.n and s.item.isVisible()]
        x0 = min((s.lo[0] for s in full), default=0.0)
        x1 = max((s.hi[0] for s in full), default=x0)
        x1 = x0 + nice_ceil(max(x1 - x0, self._x_min_span))
        if self._y_limits is not None:
            y0, y1 = self._y_limits
        else:
            lo = min((s.lo[1] for s in full), default=0.0)
            hi = max((s.hi[1] for s in full), default=1.0)
            y1 = nice_ceil(hi * HEADROOM) if hi > 0 else 0.0
            y0 = 0.0 if lo >= 0 else nice_floor(lo)  # losses, shares: from 0, honestly
            if y1 <= y0:
                y1 = y0 + nice_ceil(max(abs(y0), 1e-3) * 0.1)
        view = (x0, x1, y0, y1)
        if view != self._view:
            self._view = view
            # padding=None: pyqtgraph's size-dependent margin, room for the end labels
            self.plotItem.vb.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=None)

    def set_reference(self, name: str, value: float | None, color: str = "#555555") -> None:
        """A horizontal dashed line at ``value`` labelled ``name`` (None hides it)."""
        line = self._lines.get(name)
        if line is None:
            line = pg.InfiniteLine(
                angle=0,
                pen=pg.mkPen(color, width=1.5, style=pg.QtCore.Qt.DashLine),
                label=name,
                labelOpts={"position": 0.9, "color": color, "anchors": [(1, 1), (1, 1)]},
            )
            self.addItem(line)
            self._lines[name] = line
        line.setVisible(value is not None)
        if value is not None:
            line.setValue(value)

    def series_names(self) -> list[str]:
        """The declared curves' names (not the pinned overlays)."""
        return list(self._series)

    def count(self, name: str) -> int:
        """How many points a curve holds."""
        return self._series[name].n

    def data(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        s = self._series[name]
        return s.x[: s.n].copy(), s.y[: s.n].copy()

    def clear_curves(self) -> None:
        """Empty every curve (keeps them declared)."""
        for s in self._series.values():
            s.n = 0
            s.lo, s.hi = (math.inf, math.inf), (-math.inf, -math.inf)
            s.item.setData([], [])
        if self._stepped:
            self._apply_steps()
