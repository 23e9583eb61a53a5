"""A live line plot (loss, accuracy) whose curves grow without being rebuilt."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg


class _Series:
    def __init__(self, item: pg.PlotDataItem):
        self.item = item
        self.x = np.empty(1024)
        self.y = np.empty(1024)
        self.n = 0

    def extend(self, xs: np.ndarray, ys: np.ndarray) -> None:
        need = self.n + len(xs)
        if need > len(self.x):
            size = max(need, 2 * len(self.x))
            self.x = np.resize(self.x, size)
            self.y = np.resize(self.y, size)
        self.x[self.n : need] = xs
        self.y[self.n : need] = ys
        self.n = need


class CurvePlot(pg.PlotWidget):
    """Named curves that grow as training reports; created once, updated with setData."""

    def __init__(self, title: str = "", x_label: str = "step", y_label: str = "loss", parent=None):
        super().__init__(parent=parent)
        self.setBackground("w")
        self.plotItem.setTitle(title, color="#222")
        self.setLabel("bottom", x_label)
        self.setLabel("left", y_label)
        self.showGrid(x=True, y=True, alpha=0.25)
        self.addLegend(offset=(-10, 10))
        self.plotItem.setClipToView(True)
        self.plotItem.setDownsampling(auto=True, mode="peak")
        self._series: dict[str, _Series] = {}
        self._lines: dict[str, pg.InfiniteLine] = {}

    def add_curve(
        self,
        name: str,
        color: str,
        width: float = 2.0,
        dashed: bool = False,
        symbol: str | None = None,
    ) -> None:
        """Declare a curve once; later :meth:`append` calls extend it."""
        pen = pg.mkPen(color, width=width, style=pg.QtCore.Qt.DashLine if dashed else None)
        kwargs = {"symbol": symbol, "symbolSize": 5, "symbolBrush": color} if symbol else {}
        item = self.plot([], [], pen=pen, name=name, **kwargs)
        self._series[name] = _Series(item)

    def append(self, name: str, xs, ys) -> None:
        """Add points to a curve (non-finite values are dropped)."""
        xs = np.asarray(xs, dtype=float).ravel()
        ys = np.asarray(ys, dtype=float).ravel()
        ok = np.isfinite(ys)
        if not ok.all():
            xs, ys = xs[ok], ys[ok]
        if len(xs) == 0:
            return
        s = self._series[name]
        s.extend(xs, ys)
        s.item.setData(s.x[: s.n], s.y[: s.n])

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
            s.item.setData([], [])
