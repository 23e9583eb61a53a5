"""The network diagram: input features, hidden neurons, outputs, and the weights between them.

Each neuron is a small square showing its activation over the plane (a heatmap; orange
negative, white zero, blue positive, like TF Playground).  Edges are coloured by the sign of
the weight and as wide as its size.  The scene is rebuilt only when the architecture
changes; frames only swap pixmaps and pens (pens are cached per width bucket).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QImage,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
    QPen,
    QPixmap,
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

from playground.ui.widgets.plane import NEGATIVE, POSITIVE, diverging_colors

SCENE_W = 640.0  # scene units across; the height follows the view's shape
TOP, BOTTOM = 62.0, 34.0  # room for the +/- buttons above and the info line below
THUMB = 40  # pixels a side of a neuron's heatmap


def rgba_to_pixmap(img: np.ndarray) -> QPixmap:
    """(h, w, 4) uint8, row 0 = bottom of the plane -> a QPixmap (row 0 = top)."""
    img = np.ascontiguousarray(img[::-1])
    h, w = img.shape[:2]
    q = QImage(img.data, w, h, 4 * w, QImage.Format_RGBA8888)
    return QPixmap.fromImage(q.copy())


_NO_PEN = QPen(Qt.NoPen)


class _Edge(QGraphicsPathItem):
    """A weight; generous hover shape so thin lines are easy to point at.

    The item itself is invisible (no pen) except while hovered: every edge is painted by
    the view's :class:`_EdgeLayer` with ``draw_pen``, from a cached picture.
    """

    def __init__(self, path: QPainterPath, view: NetworkView, key: tuple[int, int, int]):
        super().__init__(path)
        self.view, self.key = view, key
        self.draw_pen = _NO_PEN
        # the curve as 16 straight pieces (point pairs), for the layer's one-call drawing
        pts = [path.pointAtPercent(t / 16) for t in range(17)]
        self.segments = [q for a, b in zip(pts, pts[1:], strict=False) for q in (a, b)]
        self.setPen(_NO_PEN)
        self.setAcceptHoverEvents(True)
        self.setZValue(1)
        stroker = QPainterPathStroker()
        stroker.setWidth(7)
        self._shape = stroker.createStroke(path)

    def shape(self) -> QPainterPath:
        return self._shape

    def hoverEnterEvent(self, ev) -> None:  # noqa: N802 - Qt name
        self.setZValue(3)
        pen = QPen(self.draw_pen)
        pen.setWidthF(pen.widthF() + 1.5)
        self.setPen(pen)  # drawn on top of the others while the mouse is on it
        text = self.view.describe_edge(*self.key)
        self.setToolTip(text)
        self.view.show_info(text)
        self.view.edge_hovered.emit(text)

    def hoverLeaveEvent(self, ev) -> None:  # noqa: N802
        self.setZValue(1)
        self.setPen(_NO_PEN)
        self.view.show_info("")

    def mousePressEvent(self, ev) -> None:  # noqa: N802
        if ev.button() == Qt.LeftButton:
            self.view.edge_clicked.emit(*self.key)
            ev.accept()
        else:
            super().mousePressEvent(ev)


class _EdgeLayer(QGraphicsItem):
    """Every edge in one item, cached as a picture: a frame that only changes the neurons'
    maps blits it instead of stroking hundreds of curves again; :meth:`update` redraws it."""

    def __init__(self, edges: list[_Edge], rect: QRectF):
        super().__init__()
        self.edges, self.rect = edges, rect
        self.seconds = 0.0  # how long drawing every edge took last time
        self.setZValue(0.5)
        self.setCacheMode(QGraphicsItem.DeviceCoordinateCache)

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self.rect

    def paint(self, painter: QPainter, option, widget=None) -> None:
        t0 = time.perf_counter()
        if len(self.edges) > 1000:  # thousands of curves: crisp enough, faster
            painter.setRenderHint(QPainter.Antialiasing, False)
        # one drawLines call per pen (a few dozen), not one drawPath per edge: each call into
        # Qt may wait for the GIL while the training thread runs
        groups: dict[int, tuple[QPen, list]] = {}
        for e in self.edges:
            groups.setdefault(id(e.draw_pen), (e.draw_pen, []))[1].extend(e.segments)
        for pen, points in groups.values():
            painter.setPen(pen)
            painter.drawLines(points)
        self.seconds = time.perf_counter() - t0


class _Node(QGraphicsRectItem):
    """A neuron (or input feature) with its heatmap."""

    def __init__(self, rect: QRectF, view: NetworkView, layer: int, index: int):
        super().__init__(rect)
        self.view, self.layer, self.index = view, layer, index
        self.setAcceptHoverEvents(True)
        self.setZValue(5)
        self.setPen(QPen(QColor("#555"), 1))
        self.setBrush(QBrush(QColor("#f4f4f4")))
        self.pixmap = QGraphicsPixmapItem(self)
        self.pixmap.setPos(rect.topLeft())
        self.pixmap.setTransformationMode(Qt.SmoothTransformation)
        self.pixmap.setScale(rect.width() / THUMB)
        self.on_click: Callable[[], None] | None = None

    def set_image(self, pixmap: QPixmap) -> None:
        self.pixmap.setPixmap(pixmap)
        self.pixmap.setScale(self.rect().width() / pixmap.width())

    def hoverEnterEvent(self, ev) -> None:  # noqa: N802
        self.setPen(QPen(QColor("#000"), 2.5))
        text = self.view.describe_node(self.layer, self.index)
        self.setToolTip(text)
        self.view.show_info(text)
        self.view.neuron_hovered.emit(self.layer, self.index)

    def hoverLeaveEvent(self, ev) -> None:  # noqa: N802
        self.setPen(QPen(QColor("#555"), 1))
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


class NetworkView(QGraphicsView):
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

    MAX_WIDTH = 32

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHint(QPainter.Antialiasing)
        self.setRenderHint(QPainter.SmoothPixmapTransform)
        self.setBackgroundBrush(QBrush(QColor("white")))
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setFrameShape(QGraphicsView.NoFrame)
        self.setViewportUpdateMode(QGraphicsView.BoundingRectViewportUpdate)
        self.setMouseTracking(True)
        self._pens: dict[tuple[int, int], QPen] = {}
        self._nodes: list[list[_Node]] = []
        self._edges: list[list[list[_Edge]]] = []  # [layer][out][in]
        self._weights: list[tuple[np.ndarray, np.ndarray]] = []
        self._features: list[tuple[str, str]] = []
        self._active: tuple[str, ...] = ()
        self._hidden: tuple[int, ...] = ()
        self._out_names: list[str] = []
        self._info = QGraphicsSimpleTextItem("")
        self._height = 520.0
        self._pixmaps: dict[int, list[QPixmap]] = {}
        self._edge_keys = {}
        self._edge_layer: _EdgeLayer | None = None
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
        self._pixmaps = {}
        self._layout()

    def _layout(self) -> None:
        features, hidden, out_names = self._features, self._hidden, self._out_names
        SCENE_H = self._height  # noqa: N806 - a constant for this layout
        scene = self.scene()
        scene.clear()
        self._nodes, self._edges = [], []
        self._edge_keys: dict[int, np.ndarray] = {}
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
        everything = [e for rows in self._edges for row in rows for e in row]
        self._edge_layer = _EdgeLayer(everything, QRectF(0, 0, SCENE_W, SCENE_H))
        scene.addItem(self._edge_layer)
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
                node.set_image(pm)
        if self._weights:
            self.show_weights(self._weights)

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
                f"One more neuron in this layer (at most {self.MAX_WIDTH}).",
                lambda h=h: self.width_changed.emit(h, +1),
                enabled=n < self.MAX_WIDTH,
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
        scene = self.scene()
        sources = [[self._nodes[0][[k for k, _ in features].index(a)] for a in self._active]]
        sources += self._nodes[1:-1]
        for layer, (src, dst) in enumerate(zip(sources, self._nodes[1:], strict=True)):
            rows = []
            for o, d in enumerate(dst):
                row = []
                for i, s in enumerate(src):
                    a = QPointF(s.rect().right(), s.rect().center().y())
                    b = QPointF(d.rect().left(), d.rect().center().y())
                    path = QPainterPath(a)
                    mx = (a.x() + b.x()) / 2
                    path.cubicTo(QPointF(mx, a.y()), QPointF(mx, b.y()), b)
                    edge = _Edge(path, self, (layer, o, i))
                    edge.draw_pen = self._pen(0.0)
                    scene.addItem(edge)
                    row.append(edge)
                rows.append(row)
            self._edges.append(rows)

    def _heading(self, x: float, text: str, font: QFont) -> None:
        t = QGraphicsSimpleTextItem(text)
        t.setFont(font)
        t.setBrush(QColor("#555"))
        t.setPos(x - t.boundingRect().width() / 2, 34)
        self.scene().addItem(t)

    def _pen(self, w: float) -> QPen:
        bucket = int(min(abs(w), 4.0) * 4)  # 0..16
        key = (1 if w >= 0 else -1, bucket)
        pen = self._pens.get(key)
        if pen is None:
            color = QColor(POSITIVE if w >= 0 else NEGATIVE)
            color.setAlphaF(min(1.0, 0.25 + bucket / 8))
            pen = QPen(color, 0.5 + bucket * 0.3)
            pen.setCapStyle(Qt.RoundCap)
            self._pens[key] = pen
        return pen

    # ------------------------------------------------------------- frames
    def show_weights(self, weights: list[tuple[np.ndarray, np.ndarray]]) -> None:
        """Restyle every edge from (out, in) weight matrices in input->output order."""
        self._weights = weights
        for layer, (W, _) in enumerate(weights[: len(self._edges)]):
            rows = self._edges[layer]
            if W.shape != (len(rows), len(rows[0]) if rows else 0):
                continue
            # pens are cached per (sign, width bucket): restyle only edges whose bucket moved
            keys = (np.minimum(np.abs(W), 4.0) * 4).astype(int) * 2 + (W >= 0)
            old = self._edge_keys.get(layer)
            changed = np.argwhere(keys != old) if old is not None else np.argwhere(keys >= 0)
            for o, i in changed.tolist():
                rows[o][i].draw_pen = self._pen(float(W[o, i]))
            self._edge_keys[layer] = keys
            if len(changed):
                self._edge_layer.update()  # draw the edges' picture again

    def show_maps(
        self,
        layer: int,
        maps: np.ndarray,
        res: int,
        center: float = 0.0,
        scale: float | None = None,
        per_node: bool = False,
    ) -> None:
        """Heatmaps of column ``layer`` from maps (n, res*res), orange-white-blue around
        ``center``; colours span ``scale``, else the column's (or each node's) largest value."""
        nodes = self._nodes[layer] if layer < len(self._nodes) else []
        px = int(nodes[0].rect().width()) if nodes else THUMB  # no finer than drawn
        step = max(1, res // min(THUMB, max(px, 12)))
        small = np.asarray(maps).reshape(-1, res, res)[:, ::step, ::step]  # (n, r, r)
        if per_node:  # each node on its own scale
            dev = np.abs(small - center).reshape(len(small), -1).max(1, initial=1e-6)
            images = diverging_colors((small - center) / dev[:, None, None], 0.0, 1.0)
        else:
            images = diverging_colors(small, center, scale)
        self.show_images(layer, list(images))

    def show_images(self, layer: int, images: list[np.ndarray]) -> None:
        """Set the heatmaps of column ``layer`` from (h, w, 4) uint8 images (row 0 = bottom)."""
        nodes = self._nodes[layer] if layer < len(self._nodes) else []
        if len(nodes) != len(images):
            return
        pixmaps = []
        for node, img in zip(nodes, images, strict=True):
            pm = rgba_to_pixmap(img)
            node.set_image(pm)
            pixmaps.append(pm)
        self._pixmaps[layer] = pixmaps

    @property
    def edges_seconds(self) -> float:
        """How long the last redraw of every edge took (callers pace weight updates by it)."""
        return self._edge_layer.seconds if self._edge_layer is not None else 0.0

    def info_text(self) -> str:
        """The line under the diagram (what the hovered neuron or weight is)."""
        return self._info.text()

    def show_info(self, text: str) -> None:
        """A line at the bottom of the diagram (what is under the mouse)."""
        self._info.setText(text)

    # ------------------------------------------------------------- text
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

    def edge_count(self) -> int:
        return sum(len(r) * (len(r[0]) if r else 0) for r in self._edges)

    def node(self, layer: int, index: int) -> _Node:
        return self._nodes[layer][index]

    def edge(self, layer: int, out: int, inp: int) -> _Edge:
        return self._edges[layer][out][inp]

    # ------------------------------------------------------------- view
    def _fit(self) -> None:
        self.fitInView(self.sceneRect(), Qt.KeepAspectRatio)

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
