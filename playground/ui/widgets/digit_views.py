"""Views of the Digits tab: probability bars, image mosaics, a confusion matrix, thumbnails.

Every plot item is created once and updated with setData / setOpts / setImage.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QIcon, QImage, QPixmap
from PySide6.QtWidgets import QListWidget, QListWidgetItem

from playground.ui.style import OKABE_ITO

TOP_COLOR = OKABE_ITO[1]  # blue
BAR_COLOR = "#9db7cf"


def _ticks(names: list[str]) -> list[list[tuple[int, str]]]:
    return [[(i, n) for i, n in enumerate(names)]]


class ProbabilityBars(pg.PlotWidget):
    """Ten horizontal bars, one per class, the most likely one highlighted."""

    def __init__(self, parent=None):
        super().__init__(parent=parent)
        self.setBackground("w")
        self.setMouseEnabled(False, False)
        self.hideButtons()
        self.setMenuEnabled(False)
        p = self.plotItem
        p.setTitle("P(class | drawing)", color="#222", size="10pt")
        p.invertY(True)
        p.setXRange(0, 1.05, padding=0)
        p.setYRange(-0.6, 9.6, padding=0)
        p.showGrid(x=True, alpha=0.2)
        p.getAxis("bottom").setTicks([[(v, f"{v:.0%}") for v in (0, 0.25, 0.5, 0.75, 1.0)]])
        self.bars = pg.BarGraphItem(
            x0=np.zeros(10), y=np.arange(10), height=0.7, width=np.zeros(10), brush=BAR_COLOR
        )
        p.addItem(self.bars)
        self.labels = []
        for i in range(10):
            t = pg.TextItem("", color="#333", anchor=(0, 0.5))
            t.setPos(0, i)
            p.addItem(t)
            self.labels.append(t)
        self.set_names([str(i) for i in range(10)])

    def set_names(self, names: list[str]) -> None:
        self.plotItem.getAxis("left").setTicks(_ticks(names))

    def set_probs(self, probs: np.ndarray | None) -> None:
        """Show ``probs`` (10,), or empty bars for None."""
        if probs is None:
            probs = np.zeros(10)
        top = int(np.argmax(probs)) if probs.any() else -1
        brushes = [pg.mkBrush(TOP_COLOR if i == top else BAR_COLOR) for i in range(10)]
        self.bars.setOpts(width=np.asarray(probs, float), brushes=brushes)
        for i, t in enumerate(self.labels):
            p = float(probs[i])
            t.setText(f"{p:.1%}" if p >= 0.005 else "")
            inside = p > 0.6  # a long bar holds its label, in white, at its end
            t.setColor("w" if inside else "#333")
            t.setAnchor((1, 0.5) if inside else (0, 0.5))
            t.setPos(p - 0.01 if inside else p + 0.01, i)


def mosaic(tiles: np.ndarray, cols: int, gap: int = 1, fill: float = 0.0) -> np.ndarray:
    """(n, h, w) tiles -> one (rows*(h+gap)-gap, cols*(w+gap)-gap) image, gaps = ``fill``."""
    n, h, w = tiles.shape
    rows = max(1, -(-n // cols))
    out = np.full((rows * (h + gap) - gap, cols * (w + gap) - gap), fill, dtype=np.float32)
    for i in range(n):
        r, c = divmod(i, cols)
        out[r * (h + gap) : r * (h + gap) + h, c * (w + gap) : c * (w + gap) + w] = tiles[i]
    return out


class ImageView(pg.GraphicsLayoutWidget):
    """One image (or a mosaic of tiles) with a title; colour map and levels set by the caller."""

    def __init__(self, title: str = "", parent=None, cmap: str = "gray"):
        super().__init__(parent=parent)
        self.setBackground("w")
        self.plot = self.addPlot()
        self.set_title(title)
        self.plot.hideAxis("left")
        self.plot.hideAxis("bottom")
        self.plot.invertY(True)
        self.plot.setAspectLocked(True)
        self.plot.setMouseEnabled(False, False)
        self.plot.hideButtons()
        self.plot.setMenuEnabled(False)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.image)
        self._cmap: str | None = None
        self.set_cmap(cmap)

    def set_title(self, title: str) -> None:
        self.plot.setTitle(title or None, color="#222", size="9pt")

    def set_cmap(self, name: str) -> None:
        if name == self._cmap:
            return  # called on every pad update: keep the lookup table
        self._cmap = name
        if name == "diverging":  # blue (negative) - white - red (positive)
            cmap = pg.ColorMap(
                [0, 0.5, 1], [QColor("#2166ac"), QColor("#f7f7f7"), QColor("#b2182b")]
            )
        elif name == "gray":
            cmap = pg.ColorMap([0, 1], [QColor("black"), QColor("white")])
        else:
            cmap = pg.colormap.get(name)
        self.image.setColorMap(cmap)

    def show_image(self, image: np.ndarray, levels: tuple[float, float]) -> None:
        self.image.setImage(np.nan_to_num(image, nan=levels[0]), levels=levels, autoLevels=False)
        h, w = image.shape
        self.plot.setRange(xRange=(0, w), yRange=(0, h), padding=0.02)


class ConfusionMatrix(pg.PlotWidget):
    """A 10x10 heatmap of counts: rows = true class, columns = predicted; click a cell."""

    cell_clicked = Signal(int, int)  # true, predicted

    def __init__(self, parent=None):
        super().__init__(parent=parent)
        self.setBackground("w")
        p = self.plotItem
        p.setTitle("Confusion matrix (test set): click a cell", color="#222")
        p.invertY(True)
        p.setAspectLocked(True)
        p.setMouseEnabled(False, False)
        self.hideButtons()
        self.setMenuEnabled(False)
        p.setLabel("left", "true class")
        p.setLabel("bottom", "predicted class")
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setColorMap(
            pg.ColorMap([0, 1], [QColor("#f7fbff"), QColor("#08306b")])  # light = few
        )
        p.addItem(self.image)
        self.texts = []
        for t in range(10):
            for q in range(10):
                item = pg.TextItem("", anchor=(0.5, 0.5))
                item.setPos(q + 0.5, t + 0.5)
                p.addItem(item)
                self.texts.append(item)
        self.selection = pg.QtWidgets.QGraphicsRectItem(0, 0, 1, 1)
        self.selection.setPen(pg.mkPen(OKABE_ITO[5], width=3))
        self.selection.setVisible(False)
        self.selection.setZValue(20)
        p.addItem(self.selection)
        self.column_names = []  # upright names under the columns (long class names)
        for q in range(10):
            item = pg.TextItem("", color="#555555", anchor=(1, 0.5), angle=90)
            item.setPos(q + 0.5, 10.08)
            p.addItem(item)
            self.column_names.append(item)
        self._room = 0.0
        p.setRange(xRange=(0, 10), yRange=(0, 10), padding=0.01)
        self.counts = np.zeros((10, 10), np.int64)
        self.scene().sigMouseClicked.connect(self._clicked)
        p.vb.sigResized.connect(self._fit_text)
        self.set_names([str(i) for i in range(10)])

    def set_names(self, names: list[str]) -> None:
        """Class names on both axes, never cut: long ones ("Ankle boot") stand upright
        under the columns, where a row of them would overlap."""
        short = self.names = [n.split("/")[0] for n in names]
        self.plotItem.getAxis("left").setTicks([[(i + 0.5, s) for i, s in enumerate(short)]])
        upright = max(len(s) for s in short) > 3
        bottom = [] if upright else [(i + 0.5, s) for i, s in enumerate(short)]
        self.plotItem.getAxis("bottom").setTicks([bottom])
        for item, s in zip(self.column_names, short, strict=True):
            item.setText(s if upright else "")
        self._room = -1.0  # measured again
        self._fit_text()

    def set_counts(self, counts: np.ndarray) -> None:
        """Show a (10,10) confusion matrix; colour is log-scaled so small counts show."""
        self.counts = counts
        shade = np.log1p(counts.astype(float))
        top = max(float(shade.max()), 1e-9)
        self.image.setImage(shade, levels=(0, top), autoLevels=False)
        self.image.setRect(0, 0, 10, 10)
        for i, item in enumerate(self.texts):
            t, q = divmod(i, 10)
            n = int(counts[t, q])
            item.setText(str(n) if n else "")
            item.setColor("#ffffff" if shade[t, q] > 0.55 * top else "#222222")

    def _fit_text(self, *_: object) -> None:
        """Size the counts to the cells, so that four digits ("1135") fit in one, and keep
        room under the matrix for the longest upright class name."""
        vb = self.plotItem.vb
        names = [item.textItem.toPlainText() for item in self.column_names]
        longest = max(
            (
                QFontMetrics(self.column_names[0].textItem.font()).horizontalAdvance(n)
                for n in names
                if n
            ),
            default=0,
        )
        cell = max(1.0, min(vb.width() / 10, (vb.height() - longest - 8) / 10))
        room = (longest + 8) / cell if longest else 0.0
        if abs(room - self._room) > 0.05:
            self._room = room
            self.plotItem.setRange(xRange=(0, 10), yRange=(0, 10 + room), padding=0.01)
        font = QFont()
        font.setPixelSize(max(7, min(13, int(cell / 3.0))))
        for item in self.texts:
            item.setFont(font)

    def select(self, true: int, pred: int) -> None:
        self.selection.setRect(pred, true, 1, 1)
        self.selection.setVisible(true >= 0)

    def _clicked(self, event) -> None:
        pos = self.plotItem.vb.mapSceneToView(event.scenePos())
        q, t = int(np.floor(pos.x())), int(np.floor(pos.y()))
        if 0 <= t < 10 and 0 <= q < 10:
            self.select(t, q)
            self.cell_clicked.emit(t, q)


def thumbnail(image: np.ndarray, scale: int = 2, invert: bool = False) -> QPixmap:
    """A uint8 (28,28) image as a pixmap, scaled up without blurring."""
    a = np.ascontiguousarray(255 - image if invert else image, dtype=np.uint8)
    h, w = a.shape
    q = QImage(a.data, w, h, w, QImage.Format_Grayscale8).copy()
    return QPixmap.fromImage(q).scaled(
        w * scale, h * scale, Qt.KeepAspectRatio, Qt.FastTransformation
    )


class Gallery(QListWidget):
    """A grid of captioned thumbnails (test images with their labels and predictions)."""

    def __init__(self, parent=None, icon: int = 56):
        super().__init__(parent)
        self.setViewMode(QListWidget.IconMode)
        self.setResizeMode(QListWidget.Adjust)
        self.setMovement(QListWidget.Static)
        # captions wrap at the icon's width: a wide icon box (the thumbnail centred in it)
        # keeps "→ Ankle boot" on one line
        self.setIconSize(QSize(icon + 60, icon))
        self.setGridSize(QSize(icon + 68, icon + 56))
        self.setWordWrap(True)
        self.setUniformItemSizes(True)
        self.setSelectionMode(QListWidget.SingleSelection)
        self._icon = icon

    def set_items(self, items: list[tuple[np.ndarray, str, bool, int]]) -> None:
        """(uint8 image, caption, is_wrong, index) per item."""
        self.setUpdatesEnabled(False)
        self.clear()
        for image, caption, wrong, index in items:
            it = QListWidgetItem(QIcon(thumbnail(image, self._icon // 28)), caption)
            it.setData(Qt.UserRole, index)
            it.setTextAlignment(Qt.AlignHCenter | Qt.AlignTop)
            if wrong:
                it.setForeground(QColor(OKABE_ITO[5]))
            self.addItem(it)
        self.setUpdatesEnabled(True)
