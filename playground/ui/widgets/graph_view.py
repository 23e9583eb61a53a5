"""A computation graph drawn as the micrograd lecture draws it, left to right.

Each value is a record: its label, ``data`` and ``grad`` (4 decimals; beyond 1e6 or below
1e-4 in scientific notation, 4 significant digits; inf and NaN by name); the operation that
made it sits in a small circle just before it.  The grad line is coloured by the sign
(blue +, orange -) and size of the gradient.  Layout: a layered DAG (each node one column
right of its deepest input; a leaf just left of its first user), ordered within columns
by the mean position of the neighbours (a few sweeps).  Drag pans, the wheel zooms.

Items are created once per graph (:meth:`GraphView.set_graph`) and then only updated
(:meth:`GraphView.update_values`, :meth:`GraphView.highlight`).  Big graphs collapse each
neuron (a node ``group``) into one box; double-click a box to open it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsScene,
    QGraphicsView,
    QStyleOptionGraphicsItem,
    QWidget,
)

from playground.core.backprop_steps import Node

POSITIVE, NEGATIVE = QColor("#0072B2"), QColor("#D55E00")  # Okabe-Ito blue / vermillion
HIGHLIGHT, TARGET, MISMATCH = QColor("#E69F00"), QColor("#009E73"), QColor("#CC0000")
COLLAPSE_OVER = 90  # graphs with more nodes show each neuron as one box
OP_R = 15.0  # radius of an operation's circle
COL_GAP, ROW_GAP = 46.0, 14.0
OP_TEXT = {"neg": "−x", "relu": "ReLU", "sigmoid": "σ", "neuron": "Σ", "*": "×", "-": "−"}


def fmt4(x: float) -> str:
    """4 decimals, as the lecture's graph (no "-0.0000"); beyond 1e6 or below 1e-4 four
    significant digits in scientific notation ("1.000e+308"); "inf", "-inf", "NaN"."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x != 0 and not 1e-4 <= abs(x) < 1e6:
        return f"{x:.3e}"
    text = f"{x:.4f}"
    return "0.0000" if text == "-0.0000" else text


def node_text(node: Node) -> str:
    """``label | data 2.0000 | grad 6.0000``: what a node's record says."""
    return f"{node.label or node.op} | data {fmt4(node.data)} | grad {fmt4(node.grad)}"


# ------------------------------------------------------------------------ layout (pure)
@dataclass
class Shown:
    """The graph as drawn: which nodes, their inputs (after collapsing) and positions."""

    ids: list[int]  # node ids drawn (a collapsed neuron is drawn as its output node)
    inputs: dict[int, list[int]]  # drawn id -> drawn ids of its inputs (repeats kept)
    boxes: dict[int, str]  # drawn id -> group name, for collapsed neurons
    rep: dict[int, int]  # every node id -> the drawn id that stands for it


def collapse(nodes: Sequence[Node], expanded: set[str], on: bool) -> Shown:
    """What to draw: with ``on``, each group not in ``expanded`` becomes its output node."""
    last: dict[str, int] = {}
    for n in nodes:
        if n.group:
            last[n.group] = n.id  # topological order: the group's output comes last
    boxes = {r: g for g, r in last.items() if on and g not in expanded}
    rep = {n.id: last[n.group] if last.get(n.group) in boxes else n.id for n in nodes}
    ids = [n.id for n in nodes if rep[n.id] == n.id]
    inputs: dict[int, list[int]] = {i: [] for i in ids}
    for n in nodes:
        r = rep[n.id]
        for c in n.children:
            rc = rep[c]
            if rc == r:
                continue  # inside a collapsed neuron
            if r in boxes and rc in inputs[r]:
                continue  # one line per input into a box
            inputs[r].append(rc)
    return Shown(ids, inputs, boxes, rep)


def columns(shown: Shown) -> dict[int, int]:
    """Column of each drawn node: inner nodes one right of their deepest input; leaves
    one left of their first user."""
    col: dict[int, int] = {}
    for i in shown.ids:  # topological order
        ins = shown.inputs[i]
        col[i] = 1 + max((col[c] for c in ins if shown.inputs[c]), default=0) if ins else 0
    users: dict[int, list[int]] = {}
    for i in shown.ids:
        for c in shown.inputs[i]:
            users.setdefault(c, []).append(i)
    for i in shown.ids:
        if not shown.inputs[i] and i in users:
            col[i] = max(0, min(col[u] for u in users[i]) - 1)
    return col


def order_rows(shown: Shown, col: dict[int, int], sweeps: int = 4) -> dict[int, float]:
    """Row of each node in its column, by barycentre sweeps (fewer crossings)."""
    n_cols = max(col.values(), default=0) + 1
    cols: list[list[int]] = [[] for _ in range(n_cols)]
    for i in shown.ids:
        cols[col[i]].append(i)
    users: dict[int, list[int]] = {i: [] for i in shown.ids}
    for i in shown.ids:
        for c in shown.inputs[i]:
            users[c].append(i)
    pos = {i: float(k) for column in cols for k, i in enumerate(column)}

    def sweep(order: range, neighbours: dict[int, list[int]]) -> None:
        for c in order:
            column = cols[c]
            key = {}
            for i in column:
                ns = [pos[j] for j in neighbours[i]]
                key[i] = sum(ns) / len(ns) if ns else pos[i]
            column.sort(key=lambda i: key[i])
            for k, i in enumerate(column):
                pos[i] = float(k)

    for _ in range(sweeps):
        sweep(range(1, n_cols), shown.inputs)
        sweep(range(n_cols - 2, -1, -1), users)
    return pos


# ------------------------------------------------------------------------ items
class RecordItem(QGraphicsItem):
    """One value: label, data, grad lines; grad line tinted by the gradient."""

    def __init__(self, node_id: int, width: float, font: QFont, box: str = ""):
        super().__init__()
        self.node_id, self.box = node_id, box
        metrics = QFontMetricsF(font)
        self.line_h = metrics.height() + 3
        self.rect = QRectF(0, 0, width, 3 * self.line_h + 4)
        self.font, self.bold = font, QFont(font)
        self.bold.setBold(True)
        self.label, self.data, self.grad = "", 0.0, 0.0
        self.tint = QColor(0, 0, 0, 0)
        self.border = QPen(QColor("#666666"), 1.0)
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.PointingHandCursor)

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt name
        return self.rect.adjusted(-3, -3, 3, 3)

    def paint(self, p: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        r, h = self.rect, self.line_h
        p.setPen(self.border)
        p.setBrush(QColor("#fffdf5") if self.box else QColor("white"))
        p.drawRoundedRect(r, 4, 4)
        grad_rect = QRectF(r.left() + 1, r.top() + 2 + 2 * h, r.width() - 2, h + 1)
        p.fillRect(grad_rect, self.tint)
        p.setPen(QColor("#999999"))
        for k in (1, 2):
            y = r.top() + 2 + k * h
            p.drawLine(QPointF(r.left(), y), QPointF(r.right(), y))
        p.setPen(QColor("#111111"))
        p.setFont(self.bold)
        title = f"{self.label} ▸" if self.box else self.label
        p.drawText(QRectF(r.left(), r.top() + 2, r.width(), h), Qt.AlignCenter, title)
        p.setFont(self.font)
        p.drawText(
            QRectF(r.left(), r.top() + 2 + h, r.width(), h),
            Qt.AlignCenter,
            f"data {fmt4(self.data)}",
        )
        p.drawText(grad_rect, Qt.AlignCenter, f"grad {fmt4(self.grad)}")

    def set_values(self, label: str, data: float, grad: float, scale: float) -> None:
        self.label, self.data, self.grad = label, data, grad
        size = 0.0 if scale <= 0 or not math.isfinite(grad) else min(1.0, abs(grad) / scale)
        color = QColor(POSITIVE if grad > 0 else NEGATIVE)
        color.setAlphaF(0.12 + 0.6 * math.sqrt(size) if grad else 0.0)
        self.tint = color
        self.update()

    def set_border(self, color: QColor | None, width: float = 1.0, dashed: bool = False) -> None:
        pen = QPen(color or QColor("#666666"), width)
        if dashed:
            pen.setStyle(Qt.DashLine)
        self.border = pen
        self.update()


class OpItem(QGraphicsItem):
    """The operation that made a value: a small circle with ``+``, ``×``, ``tanh``..."""

    def __init__(self, op: str, font: QFont):
        super().__init__()
        self.op = OP_TEXT.get(op, op)
        self.font = QFont(font)
        if len(self.op) > 3:
            self.font.setPointSizeF(max(6.0, font.pointSizeF() - 1.5))

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt name
        return QRectF(-OP_R - 1, -OP_R - 1, 2 * OP_R + 2, 2 * OP_R + 2)

    def paint(self, p: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        p.setPen(QPen(QColor("#666666"), 1.0))
        p.setBrush(QColor("#f0f0f0"))
        p.drawEllipse(QRectF(-OP_R, -OP_R, 2 * OP_R, 2 * OP_R))
        p.setFont(self.font)
        p.setPen(QColor("#111111"))
        p.drawText(self.boundingRect(), Qt.AlignCenter, self.op)


def _curve(a: QPointF, b: QPointF, bend: float = 0.0) -> QPainterPath:
    path = QPainterPath(a)
    dx = max(30.0, (b.x() - a.x()) * 0.5)
    path.cubicTo(QPointF(a.x() + dx, a.y() + bend), QPointF(b.x() - dx, b.y() + bend), b)
    return path


# ------------------------------------------------------------------------ the view
class GraphView(QGraphicsView):
    """Pan/zoom view of a computation graph.  ``leaf_clicked(label)`` when a leaf is
    clicked; ``node_clicked(id)`` for any node."""

    leaf_clicked = Signal(str)
    node_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing)
        self.setDragMode(QGraphicsView.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.AnchorUnderMouse)
        self.setBackgroundBrush(QBrush(QColor("#fbfbfb")))
        self.setToolTip(
            "The computation graph: each box is a value (label, data, grad); circles are the "
            "operations. Drag to pan, wheel to zoom, click a leaf to change its value, "
            "double-click a neuron box to open it."
        )
        self.font_ = QFont(self.font())
        self.font_.setPointSizeF(9.0)
        self.nodes: list[Node] = []
        self.shown: Shown | None = None
        self.records: dict[int, RecordItem] = {}
        self.collapsing = True
        self.expanded: set[str] = set()
        self._user_zoomed = False
        self._box_width = 0.0

    # ---- structure
    def set_graph(self, nodes: Sequence[Node]) -> None:
        """Draw a new graph (items made here, once); keeps open neurons of the same graph."""
        if [n.group for n in nodes] != [n.group for n in self.nodes]:
            self.expanded = set()
        self.nodes = list(nodes)
        self._rebuild()
        self.fit()
        QTimer.singleShot(0, self, self._fit_unless_zoomed)  # again once the layout has settled

    def set_collapsing(self, on: bool) -> None:
        """Show each neuron of a big graph as one box (True) or every node (False)."""
        if on != self.collapsing:
            self.collapsing = on
            self.expanded = set()
            if self.nodes:
                self._rebuild()
                self.fit()

    def expand(self, group: str) -> None:
        """Open one collapsed neuron."""
        self.expanded.add(group)
        self._rebuild()

    def _rebuild(self) -> None:
        scene = self.scene()
        scene.clear()
        self.records = {}
        on = self.collapsing and len(self.nodes) > COLLAPSE_OVER
        shown = self.shown = collapse(self.nodes, self.expanded, on)
        metrics = QFontMetricsF(self.font_)
        width = self._box_width = max(
            [metrics.horizontalAdvance("grad -00.0000") + 14, self._numbers_width(shown.ids)]
            + [metrics.horizontalAdvance(self._label(i)) + 30 for i in shown.ids]
        )
        height = 3 * (metrics.height() + 3) + 4
        pos = self._place(shown, width, height)
        for i in shown.ids:
            item = RecordItem(i, width, self.font_, shown.boxes.get(i, ""))
            item.setPos(pos[i])
            item.setZValue(2)
            scene.addItem(item)
            self.records[i] = item
            if shown.inputs[i]:
                self._add_op(i, pos, width, height)
        scene.setSceneRect(scene.itemsBoundingRect().adjusted(-20, -20, 20, 20))
        self.update_values(self.nodes)

    def _place(self, shown: Shown, width: float, height: float) -> dict[int, QPointF]:
        """Top-left corner of each record: columns left to right, each column centred."""
        col = columns(shown)
        row = order_rows(shown, col)
        col_w = width + 2 * OP_R + 2 * COL_GAP
        counts: dict[int, int] = {}
        for i in shown.ids:
            counts[col[i]] = counts.get(col[i], 0) + 1
        tallest = max(counts.values(), default=1)
        return {
            i: QPointF(
                col[i] * col_w + 2 * OP_R + COL_GAP,
                (row[i] + (tallest - counts[col[i]]) / 2) * (height + ROW_GAP),
            )
            for i in shown.ids
        }

    def _add_op(self, i: int, pos: dict[int, QPointF], width: float, height: float) -> None:
        """The operation circle before record ``i``, and the lines from its inputs."""
        assert self.shown is not None
        scene, ins = self.scene(), self.shown.inputs[i]
        pen = QPen(QColor("#8a8a8a"), 1.2)
        op = OpItem("neuron" if i in self.shown.boxes else self.nodes[i].op, self.font_)
        centre = QPointF(pos[i].x() - COL_GAP * 0.6 - OP_R, pos[i].y() + height / 2)
        op.setPos(centre)
        op.setZValue(2)
        scene.addItem(op)
        out = QPointF(centre.x() + OP_R, centre.y())
        scene.addItem(self._edge(out, pos[i] + QPointF(0, height / 2), pen))
        for k, c in enumerate(ins):
            start = pos[c] + QPointF(width, height / 2)
            bend = 14.0 * k if ins.count(c) > 1 and ins.index(c) != k else 0.0  # a + a: two
            scene.addItem(self._edge(start, QPointF(centre.x() - OP_R, centre.y()), pen, bend))

    def _edge(self, a: QPointF, b: QPointF, pen: QPen, bend: float = 0.0) -> QGraphicsPathItem:
        item = QGraphicsPathItem(_curve(a, b, bend))
        item.setPen(pen)
        item.setZValue(1)
        return item

    def _numbers_width(self, ids: Sequence[int]) -> float:
        """How wide the records must be for their numbers ("data -1.000e+308")."""
        metrics = QFontMetricsF(self.font_)
        texts = [f"data {fmt4(self.nodes[i].data)}" for i in ids]
        texts += [f"grad {fmt4(self.nodes[i].grad)}" for i in ids]
        return max((metrics.horizontalAdvance(t) + 14 for t in texts), default=0.0)

    def _label(self, i: int) -> str:
        assert self.shown is not None
        n = self.nodes[i]
        return self.shown.boxes.get(i) or n.label or n.op

    # ---- values
    def update_values(self, nodes: Sequence[Node]) -> None:
        """New data and grads for the same graph: texts and colours only."""
        self.nodes = list(nodes)
        if self.shown is None:
            return
        if self._numbers_width(self.shown.ids) > self._box_width:
            self._rebuild()  # a number grew past its box (1e+308): wider boxes, same zoom
            return
        scale = max((abs(n.grad) for n in self.nodes if math.isfinite(n.grad)), default=0.0)
        for i, item in self.records.items():
            n = self.nodes[i]
            item.set_values(self._label(i), n.data, n.grad, scale)

    def highlight(self, node_id: int | None, targets: Sequence[int] = (), bad: Sequence[int] = ()):
        """Light up the node being stepped (and the inputs it just updated); mark ``bad``."""
        if self.shown is None:
            return
        rep = self.shown.rep
        for item in self.records.values():
            item.set_border(None)
        for i in bad:
            if i in rep:
                self.records[rep[i]].set_border(MISMATCH, 2.5)
        for i in targets:
            if i in rep:
                self.records[rep[i]].set_border(TARGET, 2.5, dashed=True)
        if node_id is not None and node_id in rep:
            item = self.records[rep[node_id]]
            item.set_border(HIGHLIGHT, 3.5)
            if self._user_zoomed:
                self.ensureVisible(item, 40, 40)

    def record_text(self, node_id: int) -> str:
        """What the record standing for ``node_id`` shows (for tests and tooltips)."""
        assert self.shown is not None
        return node_text(self.nodes[self.shown.rep[node_id]])

    def record_center(self, node_id: int):
        """Where the record of ``node_id`` is, in viewport coordinates (for clicks)."""
        assert self.shown is not None
        item = self.records[self.shown.rep[node_id]]
        return self.mapFromScene(item.mapToScene(item.rect.center()))

    # ---- zoom and clicks
    def fit(self) -> None:
        """Show the whole graph (never magnified past 1.2x)."""
        rect = self.scene().sceneRect()
        if rect.isEmpty():
            return
        self.resetTransform()
        self.fitInView(rect, Qt.KeepAspectRatio)
        if self.transform().m11() > 1.2:
            self.resetTransform()
            self.scale(1.2, 1.2)
        self._user_zoomed = False

    def _fit_unless_zoomed(self) -> None:
        if not self._user_zoomed:
            self.fit()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt name
        super().resizeEvent(event)
        self._fit_unless_zoomed()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt name
        """Shown (a tab or page opened): the graph built while hidden fits the view as it
        is now, not as it was then."""
        super().showEvent(event)
        QTimer.singleShot(0, self, self._fit_unless_zoomed)

    def wheelEvent(self, event) -> None:  # noqa: N802 - Qt name
        factor = 1.15 if event.angleDelta().y() > 0 else 1 / 1.15
        self.scale(factor, factor)
        self._user_zoomed = True

    def _record_at(self, pos) -> RecordItem | None:
        for item in self.items(pos):
            if isinstance(item, RecordItem):
                return item
        return None

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 - Qt name
        super().mouseReleaseEvent(event)
        item = self._record_at(event.position().toPoint())
        if item is None or event.button() != Qt.LeftButton:
            return
        n = self.nodes[item.node_id]
        self.node_clicked.emit(n.id)
        if not n.children and item.node_id not in (self.shown.boxes if self.shown else {}):
            self.leaf_clicked.emit(n.label)

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802 - Qt name
        item = self._record_at(event.position().toPoint())
        if item is not None and item.box:
            self.expand(item.box)
            return
        super().mouseDoubleClickEvent(event)
