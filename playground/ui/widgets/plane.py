"""The 2-D plane of a toy classifier: predicted class as colour, the boundary, the points.

Everything is created once; each frame only calls ``setImage`` / ``setData``:
- an RGBA heatmap of the predicted class (colour = class, intensity = confidence),
- the decision boundary as line segments (a vectorised marching squares, fast enough
  for every frame and for any number of classes),
- training points filled, test points hollow,
- in single-neuron mode, the line w1*x1 + w2*x2 + b = 0, its equation and two drag
  handles: a dot on the line moves it (the bias), the arrow's head turns it and sets its
  steepness (the weights: the arrow is the weight vector, pointing at class 1).
Left/right clicks are turned into data coordinates and emitted; the tab decides what
they mean (add a point, remove the nearest one).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtWidgets import QGraphicsItem

from playground.ui.widgets.plane_image import (  # noqa: F401 - also this module's API
    NEGATIVE,
    POSITIVE,
    boundary_field,
    class_colors,
    contour_segments,
    diverging_colors,
    diverging_rgba,
    grid_axes,
    plane_picture,
    probs_to_rgba,
)

HANDLE_PX = 12  # how near (pixels) a press must be to grab a handle


def arrow_length(norm: float, width: float) -> float:
    """Plane length of the weight arrow for a weight vector of length ``norm``: grows like
    a log, so small and large weights both keep a visible arrow inside the plane."""
    return 0.08 * width * (1.0 + np.log1p(norm))


def norm_from_arrow(length: float, width: float) -> float:
    """The inverse of :func:`arrow_length` (0 for arrows shorter than the shortest)."""
    return float(max(np.expm1(length / (0.08 * width) - 1.0), 0.0))


class PlaneView(pg.PlotWidget):
    """The big view: heatmap, boundary, points, optional single-neuron line.

    Signals: ``clicked(x, y, button, modifiers)`` in data coordinates when the user
    clicks inside the plane (and keeps dragging: one more every few pixels);
    ``hovered(x, y)`` as the mouse moves over it; ``left()`` when it leaves;
    ``line_dragged(a1, a2, a0)``: the single-neuron line a1*x + a2*y + a0 = 0 (plane
    coordinates) as the user drags one of its handles.
    """

    clicked = Signal(float, float, object, object)
    hovered = Signal(float, float)
    left = Signal()
    line_dragged = Signal(float, float, float)

    def __init__(self, parent=None):
        super().__init__(parent=parent)
        self.setBackground("w")
        self.setMenuEnabled(False)
        self.setMouseEnabled(False, False)
        self.hideButtons()
        self.plotItem.vb.setDefaultPadding(0.0)
        for side in ("left", "bottom"):
            ax = self.getAxis(side)
            ax.setTextPen("#333")
            ax.setPen("#888")
            ax.setCacheMode(QGraphicsItem.DeviceCoordinateCache)  # not repainted every frame
            ax.setStyle(hideOverlappingLabels=False)  # label the extent's ends too
        # room for the end labels (e.g. the top "10") inside the widget
        self.plotItem.setContentsMargins(0, 9, 12, 0)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.addItem(self.image)
        self.boundary = pg.PlotCurveItem(pen=pg.mkPen("#222", width=2.2), connect="pairs")
        self.boundary.setSegmentedLineMode("on")  # drawLines: a stroked path is ~10x slower
        self.boundary.setZValue(5)
        self.addItem(self.boundary)
        self.line = pg.PlotCurveItem(pen=pg.mkPen("#111", width=2.5, style=Qt.DashLine))
        self.line.setZValue(6)
        self.addItem(self.line)
        self.arrow = pg.PlotCurveItem(pen=pg.mkPen("#111", width=2))
        self.arrow.setZValue(7)
        self.addItem(self.arrow)
        self.handles = pg.ScatterPlotItem(pxMode=True)
        self.handles.setZValue(15)
        self.addItem(self.handles)
        self._line: tuple[float, float, float] | None = None
        self._handle_pos: dict[str, np.ndarray] = {}
        self._grabbed: str | None = None
        self.equation = pg.TextItem("", color="#111", fill=pg.mkBrush(255, 255, 255, 210))
        self.equation.setZValue(20)
        self.addItem(self.equation)
        self.train_points = pg.ScatterPlotItem(size=8, pxMode=True)
        self.train_points.setZValue(10)
        self.test_points = pg.ScatterPlotItem(size=8, pxMode=True)
        self.test_points.setZValue(11)
        self.addItem(self.train_points)
        self.addItem(self.test_points)
        self.caption = pg.TextItem(
            "", color="#111", anchor=(1, 0), fill=pg.mkBrush(255, 255, 255, 220)
        )
        self.caption.setZValue(25)
        self.caption.setVisible(False)
        self.addItem(self.caption)
        self.message = pg.TextItem("", color="#444", anchor=(0.5, 0.5))
        self.message.setZValue(30)
        self.addItem(self.message)
        self._extent = (-6.0, 6.0, -6.0, 6.0)
        self._xs = self._ys = np.zeros(0)
        self._res = 0
        self._probs: np.ndarray | None = None
        self._picture: dict | None = None  # plane_picture() of _probs
        self._discretize = False
        self._n_classes = 2
        self._map_shown = False
        self._rect_dirty = True
        self._last_drag: tuple[float, float] | None = None
        self._drag_button = None
        self.set_single_neuron(None)
        self.set_extent(self._extent, "x1", "x2")

    # ------------------------------------------------------------ content
    def set_extent(self, extent, x_label: str, y_label: str, res: int | None = None) -> None:
        """The plane (xmin, xmax, ymin, ymax) and its axis labels; ``res`` grid points a side."""
        self._extent = tuple(float(v) for v in extent)
        xmin, xmax, ymin, ymax = self._extent
        if res:
            self._res = res
            # the grid's points are pixel centres (toy.make_grid): the image covers the extent
            self._xs, self._ys = grid_axes(self._extent, res)
            self._rect_dirty = True  # applied once an image of this size is set
        self.setXRange(xmin, xmax, padding=0)
        self.setYRange(ymin, ymax, padding=0)
        self.setLabel("bottom", x_label)
        self.setLabel("left", y_label)
        self.message.setPos((xmin + xmax) / 2, (ymin + ymax) / 2)

    def _set_image(self, img: np.ndarray) -> None:
        self.image.setImage(img, autoLevels=False)
        if self._rect_dirty:  # setRect scales by the image's size: only after there is one
            xmin, xmax, ymin, ymax = self._extent
            self.image.setRect(xmin, ymin, xmax - xmin, ymax - ymin)
            self._rect_dirty = False

    def set_caption(self, text: str) -> None:
        """A label in the top-right corner, e.g. what the image shows now ("" hides it)."""
        xmin, xmax, ymin, ymax = self._extent
        self.caption.setText(text)
        self.caption.setPos(xmax, ymax)
        self.caption.setVisible(bool(text))

    def set_message(self, text: str) -> None:
        """A short note in the middle of the plane ("" hides it)."""
        self.message.setText(text)

    def set_discretize(self, on: bool) -> None:
        self._discretize = on
        if self._probs is not None and not self._map_shown:
            self.show_probs(self._probs, self._picture)

    def show_probs(self, probs: np.ndarray, picture: dict | None = None) -> None:
        """Draw class probabilities (res*res, C) over the grid, and the boundary.

        ``picture``: what :func:`plane_picture` made of them (in the job's thread), used
        where it fits this plane (its extent, size, discretize), else computed here."""
        self._probs = probs
        self._map_shown = False
        fits = (
            picture is not None
            and picture["res"] == self._res
            and picture["extent"] == self._extent
        )
        if not fits:
            picture = plane_picture(probs, self._extent, self._res, self._discretize)
        elif picture["discretize"] != self._discretize:
            picture = dict(picture, image=probs_to_rgba(probs, self._res, self._discretize))
        self._picture = picture
        self._set_image(picture["image"])
        self.boundary.setData(*picture["boundary"])

    def show_map(self, values: np.ndarray, center: float = 0.0) -> None:
        """Show one neuron's activation over the plane instead (until :meth:`show_probs`)."""
        self._map_shown = True
        self._set_image(diverging_rgba(values, self._res, center))
        self.boundary.setData([], [])

    def keep_probs(self, probs: np.ndarray, picture: dict | None = None) -> None:
        """Keep ``probs`` to show when the map shown now (a hovered neuron's) goes."""
        self._probs, self._picture = probs, picture

    @property
    def probs(self) -> np.ndarray | None:
        """The class probabilities last given (res*res, C), or None."""
        return self._probs

    @property
    def map_shown(self) -> bool:
        """True while a neuron's map is shown instead of the classes."""
        return self._map_shown

    @property
    def handle_positions(self) -> dict[str, np.ndarray]:
        """The single-neuron line's handles in plane coordinates: "move" and "turn"."""
        return dict(self._handle_pos)

    def restore_probs(self) -> None:
        """Back to the class heatmap after :meth:`show_map`."""
        if self._probs is not None:
            self.show_probs(self._probs, self._picture)

    def probs_at(self, x: float, y: float) -> np.ndarray | None:
        """The predicted probabilities at the grid point nearest (x, y)."""
        if self._probs is None or self._res == 0:
            return None
        j = int(np.abs(self._xs - x).argmin())
        i = int(np.abs(self._ys - y).argmin())
        return self._probs[i * self._res + j]

    def set_points(self, X_train, y_train, X_test, y_test, n_classes: int) -> None:
        """Training points filled, test points hollow, coloured by class."""
        self._n_classes = n_classes
        cols = class_colors(
            max(n_classes, int(max(y_train.max(initial=0), y_test.max(initial=0))) + 1)
        )
        fill = [pg.mkBrush(c) for c in cols]
        rim = [pg.mkPen(c, width=2) for c in cols]
        white = pg.mkPen("w", width=1.2)
        self.train_points.setData(
            x=X_train[:, 0], y=X_train[:, 1], brush=[fill[k] for k in y_train], pen=white
        )
        self.test_points.setData(
            x=X_test[:, 0],
            y=X_test[:, 1],
            brush=pg.mkBrush(255, 255, 255, 170),
            pen=[rim[k] for k in y_test],
        )

    def set_show_test(self, on: bool) -> None:
        self.test_points.setVisible(on)

    def set_single_neuron(self, line: tuple[float, float, float] | None, text: str = "") -> None:
        """Draw the line a1*x + a2*y + a0 = 0 (plane coordinates), its caption and its drag
        handles (None hides them)."""
        show = line is not None
        self._line = tuple(float(v) for v in line) if show else None
        for item in (self.line, self.equation, self.arrow, self.handles):
            item.setVisible(show)
        self._handle_pos = {}
        if not show:
            return
        a1, a2, a0 = self._line
        xmin, xmax, ymin, ymax = self._extent
        self.equation.setText(text)
        self.equation.setPos(xmin, ymax)
        norm = float(np.hypot(a1, a2))
        if norm < 1e-9:
            self.line.setData([], [])
            self.arrow.setData([], [])
            self.handles.setData([])
            return
        foot, d = self._foot(a1, a2, a0)
        span = 2 * max(xmax - xmin, ymax - ymin)
        ends = np.array([foot - span * d, foot + span * d])
        self.line.setData(ends[:, 0], ends[:, 1])
        # the weight vector: normal to the line, towards the side the neuron calls class 1
        head = foot + np.array([a1, a2]) / norm * arrow_length(norm, xmax - xmin)
        self.arrow.setData([foot[0], head[0]], [foot[1], head[1]])
        self._handle_pos = {"move": foot, "turn": head}
        angle = float(np.degrees(np.arctan2(a2, a1)))  # the head points the arrow's way
        self.handles.setData(
            pos=[foot, head],
            symbol=["o", _arrowhead(angle)],
            size=[13, 18],
            brush=[pg.mkBrush("#ffffff"), pg.mkBrush("#111111")],
            pen=[pg.mkPen("#111", width=2), pg.mkPen("#fff", width=1)],
        )

    def _foot(self, a1: float, a2: float, a0: float) -> tuple[np.ndarray, np.ndarray]:
        """The line's point nearest the plane's centre, and the unit vector along the line."""
        xmin, xmax, ymin, ymax = self._extent
        norm = float(np.hypot(a1, a2))
        p0 = np.array([a1, a2]) * (-a0 / norm**2)  # the line's point nearest the origin
        d = np.array([-a2, a1]) / norm
        mid = np.array([(xmin + xmax) / 2, (ymin + ymax) / 2])
        return p0 + d * float(np.dot(mid - p0, d)), d

    def _handle_at(self, pos) -> str | None:
        """The handle within HANDLE_PX pixels of widget position ``pos`` (the head first)."""
        for name in ("turn", "move"):
            p = self._handle_pos.get(name)
            if p is not None:
                w = self.data_to_widget(float(p[0]), float(p[1]))
                if np.hypot(w.x() - pos.x(), w.y() - pos.y()) <= HANDLE_PX:
                    return name
        return None

    def _drag_handle(self, x: float, y: float) -> None:
        a1, a2, a0 = self._line
        q = np.array([x, y])
        if self._grabbed == "move":  # same weights, the line through the mouse
            a0 = -(a1 * x + a2 * y)
        else:  # the arrow's head follows the mouse; the line keeps its foot
            foot, _ = self._foot(a1, a2, a0)
            v = q - foot
            length = float(np.hypot(*v))
            if length < 1e-9:
                return
            xmin, xmax = self._extent[:2]
            a1, a2 = v / length * max(norm_from_arrow(length, xmax - xmin), 1e-3)
            a0 = -(a1 * foot[0] + a2 * foot[1])
        self.line_dragged.emit(float(a1), float(a2), float(a0))

    def export_png(self, path: str) -> bool:
        """Save the view as a PNG (what is on screen, at screen resolution); atomically: a
        failed save leaves an existing file as it was.  False if it cannot be written."""
        from playground.core.files import atomic_write

        image = self.grab()

        def write(tmp) -> None:
            if not image.save(str(tmp), "PNG"):
                raise OSError(f"cannot write {path}")

        try:
            atomic_write(path, write)
        except OSError:
            return False
        return True

    # ------------------------------------------------------------ mouse
    def _to_data(self, pos) -> tuple[float, float, bool]:
        scene = self.mapToScene(pos.toPoint() if hasattr(pos, "toPoint") else pos)
        vb = self.plotItem.vb
        p: QPointF = vb.mapSceneToView(scene)
        inside = vb.sceneBoundingRect().contains(scene)
        return p.x(), p.y(), inside

    def data_to_widget(self, x: float, y: float):
        """Widget (viewport) coordinates of data point (x, y): handy for tests and tools."""
        scene = self.plotItem.vb.mapViewToScene(QPointF(x, y))
        return self.mapFromScene(scene)

    def mousePressEvent(self, ev) -> None:  # noqa: N802 - Qt name
        if ev.button() == Qt.LeftButton and self._line is not None:
            self._grabbed = self._handle_at(ev.position())
            if self._grabbed is not None:
                self.setCursor(Qt.ClosedHandCursor)
                ev.accept()
                return
        if ev.button() in (Qt.LeftButton, Qt.RightButton):
            x, y, inside = self._to_data(ev.position())
            if inside:
                self._last_drag = (x, y)
                self._drag_button = ev.button()
                self.clicked.emit(x, y, ev.button(), ev.modifiers())
            ev.accept()
            return
        super().mousePressEvent(ev)

    def mouseReleaseEvent(self, ev) -> None:  # noqa: N802
        if self._grabbed is not None:
            self._grabbed = None
            self.unsetCursor()
        if ev.button() in (Qt.LeftButton, Qt.RightButton):
            self._last_drag = None
            ev.accept()
            return
        super().mouseReleaseEvent(ev)

    def mouseMoveEvent(self, ev) -> None:  # noqa: N802
        x, y, inside = self._to_data(ev.position())
        if self._grabbed is not None and self._line is not None:
            self._drag_handle(x, y)
            ev.accept()
            return
        if self._line is not None:  # show that the handles can be grabbed
            if self._handle_at(ev.position()) is not None:
                self.setCursor(Qt.OpenHandCursor)
            else:
                self.unsetCursor()
        if inside:
            self.hovered.emit(x, y)
        else:
            self.left.emit()
        if self._last_drag is not None and inside and ev.buttons() & self._drag_button:
            xmin, xmax, _, _ = self._extent
            lx, ly = self._last_drag
            if np.hypot(x - lx, y - ly) > 0.04 * (xmax - xmin):  # paint with the mouse
                self._last_drag = (x, y)
                self.clicked.emit(x, y, self._drag_button, ev.modifiers())
        super().mouseMoveEvent(ev)

    def leaveEvent(self, ev) -> None:  # noqa: N802
        self.left.emit()
        super().leaveEvent(ev)


def _arrowhead(angle_deg: float):
    """A filled triangle pointing at ``angle_deg`` (counter-clockwise from +x), as a symbol."""
    from PySide6.QtGui import QPainterPath, QTransform

    path = QPainterPath()
    path.moveTo(0.5, 0.0)
    path.lineTo(-0.4, 0.35)
    path.lineTo(-0.4, -0.35)
    path.closeSubpath()
    # scatter symbols are drawn with y pointing down: turn the other way
    return QTransform().rotate(-angle_deg).map(path)
