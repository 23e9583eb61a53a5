"""The tab's widgets, bound to its state: the top bar, the data column, the network
column (with the single-neuron panel) and the views column.  Widgets and signals only."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QDoubleValidator, QFont, QFontMetrics
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSizePolicy,
    QSlider,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from playground.core.toy_names import (
    ACTIVATION_LABELS,
    DATASET_TITLES,
    FEATURE_LABELS,
    FEATURES,
    MAX_LAYERS,
    OPTIMIZER_LABELS,
)
from playground.ui.binding import bind, format_number
from playground.ui.style import OKABE_ITO, TEST_COLOR, TRAIN_COLOR
from playground.ui.tabs.boundary.state import LR_CHOICES, REG_RATES, BoundaryState
from playground.ui.widgets.curves import CurvePlot
from playground.ui.widgets.network import NetworkView
from playground.ui.widgets.plane import PlaneView
from playground.ui.widgets.run_controls import RunControls

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


# ------------------------------------------------------------------ the top bar
class TopBar(QFrame):
    """Run controls, the epoch, and how the network trains; the File menu."""

    def __init__(self, state: BoundaryState, files: list[tuple[str, Callable, str] | None]):
        super().__init__()
        self.setObjectName("boundaryTopBar")
        self.setStyleSheet("#boundaryTopBar { background: #f3f4f6; border-radius: 6px; }")
        h = QHBoxLayout(self)
        h.setContentsMargins(8, 4, 8, 4)
        h.setSpacing(12)
        h.addWidget(self._run_controls())
        h.addWidget(self.epoch_label)
        self._training_widgets(state, h)
        h.addStretch(1)
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
        self.epoch_label.setMinimumWidth(120)
        return self.controls

    def _training_widgets(self, state: BoundaryState, h: QHBoxLayout) -> None:
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
        v.addWidget(self.equation_label)
        self.scaled_label = QLabel("")  # the same neuron on the rescaled inputs
        self.scaled_label.setObjectName("scaledEquationLabel")
        self.scaled_label.setStyleSheet("color: #666; font-size: 8pt;")
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
        self.plane.setMinimumHeight(380)
        self.plane.set_message("Loading PyTorch…")
        v.addWidget(self.plane, 1)
        self.readout = QLabel(" ")
        self.readout.setObjectName("hoverReadout")
        self.readout.setStyleSheet("color: #444;")
        self.readout.setWordWrap(True)  # never cut off: two lines when it needs them
        small = QFontMetrics(self.readout.font())
        self.readout.setFixedHeight(2 * small.lineSpacing() + 4)
        v.addWidget(self.readout)
        curves = QHBoxLayout()
        curves.setSpacing(4)
        # stepped: the plots set their own ranges in nice steps, cheap to repaint every frame
        self.loss_plot = CurvePlot("Loss", x_label="epoch", y_label="cross-entropy", stepped=True)
        self.loss_plot.setToolTip("Cross-entropy on the training points and the test points.")
        self.acc_plot = CurvePlot("Accuracy", x_label="epoch", y_label="%", stepped=True)
        self.acc_plot.setToolTip("The share of points classified right, training and test.")
        for plot in (self.loss_plot, self.acc_plot):
            plot.add_curve("train", TRAIN_COLOR)
            plot.add_curve("test", TEST_COLOR, dashed=True)
            plot.getAxis("left").enableAutoSIPrefix(False)
            plot.setMinimumHeight(170)
            plot.setMaximumHeight(210)
        self.acc_plot.plotItem.legend.setOffset((-10, -10))  # bottom right: curves rise
        self.acc_plot.set_y_limits(0, 100)
        curves.addWidget(self.loss_plot)
        curves.addWidget(self.acc_plot)
        v.addLayout(curves)


def add_dataset_icons(box: QComboBox, toy: object) -> None:
    """A small picture of each dataset next to its name, like TF Playground's chooser."""
    import numpy as np
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QIcon

    from playground.core.toy_names import MULTICLASS
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
