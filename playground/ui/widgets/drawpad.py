"""A square canvas to draw digits on: smooth, thick, anti-aliased strokes; undo; clear.

Strokes are kept as point lists in canvas coordinates normalised to [0,1] (so the
drawing survives a resize) and drawn as QPainterPaths through the midpoints of
successive points (quadratic curves: smooth, no corners) with round caps and joins.
:meth:`DrawPad.ink` renders the same paths as white ink on black into a small
grayscale image and returns it as a float numpy array in [0,1], ready for
``digits.preprocess``.

Mouse: left button draws, right button clears.  Keys: Delete/Backspace clear,
Ctrl+Z undoes the last stroke.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QKeySequence, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

REFERENCE_SIDE = 280.0  # brush sizes are in pixels of a 280-pixel canvas
INK_SIDE = 140  # side of the raster :meth:`DrawPad.ink` returns


def smooth_path(points: list[QPointF]) -> QPainterPath:
    """A smooth path through ``points``: quadratic curves between successive midpoints."""
    path = QPainterPath(points[0])
    if len(points) == 1:
        path.lineTo(points[0] + QPointF(0.01, 0))  # a dot: round caps make it a disc
        return path
    for a, b in zip(points[1:-1], points[2:], strict=False):
        path.quadTo(a, (a + b) / 2)
    path.lineTo(points[-1])
    return path


class DrawPad(QWidget):
    """Draw with the mouse; ``changed`` fires while drawing, ``stroke_finished`` on release."""

    changed = Signal()
    stroke_finished = Signal()

    def __init__(self, parent: QWidget | None = None, brush: float = 18.0):
        super().__init__(parent)
        self.setObjectName("drawPad")
        self.setMinimumSize(220, 220)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.setFocusPolicy(Qt.StrongFocus)
        self.setCursor(Qt.CrossCursor)
        self.setToolTip(
            "Draw a digit (or a piece of clothing) with the left mouse button; "
            "right-click or Delete clears, Ctrl+Z undoes the last stroke."
        )
        self.brush = brush
        self.strokes: list[tuple[list[QPointF], float]] = []  # normalised points, brush
        self._current: list[QPointF] | None = None
        self.hint = "Draw here"

    # ------------------------------------------------------------------ state
    def is_empty(self) -> bool:
        return not self.strokes and not self._current

    def clear(self) -> None:
        """Remove every stroke."""
        if self.is_empty():
            return
        self.strokes, self._current = [], None
        self.update()
        self.changed.emit()

    def undo(self) -> None:
        """Remove the last stroke."""
        if self.strokes:
            self.strokes.pop()
            self.update()
            self.changed.emit()

    def set_brush(self, size: float) -> None:
        """Brush diameter in pixels of a 280-pixel canvas (later strokes)."""
        self.brush = float(size)

    def add_stroke(self, points: list[QPointF]) -> None:
        """Add a whole stroke given in widget coordinates (for scripts and tests)."""
        if points:
            self.strokes.append(([self._to_unit(p) for p in points], self.brush))
            self.update()
            self.changed.emit()

    # ------------------------------------------------------------------ geometry
    def paper_rect(self) -> QRectF:
        """The square drawing area, centred in the widget."""
        side = min(self.width(), self.height()) - 2
        return QRectF((self.width() - side) / 2, (self.height() - side) / 2, side, side)

    def _to_unit(self, p: QPointF) -> QPointF:
        r = self.paper_rect()
        return QPointF((p.x() - r.x()) / r.width(), (p.y() - r.y()) / r.height())

    def _paths(self, side: float, offset: QPointF) -> list[tuple[QPainterPath, float]]:
        strokes = list(self.strokes)
        if self._current:
            strokes.append((self._current, self.brush))
        return [
            (smooth_path([offset + p * side for p in points]), brush * side / REFERENCE_SIDE)
            for points, brush in strokes
        ]

    # ------------------------------------------------------------------ ink for the model
    def ink(self, side: int = INK_SIDE) -> np.ndarray:
        """The drawing as float32 (side, side) in [0,1], 1 = ink (white on black, like MNIST)."""
        image = QImage(side, side, QImage.Format_Grayscale8)
        image.fill(0)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.Antialiasing)
        for path, width in self._paths(side, QPointF(0, 0)):
            painter.setPen(
                QPen(QColor(255, 255, 255), width, Qt.SolidLine, Qt.RoundCap, Qt.RoundJoin)
            )
            painter.drawPath(path)
        painter.end()
        row = image.bytesPerLine()
        raw = np.frombuffer(image.constBits(), np.uint8, count=row * side).reshape(side, row)
        return raw[:, :side].astype(np.float32) / 255.0

    # ------------------------------------------------------------------ Qt events
    def paintEvent(self, event) -> None:  # noqa: N802 - Qt name
        painter = QPainter(self)
        painter.setRenderHint(QPainter.Antialiasing)
        paper = self.paper_rect()
        painter.fillRect(self.rect(), self.palette().window())
        painter.fillRect(paper, QColor("#fdfdfb"))
        painter.setPen(QPen(QColor("#b0b0b0"), 1))
        painter.drawRect(paper)
        if self.is_empty():
            painter.setPen(QColor("#9a9a9a"))
            font = painter.font()
            font.setPointSizeF(font.pointSizeF() * 1.6)
            painter.setFont(font)
            painter.drawText(paper, Qt.AlignCenter, self.hint)
        ink = QColor("#161616")
        for path, width in self._paths(paper.width(), paper.topLeft()):
            painter.setPen(QPen(ink, width, Qt.SolidLine, Qt.RoundCap, Qt.RoundJoin))
            painter.drawPath(path)
        painter.end()

    def mousePressEvent(self, event) -> None:  # noqa: N802
        self.setFocus(Qt.MouseFocusReason)
        if event.button() == Qt.RightButton:
            self.clear()
        elif event.button() == Qt.LeftButton:
            self._current = [self._to_unit(event.position())]
            self.update()
            self.changed.emit()

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        if self._current is None or not (event.buttons() & Qt.LeftButton):
            return
        p = self._to_unit(event.position())
        last = self._current[-1]
        if abs(p.x() - last.x()) + abs(p.y() - last.y()) < 0.004:  # ~1 pixel: skip
            return
        self._current.append(p)
        self.update()
        self.changed.emit()

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802
        if event.button() == Qt.LeftButton and self._current is not None:
            self.strokes.append((self._current, self.brush))
            self._current = None
            self.update()
            self.changed.emit()
            self.stroke_finished.emit()

    def keyPressEvent(self, event) -> None:  # noqa: N802
        if event.key() in (Qt.Key_Delete, Qt.Key_Backspace):
            self.clear()
        elif event.matches(QKeySequence.Undo):
            self.undo()
        else:
            super().keyPressEvent(event)
