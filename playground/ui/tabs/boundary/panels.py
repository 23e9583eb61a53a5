"""The tab's widgets, bound to its state: the top bar, the data column, the network
column (with the single-neuron panel) and the views column.  Widgets and signals only."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPoint, QRect, QSignalBlocker, QSize, Qt, Signal
from PySide6.QtGui import QDoubleValidator, QFont, QFontMetrics, QPixmap
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLayoutItem,
    QMenu,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSlider,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from playground.core.toy.config import (
    ACTIVATION_LABELS,
    DATASET_TITLES,
    FEATURE_LABELS,
    FEATURES,
    MAX_LAYERS,
    OPTIMIZER_LABELS,
)
from playground.ui.binding import bind, format_number
from playground.ui.runs import PinnedRun
from playground.ui.style import OKABE_ITO, TEST_COLOR, TRAIN_COLOR
from playground.ui.tabs.boundary.state import LR_CHOICES, REG_RATES, BoundaryState
from playground.ui.widgets.curves import CurvePlot
from playground.ui.widgets.network import NetworkView
from playground.ui.widgets.plane import PlaneView
from playground.ui.widgets.run_controls import RunControls
from playground.ui.widgets.runs_table import RunsPanel

WEIGHT_RANGE = 10.0  # single-neuron sliders go from -10 to 10

FEATURE_TIPS = {
    "x1": "The point's horizontal position.",
    "x2": "The point's vertical position.",
    "x1^2": "The horizontal position squared: lets one neuron make a curved boundary.",
    "x2^2": "The vertical position squared.",
    "x1*x2": "The product of both positions: positive in two opposite corners.",
    "sin x1": "A sine wave along the horizontal axis.",
    "sin x2": "A sine wave along the vertical axis.",
}


def caption(text: str) -> QLabel:
    label = QLabel(text.upper())
    label.setStyleSheet("color: #666; font-size: 8pt; letter-spacing: 0.5px;")
    return label


def stack(text: str, widget: QWidget) -> QWidget:
    """``widget`` under a small caption."""
    box = QWidget()
    v = QVBoxLayout(box)
    v.setContentsMargins(0, 0, 0, 0)
    v.setSpacing(1)
    v.addWidget(caption(text))
    v.addWidget(widget)
    return box


def combo(items: dict, tip: str) -> QComboBox:
    """A combo box of ``{value: text}``."""
    box = QComboBox()
    for k, text in items.items():
        box.addItem(text, k)
    box.setToolTip(tip)
    return box


# ------------------------------------------------------------------ a wrapping row
class FlowLayout(QLayout):
    """Widgets in a row that wraps onto more rows when the space is narrow (Qt's flow
    layout example): the top bar is one row on a wide window, two at 1024 px."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 12, row_spacing: int = 4):
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._gap, self._row_gap = spacing, row_spacing

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 - Qt name
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, i: int) -> QLayoutItem | None:  # noqa: N802
        return self._items[i] if 0 <= i < len(self._items) else None

    def takeAt(self, i: int) -> QLayoutItem | None:  # noqa: N802
        return self._items.pop(i) if 0 <= i < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        return self._place(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802
        super().setGeometry(rect)
        self._place(rect, move=True)

    def sizeHint(self) -> QSize:  # noqa: N802 - one row
        shown = [i.sizeHint() for i in self._items if not i.isEmpty()]
        m = self.contentsMargins()
        w = sum(s.width() for s in shown) + self._gap * max(len(shown) - 1, 0)
        h = max((s.height() for s in shown), default=0)
        return QSize(w + m.left() + m.right(), h + m.top() + m.bottom())

    def minimumSize(self) -> QSize:  # noqa: N802 - one item a row at worst
        size = QSize()
        for item in self._items:
            if not item.isEmpty():
                size = size.expandedTo(item.minimumSize())
        m = self.contentsMargins()
        return size + QSize(m.left() + m.right(), m.top() + m.bottom())

    def _rows(self, width: int) -> list[list[tuple[QLayoutItem, QSize]]]:
        rows: list[list[tuple[QLayoutItem, QSize]]] = [[]]
        used = 0
        for item in self._items:
            if item.isEmpty():
                continue
            hint = item.sizeHint()
            if rows[-1] and used + self._gap + hint.width() > width:
                rows.append([])
                used = 0
            used += (self._gap if rows[-1] else 0) + hint.width()
            rows[-1].append((item, hint))
        return rows

    def _place(self, rect: QRect, move: bool) -> int:
        """Lay the items out in ``rect`` (if ``move``); the height they need."""
        m = self.contentsMargins()
        inner = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        y = inner.y()
        for row in self._rows(inner.width()):
            height = max((hint.height() for _, hint in row), default=0)
            x = inner.x()
            for item, hint in row:
                if move:  # centred in the row
                    top = y + (height - hint.height()) // 2
                    item.setGeometry(QRect(QPoint(x, top), hint))
                x += hint.width() + self._gap
            y += height + self._row_gap
        return y - self._row_gap - rect.y() + m.bottom()


# ------------------------------------------------------------------ the top bar
class TopBar(QFrame):
    """Run controls, the epoch, Pin, and how the network trains; the File menu.  One row
    that wraps onto two when the window is narrow."""

    def __init__(
        self,
        state: BoundaryState,
        files: list[tuple[str, Callable, str] | None],
        pin_button: QAbstractButton | None = None,
    ):
        super().__init__()
        self.setObjectName("boundaryTopBar")
        self.setStyleSheet("#boundaryTopBar { background: #f3f4f6; border-radius: 6px; }")
        h = FlowLayout(self)
        h.setContentsMargins(8, 4, 8, 4)
        h.addWidget(self._run_controls())
        h.addWidget(self.epoch_label)
        if pin_button is not None:
            h.addWidget(pin_button)
        self._training_widgets(state, h)
        h.addWidget(self._file_button(files))

    def _run_controls(self) -> RunControls:
        self.controls = RunControls(step_text="Step")
        self.controls.step_button.setToolTip("Train for exactly one epoch, then pause (S).")
        self.controls.reset_button.setToolTip(
            "New random initial weights, same data; training pauses at epoch 0 (R)."
        )
        self.controls.counter.setVisible(False)
        self.epoch_label = QLabel("Epoch 0")
        self.epoch_label.setObjectName("epochLabel")
        self.epoch_label.setToolTip(
            "Epochs trained: one epoch = one pass over the training points."
        )
        font = QFont()
        font.setPointSizeF(15)
        self.epoch_label.setFont(font)
        # as wide as the longest count: the row never reflows while the epochs go by
        width = QFontMetrics(font).horizontalAdvance("Epoch 000,000") + 6
        self.epoch_label.setFixedWidth(width)
        return self.controls

    def _training_widgets(self, state: BoundaryState, h: QLayout) -> None:
        self.lr_combo = combo(
            {v: format_number(v) for v in LR_CHOICES},
            "How big a step the optimizer takes each update (1e-5 to 10; type any value): "
            "too small is slow, too big diverges.",
        )
        self.lr_combo.setEditable(True)
        self.lr_combo.setValidator(QDoubleValidator(1e-5, 10.0, 6, self))
        self.lr_combo.setMinimumWidth(80)
        self.decay_spin = QDoubleSpinBox()
        self.decay_spin.setDecimals(4)
        self.decay_spin.setSingleStep(0.001)
        self.decay_spin.setToolTip(
            "Learning-rate decay per epoch: lr = lr₀ · decay^epoch (1 = no decay)."
        )
        self.act_combo = combo(
            ACTIVATION_LABELS, "The non-linearity each hidden neuron applies to its sum."
        )
        self.opt_combo = combo(
            OPTIMIZER_LABELS,
            "How the gradient becomes a step; changing it keeps the weights learned so far.",
        )
        self.batch_spin = QSpinBox()
        self.batch_spin.setToolTip("How many training points each gradient step averages over.")
        self.reg_combo = combo(
            {"none": "None", "l1": "L1", "l2": "L2"},
            "Penalise big weights: L1 pushes weights to exactly zero, L2 shrinks them all.",
        )
        self.reg_rate_combo = combo(
            {v: format_number(v) for v in REG_RATES}, "How strongly big weights are penalised."
        )
        for name, widget, text in (
            ("lr", self.lr_combo, "Learning rate"),
            ("decay", self.decay_spin, "Decay"),
            ("activation", self.act_combo, "Activation"),
            ("optimizer", self.opt_combo, "Optimizer"),
            ("batch_size", self.batch_spin, "Batch size"),
            ("regularization", self.reg_combo, "Regularization"),
            ("reg_rate", self.reg_rate_combo, "Reg. rate"),
        ):
            bind(state, name, widget)
            h.addWidget(stack(text, widget))

    def _file_button(self, files: list[tuple[str, Callable, str] | None]) -> QToolButton:
        self.file_button = QToolButton()
        self.file_button.setText("File")
        self.file_button.setToolTip("Save or open an experiment, export a picture or code.")
        self.file_button.setPopupMode(QToolButton.InstantPopup)
        menu = QMenu(self.file_button)
        menu.setToolTipsVisible(True)
        for entry in files:
            if entry is None:
                menu.addSeparator()
                continue
            text, slot, tip = entry
            action = menu.addAction(text)
            action.setToolTip(tip)
            action.triggered.connect(slot)
        self.file_button.setMenu(menu)
        return self.file_button


# ------------------------------------------------------------------ the data column
class DataPanel(QWidget):
    """Data settings, your own points, input features, what to show, a tip."""

    class_picked = Signal(int)
    clear_clicked = Signal()
    load_csv_clicked = Signal()
    save_csv_clicked = Signal()

    def __init__(self, state: BoundaryState):
        super().__init__()
        self.state = state
        v = QVBoxLayout(self)
        v.setContentsMargins(0, 0, 0, 0)
        v.setSpacing(6)
        v.addWidget(self._data_box(state))
        v.addWidget(self._points_box())
        v.addWidget(self._features_box(state))
        show = QGroupBox("Show")
        s = QVBoxLayout(show)
        s.setContentsMargins(6, 4, 6, 6)
        s.setSpacing(2)
        self.show_test_box = QCheckBox("Test points (hollow)")
        self.show_test_box.setToolTip("Show the held-out test points as hollow circles.")
        self.discretize_box = QCheckBox("Discretize output")
        self.discretize_box.setToolTip(
            "Colour only the predicted class, hiding how sure the network is."
        )
        bind(state, "show_test", self.show_test_box)
        bind(state, "discretize", self.discretize_box)
        s.addWidget(self.show_test_box)
        s.addWidget(self.discretize_box)
        v.addWidget(show)
        tips = QGroupBox("Try this")
        t = QVBoxLayout(tips)
        t.setContentsMargins(6, 4, 6, 6)
        self.tip_label = QLabel("")
        self.tip_label.setObjectName("tipLabel")
        self.tip_label.setWordWrap(True)
        self.tip_label.setStyleSheet("color: #333;")
        self.tip_label.setToolTip("An experiment worth doing with this dataset.")
        t.addWidget(self.tip_label)
        v.addWidget(tips)
        v.addStretch(1)

    def _data_box(self, state: BoundaryState) -> QGroupBox:
        box = QGroupBox("Data")
        g = QGridLayout(box)
        g.setContentsMargins(6, 4, 6, 6)
        g.setVerticalSpacing(3)
        self.dataset_combo = combo(
            DATASET_TITLES,
            "Which points to learn: fruit is the story (safe or poisonous?),"
            " the rest are classics.",
        )
        g.addWidget(self.dataset_combo, 0, 0, 1, 3)
        self.classes_spin = QSpinBox()
        self.classes_spin.setToolTip(
            "How many classes (2 to 5): blobs and spiral make that many;"
            " elsewhere click to add them."
        )
        self.points_spin = QSpinBox()
        self.points_spin.setSingleStep(50)
        self.points_spin.setToolTip("How many points to generate (training and test together).")
        self._sliders()
        self.seed_spin = QSpinBox()
        self.seed_spin.setToolTip("Same seed, same points: change it for a new random draw.")
        regen = QPushButton("New points")
        regen.setToolTip("Draw a fresh set of points (the next seed).")
        regen.clicked.connect(lambda: setattr(state, "seed", min(state.seed + 1, 99999)))
        bind(state, "dataset", self.dataset_combo)
        bind(state, "classes", self.classes_spin)
        bind(state, "points", self.points_spin)
        bind(state, "noise", self.noise_slider, scale=100)
        bind(state, "test_share", self.test_slider, scale=100)
        bind(state, "seed", self.seed_spin)
        for row, (text, widget) in enumerate(
            (("Classes", self.classes_spin), ("Points", self.points_spin)), start=1
        ):
            g.addWidget(QLabel(text), row, 0)
            g.addWidget(widget, row, 1, 1, 2)
        for row, (text, slider, label) in enumerate(
            (
                ("Noise", self.noise_slider, self.noise_label),
                ("Test share", self.test_slider, self.test_label),
            ),
            start=3,
        ):
            g.addWidget(QLabel(text), row, 0)
            g.addWidget(slider, row, 1)
            g.addWidget(label, row, 2)
        g.addWidget(QLabel("Seed"), 5, 0)
        g.addWidget(self.seed_spin, 5, 1)
        g.addWidget(regen, 5, 2)
        g.setColumnStretch(1, 1)
        self.show_slider_values()
        state.connect(
            lambda name, _v: self.show_slider_values() if name in ("noise", "test_share") else None
        )
        return box

    def _sliders(self) -> None:
        """Noise and test share: without tracking, the state changes when let go."""
        self.noise_slider = QSlider(Qt.Horizontal)
        self.noise_slider.setTracking(False)
        self.noise_slider.setToolTip("How much the points are jittered (0 = clean).")
        self.noise_label = QLabel("")
        self.test_slider = QSlider(Qt.Horizontal)
        self.test_slider.setTracking(False)
        self.test_slider.setSingleStep(10)
        self.test_slider.setPageStep(10)
        self.test_slider.setToolTip(
            "The share of points held out to test the network (hollow dots);"
            " it never trains on them."
        )
        self.test_label = QLabel("")
        self.noise_slider.sliderMoved.connect(lambda v: self.noise_label.setText(f"{v / 100:.2f}"))
        self.test_slider.sliderMoved.connect(lambda v: self.test_label.setText(f"{v}%"))

    def show_slider_values(self) -> None:
        """The noise and test-share labels from the state."""
        self.noise_label.setText(f"{self.state.noise:.2f}")
        self.test_label.setText(f"{round(self.state.test_share * 100)}%")

    def _points_box(self) -> QGroupBox:
        box = QGroupBox("Your points")
        o = QVBoxLayout(box)
        o.setContentsMargins(6, 4, 6, 6)
        o.setSpacing(3)
        self.class_row = QHBoxLayout()
        self.class_row.setSpacing(3)
        self.class_group = QButtonGroup(self)
        self.class_group.setExclusive(True)
        self.class_group.idClicked.connect(self.class_picked)
        o.addLayout(self.class_row)
        row = QHBoxLayout()
        self.eraser = QToolButton()
        self.eraser.setText("Eraser")
        self.eraser.setCheckable(True)
        self.eraser.setToolTip("While on, a click removes the nearest point (same as Ctrl+click).")
        clear = QToolButton()
        clear.setText("Clear all")
        clear.setToolTip("Remove every point, to draw your own data from scratch.")
        clear.clicked.connect(self.clear_clicked)
        row.addWidget(self.eraser)
        row.addWidget(clear)
        o.addLayout(row)
        row = QHBoxLayout()
        load_csv = QToolButton()
        load_csv.setText("Load CSV…")
        load_csv.setToolTip("Load points from a CSV file with columns x1,x2,label.")
        load_csv.clicked.connect(self.load_csv_clicked)
        save_csv = QToolButton()
        save_csv.setText("Save CSV…")
        save_csv.setToolTip("Save every point (training and test) as x1,x2,label rows.")
        save_csv.clicked.connect(self.save_csv_clicked)
        row.addWidget(load_csv)
        row.addWidget(save_csv)
        o.addLayout(row)
        hint = QLabel(
            "Click: add the selected class · right-click or Shift+click: the next class · "
            "Ctrl+click: remove · drag to paint"
        )
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #666; font-size: 8pt;")
        small = QFont(hint.font())
        small.setPointSize(8)
        hint.setMinimumHeight(3 * QFontMetrics(small).lineSpacing() + 2)  # never clipped
        o.addWidget(hint)
        return box

    def _features_box(self, state: BoundaryState) -> QGroupBox:
        box = QGroupBox("Input features")
        f = QGridLayout(box)
        f.setContentsMargins(6, 4, 6, 6)
        f.setVerticalSpacing(2)
        self.feature_boxes: dict[str, QCheckBox] = {}
        for i, key in enumerate(FEATURES):
            check = QCheckBox(FEATURE_LABELS[key])
            check.setToolTip(FEATURE_TIPS[key] + " (Also: click its node in the network.)")
            check.toggled.connect(lambda on, key=key: self._feature_clicked(key, on))
            f.addWidget(check, i // 2, i % 2)
            self.feature_boxes[key] = check
        state.connect(lambda name, _v: self.show_features() if name == "features" else None)
        self.show_features()
        return box

    def _feature_clicked(self, key: str, on: bool) -> None:
        chosen = set(self.state.features) | {key} if on else set(self.state.features) - {key}
        if chosen:  # at least one input
            self.state.features = tuple(k for k in FEATURES if k in chosen)
        self.show_features()

    def show_features(self) -> None:
        """The feature boxes from the state (signals blocked)."""
        for key, check in self.feature_boxes.items():
            with QSignalBlocker(check):
                check.setChecked(key in self.state.features)

    def set_classes(self, names: list[str], selected: int, fruit: bool) -> None:
        """One button per class; ``selected`` is checked."""
        for b in self.class_group.buttons():
            self.class_group.removeButton(b)
            self.class_row.removeWidget(b)
            b.hide()
            b.deleteLater()
        for i, name in enumerate(names):
            b = QToolButton()
            b.setCheckable(True)
            b.setText(name if fruit else str(i))
            b.setToolTip(f"Clicks on the plane add points of {name}.")
            b.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
            c = OKABE_ITO[i]
            b.setStyleSheet(
                f"QToolButton {{ border: 2px solid {c}; border-radius: 4px; padding: 1px 4px; }}"
                f"QToolButton:checked {{ background: {c}; color: white; font-weight: bold; }}"
            )
            self.class_group.addButton(b, i)
            self.class_row.addWidget(b)
            b.setChecked(i == selected)


# ------------------------------------------------------------------ the network column
class NeuronPanel(QGroupBox):
    """ "Be the optimizer": one slider per weight of the single neuron, its equation."""

    moved = Signal(list)  # [w1, ..., b] as the user drags a slider

    def __init__(self) -> None:
        super().__init__("Be the optimizer: a single neuron")
        self.setObjectName("singleNeuronPanel")
        v = QVBoxLayout(self)
        v.setContentsMargins(8, 4, 8, 6)
        v.setSpacing(2)
        self.equation_label = QLabel("")
        self.equation_label.setObjectName("equationLabel")
        self.equation_label.setTextFormat(Qt.RichText)
        self.equation_label.setStyleSheet("font-size: 11pt;")
        self.equation_label.setWordWrap(True)  # two lines in a narrow window, never cut
        v.addWidget(self.equation_label)
        self.scaled_label = QLabel("")  # the same neuron on the rescaled inputs
        self.scaled_label.setObjectName("scaledEquationLabel")
        self.scaled_label.setStyleSheet("color: #666; font-size: 8pt;")
        self.scaled_label.setWordWrap(True)
        self.scaled_label.hide()
        v.addWidget(self.scaled_label)
        self.slider_grid = QGridLayout()
        self.slider_grid.setVerticalSpacing(1)
        v.addLayout(self.slider_grid)
        self.hand_loss_label = QLabel("")
        self.hand_loss_label.setObjectName("handLossLabel")
        v.addWidget(self.hand_loss_label)
        note = QLabel(
            "Drag the sliders, or the line's dot and arrow on the plane, to make the training "
            "loss as small as you can; then press Play and watch gradient descent do the same."
        )
        note.setWordWrap(True)
        note.setStyleSheet("color: #555; font-size: 8pt;")
        v.addWidget(note)
        self.weight_sliders: list[tuple[QSlider, QLabel]] = []
        self.hide()

    def set_inputs(self, names: list[str] | None) -> None:
        """One slider per input name plus the bias; None hides the panel."""
        while self.slider_grid.count():
            item = self.slider_grid.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.weight_sliders = []
        self.setVisible(names is not None)
        for row, name in enumerate([f"w{i + 1}  ({n})" for i, n in enumerate(names or [])] + ["b"]):
            if names is None:
                break
            s = QSlider(Qt.Horizontal)
            s.setRange(-int(WEIGHT_RANGE * 100), int(WEIGHT_RANGE * 100))
            s.setObjectName(f"weightSlider{row}")
            what = "the bias b" if name == "b" else f"weight {name.split()[0]}"
            s.setToolTip(f"Set {what} by hand; the boundary and the loss follow.")
            s.setEnabled(False)
            value = QLabel("0.00")
            value.setMinimumWidth(48)
            s.valueChanged.connect(self._slider_moved)
            self.slider_grid.addWidget(QLabel(name), row, 0)
            self.slider_grid.addWidget(s, row, 1)
            self.slider_grid.addWidget(value, row, 2)
            self.weight_sliders.append((s, value))

    def show_values(self, values: list[float]) -> None:
        """Put w1, w2, ..., b on the sliders and their labels (no signal)."""
        for (s, label), v in zip(self.weight_sliders, values, strict=True):
            s.setEnabled(True)
            label.setText(f"{v:+.2f}")
            if not s.isSliderDown():
                with QSignalBlocker(s):
                    s.setValue(int(round(max(-WEIGHT_RANGE, min(WEIGHT_RANGE, float(v))) * 100)))

    def _slider_moved(self, *_: object) -> None:
        values = [s.value() / 100 for s, _ in self.weight_sliders]
        for (_, label), v in zip(self.weight_sliders, values, strict=True):
            label.setText(f"{v:+.2f}")
        self.moved.emit(values)


class NetworkPanel(QWidget):
    """+/- hidden layers, the network diagram, the single-neuron panel."""

    def __init__(self) -> None:
        super().__init__()
        v = QVBoxLayout(self)
        v.setContentsMargins(0, 0, 0, 0)
        v.setSpacing(2)
        head = QHBoxLayout()
        head.addStretch(1)
        self.add_layer_button = QToolButton()
        self.add_layer_button.setText("+")
        self.add_layer_button.setToolTip(f"Add a hidden layer (at most {MAX_LAYERS}).")
        self.remove_layer_button = QToolButton()
        self.remove_layer_button.setText("−")
        self.remove_layer_button.setToolTip(
            "Remove the last hidden layer (0 layers = a single neuron)."
        )
        self.layers_label = QLabel("")
        self.layers_label.setStyleSheet("font-weight: bold; color: #333;")
        head.addWidget(self.add_layer_button)
        head.addWidget(self.remove_layer_button)
        head.addWidget(self.layers_label)
        head.addStretch(1)
        v.addLayout(head)
        self.network = NetworkView()
        self.network.setObjectName("networkView")
        self.network.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        v.addWidget(self.network, 1)
        self.neuron_panel = NeuronPanel()
        v.addWidget(self.neuron_panel)

    def show_layers(self, n: int) -> None:
        self.layers_label.setText(
            f"{n} HIDDEN LAYER{'S' if n != 1 else ''}" if n else "0 HIDDEN LAYERS: A SINGLE NEURON"
        )
        self.add_layer_button.setEnabled(n < MAX_LAYERS)
        self.remove_layer_button.setEnabled(n > 0)


# ------------------------------------------------------------------ the views column
class ViewsPanel(QWidget):
    """The numbers, the plane, the hover readout, the loss and accuracy curves."""

    def __init__(self) -> None:
        super().__init__()
        v = QVBoxLayout(self)
        v.setContentsMargins(0, 0, 0, 0)
        v.setSpacing(2)
        self.metrics_label = QLabel("Training loss –   Test loss –")
        self.metrics_label.setObjectName("metricsLabel")
        self.metrics_label.setTextFormat(Qt.RichText)
        v.addWidget(self.metrics_label)
        self.plane = PlaneView()
        self.plane.setObjectName("boundaryPlane")
        self.plane.setToolTip(
            "The plane coloured by the predicted class (paler = less sure); click to add points."
        )
        self.plane.setMinimumHeight(230)  # 1024x640 windows too; it grows with the window
        self.plane.set_message("Loading PyTorch…")
        v.addWidget(self.plane, 1)
        self.readout = QLabel(" ")
        self.readout.setObjectName("hoverReadout")
        self.readout.setStyleSheet("color: #444;")
        self.readout.setWordWrap(True)  # never cut off: two lines when it needs them
        small = QFontMetrics(self.readout.font())
        self.readout.setFixedHeight(2 * small.lineSpacing() + 4)
        self.explain_button = QToolButton()
        self.explain_button.setObjectName("explainButton")
        self.explain_button.setText("Explain a point…")
        self.explain_button.setCheckable(True)
        self.explain_button.setToolTip(
            "Then click a point of the plane: the Backprop tab shows that point's loss as a "
            "graph with the current weights, and backpropagates through it (for a single "
            "neuron or a small net: up to 2 hidden layers of 4, two classes). The nearest "
            "point gives its class; elsewhere, the class selected under Your points."
        )
        under = QHBoxLayout()
        under.setContentsMargins(0, 0, 0, 0)
        under.addWidget(self.readout, 1)
        under.addWidget(self.explain_button, 0, Qt.AlignTop)
        v.addLayout(under)
        curves = QHBoxLayout()
        curves.setSpacing(4)
        # stepped: the plots set their own ranges in nice steps, cheap to repaint every frame
        self.loss_plot = CurvePlot("Loss", x_label="epoch", y_label="cross-entropy", stepped=True)
        pinned = " Pinned runs: dashed, in the colour of their row under Compare runs."
        self.loss_plot.setToolTip(
            "Cross-entropy on the training points (solid) and the test points (dashed)." + pinned
        )
        self.acc_plot = CurvePlot("Accuracy", x_label="epoch", y_label="%", stepped=True)
        self.acc_plot.setToolTip(
            "The share of points classified right, training (solid) and test (dashed)." + pinned
        )
        for plot in (self.loss_plot, self.acc_plot):
            plot.add_curve("train", TRAIN_COLOR)
            plot.add_curve("test", TEST_COLOR, dashed=True)
            plot.getAxis("left").enableAutoSIPrefix(False)
            plot.setMinimumHeight(140)
            plot.setMaximumHeight(210)
        self.acc_plot.set_y_limits(0, 100)
        curves.addWidget(self.loss_plot)
        curves.addWidget(self.acc_plot)
        v.addLayout(curves)


# ------------------------------------------------------------------ comparing runs
THUMB_PX = 96  # a pinned boundary's picture, shown (stored at ~120 px)


class Thumbnails(QScrollArea):
    """Small multiples: each pinned run's final boundary, labelled in the run's colour."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("runThumbnails")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        inner = QWidget()
        self.row = QHBoxLayout(inner)
        self.row.setContentsMargins(0, 0, 0, 0)
        self.row.setSpacing(6)
        self.empty = QLabel(
            "Pin a run to keep it: its curves stay on the plots (dashed) and its "
            "boundary appears here, next to the runs you pin after it."
        )
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet("color: #666;")
        self.row.addWidget(self.empty, 10)
        self.row.addStretch(1)
        self.setWidget(inner)
        bar = self.horizontalScrollBar().sizeHint().height()
        self.setFixedHeight(THUMB_PX + QFontMetrics(self.font()).lineSpacing() + 14 + bar)
        self.cards: list[QLabel] = []

    def show_runs(self, runs: list[PinnedRun]) -> None:
        """One card per run (its picture and its name), in the table's order."""
        for card in self.cards:
            self.row.removeWidget(card.parentWidget())
            card.parentWidget().deleteLater()
        self.cards = []
        for i, run in enumerate(runs):
            self.row.insertWidget(i, self._card(run))
        self.empty.setVisible(not runs)

    def _card(self, run: PinnedRun) -> QWidget:
        box = QFrame()
        box.setObjectName("runCard")
        box.setStyleSheet(f"#runCard {{ border: 2px solid {run.color}; border-radius: 4px; }}")
        v = QVBoxLayout(box)
        v.setContentsMargins(3, 3, 3, 2)
        v.setSpacing(1)
        picture = QLabel()
        picture.setObjectName("runThumbnail")
        picture.setFixedSize(THUMB_PX, THUMB_PX)
        picture.setAlignment(Qt.AlignCenter)
        pixmap = QPixmap()
        if run.image and pixmap.loadFromData(run.image, "PNG"):
            picture.setPixmap(
                pixmap.scaled(THUMB_PX, THUMB_PX, Qt.KeepAspectRatio, Qt.SmoothTransformation)
            )
        else:
            picture.setText("no picture")
        picture.setToolTip(f"{run.name}: its boundary when it was pinned.")
        name = QLabel(run.name)
        name.setStyleSheet(f"color: {run.color}; font-weight: bold;")
        name.setMaximumWidth(THUMB_PX)
        metrics = QFontMetrics(name.font())
        name.setText(metrics.elidedText(run.name, Qt.ElideRight, THUMB_PX))
        name.setToolTip(run.name)
        v.addWidget(picture)
        v.addWidget(name)
        self.cards.append(picture)
        return box


class ComparePanel(QWidget):
    """The "Compare runs" page: a ready-made comparison, the runs table, the thumbnails."""

    race_clicked = Signal()
    cancel_clicked = Signal()

    def __init__(self, runs: RunsPanel) -> None:
        super().__init__()
        self.runs = runs
        v = QVBoxLayout(self)
        v.setContentsMargins(0, 4, 0, 0)
        v.setSpacing(4)
        row = QHBoxLayout()
        self.race_button = QPushButton("▶ Optimizers on the spiral")
        self.race_button.setObjectName("raceButton")
        self.race_button.setToolTip(
            "One click: SGD, momentum, RMSprop, AdaGrad and Adam each train the same network "
            "on the same spiral points from the same initial weights (init seed 0, whatever "
            "Reset did before: the same results every time) for the same number of epochs; "
            "each run is pinned, its seed in the table. Your settings come back at the end."
        )
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop the comparison; the runs pinned so far stay.")
        self.cancel_button.hide()
        self.race_button.clicked.connect(self.race_clicked)
        self.cancel_button.clicked.connect(self.cancel_clicked)
        row.addWidget(self.race_button)
        row.addWidget(self.cancel_button)
        row.addStretch(1)
        v.addLayout(row)
        self.progress_label = QLabel("")
        self.progress_label.setObjectName("compareProgress")
        self.progress_label.setStyleSheet("color: #444;")
        self.progress_label.setWordWrap(True)
        self.progress_label.hide()
        v.addWidget(self.progress_label)
        v.addWidget(runs, 1)
        self.thumbnails = Thumbnails()
        v.addWidget(self.thumbnails)

    def set_running(self, running: bool) -> None:
        self.race_button.setEnabled(not running)
        self.cancel_button.setVisible(running)
        if running:
            self.progress_label.setText("Starting…")
            self.progress_label.show()

    def show_progress(self, text: str) -> None:
        self.progress_label.setText(text)
        self.progress_label.show()


def add_dataset_icons(box: QComboBox, toy: object) -> None:
    """A small picture of each dataset next to its name, like TF Playground's chooser."""
    import numpy as np
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QIcon

    from playground.core.toy.config import MULTICLASS
    from playground.ui.style import rgb
    from playground.ui.widgets.network import rgba_to_pixmap

    size = 40
    for i in range(box.count()):
        name = box.itemData(i)
        k = 3 if name in MULTICLASS else 2
        X, y = toy.make_dataset(name, 150, 0.1, 0, k)
        xmin, xmax, ymin, ymax = toy.extent(name)
        img = np.full((size, size, 4), 255, np.uint8)
        cols = np.array([rgb(c) for c in OKABE_ITO[:k]], np.uint8)
        px = np.clip(((X[:, 0] - xmin) / (xmax - xmin) * (size - 2)).astype(int), 0, size - 2)
        py = np.clip(((X[:, 1] - ymin) / (ymax - ymin) * (size - 2)).astype(int), 0, size - 2)
        for dx in (0, 1):  # 2x2 dots
            for dy in (0, 1):
                img[py + dy, px + dx, :3] = cols[y]
        box.setItemIcon(i, QIcon(rgba_to_pixmap(img)))
    box.setIconSize(QSize(size // 2 + 4, size // 2 + 4))
