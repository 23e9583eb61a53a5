"""The network diagram: input features, hidden neurons, outputs, and the weights between them.

Each neuron is a small square showing its activation over the plane (a heatmap; orange
negative, white zero, blue positive, like TF Playground).  Edges are coloured by the sign of
the weight and as wide as its size.  The scene is rebuilt only when the architecture
changes; frames only swap pixmaps and pens (pens are cached per width bucket).

Its cost on the GUI thread does not grow with the network: a column's edges are drawn into
a few images (about 64 edges each) that take turns, at most EDGE_BUDGET every EDGE_MS; a
neuron's heatmap is redrawn only when it visibly changed; Qt paints the scene without
calling into Python for edges (plain pixmap items).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np
import pyqtgraph.functions as fn
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QImage,
    QPainter,
    QPainterPath,
    QPen,
    QPixmap,
    QPolygonF,
)
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsPixmapItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
)

from playground.core.toy.config import MAX_WIDTH  # the +/- buttons stop at the core's limit
from playground.ui.widgets.plane_image import NEGATIVE, POSITIVE, diverging_colors

SCENE_W = 640.0  # scene units across; the height follows the view's shape
TOP, BOTTOM = 62.0, 34.0  # room for the +/- buttons above and the info line below
THUMB = 40  # pixels a side of a neuron's heatmap
EDGE_BUDGET = 0.006  # seconds of edge drawing per turn (the pictures take turns)
EDGE_MS = 30  # at most 33 turns a second: edges cost at most ~20% of the GUI thread
MAP_TOLERANCE = 2  # a heatmap is redrawn once a pixel's colour moved more than this
SEGMENTS = 10  # straight pieces per edge curve
DENSE_EDGES = 300  # a column with more edges is drawn fast: aliased, in 3 pieces
DENSE_POINTS = np.round(np.linspace(0, SEGMENTS, 4)).astype(int)  # 3 pieces of the curve


def rgba_to_pixmap(img: np.ndarray) -> QPixmap:
    """(h, w, 4) uint8, row 0 = bottom of the plane -> a QPixmap (row 0 = top)."""
    img = np.ascontiguousarray(img[::-1])
    h, w = img.shape[:2]
    q = QImage(img.data, w, h, 4 * w, QImage.Format_RGBA8888)
    return QPixmap.fromImage(q.copy())


def edge_curves(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Points along every edge from ``starts`` (n_in, 2) to ``ends`` (n_out, 2): an S-curve
    (a cubic Bezier with both handles half way across), (n_out, n_in, SEGMENTS + 1, 2)."""
    t = np.linspace(0.0, 1.0, SEGMENTS + 1)[:, None]
    a, b = starts[None, :, None, :], ends[:, None, None, :]
    mx = (a[..., :1] + b[..., :1]) / 2
    x = (1 - t) ** 3 * a[..., :1] + (3 * (1 - t) ** 2 * t + 3 * (1 - t) * t**2) * mx
    x = x + t**3 * b[..., :1]
    s = 3 * (1 - t) * t**2 + t**3  # how far y has moved from a to b
    y = a[..., 1:] + (b[..., 1:] - a[..., 1:]) * s
    return np.concatenate([x, y], -1)


def polygon(points: np.ndarray) -> QPolygonF:
    """(n, 2) floats -> a QPolygonF, filled by numpy (no Python object per point)."""
    poly = fn.create_qpolygonf(len(points))
    fn.ndarray_from_qpolygonf(poly)[:] = points
    return poly


_NO_PEN = QPen(Qt.NoPen)


class EdgeRef:
    """One weight of the diagram (what :meth:`NetworkView.edge` returns): its curve."""

    def __init__(self, points: np.ndarray, key: tuple[int, int, int]):
        self.points, self.key = points, key

    def path(self) -> QPainterPath:
        a, b = self.points[0], self.points[-1]
        path = QPainterPath(QPointF(*a))
        mx = float(a[0] + b[0]) / 2
        path.cubicTo(QPointF(mx, a[1]), QPointF(mx, b[1]), QPointF(*b))
        return path


class _EdgePicture:
    """Some of a column's edges (those into neurons ``rows``), drawn into an image.

    Every edge is drawn with one ``drawLines`` call per pen (numpy fills the points), so a
    redraw costs a few Qt calls, not one per edge; a column has a few such pictures (about
    64 edges each: 3-5 ms at 6x32, measured), so one redraw stays short and the pictures
    can take turns.  A plain QGraphicsPixmapItem shows the image: Qt paints the scene
    without calling into Python for it.
    """

    MAX_EDGES = 64
    per_edge = 2e-5  # seconds to draw one edge, as last measured (a new picture's guess)

    def __init__(self, layer: _EdgeLayer, rows: slice):
        self.layer, self.rows = layer, rows
        n_in = layer.curves.shape[1]
        curves = layer.curves[rows]
        if len(layer.keys) > DENSE_EDGES:  # fewer, longer pieces (Qt strokes
            # each wide piece on its own: a third of the pieces, a third of the time)
            curves = curves[:, :, DENSE_POINTS]
        pieces = np.stack([curves[:, :, :-1], curves[:, :, 1:]], 3)  # point pairs
        self.segments = pieces.reshape(len(curves) * n_in, -1, 2)
        self.edges = slice(rows.start * n_in, rows.stop * n_in)  # in the layer's keys
        self.seconds = self.per_edge * len(self.segments)  # its last drawing time
        self.dirty = True  # pens (or the view's scale) changed since it was last drawn
        self.item = QGraphicsPixmapItem(layer)
        self.item.setAcceptedMouseButtons(Qt.NoButton)  # hover and clicks: the layer's
        self.item.setVisible(False)  # until its first turn to draw

    def draw(self, scale: float, ratio: float) -> None:
        """Draw the image at ``scale`` view pixels per scene unit (``ratio``: the screen's
        device pixels per view pixel)."""
        t0 = time.thread_time()  # not perf_counter: a busy machine would inflate it
        r, px = self.layer.rect(), scale * ratio
        image = QImage(
            max(1, math.ceil(r.width() * px)),
            max(1, math.ceil(r.height() * px)),
            QImage.Format_ARGB32_Premultiplied,
        )
        image.fill(Qt.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.Antialiasing, len(self.layer.keys) <= DENSE_EDGES)  # or fast
        painter.scale(px, px)
        painter.translate(-r.left(), -r.top())
        keys = self.layer.keys[self.edges]
        for key in np.unique(keys):  # thin pens first, the widest on top
            painter.setPen(self.layer.view.pen_of_key(int(key)))
            painter.drawLines(polygon(self.segments[keys == key].reshape(-1, 2)))
        painter.end()
        pixmap = QPixmap.fromImage(image)
        pixmap.setDevicePixelRatio(ratio)
        self.item.setPixmap(pixmap)
        self.item.setPos(r.topLeft())
        self.item.setScale(1.0 / scale)
        self.item.setVisible(True)
        self.dirty = False
        self.seconds = time.thread_time() - t0
        _EdgePicture.per_edge = self.seconds / max(len(self.segments), 1)


class _EdgeLayer(QGraphicsRectItem):
    """The weights between two columns: their pens, hover and clicks; drawn by its
    :class:`_EdgePicture` children.  Hover and clicks find the nearest edge with numpy;
    the hovered one is drawn on top by the view's highlight item.  A rectangle item that
    draws nothing: Qt asks Python nothing about it when it paints."""

    def __init__(self, view: NetworkView, layer: int, curves: np.ndarray, rect: QRectF):
        super().__init__(rect)
        self.view, self.layer, self.curves = view, layer, curves
        n_out, n_in = curves.shape[:2]
        self.keys = np.zeros(n_out * n_in, int)  # pen of each edge (see NetworkView._key)
        self.hovered: tuple[int, int] | None = None
        self.setZValue(0.5)
        self.setPen(_NO_PEN)
        self.setFlag(QGraphicsItem.ItemHasNoContents)
        self.setAcceptHoverEvents(True)
        per = max(1, _EdgePicture.MAX_EDGES // max(n_in, 1))
        self.pictures = [
            _EdgePicture(self, slice(o, min(o + per, n_out))) for o in range(0, n_out, per)
        ]

    def edge_at(self, pos: QPointF, reach: float = 3.5) -> tuple[int, int] | None:
        """(out, in) of the edge nearest ``pos`` (item coordinates) within ``reach``."""
        if not len(self.keys):
            return None
        q = np.array([pos.x(), pos.y()])
        a, b = self.curves[:, :, :-1], self.curves[:, :, 1:]
        ab = b - a
        t = np.clip(((q - a) * ab).sum(-1) / np.maximum((ab * ab).sum(-1), 1e-12), 0, 1)
        d = np.hypot(*np.moveaxis(a + ab * t[..., None] - q, -1, 0)).min(-1)  # (out, in)
        o, i = np.unravel_index(int(d.argmin()), d.shape)
        return (int(o), int(i)) if d[o, i] <= reach else None

    def _hover(self, edge: tuple[int, int] | None) -> None:
        if edge == self.hovered:
            return
        self.hovered = edge
        if edge is None:
            self.setToolTip("")
            self.view.edge_left()
        else:
            text = self.view.edge_entered(self.layer, *edge)
            self.setToolTip(text)

    def hoverEnterEvent(self, ev) -> None:  # noqa: N802 - Qt name
        self._hover(self.edge_at(ev.pos()))

    def hoverMoveEvent(self, ev) -> None:  # noqa: N802
        self._hover(self.edge_at(ev.pos()))

    def hoverLeaveEvent(self, ev) -> None:  # noqa: N802
        self._hover(None)

    def mousePressEvent(self, ev) -> None:  # noqa: N802
        edge = self.edge_at(ev.pos())
        if edge is not None and ev.button() == Qt.LeftButton:
            self.view.edge_clicked.emit(self.layer, *edge)
            ev.accept()
        else:
            ev.ignore()


_NODE_PEN, _NODE_BRUSH = QPen(QColor("#555"), 1), QBrush(QColor("#f4f4f4"))


class _Node(QGraphicsRectItem):
    """A neuron (or input feature) with its heatmap."""

    def __init__(self, rect: QRectF, view: NetworkView, layer: int, index: int):
        super().__init__(rect)
        self.view, self.layer, self.index = view, layer, index
        self.setAcceptHoverEvents(True)
        self.setZValue(5)
        self.setPen(_NODE_PEN)
        self.setBrush(_NODE_BRUSH)
        self.pixmap: QGraphicsPixmapItem | None = None  # made with the first heatmap
        self.on_click: Callable[[], None] | None = None

    def set_image(self, pixmap: QPixmap) -> None:
        if self.pixmap is None:
            self.pixmap = QGraphicsPixmapItem(self)
            self.pixmap.setPos(self.rect().topLeft())
            self.pixmap.setTransformationMode(Qt.SmoothTransformation)
        self.pixmap.setPixmap(pixmap)
        self.pixmap.setScale(self.rect().width() / pixmap.width())

    def hoverEnterEvent(self, ev) -> None:  # noqa: N802
        self.setPen(QPen(QColor("#000"), 2.5))
        text = self.view.describe_node(self.layer, self.index)
        self.setToolTip(text)
        self.view.show_info(text)
        self.view.neuron_hovered.emit(self.layer, self.index)

    def hoverLeaveEvent(self, ev) -> None:  # noqa: N802
        self.setPen(_NODE_PEN)
        self.view.show_info("")
        self.view.neuron_left.emit()

    def mousePressEvent(self, ev) -> None:  # noqa: N802
        if self.on_click is not None and ev.button() == Qt.LeftButton:
            self.on_click()
            ev.accept()
        else:
            super().mousePressEvent(ev)


class _Button(QGraphicsRectItem):
    """A small clickable "+" or "-" inside the scene."""

    def __init__(self, text: str, tip: str, on_click: Callable[[], None], enabled: bool = True):
        super().__init__(0, 0, 20, 20)
        self.on_click, self.enabled = on_click, enabled
        self.setBrush(QBrush(QColor("#e8e8e8" if enabled else "#f6f6f6")))
        self.setPen(QPen(QColor("#999" if enabled else "#ddd"), 1))
        self.setToolTip(tip)
        self.setCursor(Qt.PointingHandCursor if enabled else Qt.ArrowCursor)
        self.setZValue(6)
        label = QGraphicsSimpleTextItem(text, self)
        font = QFont()
        font.setPointSizeF(12)
        font.setBold(True)
        label.setFont(font)
        label.setBrush(QColor("#333" if enabled else "#bbb"))
        r = label.boundingRect()
        label.setPos(10 - r.width() / 2, 10 - r.height() / 2)

    def mousePressEvent(self, ev) -> None:  # noqa: N802
        if self.enabled and ev.button() == Qt.LeftButton:
            self.on_click()
        ev.accept()


class _Descriptions:
    """The words the diagram shows for what is under the mouse (plain Python).

    Reads the view's ``_features`` [(key, label)], ``_active`` keys, ``_hidden`` widths,
    ``_out_names`` and ``_weights`` [(W, b)].
    """

    _features: list
    _active: tuple
    _hidden: tuple
    _out_names: list
    _weights: list

    def _name(self, layer: int, index: int) -> str:
        if layer == 0:
            return self._features[index][1]
        if layer == len(self._hidden) + 1:
            return f"output {self._out_names[index]}"
        return f"layer {layer} neuron {index + 1}"

    def describe_node(self, layer: int, index: int) -> str:
        """What a neuron is, its bias, and a hint."""
        if layer == 0:
            key, label = self._features[index]
            on = key in self._active
            state, other = ("on", "off") if on else ("off", "on")
            return f"input {label} ({state}): click to switch it {other}"
        text = self._name(layer, index)
        if layer - 1 < len(self._weights):
            b = self._weights[layer - 1][1]
            if index < len(b):
                text += f": bias {b[index] + 0.0:+.3f}"
        return text + " (its map is in the big view)"

    def describe_edge(self, layer: int, out: int, inp: int) -> str:
        """ "weight from x1 to layer 1 neuron 2: +0.423"."""
        src = (
            self._name(0, [k for k, _ in self._features].index(self._active[inp]))
            if layer == 0
            else self._name(layer, inp)
        )
        dst = self._name(layer + 1, out)
        w = ""
        if layer < len(self._weights):
            W = self._weights[layer][0]
            if out < W.shape[0] and inp < W.shape[1]:
                w = f"{W[out, inp]:+.3f}"
        return f"weight from {src} to {dst}: {w} (click to set it)"


class NetworkView(_Descriptions, QGraphicsView):
    """Inputs on the left, hidden layers, outputs on the right.

    Signals: ``neuron_hovered(layer, index)`` (layer 0 = input features, index into the
    list given to :meth:`set_architecture`; 1..L hidden; L+1 outputs), ``neuron_left()``,
    ``edge_hovered(text)``, ``edge_clicked(layer, out, in)``,
    ``width_changed(hidden_layer, delta)`` from the +/- buttons
    above each hidden column, ``feature_toggled(key)`` when an input node is clicked.
    """

    neuron_hovered = Signal(int, int)
    neuron_left = Signal()
    edge_hovered = Signal(str)
    edge_clicked = Signal(int, int, int)  # layer, out, in: the user wants to set this weight
    width_changed = Signal(int, int)
    feature_toggled = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHint(QPainter.Antialiasing)
        self.setRenderHint(QPainter.SmoothPixmapTransform)
        self.setBackgroundBrush(QBrush(QColor("white")))
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setFrameShape(QGraphicsView.NoFrame)
        self.setViewportUpdateMode(QGraphicsView.MinimalViewportUpdate)
        self.setMouseTracking(True)
        self._pens: dict[tuple[int, int], QPen] = {}
        self._nodes: list[list[_Node]] = []
        self._edge_layers: list[_EdgeLayer] = []  # one per weight matrix
        self._next_edges = 0  # the edge picture to redraw first next time (round robin)
        self._weights: list[tuple[np.ndarray, np.ndarray]] = []
        self._features: list[tuple[str, str]] = []
        self._active: tuple[str, ...] = ()
        self._hidden: tuple[int, ...] = ()
        self._out_names: list[str] = []
        self._info = QGraphicsSimpleTextItem("")
        self._height = 520.0
        self._pixmaps: dict[int, list[QPixmap]] = {}
        self._images: dict[int, list[np.ndarray | None]] = {}  # what each node shows
        self._next_map: dict[int, int] = {}  # per column: the node to redraw first
        self._highlight = QGraphicsPathItem()
        self._scale = 1.0  # view pixels per scene unit (the edges' images are drawn at it)
        self._edge_timer = QTimer(self)  # draws the edge pictures still waiting, in turns
        self._edge_timer.setInterval(EDGE_MS)
        self._edge_timer.timeout.connect(self._redraw_edges)
        self.paint_seconds = 0.0  # how long the last repaint took (callers pace updates by it)
        self.setSceneRect(0, 0, SCENE_W, self._height)

    # ------------------------------------------------------------- building
    def set_architecture(
        self,
        features: list[tuple[str, str]],
        active: tuple[str, ...],
        hidden: tuple[int, ...],
        out_names: list[str],
    ) -> None:
        """Rebuild the scene: ``features`` (key, label) all shown, ``active`` ones wired in."""
        self._features, self._active = list(features), tuple(active)
        self._hidden, self._out_names = tuple(hidden), list(out_names)
        self._weights = []
        self._pixmaps, self._images, self._next_map = {}, {}, {}
        self._layout()

    def _layout(self) -> None:
        features, hidden, out_names = self._features, self._hidden, self._out_names
        SCENE_H = self._height  # noqa: N806 - a constant for this layout
        scene = self.scene()
        scene.clear()
        self._nodes, self._edge_layers = [], []
        n_cols = len(hidden) + 2
        x_in, x_out = 70.0, SCENE_W - 70.0
        xs = [x_in + (x_out - x_in) * c / (n_cols - 1) for c in range(n_cols)]
        sizes = [len(features), *hidden, len(out_names)]
        usable = SCENE_H - TOP - BOTTOM
        small = QFont()
        small.setPointSizeF(9)

        def column(c: int, n: int) -> list[QRectF]:
            pitch = min(62.0, usable / max(n, 1))
            s = min(46.0, pitch * 0.78)
            y0 = TOP + (usable - pitch * n) / 2 + (pitch - s) / 2
            return [QRectF(xs[c] - s / 2, y0 + i * pitch, s, s) for i in range(n)]

        rects = [column(c, n) for c, n in enumerate(sizes)]
        for c, col in enumerate(rects):
            nodes = []
            for i, r in enumerate(col):
                node = _Node(r, self, c, i)
                scene.addItem(node)
                nodes.append(node)
            self._nodes.append(nodes)
        self._add_inputs(features, small)
        self._add_headings(xs, hidden, small)
        self._add_outputs(out_names, small)
        self._add_edges(features)
        self._highlight = QGraphicsPathItem()  # the hovered edge, on top of the others
        self._highlight.setZValue(3)
        self._highlight.setVisible(False)
        scene.addItem(self._highlight)
        self._info = QGraphicsSimpleTextItem("")
        self._info.setFont(small)
        self._info.setBrush(QColor("#111"))
        self._info.setPos(8, SCENE_H - BOTTOM + 10)
        self._info.setZValue(10)
        scene.addItem(self._info)
        self.setSceneRect(0, 0, SCENE_W, SCENE_H)
        self._fit()
        for layer, pixmaps in self._pixmaps.items():  # after a re-layout: same pictures
            for node, pm in zip(self._nodes[layer], pixmaps, strict=False):
                if not pm.isNull():
                    node.set_image(pm)
        self._next_edges = 0
        if self._weights:
            self.show_weights(self._weights)
        self._edge_timer.start()  # the edges in turns, from the next pass of the event loop

    def _add_inputs(self, features: list, small: QFont) -> None:
        """Input labels; inactive inputs faded; a click toggles one."""
        scene = self.scene()
        for i, (key, label) in enumerate(features):
            node = self._nodes[0][i]
            on = key in self._active
            node.setOpacity(1.0 if on else 0.3)
            node.setCursor(Qt.PointingHandCursor)
            node.on_click = lambda k=key: self.feature_toggled.emit(k)
            text = QGraphicsSimpleTextItem(label)
            text.setFont(small)
            text.setBrush(QColor("#222" if on else "#999"))
            r = node.rect()
            tr = text.boundingRect()
            text.setPos(r.left() - tr.width() - 6, r.center().y() - tr.height() / 2)
            scene.addItem(text)

    def _add_headings(self, xs: list[float], hidden: tuple, small: QFont) -> None:
        """Column headings and the +/- buttons of each hidden layer."""
        scene = self.scene()
        crowded = len(xs) > 2 and xs[1] - xs[0] < 95
        self._heading(xs[0], "inputs" if crowded else "input features", small)
        for h, n in enumerate(hidden):
            label = str(n) if crowded else f"{n} neuron{'s' if n != 1 else ''}"
            self._heading(xs[h + 1], label, small)
            minus = _Button(
                "−",
                "One neuron fewer in this layer.",
                lambda h=h: self.width_changed.emit(h, -1),
                enabled=n > 1,
            )
            plus = _Button(
                "+",
                f"One more neuron in this layer (at most {MAX_WIDTH}).",
                lambda h=h: self.width_changed.emit(h, +1),
                enabled=n < MAX_WIDTH,
            )
            minus.setPos(xs[h + 1] - 23, 8)
            plus.setPos(xs[h + 1] + 3, 8)
            scene.addItem(minus)
            scene.addItem(plus)
        self._heading(xs[-1], "output", small)

    def _add_outputs(self, out_names: list[str], small: QFont) -> None:
        for i, name in enumerate(out_names):
            if len(out_names) > 1:
                r = self._nodes[-1][i].rect()
                t = QGraphicsSimpleTextItem(name)
                t.setFont(small)
                t.setBrush(QColor("#222"))
                t.setPos(r.right() + 5, r.center().y() - t.boundingRect().height() / 2)
                self.scene().addItem(t)

    def _add_edges(self, features: list) -> None:
        """From each active input / neuron to every neuron of the next layer."""
        keys = [k for k, _ in features]
        sources = [[self._nodes[0][keys.index(a)] for a in self._active]]
        sources += self._nodes[1:-1]
        for layer, (src, dst) in enumerate(zip(sources, self._nodes[1:], strict=True)):
            starts = np.array([(n.rect().right(), n.rect().center().y()) for n in src])
            ends = np.array([(n.rect().left(), n.rect().center().y()) for n in dst])
            curves = edge_curves(starts.reshape(-1, 2), ends.reshape(-1, 2))
            x0, x1 = (src[0].rect().right() if src else 0.0), dst[0].rect().left()
            rect = QRectF(x0 - 4, TOP - 4, x1 - x0 + 8, self._height - TOP - BOTTOM + 8)
            item = _EdgeLayer(self, layer, curves, rect)
            item.keys[:] = self._key(0.0)
            self.scene().addItem(item)
            self._edge_layers.append(item)

    def _heading(self, x: float, text: str, font: QFont) -> None:
        t = QGraphicsSimpleTextItem(text)
        t.setFont(font)
        t.setBrush(QColor("#555"))
        t.setPos(x - t.boundingRect().width() / 2, 34)
        self.scene().addItem(t)

    @staticmethod
    def _key(w):
        """The pen of weight(s) ``w``: 2 * width bucket (0..16) + (1 if w >= 0)."""
        return (np.minimum(np.abs(w), 4.0) * 4).astype(int) * 2 + (np.asarray(w) >= 0)

    def pen_of_key(self, key: int) -> QPen:
        """Pens are cached per (sign, width bucket): blue positive, orange negative."""
        pen = self._pens.get(key)
        if pen is None:
            bucket, positive = key // 2, key % 2 == 1
            color = QColor(POSITIVE if positive else NEGATIVE)
            color.setAlphaF(min(1.0, 0.25 + bucket / 8))
            pen = QPen(color, 0.5 + bucket * 0.3)
            pen.setCapStyle(Qt.SquareCap)  # covers the joints; round caps cost ~4x
            self._pens[key] = pen
        return pen

    # ------------------------------------------------------------- frames
    def show_weights(self, weights: list[tuple[np.ndarray, np.ndarray]]) -> None:
        """Restyle the edges from (out, in) weight matrices in input->output order.

        Each column of edges is a few cached pictures: only those whose pens changed are
        drawn again, by a timer, taking turns: as many every EDGE_MS as fit in EDGE_BUDGET
        (at least one), so no repaint draws thousands of edges at once.
        """
        self._weights = weights
        for layer, (W, _) in zip(self._edge_layers, weights, strict=False):
            if W.size == len(layer.keys):
                keys = self._key(W).ravel()
                for pic in layer.pictures:
                    if not np.array_equal(keys[pic.edges], layer.keys[pic.edges]):
                        pic.dirty = True
                layer.keys = keys
        if not self._edge_timer.isActive():
            self._edge_timer.start()

    def _redraw_edges(self) -> None:
        pictures = [pic for layer in self._edge_layers for pic in layer.pictures]
        n, spent = len(pictures), 0.0
        for k in range(n):
            pic = pictures[(self._next_edges + k) % n]
            if not pic.dirty:
                continue
            if spent > 0 and spent + pic.seconds > EDGE_BUDGET:
                break
            pic.draw(self._scale, self.devicePixelRatioF())
            spent += pic.seconds
            self._next_edges = (self._next_edges + k + 1) % n
        if any(pic.dirty for pic in pictures):
            self._edge_timer.start()
        else:
            self._edge_timer.stop()

    def show_maps(
        self,
        layer: int,
        maps: np.ndarray,
        res: int,
        center: float = 0.0,
        scale: float | None = None,
        per_node: bool = False,
        limit: int | None = None,
    ) -> int:
        """Heatmaps of column ``layer`` from maps (n, res*res) (any ``res``: maps already
        thinned to :meth:`map_step` are drawn as they are), orange-white-blue around
        ``center``; colours span ``scale``, else the column's (or each node's) largest value.
        ``limit``: see :meth:`show_images`."""
        step = self.map_step(layer, res)
        small = np.asarray(maps).reshape(-1, res, res)[:, ::step, ::step]  # (n, r, r)
        if per_node:  # each node on its own scale
            dev = np.abs(small - center).reshape(len(small), -1).max(1, initial=1e-6)
            images = diverging_colors((small - center) / dev[:, None, None], 0.0, 1.0)
        else:
            images = diverging_colors(small, center, scale)
        return self.show_images(layer, list(images), limit)

    def map_step(self, layer: int, res: int) -> int:
        """Every how many grid points a heatmap of column ``layer`` shows, from maps of
        ``res`` x ``res`` (no finer than the node is drawn)."""
        nodes = self._nodes[layer] if layer < len(self._nodes) else []
        px = int(nodes[0].rect().width()) if nodes else THUMB
        return max(1, res // min(THUMB, max(px, 12)))

    def show_images(self, layer: int, images: list[np.ndarray], limit: int | None = None) -> int:
        """Set the heatmaps of column ``layer`` from (h, w, 4) uint8 images (row 0 = bottom).

        Only the nodes whose picture visibly changed are redrawn (each costs a few Qt
        calls), at most ``limit`` of them, taking turns; returns how many were."""
        nodes = self._nodes[layer] if layer < len(self._nodes) else []
        if len(nodes) != len(images):
            return 0
        shown = self._images.get(layer)
        if shown is None or len(shown) != len(images):
            shown = self._images[layer] = [None] * len(images)
            self._pixmaps[layer] = [QPixmap()] * len(images)
        changed = [
            i
            for i, img in enumerate(images)
            if shown[i] is None
            or shown[i].shape != img.shape
            or np.abs(shown[i].astype(np.int16) - img).max() > MAP_TOLERANCE
        ]
        if limit is not None and len(changed) > limit:
            first = self._next_map.get(layer, 0)  # the nodes not redrawn last time go first
            changed = sorted(changed, key=lambda i: (i < first, i))[:limit]
            self._next_map[layer] = changed[-1] + 1
        for i in changed:
            pm = rgba_to_pixmap(images[i])
            nodes[i].set_image(pm)
            shown[i], self._pixmaps[layer][i] = images[i], pm
        return len(changed)

    @property
    def edges_seconds(self) -> float:
        """How long the last redraw of every column of edges took, in all."""
        return sum(pic.seconds for layer in self._edge_layers for pic in layer.pictures)

    def edge_entered(self, layer: int, out: int, inp: int) -> str:
        """The mouse is on an edge: highlight it, say what it is (returns the text)."""
        item = self._edge_layers[layer]
        pen = QPen(self.pen_of_key(int(item.keys[out * item.curves.shape[1] + inp])))
        pen.setWidthF(pen.widthF() + 1.5)
        pen.setCapStyle(Qt.RoundCap)
        self._highlight.setPen(pen)
        self._highlight.setPath(self.edge(layer, out, inp).path())
        self._highlight.setVisible(True)
        text = self.describe_edge(layer, out, inp)
        self.show_info(text)
        self.edge_hovered.emit(text)
        return text

    def edge_left(self) -> None:
        self._highlight.setVisible(False)
        self.show_info("")

    def info_text(self) -> str:
        """The line under the diagram (what the hovered neuron or weight is)."""
        return self._info.text()

    def show_info(self, text: str) -> None:
        """A line at the bottom of the diagram (what is under the mouse)."""
        self._info.setText(text)

    def edge_count(self) -> int:
        return sum(len(item.keys) for item in self._edge_layers)

    def node(self, layer: int, index: int) -> _Node:
        return self._nodes[layer][index]

    def edge(self, layer: int, out: int, inp: int) -> EdgeRef:
        return EdgeRef(self._edge_layers[layer].curves[out, inp], (layer, out, inp))

    # ------------------------------------------------------------- view
    def _fit(self) -> None:
        self.fitInView(self.sceneRect(), Qt.KeepAspectRatio)
        scale = self.transform().m11()
        if abs(scale - self._scale) > 0.02 * self._scale:  # the edges' images: sharp again
            self._scale = scale
            for layer in self._edge_layers:
                for pic in layer.pictures:
                    pic.dirty = True
            self._edge_timer.start()

    def resizeEvent(self, ev) -> None:  # noqa: N802
        super().resizeEvent(ev)
        w, h = max(self.width(), 1), max(self.height(), 1)
        height = min(max(SCENE_W * h / w, 380.0), 1000.0)
        if abs(height - self._height) > 8 and self._features:
            self._height = height  # use the room there is: lay the columns out again
            self._layout()
        self._fit()

    def paintEvent(self, ev) -> None:  # noqa: N802
        t0 = time.perf_counter()
        super().paintEvent(ev)
        self.paint_seconds = time.perf_counter() - t0

    def showEvent(self, ev) -> None:  # noqa: N802
        super().showEvent(ev)
        self._fit()
