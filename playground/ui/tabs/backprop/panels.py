"""The Backprop tab's widgets, bound to its state; signals only, no logic.

- :class:`GraphPanel`: the expression, the backward buttons, the chain-rule sentence, the
  graph, and beside it the leaves with their numerical check and the step log;
- :class:`TrainPanel`: micrograd's moons demo, ours and torch's, with the boundary, the
  pinned runs (a :class:`~playground.ui.widgets.runs_table.RunsPanel`) and
  :class:`CompareBar` (a ready-made comparison, its progress and Cancel).
"""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontDatabase, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from playground.core.expressions import EXAMPLES
from playground.ui.binding import bind, format_number
from playground.ui.tabs.backprop.state import COMPARISONS, H_CHOICES, TRAIN_FIELDS, BackpropState
from playground.ui.widgets.curves import CurvePlot
from playground.ui.widgets.graph_view import GraphView, fmt4
from playground.ui.widgets.run_controls import RunControls
from playground.ui.widgets.runs_table import RunsPanel

POINT_ITEM = "Point of the Decision boundary"
TYPED_ITEM = "Typed expression"
OURS_COLOR, TORCH_COLOR = "#0072B2", "#D55E00"
OURS, TORCH = "micrograd (ours)", "torch"  # the loss curves
RUN_METRICS = [  # a pinned run's final numbers, as the runs table shows them
    ("loss", "loss (ours)", "{:.4f}"),
    ("torch_loss", "loss (torch)", "{:.4f}"),
    ("acc", "accuracy", "{:.0%}"),
    ("ours_steps_s", "ours steps/s", "{:,.1f}"),
    ("torch_steps_s", "torch steps/s", "{:,.0f}"),
]


def _button(text: str, tip: str) -> QPushButton:
    b = QPushButton(text)
    b.setToolTip(tip)
    return b


def _mono(size: float = 0.0) -> QFont:
    font = QFontDatabase.systemFont(QFontDatabase.FixedFont)
    if size:
        font.setPointSizeF(size)
    return font


# ----------------------------------------------------------------------------- graph page
class ExpressionBar(QWidget):
    """Pick a built-in expression or type one; Build (Ctrl+Enter) makes its graph."""

    build_clicked = Signal()
    example_chosen = Signal(str)  # the example's text

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.example_combo = QComboBox()
        self.example_combo.setToolTip("The built-in expressions: the lecture's two first.")
        for name, text in EXAMPLES.items():
            self.example_combo.addItem(name, text)
        self.example_combo.addItem(TYPED_ITEM, "")
        self.example_combo.setSizeAdjustPolicy(QComboBox.AdjustToContents)
        self.edit = QPlainTextEdit()
        self.edit.setObjectName("expressionEdit")
        self.edit.setFont(_mono())
        self.edit.setToolTip(BackpropState.spec("expression").tip + " Ctrl+Enter builds it.")
        self.edit.setFixedHeight(int(self.edit.fontMetrics().height() * 2.6 + 12))
        self.build_button = _button(
            "Build", "Parse the expression and draw its graph (Ctrl+Enter)."
        )
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        left = QVBoxLayout()
        left.addWidget(QLabel("Expression"))
        left.addWidget(self.example_combo)
        layout.addLayout(left)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.build_button)
        self.build_button.clicked.connect(self.build_clicked)
        self.example_combo.activated.connect(self._chosen)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self.edit)
            shortcut.setContext(Qt.WidgetShortcut)
            shortcut.activated.connect(self.build_clicked)

    def _chosen(self, index: int) -> None:
        text = self.example_combo.itemData(index)
        if text:
            self.example_chosen.emit(text)

    def show_source(self, text: str | None, point: str = "") -> None:
        """Select the example matching ``text`` (None: the Boundary point, ``point``
        describes it)."""
        if text is None:
            if self.example_combo.findText(POINT_ITEM) < 0:
                self.example_combo.addItem(POINT_ITEM, "")
            self.example_combo.setCurrentIndex(self.example_combo.findText(POINT_ITEM))
            self.edit.clear()
            self.edit.setPlaceholderText(point + "\nChoose or type an expression to leave it.")
            return
        i = self.example_combo.findData(text)
        self.example_combo.setCurrentIndex(i if i >= 0 else self.example_combo.findText(TYPED_ITEM))
        if self.edit.toPlainText() != text:
            self.edit.setPlainText(text)


class BackwardBar(QWidget):
    """Backward step / all, Zero grads, the += switch, collapse, fit, and the SGD step."""

    def __init__(self, state: BackpropState, parent: QWidget | None = None):
        super().__init__(parent)
        self.step_button = _button(
            "Backward step",
            "Take the next node in reverse topological order and push its gradient to its "
            "inputs (the chain rule, written out above the graph).",
        )
        self.all_button = _button("Backward all", "Do every remaining step of this pass.")
        self.zero_button = _button(
            "Zero grads", "Set every grad to 0 (what zero_grad() does before each backward)."
        )
        self.accumulate_check = QCheckBox(BackpropState.spec("accumulate").label)
        bind(state, "accumulate", self.accumulate_check)
        self.collapse_check = QCheckBox(BackpropState.spec("collapse").label)
        bind(state, "collapse", self.collapse_check)
        self.fit_button = _button("Fit", "Zoom to show the whole graph.")
        self.sgd_lr = QDoubleSpinBox()
        self.sgd_lr.setDecimals(4)
        self.sgd_lr.setSingleStep(0.05)
        bind(state, "sgd_lr", self.sgd_lr)
        self.sgd_label = QLabel("lr")
        self.sgd_button = _button(
            "SGD step",
            "Move every weight by -lr * grad (this point's loss goes down) and send the new "
            "weights back to the Decision boundary tab.",
        )
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for w in (self.step_button, self.all_button, self.zero_button, self.accumulate_check):
            layout.addWidget(w)
        layout.addStretch(1)
        for w in (self.sgd_label, self.sgd_lr, self.sgd_button, self.collapse_check):
            layout.addWidget(w)
        layout.addWidget(self.fit_button)
        self.show_sgd(False)

    def show_sgd(self, on: bool) -> None:
        for w in (self.sgd_label, self.sgd_lr, self.sgd_button):
            w.setVisible(on)


class LeavesTable(QTableWidget):
    """Each leaf: its value (editable), grad, (f(x+h) - f(x))/h and the difference."""

    value_edited = Signal(str, float)
    COLUMNS = ("leaf", "value", "grad", "numeric", "diff")

    def __init__(self, parent: QWidget | None = None):
        super().__init__(0, len(self.COLUMNS), parent)
        self.setObjectName("leavesTable")
        self.setHorizontalHeaderLabels(list(self.COLUMNS))
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        self.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeToContents)
        self.setToolTip(
            "The leaves: double-click a value to change it (everything recomputes). "
            "'numerical' is (f(x + h) - f(x)) / h; a red row is a grad that disagrees with it."
        )
        self.names: list[str] = []
        self.itemChanged.connect(self._changed)

    def set_leaves(self, names: list[str], values: list[float]) -> None:
        self.blockSignals(True)
        self.names = list(names)
        self.setRowCount(len(names))
        for r, (name, value) in enumerate(zip(names, values, strict=True)):
            for c, text in enumerate((name, f"{value:.4g}", "", "", "")):
                item = QTableWidgetItem(text)
                if c != 1:
                    item.setFlags(item.flags() & ~Qt.ItemIsEditable)
                item.setTextAlignment((Qt.AlignRight if c else Qt.AlignLeft) | Qt.AlignVCenter)
                self.setItem(r, c, item)
        self.blockSignals(False)

    def show_numbers(self, grads: list[float], numeric: list[float], flags: list[bool] | None):
        """Fill grad / numerical / difference; ``flags`` (None: backward not complete)."""
        self.blockSignals(True)
        for r, (g, n) in enumerate(zip(grads, numeric, strict=True)):
            bad = bool(flags and flags[r])
            diff = "" if flags is None or not math.isfinite(n) else f"{g - n:.1e}"
            for c, text in ((2, fmt4(g)), (3, fmt4(n) if math.isfinite(n) else "—"), (4, diff)):
                self.item(r, c).setText(text)
            for c in range(len(self.COLUMNS)):
                self.item(r, c).setBackground(QColor("#f8c9c4") if bad else QColor(0, 0, 0, 0))
        self.blockSignals(False)

    def edit_leaf(self, name: str) -> None:
        """Select a leaf's value and open its editor (a click on the graph does this)."""
        if name in self.names:
            item = self.item(self.names.index(name), 1)
            self.setCurrentItem(item)
            self.scrollToItem(item)
            self.editItem(item)

    def _changed(self, item: QTableWidgetItem) -> None:
        if item.column() != 1:
            return
        name = self.names[item.row()]
        try:
            value = float(item.text())
        except ValueError:
            value = math.nan
        self.value_edited.emit(name, value)


class GraphPanel(QWidget):
    """The graph page."""

    def __init__(self, state: BackpropState, parent: QWidget | None = None):
        super().__init__(parent)
        self.expression = ExpressionBar()
        self.backward = BackwardBar(state)
        self.sentence = QLabel("")
        self.sentence.setObjectName("chainRule")
        self.sentence.setFont(_mono(11))
        self.sentence.setWordWrap(True)
        self.sentence.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.sentence.setToolTip("The chain rule of the last step, with its numbers.")
        self.sentence.setMinimumHeight(self.sentence.fontMetrics().height() * 2 + 8)
        self.sentence.setStyleSheet(
            "#chainRule { background: #fff8e6; border: 1px solid #E69F00; border-radius: 4px;"
            " padding: 3px 6px; }"
        )
        self.view = GraphView()
        self.leaves = LeavesTable()
        self.h_combo = QComboBox()
        self.h_combo.setEditable(True)
        for h in H_CHOICES:
            self.h_combo.addItem(format_number(h))
        bind(state, "h", self.h_combo)
        self.log = QPlainTextEdit()
        self.log.setObjectName("stepLog")
        self.log.setReadOnly(True)
        self.log.setFont(_mono(9))
        self.log.setToolTip("Every step of the backward passes so far.")
        side = QWidget()
        side.setMinimumWidth(330)
        grid = QGridLayout(side)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(QLabel("Numerical check, h ="), 0, 0)
        grid.addWidget(self.h_combo, 0, 1)
        grid.addWidget(self.leaves, 1, 0, 1, 2)
        grid.addWidget(QLabel("Steps"), 2, 0, 1, 2)
        grid.addWidget(self.log, 3, 0, 1, 2)
        grid.setRowStretch(1, 3)
        grid.setRowStretch(3, 2)
        self.split = QSplitter(Qt.Horizontal)
        self.split.addWidget(self.view)
        self.split.addWidget(side)
        self.split.setStretchFactor(0, 3)
        self.split.setStretchFactor(1, 1)
        self.split.setSizes([900, 380])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.expression)
        layout.addWidget(self.backward)
        layout.addWidget(self.sentence)
        layout.addWidget(self.split, 1)


# ----------------------------------------------------------------------------- train page
class TrainPanel(QWidget):
    """micrograd's demo: settings, run controls, the boundary, both losses, both speeds;
    below (a splitter: drag it) the pinned runs; ready-made comparisons beside Play."""

    FORM = (("hidden", "points", "noise", "seed"), ("steps", "lr", "schedule"))

    def __init__(self, state: BackpropState, parent: QWidget | None = None):
        super().__init__(parent)
        self.run_controls = RunControls(show_progress=True)
        form = self._build_form(state)
        self._build_plots()
        self.speed = QLabel("Press Play: our engine trains the demo; torch trains a copy.")
        self.speed.setObjectName("speedLabel")
        self.speed.setWordWrap(True)
        self.speed.setToolTip(
            "Loss and accuracy of each engine, and the median time of its steps so far (one "
            "thread each, float64; ours: the demo's step, the collector paused): the figure "
            "benchmarks/backprop.py measures."
        )
        # two lines, always: a label whose height followed its text re-laid the page out
        # (both plots resized and repainted whole, ~30 ms) when the first step's numbers came
        self.speed.setFixedHeight(2 * self.speed.fontMetrics().lineSpacing() + 4)
        self.speed.setAlignment(Qt.AlignLeft | Qt.AlignVCenter)
        self.runs = RunsPanel(
            {"loss": self.curves},
            RUN_METRICS,
            {name: BackpropState.spec(name).label for name in TRAIN_FIELDS},
        )
        self.runs.table.setMinimumHeight(self.runs.table.fontMetrics().height() * 4)
        self.compare = CompareBar()
        self.split = QSplitter(Qt.Vertical)
        self.split.addWidget(self.plots)
        self.split.addWidget(self.runs)
        self.split.setStretchFactor(0, 3)
        self.split.setStretchFactor(1, 2)
        self.split.setSizes([600, 330])
        self.split.setChildrenCollapsible(False)
        controls = QHBoxLayout()
        controls.setContentsMargins(0, 0, 0, 0)
        controls.addWidget(self.run_controls, 1)
        controls.addWidget(self.compare)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addLayout(controls)
        layout.addWidget(self.speed)
        layout.addWidget(self.split, 1)

    def _build_form(self, state: BackpropState) -> QGridLayout:
        self.hidden_combo, self.schedule_combo = QComboBox(), QComboBox()
        self.steps_spin, self.points_spin, self.seed_spin = QSpinBox(), QSpinBox(), QSpinBox()
        self.noise_spin, self.lr_spin = QDoubleSpinBox(), QDoubleSpinBox()
        self.noise_spin.setSingleStep(0.05)
        self.lr_spin.setDecimals(3)
        self.lr_spin.setSingleStep(0.1)
        self.torch_check = QCheckBox(BackpropState.spec("torch").label)
        bind(state, "torch", self.torch_check)
        widgets = {
            "hidden": self.hidden_combo,
            "steps": self.steps_spin,
            "points": self.points_spin,
            "noise": self.noise_spin,
            "seed": self.seed_spin,
            "lr": self.lr_spin,
            "schedule": self.schedule_combo,
        }
        form = QGridLayout()
        form.setContentsMargins(0, 0, 0, 0)
        for r, names in enumerate(self.FORM):
            for c, name in enumerate(names):
                form.addWidget(QLabel(BackpropState.spec(name).label), r, 2 * c)
                bind(state, name, widgets[name])
                form.addWidget(widgets[name], r, 2 * c + 1)
        form.addWidget(self.torch_check, 1, 6, 1, 2)
        form.setColumnStretch(8, 1)
        return form

    def _build_plots(self) -> None:
        self.plane = pg.PlotWidget()
        self.plane.setBackground("w")
        self.plane.setAspectLocked(True)
        self.plane.setTitle("The boundary our engine learned", color="#222")
        self.plane.setToolTip("Blue: the net scores > 0 (class +1); orange: < 0. Dots: the data.")
        self.plane.setMinimumSize(160, 140)
        self.image = pg.ImageItem()
        self.plane.addItem(self.image)
        self.points = pg.ScatterPlotItem(size=7, pen=pg.mkPen("#222", width=0.8))
        self.plane.addItem(self.points)
        self.curves = CurvePlot("Loss", "step", "loss", stepped=True)
        self.curves.setToolTip(
            "Training loss of both engines (max-margin + L2): the same numbers. Dashed, in "
            "their own colours: the pinned runs."
        )
        self.curves.setMinimumSize(220, 140)
        self.curves.add_curve(OURS, OURS_COLOR, width=5.0)
        self.curves.add_curve(TORCH, TORCH_COLOR, width=2.0, dashed=True)
        self.plots = QSplitter(Qt.Horizontal)
        self.plots.addWidget(self.plane)
        self.plots.addWidget(self.curves)
        self.plots.setSizes([450, 750])
        self.plots.setChildrenCollapsible(False)


class CompareBar(QWidget):
    """A ready-made comparison: pick one, Run it (each variant from the same seed, pinned),
    Cancel; its progress beside."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.combo = QComboBox()
        self.combo.addItems(list(COMPARISONS))
        # as wide as ~14 characters, not its longest name: with the run counter beside it
        # the row grew past a 1024-pixel window (the whole name is in the open list)
        self.combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(14)
        self.combo.setToolTip(
            "Ready-made comparisons: each variant trains from the same seed and is pinned."
        )
        self.run_button = _button(
            "Run",
            "Train each variant of the chosen comparison one after another (the other "
            "settings as they are) and pin it; your settings come back at the end.",
        )
        self.cancel_button = _button("Cancel", "Stop the comparison; what is pinned stays.")
        self.cancel_button.setEnabled(False)
        self.progress = QLabel("")  # in the combo's place while a comparison runs
        self.progress.setObjectName("compareProgress")
        self.progress.setToolTip("The variant training now, and how far it is.")
        self.progress.setMinimumWidth(self.combo.sizeHint().width())
        self.progress.hide()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Compare"))
        layout.addWidget(self.combo)
        layout.addWidget(self.progress)
        layout.addWidget(self.run_button)
        layout.addWidget(self.cancel_button)

    def set_running(self, on: bool) -> None:
        self.run_button.setEnabled(not on)
        self.combo.setVisible(not on)
        self.progress.setVisible(on)
        self.cancel_button.setEnabled(on)


HELP = """
<h3>Backprop: the chain rule, one node at a time</h3>
<p>Every value in the graph knows how it was made. <b>Backward</b> walks the graph from
the output back to the leaves in reverse topological order; at each node it multiplies
the gradient that arrived (<i>upstream</i>) by the operation's local derivative and adds
the product to each input's grad: <code>grad(x1) += grad(x1*w1) * w1</code>.</p>
<ul>
<li><b>Backward step</b> does one node and writes its chain rule with the numbers;
<b>Backward all</b> does the rest; <b>Zero grads</b> clears them. The engine is
<code>playground/core/micrograd.py</code>, each operation's <code>_backward</code> beside
it; the stepping and its sentences are <code>playground/core/backprop_steps.py</code>.</li>
<li>A graph drawn before backward shows no gradients: they are computed by backward.</li>
<li>Why <code>+=</code>: in <code>b = a + a</code> the value a is used twice, and both uses
add to its gradient (2). Untick <i>Accumulate with +=</i> to see the bug
(<code>=</code>): a.grad is 1 and the numerical check flags it.</li>
<li>Press backward twice without zeroing: the grads double. That is why training calls
<code>zero_grad()</code> before every backward.</li>
<li>Why exp's backward uses its output: d exp(x)/dx = exp(x); tanh's is 1 - tanh².</li>
<li>The table checks each leaf numerically, (f(x + h) - f(x)) / h; change h to see
truncation (big h) and rounding (tiny h) errors.</li>
<li>Type your own expression: <code>a = 2; b = -3; (a*b + 1).tanh()</code>. Only numbers,
names, + - * / ** and tanh exp log relu sigmoid are allowed. Click a leaf to change it.</li>
<li><b>Train</b>: micrograd's demo (moons, MLP(2, [16, 16, 1]), max-margin loss) trained
by this tab's engine, <code>playground/core/micrograd.py</code>, with torch training the
same network beside it: the same losses, and how much faster tensors are.</li>
<li><b>Learning rate</b> and <b>Schedule</b>: micrograd's lr falls from 1 to 0.1
(<i>decay</i>); try <i>constant</i>, or lr 10: the loss explodes and the run stops with a
message (it diverged); Reset starts again.</li>
<li><b>Pin run</b> keeps a run (settings, both losses, accuracy, both speeds, time): its
losses stay dashed on the plot and the table highlights the settings that differ from
now. <b>Compare</b> trains ready-made variants one after another from the same seed
(the form's) and pins each: MLP(2, [4, 1]) / MLP(2, [16, 1]) / the demo's MLP(2, [16, 16, 1]),
the two schedules, learning rates 0.1 / 1 / 10.</li>
<li>From the Decision boundary tab, a point's loss can be explained here (the point, its
label and that tab's weights); <b>SGD step</b> moves the weights by -lr * grad and sends
them back to the Decision boundary tab, whose boundary moves.</li>
</ul>
"""
