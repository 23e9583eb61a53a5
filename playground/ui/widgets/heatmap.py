"""A labelled square heatmap of a (V, V) table, in the style of makemore part 1's bigram plot.

Colours: one pyqtgraph ImageItem (ColorBrewer "Blues", like the lecture's imshow).
Text: two short lines per cell (e.g. the bigram "em" and its count 769), drawn by one
item in a single paint pass in device pixels, so 27x27 cells cost one item, not 1,458;
the strings change only when :meth:`set_data` is called.  Where cells are too small for
the numbers, only the bigrams are written; where even those can't be read, no text.
Rows and columns are labelled with the characters.

Signals: ``hovered(row, col)`` (-1, -1 when the mouse leaves the grid) and
``clicked(row, col)``.  :meth:`highlight` outlines a row, a cell and a next row
(the sampling path) with items created once.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPen
from PySide6.QtWidgets import QGraphicsRectItem

BLUES = [
    "#f7fbff",
    "#deebf7",
    "#c6dbef",
    "#9ecae1",
    "#6baed6",
    "#4292c6",
    "#2171b5",
    "#08519c",
    "#08306b",
]


def fit_tick_text(axis: pg.AxisItem) -> None:
    """Give a horizontal axis room for whole letters: pyqtgraph sizes it to 0.8 of the text's
    height and clips the rest ('i' and 'j' lose their dots on top, 'g', 'p', 'y' their
    descenders below).  A fixed height of the font's full line (plus the tick) fits all."""
    font = QFont()
    axis.setStyle(tickFont=font)
    offset = max(0, axis.style["tickLength"]) + axis.style["tickTextOffset"][1]
    axis.setHeight(QFontMetrics(font).height() + offset + 2)


def blues() -> pg.ColorMap:
    """ColorBrewer Blues (light = small, dark = large)."""
    return pg.ColorMap(np.linspace(0, 1, len(BLUES)), [QColor(c) for c in BLUES])


MIN_TEXT_PX = 7  # smaller text can't be read: a number is hidden, then the bigram too


def _fitting_px(text: str, width: float, cap: float, lo: int = MIN_TEXT_PX) -> int:
    """The largest pixel size in lo..cap at which ``text`` fits ``width`` (0: none)."""
    font = QFont()
    for px in range(int(cap), lo - 1, -1):
        font.setPixelSize(px)
        if QFontMetrics(font).horizontalAdvance(text) <= width:
            return px
    return 0


def _by_width(texts: list[str]) -> list[str]:
    """The distinct strings, narrowest first (measured: "-8.8" is wider than "-inf")."""
    metrics = QFontMetrics(QFont())
    return sorted(set(texts), key=metrics.horizontalAdvance)


class _CellText(pg.GraphicsObject):
    """Two strings per cell, painted in one pass; only the first (the bigram) where the
    second would not fit, none where even the bigram would be too small to read."""

    def __init__(self):
        super().__init__()
        self.V = 0
        self.top: list[str] = []
        self.bottom: list[str] = []
        self.light: np.ndarray = np.zeros(0, dtype=bool)  # white text on dark cells
        self._tops: list[str] = []  # the distinct bigrams, narrowest first
        self._widest = ""  # the widest second line
        self._layouts: dict[tuple[int, int], tuple[str, int]] = {}
        self._smaller: dict[tuple[int, int], dict[str, int]] = {}  # bigrams set smaller

    def set_text(self, V: int, top: list[str], bottom: list[str], light: np.ndarray) -> None:
        self.prepareGeometryChange()
        self.V, self.top, self.bottom, self.light = V, top, bottom, light.ravel()
        self._tops = _by_width(top)
        self._widest = (_by_width(bottom) or [""])[-1]
        self._layouts.clear()
        self._smaller.clear()
        self.update()

    def layout_for(self, w: float, h: float) -> tuple[str, int]:
        """What a w x h px cell shows: ("both", px), ("top", px) (the bigram only; its
        number would not fit or not be legible) or ("none", 0)."""
        key = (int(w * 4), int(h * 4))
        if key not in self._layouts:
            self._layouts[key] = self._layout(key, w, h)
        return self._layouts[key]

    def _layout(self, key: tuple[int, int], w: float, h: float) -> tuple[str, int]:
        tops = self._tops or [""]
        room = w - 3  # a pixel and a half either side: numbers never touch
        px = min(_fitting_px(tops[-1], room, h * 0.36), _fitting_px(self._widest, room, h * 0.36))
        if px:
            return "both", px
        # the bigram alone, sized for nearly all of them; the widest few ("mm", "ww") smaller
        typical = tops[int(0.95 * (len(tops) - 1))]
        px = _fitting_px(typical, w - 1, h * 0.55)
        if not px:
            return "none", 0
        self._smaller[key] = {
            s: max(_fitting_px(s, w - 1, px, lo=5), 5)
            for s in tops
            if _fitting_px(s, w - 1, px, lo=px) == 0
        }
        return "top", px

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt name
        return QRectF(0, 0, self.V, self.V)

    def paint(self, painter, option, widget=None) -> None:
        if not self.V:
            return
        t = painter.transform()
        one = t.mapRect(QRectF(0, 0, 1, 1))
        what, px = self.layout_for(abs(one.width()), abs(one.height()))
        if what == "none":
            return
        painter.save()
        painter.resetTransform()
        font = QFont()
        font.setPixelSize(px)
        painter.setFont(font)
        dark, white = QPen(QColor("#333333")), QPen(QColor("#ffffff"))
        flags_top = int(Qt.AlignHCenter | Qt.AlignBottom)
        flags_bottom = int(Qt.AlignHCenter | Qt.AlignTop)
        centre = int(Qt.AlignCenter)
        smaller = self._smaller.get((int(abs(one.width()) * 4), int(abs(one.height()) * 4)), {})
        small = QFont(font)
        k = 0
        for i in range(self.V):
            for j in range(self.V):
                r = t.mapRect(QRectF(j, i, 1, 1)).normalized()
                painter.setPen(white if self.light[k] else dark)
                if what == "top":
                    shrink = smaller.get(self.top[k])
                    if shrink:
                        small.setPixelSize(shrink)
                        painter.setFont(small)
                    painter.drawText(r, centre, self.top[k])
                    if shrink:
                        painter.setFont(font)
                else:
                    half = r.height() / 2
                    top = QRectF(r.x(), r.y(), r.width(), half + 1)
                    painter.drawText(top, flags_top, self.top[k])
                    bottom = QRectF(r.x(), r.y() + half, r.width(), half)
                    painter.drawText(bottom, flags_bottom, self.bottom[k])
                k += 1
        painter.restore()


class BigramHeatmap(pg.GraphicsLayoutWidget):
    """A (V, V) heatmap with per-cell text, row/column character labels, hover and click."""

    hovered = Signal(int, int)
    clicked = Signal(int, int)

    def __init__(self, parent=None, text: bool = True, axis_labels: bool = True):
        super().__init__(parent=parent)
        self.setBackground("w")
        self.plot = self.addPlot()
        p = self.plot
        p.invertY(True)
        p.setAspectLocked(True)
        p.hideButtons()
        p.setMenuEnabled(False)
        p.setMouseEnabled(False, False)
        p.hideAxis("bottom")
        if axis_labels:
            p.showAxis("top")
            for name in ("left", "top"):
                ax = p.getAxis(name)
                ax.setPen(pg.mkPen("#444"))
                ax.setTextPen(pg.mkPen("#222"))
                ax.setStyle(tickLength=0)
                ax.setTicks([[]])  # no numbers before the data arrives
            fit_tick_text(p.getAxis("top"))
        else:
            p.hideAxis("left")
        self.image = pg.ImageItem(axisOrder="row-major")  # values[row, col], whatever the app's
        self.image.setLookupTable(blues().getLookupTable(nPts=256))
        p.addItem(self.image)
        self.text = _CellText() if text else None
        if self.text is not None:
            p.addItem(self.text)
        self.row_box = self._box("#E69F00", 2.5)
        self.next_box = self._box("#E69F00", 2.0, Qt.DashLine)
        self.cell_box = self._box("#D55E00", 3.5)
        self.V = 0
        self.itos: list[str] = []
        self.values = np.zeros((0, 0))
        self._hover = (-1, -1)
        self.scene().sigMouseMoved.connect(self._on_move)
        self.scene().sigMouseClicked.connect(self._on_click)

    def _box(self, color: str, width: float, style=Qt.SolidLine) -> QGraphicsRectItem:
        box = QGraphicsRectItem()
        pen = QPen(QColor(color), width, style)
        pen.setCosmetic(True)
        box.setPen(pen)
        box.setZValue(10)
        box.setVisible(False)
        self.plot.addItem(box)
        return box

    # ------------------------------------------------------------ data
    def set_data(
        self,
        values: np.ndarray,
        itos: Sequence[str],
        levels: tuple[float, float],
        top: list[str] | None = None,
        bottom: list[str] | None = None,
    ) -> None:
        """Show ``values`` (V, V) coloured between ``levels``; ``top``/``bottom``: V*V strings."""
        values = np.asarray(values, dtype=np.float64)
        V = values.shape[0]
        if V != self.V or list(itos) != self.itos:
            self.V, self.itos = V, list(itos)
            ticks = [[(i + 0.5, s) for i, s in enumerate(self.itos)]]
            for name in ("left", "top"):
                self.plot.getAxis(name).setTicks(ticks)
            self.plot.setRange(xRange=(0, V), yRange=(0, V), padding=0.01)
        self.values = values
        lo, hi = levels
        self.image.setImage(np.nan_to_num(values, nan=lo, neginf=lo), levels=(lo, hi))
        self.image.setRect(QRectF(0, 0, V, V))
        if self.text is not None and top is not None and bottom is not None:
            norm = (np.nan_to_num(values, neginf=lo) - lo) / max(hi - lo, 1e-12)
            self.text.set_text(V, top, bottom, norm > 0.55)

    # ------------------------------------------------------------ path highlight
    def highlight(
        self,
        row: int | None = None,
        cell: tuple[int, int] | None = None,
        next_row: int | None = None,
    ) -> None:
        """Outline a row, a cell and the next row (None hides each)."""
        for box, r in ((self.row_box, row), (self.next_box, next_row)):
            box.setVisible(r is not None)
            if r is not None:
                box.setRect(QRectF(0, r, self.V, 1))
        self.cell_box.setVisible(cell is not None)
        if cell is not None:
            self.cell_box.setRect(QRectF(cell[1], cell[0], 1, 1))

    # ------------------------------------------------------------ mouse
    def cell_at(self, scene_pos: QPointF) -> tuple[int, int]:
        """(row, col) under a scene position, or (-1, -1)."""
        if not self.V or not self.plot.vb.sceneBoundingRect().contains(scene_pos):
            return -1, -1
        p = self.plot.vb.mapSceneToView(scene_pos)
        col, row = int(np.floor(p.x())), int(np.floor(p.y()))
        if 0 <= row < self.V and 0 <= col < self.V:
            return row, col
        return -1, -1

    def cell_center(self, row: int, col: int) -> QPoint:
        """Widget coordinates of a cell's centre (for tests and tooltips)."""
        scene = self.plot.vb.mapViewToScene(QPointF(col + 0.5, row + 0.5))
        return self.mapFromScene(scene)

    def cell_size(self) -> tuple[float, float]:
        """One cell's width and height on screen, in pixels."""
        a, b = self.cell_center(0, 0), self.cell_center(1, 1)
        return float(b.x() - a.x()), float(b.y() - a.y())

    def text_shown(self) -> str:
        """What the cells show at this size: "both" lines, the bigram ("top") or "none"."""
        if self.text is None or not self.V:
            return "none"
        return self.text.layout_for(*self.cell_size())[0]

    def _on_move(self, pos: QPointF) -> None:
        cell = self.cell_at(pos)
        if cell != self._hover:
            self._hover = cell
            self.hovered.emit(*cell)

    def _on_click(self, event) -> None:
        if event.button() != Qt.LeftButton:
            return
        row, col = self.cell_at(event.scenePos())
        if row >= 0:
            self.clicked.emit(row, col)

    def leaveEvent(self, event) -> None:  # noqa: N802 - Qt name
        if self._hover != (-1, -1):
            self._hover = (-1, -1)
            self.hovered.emit(-1, -1)
        super().leaveEvent(event)
