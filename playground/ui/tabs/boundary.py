"""The Decision boundary tab: a small network learns to split the plane, live.

Data on the left (datasets, your own points, input features), the network in the middle
(every neuron's map, every weight), the boundary and the loss curves on the right, run
controls and hyperparameters on top, like TensorFlow Playground.

Threading: the model is built and trained in the worker's thread by :func:`boundary_job`
(torch is imported there, never at start-up). The GUI only reads numpy copies from frames.
Weights set by hand (single-neuron sliders) are handed to the job and applied in its thread.
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QSettings, QSize, Qt, QTimer
from PySide6.QtGui import QDoubleValidator, QFont, QFontMetrics, QIcon
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMenu,
    QMessageBox,
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
    MAX_CLASSES,
    MAX_LAYERS,
    MAX_WIDTH,
    MULTICLASS,
    OPTIMIZER_LABELS,
)
from playground.ui.style import OKABE_ITO, TEST_COLOR, TRAIN_COLOR, rgb
from playground.ui.tabs.base import Tab
from playground.ui.widgets.curves import CurvePlot
from playground.ui.widgets.network import NetworkView, rgba_to_pixmap
from playground.ui.widgets.plane import PlaneView
from playground.ui.widgets.run_controls import RunControls
from playground.ui.worker import Frame, Worker

LR_CHOICES = (1e-5, 1e-4, 3e-4, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
LR_MIN, LR_MAX = 1e-5, 10.0
REG_RATES = (0.0, 1e-4, 3e-4, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
RES = 100  # grid points a side of the boundary view
WEIGHT_RANGE = 10.0  # single-neuron sliders go from -10 to 10


TIPS = {
    "fruit": "Remove both hidden layers: a single neuron draws a straight line. How close does "
    "it get? Then bend the line with a hidden layer, or tick x₁².",
    "circle": "No straight line can do this. A single neuron with x₁² and x₂² can; so can one "
    "hidden layer of 3 or more neurons.",
    "xor": "Try the single feature x₁·x₂ with no hidden layer, or one layer of 4 ReLU neurons.",
    "gauss": "Easy, even for one neuron. Raise the noise and watch the test loss; set 3 to 5 "
    "classes and see softmax share the plane.",
    "spiral": "Hard: 2 layers of 8 tanh neurons with Adam at 0.03, or add the sin features. "
    "Then try ReLU and compare the boundaries.",
    "moons": "One hidden layer of 4 to 6 tanh neurons bends the boundary around the moons. "
    "Hover a neuron to see which part each one draws.",
}


# ----------------------------------------------------------------------------- the job
class _Run:
    """What one job trains: the model (built in the job's thread), the data, hand edits."""

    def __init__(self, model: Any = None, data: tuple | None = None, epoch0: int = 0):
        self.model = model
        self.data = data  # (X_train, y_train, X_test, y_test) or None: the job makes it
        self.epoch0 = epoch0
        self.grid: np.ndarray | None = None
        self._pending: list | None = None
        self._lock = threading.Lock()

    def give(self, weights: list | None) -> None:
        """Weights to load before the next view (set by hand in the GUI)."""
        with self._lock:
            self._pending = weights

    def take(self) -> list | None:
        with self._lock:
            w, self._pending = self._pending, None
        return w


def boundary_job(run: _Run, config: dict, dataset: dict, settings: Any, res: int = RES):
    """The tab's training job: an epoch-``run.epoch0`` view, then toy.train's epochs.

    Runs in the worker's thread: imports torch, makes the data (if ``run.data`` is None)
    and the model (if ``run.model`` is None), then yields Snapshots numbered from
    ``run.epoch0``.  Weights handed over with ``run.give`` are applied when the next view
    is computed, so hand edits never race the training loop.
    """
    from playground.core import toy
    from playground.core.training import Diverged, Snapshot

    if run.data is None:
        X, y = toy.make_dataset(
            dataset["name"], dataset["n"], dataset["noise"], dataset["seed"], dataset["n_classes"]
        )
        run.data = toy.split(X, y, dataset["test_fraction"], seed=dataset["seed"])
    ext = toy.extent(dataset["name"])
    grid = toy.make_grid(ext, res)
    run.grid = grid
    if run.model is None:
        run.model = toy.ToyModel(toy.ToyConfig(**config, extent=ext))
    model = run.model
    X_train, y_train, X_test, y_test = run.data

    def metrics() -> dict[str, float]:
        loss, acc = toy.evaluate(model, X_train, y_train)
        test_loss, test_acc = toy.evaluate(model, X_test, y_test)
        return {"loss": loss, "acc": acc, "test_loss": test_loss, "test_acc": test_acc}

    def view() -> dict[str, Any]:
        maps = model.neuron_maps(grid)
        last = maps[-1]
        probs = np.stack([1 - last[0], last[0]], 1) if model.n_out == 1 else last.T.copy()
        return {"weights": model.weights(), "maps": maps, "probs": probs.astype(np.float32)}

    def with_hand_weights(inner):
        def detail() -> dict[str, Any]:
            weights = run.take()
            if weights is None:
                return inner()
            model.set_weights(weights)
            out = view()
            out["now"] = metrics()  # the loss of the hand-set weights, live
            return out

        return detail

    hand = run.take()
    if hand is not None:
        model.set_weights(hand)
    yield Snapshot(run.epoch0, None, metrics(), detail=with_hand_weights(view), unit="epoch")
    if len(X_train) == 0:
        return
    try:
        for snap in toy.train(model, X_train, y_train, X_test, y_test, settings, grid):
            snap.step += run.epoch0
            snap.detail = with_hand_weights(snap.detail)
            yield snap
    except Diverged as exc:  # number the epoch as the user sees it, keep toy's plain words
        if not run.epoch0:
            raise
        epoch = exc.step + run.epoch0
        err = Diverged(epoch, exc.unit, exc.value)
        err.args = (str(exc).replace(f"epoch {exc.step}", f"epoch {epoch}", 1),)
        raise err from None


# ------------------------------------------------------------------------- small widgets
def _caption(text: str) -> QLabel:
    label = QLabel(text.upper())
    label.setStyleSheet("color: #666; font-size: 8pt; letter-spacing: 0.5px;")
    return label


def _stack(caption: str, widget: QWidget) -> QWidget:
    box = QWidget()
    v = QVBoxLayout(box)
    v.setContentsMargins(0, 0, 0, 0)
    v.setSpacing(1)
    v.addWidget(_caption(caption))
    v.addWidget(widget)
    return box


def _fmt(v: float) -> str:
    return f"{v:g}"


def _as_bool(v: Any, default: bool) -> bool:
    if v is None:
        return default
    if isinstance(v, str):
        return v.lower() in ("1", "true", "yes")
    return bool(v)


def _as_text(v: Any) -> str:
    """A comma-separated setting: QSettings may hand it back as a list of strings."""
    if isinstance(v, (list, tuple)):
        return ",".join(str(x) for x in v)
    return "" if v is None else str(v)


def _class_tint(probs_c: np.ndarray, res: int, color: str) -> np.ndarray:
    """A probability map (m,) as white -> class colour, (res, res, 4) uint8."""
    c = np.array(rgb(color), np.float32)
    a = np.clip(probs_c, 0, 1)[:, None] * 0.9
    img = np.empty((len(probs_c), 4), np.uint8)
    img[:, :3] = 255 - (255 - c) * a
    img[:, 3] = 255
    return img.reshape(res, res, 4)


# ------------------------------------------------------------------------------- the tab
class BoundaryTab(Tab):
    key = "boundary"
    title = "Decision boundary"
    help_html = (
        "<h3>Decision boundary</h3>"
        "<p>A small neural network learns to tell two (or more) kinds of points apart. "
        "The big view colours the plane by the class the network predicts (paler = less sure); "
        "the dark line is its decision boundary. Filled dots train the network, hollow dots "
        "test it.</p>"
        "<ul><li><b>Space</b> play/pause, <b>S</b> one epoch, <b>R</b> new initial weights.</li>"
        "<li>Click the plane to add a point, right-click (or Shift+click) for the other class, "
        "Ctrl+click to remove one.</li>"
        "<li>Hover a neuron to see what it responds to; hover a weight to read it, click it "
        "to set it.</li>"
        "<li>0 hidden layers is a single neuron: its boundary is a line. Set its weights "
        "with the sliders, or drag the line on the plane (the dot moves it, the arrow turns "
        "and sharpens it), then press play and watch gradient descent do it.</li>"
        "<li><b>Ctrl+S</b>/<b>Ctrl+O</b> save/open the whole experiment.</li></ul>"
    )

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.worker = Worker(self)
        self._toy: Any = None  # playground.core.toy once the first job has imported it
        self._run: _Run | None = None
        self._settings: Any = None  # the running job's LiveSettings
        self._data: tuple | None = None  # (X_train, y_train, X_test, y_test)
        self._data_name = "fruit"  # the dataset whose plane the data lives in
        self._init_seed = 0
        self._epoch = 0
        self._curve_epoch = -1  # last epoch drawn on the curves
        self._weights: list | None = None  # latest weights shown
        self._maps: list | None = None
        self._feature_maps: np.ndarray | None = None  # (7, m) all inputs over the plane
        self._hover: tuple[int, int] | None = None
        self._network_due = 0.0  # when the diagram may be redrawn next while training
        self._edges_due = 0.0  # when its edges may be restyled next while training
        self._curves_due = 0.0
        self._curves_drawn = False  # whether this frame redrew the curves
        self._pending_curves: list[tuple[int, dict]] = []
        self._ready = False
        self._plane_stale = True
        self._loading = False  # True while controls are set from a file or settings
        self._hidden: list[int] = [4, 2]
        self._selected_class = 0
        self._build()
        self.worker.frame.connect(self._on_frame)
        self.worker.failed.connect(self._on_failed)
        self.worker.state_changed.connect(self._on_state)
        self.controls.bind(self.worker)
        self._rebuild_network()
        # the first job imports torch (~1 s of CPU, holding the GIL at times): start it once
        # the tab has painted, so the window shows first; at the latest after 1.5 s
        self._first_queued = False
        QTimer.singleShot(1500, self._first_job)

    # ================================================================ layout
    def _build(self) -> None:
        root = QVBoxLayout(self)
        root.setContentsMargins(6, 4, 6, 4)
        root.setSpacing(4)
        root.addWidget(self._build_top())
        self.banner = self._build_banner()
        root.addWidget(self.banner)
        body = QHBoxLayout()
        body.setSpacing(8)
        root.addLayout(body, 1)
        left = self._build_left()
        left.setFixedWidth(250)
        body.addWidget(left)
        body.addWidget(self._build_centre(), 1)
        right = self._build_right()
        right.setFixedWidth(470)
        body.addWidget(right)

    def _build_top(self) -> QWidget:
        bar = QFrame()
        bar.setObjectName("boundaryTopBar")
        bar.setStyleSheet("#boundaryTopBar { background: #f3f4f6; border-radius: 6px; }")
        h = QHBoxLayout(bar)
        h.setContentsMargins(8, 4, 8, 4)
        h.setSpacing(12)
        self.controls = RunControls(step_text="Step")
        self.controls.step_button.setToolTip("Train for exactly one epoch, then pause (S).")
        self.controls.reset_button.setToolTip(
            "New random initial weights, same data; training pauses at epoch 0 (R)."
        )
        self.controls.play_clicked.connect(self.toggle_play)
        self.controls.step_clicked.connect(self.step)
        self.controls.reset_clicked.connect(self.reset)
        self.controls.counter.setVisible(False)
        h.addWidget(self.controls)
        self.epoch_label = QLabel("Epoch 0")
        self.epoch_label.setObjectName("epochLabel")
        self.epoch_label.setToolTip(
            "Epochs trained: one epoch = one pass over the training points."
        )
        font = QFont()
        font.setPointSizeF(15)
        self.epoch_label.setFont(font)
        self.epoch_label.setMinimumWidth(120)
        h.addWidget(self.epoch_label)

        self.lr_combo = QComboBox()
        self.lr_combo.setEditable(True)
        for v in LR_CHOICES:
            self.lr_combo.addItem(_fmt(v), v)
        self.lr_combo.setValidator(QDoubleValidator(LR_MIN, LR_MAX, 6, self))
        self.lr_combo.setCurrentText("0.03")
        self.lr_combo.setToolTip(
            "How big a step the optimizer takes each update (1e-5 to 10; type any value): "
            "too small is slow, too big diverges."
        )
        self.lr_combo.activated.connect(lambda *_: self._lr_edited())
        self.lr_combo.lineEdit().editingFinished.connect(self._lr_edited)
        self.lr_combo.setMinimumWidth(80)
        h.addWidget(_stack("Learning rate", self.lr_combo))

        self.decay_spin = QDoubleSpinBox()
        self.decay_spin.setRange(0.9, 1.0)
        self.decay_spin.setDecimals(4)
        self.decay_spin.setSingleStep(0.001)
        self.decay_spin.setValue(1.0)
        self.decay_spin.setToolTip(
            "Learning-rate decay per epoch: lr = lr₀ · decay^epoch (1 = no decay)."
        )
        self.decay_spin.valueChanged.connect(lambda *_: self._live_changed())
        h.addWidget(_stack("Decay", self.decay_spin))

        self.act_combo = QComboBox()
        for k, v in ACTIVATION_LABELS.items():
            self.act_combo.addItem(v, k)
        self.act_combo.setCurrentIndex(1)
        self.act_combo.setToolTip("The non-linearity each hidden neuron applies to its sum.")
        self.act_combo.currentIndexChanged.connect(lambda *_: self._arch_changed())
        h.addWidget(_stack("Activation", self.act_combo))

        self.opt_combo = QComboBox()
        for k, v in OPTIMIZER_LABELS.items():
            self.opt_combo.addItem(v, k)
        self.opt_combo.setToolTip(
            "How the gradient becomes a step; changing it keeps the weights learned so far."
        )
        self.opt_combo.currentIndexChanged.connect(lambda *_: self._optimizer_changed())
        h.addWidget(_stack("Optimizer", self.opt_combo))

        self.batch_spin = QSpinBox()
        self.batch_spin.setRange(1, 500)
        self.batch_spin.setValue(10)
        self.batch_spin.setToolTip("How many training points each gradient step averages over.")
        self.batch_spin.valueChanged.connect(lambda *_: self._live_changed())
        h.addWidget(_stack("Batch size", self.batch_spin))

        self.reg_combo = QComboBox()
        for text, key in (("None", "none"), ("L1", "l1"), ("L2", "l2")):
            self.reg_combo.addItem(text, key)
        self.reg_combo.setToolTip(
            "Penalise big weights: L1 pushes weights to exactly zero, L2 shrinks them all."
        )
        self.reg_combo.currentIndexChanged.connect(lambda *_: self._live_changed())
        h.addWidget(_stack("Regularization", self.reg_combo))

        self.reg_rate_combo = QComboBox()
        for v in REG_RATES:
            self.reg_rate_combo.addItem(_fmt(v), v)
        self.reg_rate_combo.setCurrentIndex(0)
        self.reg_rate_combo.setToolTip("How strongly big weights are penalised.")
        self.reg_rate_combo.currentIndexChanged.connect(lambda *_: self._live_changed())
        h.addWidget(_stack("Reg. rate", self.reg_rate_combo))
        h.addStretch(1)

        self.file_button = QToolButton()
        self.file_button.setText("File")
        self.file_button.setToolTip("Save or open an experiment, export a picture or code.")
        self.file_button.setPopupMode(QToolButton.InstantPopup)
        menu = QMenu(self.file_button)
        menu.setToolTipsVisible(True)
        for text, slot, tip in (
            ("Save experiment…\tCtrl+S", self.save, "Settings, points and weights in one file."),
            ("Open experiment…\tCtrl+O", self.open, "Load an experiment saved before, exactly."),
            (None, None, None),
            ("Export boundary as PNG…", self._export_png_dialog, "A picture of the big view."),
            (
                "Export as PyTorch script…",
                self._export_script_dialog,
                "A standalone .py file that recreates this data and model and trains it.",
            ),
            (None, None, None),
            ("Save points as CSV…", self._save_csv_dialog, "Your points as x1,x2,label rows."),
            ("Load points from CSV…", self._load_csv_dialog, "Points from an x1,x2,label file."),
        ):
            if text is None:
                menu.addSeparator()
                continue
            action = menu.addAction(text)
            action.setToolTip(tip)
            action.triggered.connect(slot)
        self.file_button.setMenu(menu)
        h.addWidget(self.file_button)
        return bar

    def _build_banner(self) -> QWidget:
        banner = QFrame()
        banner.setObjectName("divergedBanner")
        banner.setStyleSheet(
            "#divergedBanner { background: #fdecea; border: 1px solid #D55E00;"
            " border-radius: 5px; }"
        )
        h = QHBoxLayout(banner)
        h.setContentsMargins(10, 4, 6, 4)
        self.banner_label = QLabel("")
        self.banner_label.setObjectName("divergedMessage")
        self.banner_label.setWordWrap(True)
        h.addWidget(self.banner_label, 1)
        self.banner_reset = QPushButton("Reset")
        self.banner_reset.setToolTip("New random initial weights, then try again.")
        self.banner_reset.clicked.connect(self.reset)
        h.addWidget(self.banner_reset)
        close = QToolButton()
        close.setText("✕")
        close.setToolTip("Hide this message.")
        close.clicked.connect(banner.hide)
        h.addWidget(close)
        banner.hide()
        return banner

    def _build_left(self) -> QWidget:
        col = QWidget()
        v = QVBoxLayout(col)
        v.setContentsMargins(0, 0, 0, 0)
        v.setSpacing(6)

        data = QGroupBox("Data")
        g = QGridLayout(data)
        g.setContentsMargins(6, 4, 6, 6)
        g.setVerticalSpacing(3)
        self.dataset_combo = QComboBox()
        for k, text in DATASET_TITLES.items():
            self.dataset_combo.addItem(text, k)
        self.dataset_combo.setToolTip(
            "Which points to learn: fruit is the story (safe or poisonous?), the rest are classics."
        )
        self.dataset_combo.currentIndexChanged.connect(lambda *_: self._dataset_changed())
        g.addWidget(self.dataset_combo, 0, 0, 1, 3)
        self.classes_spin = QSpinBox()
        self.classes_spin.setRange(2, MAX_CLASSES)
        self.classes_spin.setToolTip(
            "How many classes (2 to 5): blobs and spiral make that many;"
            " elsewhere click to add them."
        )
        self.classes_spin.valueChanged.connect(lambda *_: self._classes_changed())
        g.addWidget(QLabel("Classes"), 1, 0)
        g.addWidget(self.classes_spin, 1, 1, 1, 2)
        self.points_spin = QSpinBox()
        self.points_spin.setRange(10, 2000)
        self.points_spin.setSingleStep(50)
        self.points_spin.setValue(400)
        self.points_spin.setToolTip("How many points to generate (training and test together).")
        self.points_spin.valueChanged.connect(lambda *_: self._regenerate())
        g.addWidget(QLabel("Points"), 2, 0)
        g.addWidget(self.points_spin, 2, 1, 1, 2)
        self.noise_slider = QSlider(Qt.Horizontal)
        self.noise_slider.setRange(0, 50)
        self.noise_slider.setValue(10)
        self.noise_slider.setToolTip("How much the points are jittered (0 = clean).")
        self.noise_label = QLabel("0.10")
        self.noise_slider.valueChanged.connect(self._noise_moved)
        self.noise_slider.sliderReleased.connect(self._regenerate)
        g.addWidget(QLabel("Noise"), 3, 0)
        g.addWidget(self.noise_slider, 3, 1)
        g.addWidget(self.noise_label, 3, 2)
        self.test_slider = QSlider(Qt.Horizontal)
        self.test_slider.setRange(10, 90)
        self.test_slider.setSingleStep(10)
        self.test_slider.setPageStep(10)
        self.test_slider.setValue(50)
        self.test_slider.setToolTip(
            "The share of points held out to test the network (hollow dots);"
            " it never trains on them."
        )
        self.test_label = QLabel("50%")
        self.test_slider.valueChanged.connect(self._test_moved)
        self.test_slider.sliderReleased.connect(self._regenerate)
        g.addWidget(QLabel("Test share"), 4, 0)
        g.addWidget(self.test_slider, 4, 1)
        g.addWidget(self.test_label, 4, 2)
        self.seed_spin = QSpinBox()
        self.seed_spin.setRange(0, 99999)
        self.seed_spin.setToolTip("Same seed, same points: change it for a new random draw.")
        self.seed_spin.valueChanged.connect(lambda *_: self._regenerate())
        regen = QPushButton("New points")
        regen.setToolTip("Draw a fresh set of points (the next seed).")
        regen.clicked.connect(lambda: self.seed_spin.setValue(self.seed_spin.value() + 1))
        g.addWidget(QLabel("Seed"), 5, 0)
        g.addWidget(self.seed_spin, 5, 1)
        g.addWidget(regen, 5, 2)
        g.setColumnStretch(1, 1)
        v.addWidget(data)

        own = QGroupBox("Your points")
        o = QVBoxLayout(own)
        o.setContentsMargins(6, 4, 6, 6)
        o.setSpacing(3)
        self.class_row = QHBoxLayout()
        self.class_row.setSpacing(3)
        self.class_group = QButtonGroup(self)
        self.class_group.setExclusive(True)
        self.class_group.idClicked.connect(self._class_picked)
        o.addLayout(self.class_row)
        row = QHBoxLayout()
        self.eraser = QToolButton()
        self.eraser.setText("Eraser")
        self.eraser.setCheckable(True)
        self.eraser.setToolTip("While on, a click removes the nearest point (same as Ctrl+click).")
        clear = QToolButton()
        clear.setText("Clear all")
        clear.setToolTip("Remove every point, to draw your own data from scratch.")
        clear.clicked.connect(self.clear_points)
        row.addWidget(self.eraser)
        row.addWidget(clear)
        o.addLayout(row)
        row = QHBoxLayout()
        load_csv = QToolButton()
        load_csv.setText("Load CSV…")
        load_csv.setToolTip("Load points from a CSV file with columns x1,x2,label.")
        load_csv.clicked.connect(self._load_csv_dialog)
        save_csv = QToolButton()
        save_csv.setText("Save CSV…")
        save_csv.setToolTip("Save every point (training and test) as x1,x2,label rows.")
        save_csv.clicked.connect(self._save_csv_dialog)
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
        v.addWidget(own)

        feats = QGroupBox("Input features")
        f = QGridLayout(feats)
        f.setContentsMargins(6, 4, 6, 6)
        f.setVerticalSpacing(2)
        self.feature_boxes: dict[str, QCheckBox] = {}
        tips = {
            "x1": "The point's horizontal position.",
            "x2": "The point's vertical position.",
            "x1^2": "The horizontal position squared: lets one neuron make a curved boundary.",
            "x2^2": "The vertical position squared.",
            "x1*x2": "The product of both positions: positive in two opposite corners.",
            "sin x1": "A sine wave along the horizontal axis.",
            "sin x2": "A sine wave along the vertical axis.",
        }
        for i, key in enumerate(FEATURES):
            box = QCheckBox(FEATURE_LABELS[key])
            box.setChecked(key in ("x1", "x2"))
            box.setToolTip(tips[key] + " (Also: click its node in the network.)")
            box.toggled.connect(lambda *_: self._arch_changed())
            f.addWidget(box, i // 2, i % 2)
            self.feature_boxes[key] = box
        v.addWidget(feats)

        show = QGroupBox("Show")
        s = QVBoxLayout(show)
        s.setContentsMargins(6, 4, 6, 6)
        s.setSpacing(2)
        self.show_test_box = QCheckBox("Test points (hollow)")
        self.show_test_box.setChecked(True)
        self.show_test_box.setToolTip("Show the held-out test points as hollow circles.")
        self.show_test_box.toggled.connect(lambda on: self.plane.set_show_test(on))
        self.discretize_box = QCheckBox("Discretize output")
        self.discretize_box.setToolTip(
            "Colour only the predicted class, hiding how sure the network is."
        )
        self.discretize_box.toggled.connect(lambda on: self.plane.set_discretize(on))
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
        return col

    def _build_centre(self) -> QWidget:
        col = QWidget()
        v = QVBoxLayout(col)
        v.setContentsMargins(0, 0, 0, 0)
        v.setSpacing(2)
        head = QHBoxLayout()
        head.addStretch(1)
        self.add_layer_button = QToolButton()
        self.add_layer_button.setText("+")
        self.add_layer_button.setToolTip(f"Add a hidden layer (at most {MAX_LAYERS}).")
        self.add_layer_button.clicked.connect(self.add_layer)
        self.remove_layer_button = QToolButton()
        self.remove_layer_button.setText("−")
        self.remove_layer_button.setToolTip(
            "Remove the last hidden layer (0 layers = a single neuron)."
        )
        self.remove_layer_button.clicked.connect(self.remove_layer)
        self.layers_label = QLabel("")
        self.layers_label.setStyleSheet("font-weight: bold; color: #333;")
        head.addWidget(self.add_layer_button)
        head.addWidget(self.remove_layer_button)
        head.addWidget(self.layers_label)
        head.addStretch(1)
        v.addLayout(head)
        self.network = NetworkView()
        self.network.setObjectName("networkView")
        self.network.setToolTip("")
        self.network.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.network.neuron_hovered.connect(self._neuron_hovered)
        self.network.neuron_left.connect(self._neuron_left)
        self.network.width_changed.connect(self.change_width)
        self.network.feature_toggled.connect(self._toggle_feature)
        self.network.edge_clicked.connect(self._edit_weight)
        v.addWidget(self.network, 1)
        v.addWidget(self._build_neuron_panel())
        return col

    def _build_neuron_panel(self) -> QWidget:
        box = QGroupBox("Be the optimizer: a single neuron")
        box.setObjectName("singleNeuronPanel")
        self.neuron_panel = box
        v = QVBoxLayout(box)
        v.setContentsMargins(8, 4, 8, 6)
        v.setSpacing(2)
        self.equation_label = QLabel("")
        self.equation_label.setObjectName("equationLabel")
        self.equation_label.setTextFormat(Qt.RichText)
        self.equation_label.setStyleSheet("font-size: 11pt;")
        v.addWidget(self.equation_label)
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
        box.hide()
        return box

    def _build_right(self) -> QWidget:
        col = QWidget()
        v = QVBoxLayout(col)
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
        self.plane.clicked.connect(self._plane_clicked)
        self.plane.line_dragged.connect(self._line_dragged)
        self.plane.hovered.connect(self._plane_hovered)
        self.plane.left.connect(lambda: self.readout.setText(" "))
        self.plane.set_message("Loading PyTorch…")
        v.addWidget(self.plane, 1)
        self.readout = QLabel(" ")
        self.readout.setObjectName("hoverReadout")
        self.readout.setStyleSheet("color: #444;")
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
        return col

    # ================================================================ state -> config
    def _features(self) -> tuple[str, ...]:
        return tuple(k for k in FEATURES if self.feature_boxes[k].isChecked())

    def _n_classes(self) -> int:
        return self.classes_spin.value()

    def _dataset(self) -> dict:
        return {
            "name": self.dataset_combo.currentData(),
            "n": self.points_spin.value(),
            "noise": self.noise_slider.value() / 100,
            "seed": self.seed_spin.value(),
            "test_fraction": self.test_slider.value() / 100,
            "n_classes": self._n_classes(),
        }

    def learning_rate(self) -> float:
        """The learning rate in the box (clamped to 1e-5..10)."""
        try:
            v = float(self.lr_combo.currentText())
        except ValueError:
            v = 0.03
        return min(max(v, LR_MIN), LR_MAX) if math.isfinite(v) else 0.03

    def _live_values(self, epoch0: int = 0) -> dict:
        reg = self.reg_combo.currentData()
        rate = float(self.reg_rate_combo.currentData())
        decay = self.decay_spin.value()
        return {
            "lr": self.learning_rate() * decay**epoch0,  # toy counts epochs from 0 per job
            "decay": decay,
            "l1": rate if reg == "l1" else 0.0,
            "l2": rate if reg == "l2" else 0.0,
            "batch_size": self.batch_spin.value(),
        }

    def _config(self) -> dict:
        live = self._live_values()
        return {
            "hidden": tuple(self._hidden),
            "activation": self.act_combo.currentData(),
            "features": self._features(),
            "n_classes": self._n_classes(),
            "optimizer": self.opt_combo.currentData(),
            "lr": live["lr"],
            "decay": live["decay"],
            "batch_size": live["batch_size"],
            "l1": live["l1"],
            "l2": live["l2"],
            "seed": self._init_seed,
            "device": self.device,
        }

    def single_neuron(self) -> bool:
        """True in single-neuron mode: no hidden layers and two classes."""
        return not self._hidden and self._n_classes() == 2

    # ================================================================ jobs
    def paintEvent(self, event) -> None:  # noqa: N802 - Qt name
        super().paintEvent(event)
        if not self._first_queued:
            self._first_queued = True
            QTimer.singleShot(30, self._first_job)  # after this paint reaches the screen

    def _first_job(self) -> None:
        if self._run is None:
            self._start_job(play=False)

    def _start_job(
        self,
        model: Any = None,
        epoch0: int = 0,
        play: bool = False,
        weights: list | None = None,
    ) -> None:
        """Start a job: a new model (``model`` None) or go on training ``model``."""
        from playground.core.training import LiveSettings

        if model is None:
            self._clear_curves()
            self._epoch = 0
            self._weights = None  # until the new model's first view
        run = _Run(model, self._data, epoch0)
        run.give(weights)
        self._run = run
        self._settings = LiveSettings(**self._live_values(epoch0))
        job = boundary_job(run, self._config(), self._dataset(), self._settings, RES)
        self.banner.hide()
        if play and (self._data is None or len(self._data[0]) > 0):
            self.worker.start(job, paused=False)
        else:
            self.worker.start(job, paused=True)
            self.worker.step(1)  # compute the epoch-0 view, then wait

    def _restart(self, reinit: bool) -> None:
        """A new job after a change: fresh weights (``reinit``) or the same model on new data."""
        if self._run is None:
            return
        play = self.worker.state == "running"
        self.worker.stop()
        model = None if reinit else self._run.model
        if model is not None:
            model.config.optimizer = self.opt_combo.currentData()
        self._start_job(model, 0 if model is None else self._epoch, play=play)

    def _clear_curves(self) -> None:
        for plot in (self.loss_plot, self.acc_plot):
            plot.clear_curves()  # back to epochs 0..10
        self._curve_epoch = -1
        self._pending_curves = []

    # ================================================================ run controls
    def toggle_play(self) -> None:
        """Play or pause; with no job (or after divergence) go on from the current weights."""
        if self.worker.state == "running":
            self.worker.pause()
        elif self.worker.has_job():
            if self._data is not None and len(self._data[0]) == 0:
                self._no_points()
                return
            self.worker.play()
        else:
            if self._data is not None and len(self._data[0]) == 0:
                self._no_points()
                return
            model = self._run.model if self._run is not None else None
            self._start_job(model, self._epoch if model is not None else 0, play=True)

    def step(self) -> None:
        """Train exactly one epoch, then pause."""
        if self._data is not None and len(self._data[0]) == 0:
            self._no_points()
            return
        if not self.worker.has_job():
            model = self._run.model if self._run is not None else None
            self._start_job(model, self._epoch if model is not None else 0)
        self.worker.step(1)

    def reset(self) -> None:
        """New initial weights, same data; paused at epoch 0."""
        self._init_seed += 1
        self.worker.stop()
        self._start_job(None, 0, play=False)

    def _no_points(self) -> None:
        self.plane.set_message("No training points: click on the plane to add some.")

    def _live_changed(self) -> None:
        if self._settings is not None and self._run is not None:
            self._settings.update(**self._live_values(self._run.epoch0))

    def _lr_edited(self) -> None:
        v = self.learning_rate()
        if self.lr_combo.currentText() != _fmt(v):
            self.lr_combo.setCurrentText(_fmt(v))
        self._live_changed()

    def set_learning_rate(self, lr: float) -> None:
        """Set the learning rate (as if typed); a running job picks it up next epoch."""
        self.lr_combo.setCurrentText(_fmt(lr))
        self._lr_edited()

    def _optimizer_changed(self) -> None:
        if not self._loading:
            self._restart(reinit=False)  # a new optimizer, the same weights

    def _arch_changed(self) -> None:
        if not self._features():  # at least one input
            self.feature_boxes["x1"].setChecked(True)
            return
        self._rebuild_network()
        if not self._loading:
            self._restart(reinit=True)

    # ================================================================ architecture
    def add_layer(self) -> None:
        """One more hidden layer (as wide as the last one, or 4)."""
        if len(self._hidden) < MAX_LAYERS:
            self._hidden.append(self._hidden[-1] if self._hidden else 4)
            self._arch_changed()

    def remove_layer(self) -> None:
        """Drop the last hidden layer (down to none: a single neuron)."""
        if self._hidden:
            self._hidden.pop()
            self._arch_changed()

    def change_width(self, layer: int, delta: int) -> None:
        """Add ``delta`` neurons to hidden layer ``layer`` (0-based), within 1..32."""
        if 0 <= layer < len(self._hidden):
            new = min(max(self._hidden[layer] + delta, 1), MAX_WIDTH)
            if new != self._hidden[layer]:
                self._hidden[layer] = new
                self._arch_changed()

    def set_hidden(self, hidden: tuple[int, ...] | list[int]) -> None:
        """Set every hidden layer's width at once (() = a single neuron)."""
        hidden = [min(max(int(h), 1), MAX_WIDTH) for h in hidden][:MAX_LAYERS]
        if hidden != self._hidden:
            self._hidden = hidden
            self._arch_changed()

    def _toggle_feature(self, key: str) -> None:
        box = self.feature_boxes[key]
        box.setChecked(not box.isChecked())

    def _class_names(self) -> list[str]:
        name, n = self._data_name, self._n_classes()
        if self._toy is not None:
            names = list(self._toy.class_names(name, n))
        else:
            names = ["safe", "poisonous"] if name == "fruit" else []
        return (names + [f"class {i}" for i in range(len(names), n)])[:n]

    def _rebuild_network(self) -> None:
        n = len(self._hidden)
        self.layers_label.setText(
            f"{n} HIDDEN LAYER{'S' if n != 1 else ''}" if n else "0 HIDDEN LAYERS: A SINGLE NEURON"
        )
        self.add_layer_button.setEnabled(n < MAX_LAYERS)
        self.remove_layer_button.setEnabled(n > 0)
        names = self._class_names()
        outs = [names[1]] if self._n_classes() == 2 else names
        self.network.set_architecture(
            [(k, FEATURE_LABELS[k]) for k in FEATURES], self._features(), tuple(self._hidden), outs
        )
        self._weights = None
        self._maps = None
        self._hover = None
        if self._feature_maps is not None:
            self.network.show_maps(0, self._feature_maps, RES, per_node=True)
        self._rebuild_class_buttons()
        self._rebuild_sliders()

    def _rebuild_class_buttons(self) -> None:
        self.tip_label.setText(TIPS.get(self.dataset_combo.currentData(), ""))
        for b in self.class_group.buttons():
            self.class_group.removeButton(b)
            self.class_row.removeWidget(b)
            b.hide()
            b.deleteLater()
        names = self._class_names()
        n = self._n_classes()
        self._selected_class = min(self._selected_class, n - 1)
        for i in range(n):
            b = QToolButton()
            b.setCheckable(True)
            name = names[i] if i < len(names) else f"class {i}"
            b.setText(name if self._data_name == "fruit" else str(i))
            b.setToolTip(f"Clicks on the plane add points of {name}.")
            b.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
            c = OKABE_ITO[i]
            b.setStyleSheet(
                f"QToolButton {{ border: 2px solid {c}; border-radius: 4px; padding: 1px 4px; }}"
                f"QToolButton:checked {{ background: {c}; color: white; font-weight: bold; }}"
            )
            self.class_group.addButton(b, i)
            self.class_row.addWidget(b)
            b.setChecked(i == self._selected_class)

    def _class_picked(self, i: int) -> None:
        self._selected_class = i

    # ================================================================ data
    def _noise_moved(self, v: int) -> None:
        self.noise_label.setText(f"{v / 100:.2f}")
        if not self.noise_slider.isSliderDown():
            self._regenerate()

    def _test_moved(self, v: int) -> None:
        self.test_label.setText(f"{v}%")
        if not self.test_slider.isSliderDown():
            self._regenerate()

    def _dataset_changed(self) -> None:
        self._regenerate()

    def _classes_changed(self) -> None:
        n = self._n_classes()
        if self._loading:
            return
        if self.dataset_combo.currentData() in MULTICLASS or self._data is None:
            self._rebuild_network()
            self._regenerate()
            return
        # keep the points; those of classes that no longer exist go
        Xtr, ytr, Xte, yte = self._data
        self._data = (Xtr[ytr < n], ytr[ytr < n], Xte[yte < n], yte[yte < n])
        self._rebuild_network()
        self._plane_stale = True
        self._sync_plane()
        self._restart(reinit=True)

    def _regenerate(self) -> None:
        """New points from the data settings; the network starts again."""
        if self._loading or self._run is None:
            return
        d = self._dataset()
        self._data_name = d["name"]
        if self._toy is not None:
            X, y = self._toy.make_dataset(d["name"], d["n"], d["noise"], d["seed"], d["n_classes"])
            self._data = self._toy.split(X, y, d["test_fraction"], seed=d["seed"])
        else:
            self._data = None  # the job makes it
        self._rebuild_network()
        self._plane_stale = True
        self._sync_plane()
        self._restart(reinit=True)

    def _plane_clicked(self, x: float, y: float, button: Any, modifiers: Any) -> None:
        if self._data is None:
            return
        mods = Qt.KeyboardModifiers(modifiers)
        if self.eraser.isChecked() or mods & Qt.ControlModifier:
            self.remove_nearest(x, y)
            return
        label = self._selected_class
        if button == Qt.RightButton or mods & Qt.ShiftModifier:
            label = (label + 1) % self._n_classes()
        self.add_point(x, y, label)

    def add_point(self, x: float, y: float, label: int) -> None:
        """Add a training point of class ``label`` at plane coordinates (x, y)."""
        if self._data is None:
            return
        Xtr, ytr, Xte, yte = self._data
        Xtr = np.concatenate([Xtr, np.array([[x, y]], np.float32)])
        ytr = np.concatenate([ytr, np.array([label], np.int64)])
        self._data = (Xtr, ytr, Xte, yte)
        self._points_changed()

    def remove_nearest(self, x: float, y: float) -> bool:
        """Remove the point (training or test) nearest (x, y), if one is close enough."""
        if self._data is None:
            return False
        Xtr, ytr, Xte, yte = self._data
        xmin, xmax, ymin, ymax = self._extent()
        reach = 0.06 * max(xmax - xmin, ymax - ymin)
        best = None
        for which, X in ((0, Xtr), (1, Xte)):
            if len(X):
                d = np.hypot(X[:, 0] - x, X[:, 1] - y)
                i = int(d.argmin())
                if d[i] <= reach and (best is None or d[i] < best[0]):
                    best = (d[i], which, i)
        if best is None:
            return False
        _, which, i = best
        if which == 0:
            self._data = (np.delete(Xtr, i, 0), np.delete(ytr, i), Xte, yte)
        else:
            self._data = (Xtr, ytr, np.delete(Xte, i, 0), np.delete(yte, i))
        self._points_changed()
        return True

    def clear_points(self) -> None:
        """Remove every point (then click to add your own)."""
        e2, e1 = np.zeros((0, 2), np.float32), np.zeros(0, np.int64)
        self._data = (e2, e1, e2.copy(), e1.copy())
        self._points_changed()

    def points(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
        """(X_train, y_train, X_test, y_test) as shown, or None before the first data."""
        return self._data

    def _points_changed(self) -> None:
        self._sync_points()
        if self._data is not None and len(self._data[0]) == 0:
            self.worker.stop()
            self._no_points()
            return
        self.plane.set_message("")
        self._restart(reinit=False)  # same weights, new data: watch the boundary adapt

    def _extent(self) -> tuple[float, float, float, float]:
        if self._toy is not None:
            return self._toy.extent(self._data_name)
        return (0.0, 10.0, 0.0, 10.0) if self._data_name == "fruit" else (-6.0, 6.0, -6.0, 6.0)

    def _sync_plane(self) -> None:
        """Extent, axis labels, feature thumbnails and points of the current data."""
        if self._toy is None:
            return
        toy = self._toy
        if self._plane_stale:
            self._plane_stale = False
            ext = toy.extent(self._data_name)
            xl, yl = toy.axis_labels(self._data_name)
            self.plane.set_extent(ext, xl, yl, RES)
            grid = toy.make_grid(ext, RES)
            self._feature_maps = toy.features(grid, FEATURES, ext).T.copy()  # (7, m)
            self.network.show_maps(0, self._feature_maps, RES, per_node=True)
            self._rebuild_class_buttons()
        self._sync_points()

    def _sync_points(self) -> None:
        if self._data is not None:
            self.plane.set_points(*self._data, self._n_classes())

    # ================================================================ frames
    def _on_frame(self, frame: Frame) -> None:
        run = self._run
        if run is None:
            return
        if self._toy is None:  # the job has imported it: free here now
            from playground.core import toy

            self._toy = toy
            self._plane_stale = True
            self._rebuild_network()
            self._add_dataset_icons()
        if self._data is None and run.data is not None:
            self._data = run.data
            self._plane_stale = True
        if self._plane_stale:
            self._sync_plane()
        self._epoch = frame.step
        self.epoch_label.setText(f"Epoch {frame.step:,}")
        # curves: every epoch since the last frame (drawn ~10 times a second while training)
        for step, m in frame.history:
            if step > self._curve_epoch:
                self._curve_epoch = step
                self._pending_curves.append((step, m))
        now = time.perf_counter()
        running = self.worker.state == "running"
        self._curves_drawn = False
        if not running or now >= self._curves_due:
            self._curves_drawn = running and bool(self._pending_curves)
            self._flush_curves()
            self._curves_due = now + 0.1
        d = frame.detail
        metrics = d.get("now", frame.metrics)
        self._show_metrics(metrics, frame.metrics.get("lr"))
        if "probs" in d:
            self._show_detail(d)
            self.plane.set_message("")
            self._ready = True

    def _flush_curves(self) -> None:
        if not self._pending_curves:
            return
        xs = [step for step, _ in self._pending_curves]
        col = {
            k: np.array([m.get(k, math.nan) for _, m in self._pending_curves], float)
            for k in ("loss", "test_loss", "acc", "test_acc")
        }
        self._pending_curves = []
        self.loss_plot.append("train", xs, col["loss"])
        self.loss_plot.append("test", xs, col["test_loss"])
        self.acc_plot.append("train", xs, col["acc"] * 100)
        self.acc_plot.append("test", xs, col["test_acc"] * 100)

    def _add_dataset_icons(self) -> None:
        """A small picture of each dataset next to its name, like TF Playground's chooser."""
        size = 40
        for i in range(self.dataset_combo.count()):
            name = self.dataset_combo.itemData(i)
            k = 3 if name in MULTICLASS else 2
            X, y = self._toy.make_dataset(name, 150, 0.1, 0, k)
            xmin, xmax, ymin, ymax = self._toy.extent(name)
            img = np.full((size, size, 4), 255, np.uint8)
            cols = np.array([rgb(c) for c in OKABE_ITO[:k]], np.uint8)
            px = np.clip(((X[:, 0] - xmin) / (xmax - xmin) * (size - 2)).astype(int), 0, size - 2)
            py = np.clip(((X[:, 1] - ymin) / (ymax - ymin) * (size - 2)).astype(int), 0, size - 2)
            for dx in (0, 1):  # 2x2 dots
                for dy in (0, 1):
                    img[py + dy, px + dx, :3] = cols[y]
            icon = QIcon(rgba_to_pixmap(img))
            self.dataset_combo.setItemIcon(i, icon)
        self.dataset_combo.setIconSize(QSize(size // 2 + 4, size // 2 + 4))

    def _show_metrics(self, m: dict, lr: float | None = None) -> None:
        def pct(v: float) -> str:
            return f"{100 * v:.1f}%" if math.isfinite(v) else "–"

        def num(v: float) -> str:
            return f"{v:.3f}" if math.isfinite(v) else "–"

        text = (
            f"<span style='color:{TRAIN_COLOR}'>Training loss <b>{num(m.get('loss', math.nan))}</b>"
            f" ({pct(m.get('acc', math.nan))} right)</span> &nbsp; "
            f"<span style='color:{TEST_COLOR}'>Test loss <b>{num(m.get('test_loss', math.nan))}"
            f"</b> ({pct(m.get('test_acc', math.nan))} right)</span>"
        )
        if lr is not None and self.decay_spin.value() < 1:
            text += f" &nbsp; lr now {lr:.3g}"
        self.metrics_label.setText(text)
        if self.single_neuron():
            self.hand_loss_label.setText(
                f"Training loss <b>{num(m.get('loss', math.nan))}</b>, "
                f"{pct(m.get('acc', math.nan))} of training points right"
            )

    def _show_detail(self, d: dict) -> None:
        self._weights = d["weights"]
        self._maps = d.get("maps")
        probs = d["probs"]
        if self._hover is None:
            self.plane.show_probs(probs)
        else:
            self.plane._probs = probs  # keep for later, show the hovered neuron's map
            self._show_hovered()
        # the diagram can cost more than the plane (6 x 32 neurons): while training, redraw
        # it at most ~10 times a second and spend at most about a quarter of the GUI
        # thread's time on it (its updates and its last repaint)
        # (not in the same frame as the curves: one repaint never pays for both)
        now = time.perf_counter()
        if self.worker.state == "running" and (now < self._network_due or self._curves_drawn):
            self._update_single_neuron()
            return
        if self.worker.state != "running" or now >= self._edges_due:
            # restyling edges redraws all of them (thousands in a big net): pace it alone
            self.network.show_weights(self._weights)
            self._edges_due = now + max(0.25, 15 * self.network.edges_seconds)
        self._show_neuron_maps()
        cost = time.perf_counter() - now + self.network.paint_seconds
        self._network_due = now + max(0.1, 3 * cost)
        self._update_single_neuron()

    def _show_neuron_maps(self) -> None:
        if self._maps is not None:
            centre = 0.5 if self.act_combo.currentData() == "sigmoid" else 0.0
            scale = {"tanh": 1.0, "sigmoid": 0.5}.get(self.act_combo.currentData())
            for layer in range(1, len(self._maps) - 1):
                self.network.show_maps(layer, self._maps[layer], RES, centre, scale)
            out = self._maps[-1]
            if self._n_classes() == 2:
                self.network.show_maps(len(self._maps) - 1, out, RES, 0.5, 0.5)
            else:
                images = [_class_tint(p, RES, OKABE_ITO[c])[::2, ::2] for c, p in enumerate(out)]
                self.network.show_images(len(self._maps) - 1, images)

    # ================================================================ hover
    def _neuron_hovered(self, layer: int, index: int) -> None:
        self._hover = (layer, index)
        self._show_hovered()

    def _neuron_left(self) -> None:
        self._hover = None
        self.plane.set_caption("")
        self.plane.restore_probs()

    def _show_hovered(self) -> None:
        if self._hover is None:
            return
        layer, index = self._hover
        self.plane.set_caption(
            self.network.describe_node(layer, index).split(":")[0].split(" (")[0]
        )
        if layer == 0:
            if self._feature_maps is not None:
                self.plane.show_map(self._feature_maps[index])
            return
        if self._maps is None or layer >= len(self._maps):
            return
        values = self._maps[layer][index]
        if layer == len(self._maps) - 1:
            if self._n_classes() == 2:
                self.plane.restore_probs()
            else:
                self.plane.show_map(values, 0.0)
        else:
            centre = 0.5 if self.act_combo.currentData() == "sigmoid" else 0.0
            self.plane.show_map(values, centre)

    def _plane_hovered(self, x: float, y: float) -> None:
        xl, yl = ("x1", "x2") if self._toy is None else self._toy.axis_labels(self._data_name)
        text = f"{xl} = {x:.2f}, {yl} = {y:.2f}"
        p = self.plane.probs_at(x, y)
        if p is not None:
            names = self._class_names()
            k = int(p.argmax())
            text += f":  the network says {names[k]} ({100 * p[k]:.0f}% sure)"
        self.readout.setText(text)

    # ================================================================ single neuron
    def _rebuild_sliders(self) -> None:
        while self.slider_grid.count():
            item = self.slider_grid.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.weight_sliders = []
        single = self.single_neuron()
        self.neuron_panel.setVisible(single)
        self.plane.set_single_neuron(None)
        if not single:
            return
        names = [FEATURE_LABELS[k] for k in self._features()]
        for row, name in enumerate([f"w{i + 1}  ({n})" for i, n in enumerate(names)] + ["b"]):
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

    def _update_single_neuron(self) -> None:
        if not self.single_neuron() or self._weights is None or not self.weight_sliders:
            return
        W, b = self._weights[0]
        values = [*W[0].tolist(), float(b[0])]
        if len(values) != len(self.weight_sliders):
            return
        self._show_on_sliders(values)
        self._draw_neuron_equation(values)

    def _show_on_sliders(self, values: list[float]) -> None:
        """Put w1, w2, ..., b on the sliders and their labels (without moving the weights)."""
        for (s, label), v in zip(self.weight_sliders, values, strict=True):
            s.setEnabled(True)
            label.setText(f"{v:+.2f}")
            if not s.isSliderDown():
                s.blockSignals(True)
                s.setValue(int(round(max(-WEIGHT_RANGE, min(WEIGHT_RANGE, float(v))) * 100)))
                s.blockSignals(False)

    def _draw_neuron_equation(self, values: list[float]) -> None:
        names = [FEATURE_LABELS[k] for k in self._features()]
        terms = " ".join(
            f"{'−' if w < 0 else '+'} {abs(w):.2f}·{n}"
            for w, n in zip(values[:-1], names, strict=True)
        )
        terms = terms[2:] if terms.startswith("+ ") else "−" + terms[2:]
        b = values[-1]
        eq = f"{terms} {'−' if b < 0 else '+'} {abs(b):.2f}"
        cls = self._class_names()[1]
        ext = self._extent()
        note = ""
        if tuple(ext) != (-6.0, 6.0, -6.0, 6.0):
            note = " (x₁, x₂: the axes rescaled to −6…6)"
        small = f"<span style='color:#777; font-size:8pt'>{note}</span>" if note else ""
        self.equation_label.setText(f"p({cls}) = σ({eq}){small}")
        self.equation_label.setToolTip(
            "The neuron's output: sigmoid of a weighted sum of its inputs." + note
        )
        line = None
        if self._features() == ("x1", "x2") and self._toy is not None:
            (cx, cy), (fx, fy) = self._toy.input_scaling(ext)
            a1, a2 = values[0] * fx, values[1] * fy
            line = (a1, a2, b - a1 * cx - a2 * cy)
        self.plane.set_single_neuron(line, f"{eq} = 0" if line else "")

    def _line_dragged(self, a1: float, a2: float, a0: float) -> None:
        """A handle on the plane moved the line a1*x + a2*y + a0 = 0: back to w1, w2, b."""
        if self._weights is None or self._toy is None or self._features() != ("x1", "x2"):
            return
        (cx, cy), (fx, fy) = self._toy.input_scaling(self._extent())
        W = np.array([[a1 / fx, a2 / fy]], np.float32)
        b = np.array([a0 + a1 * cx + a2 * cy], np.float32)
        self._show_on_sliders([*W[0].tolist(), float(b[0])])
        self.set_neuron_weights(W, b)

    def _slider_moved(self, *_: Any) -> None:
        if self._weights is None or self._run is None:
            return
        values = [s.value() / 100 for s, _ in self.weight_sliders]
        for (_, label), v in zip(self.weight_sliders, values, strict=True):
            label.setText(f"{v:+.2f}")
        W = np.array([values[:-1]], np.float32)
        b = np.array([values[-1]], np.float32)
        self.set_neuron_weights(W, b)

    def set_neuron_weights(self, W: np.ndarray, b: np.ndarray) -> None:
        """Set the single neuron's weights by hand; the view and the loss follow."""
        weights = [(np.asarray(W, np.float32), np.asarray(b, np.float32))]
        self._draw_neuron_equation([*weights[0][0][0].tolist(), float(weights[0][1][0])])
        self.set_weights(weights)

    def set_weight(self, layer: int, out: int, inp: int, value: float) -> None:
        """Set one weight (layer ``layer``, from input ``inp`` to neuron ``out``) by hand."""
        if self._weights is None:
            return
        weights = [(W.copy(), b.copy()) for W, b in self._weights]
        weights[layer][0][out, inp] = value
        self.set_weights(weights)

    def set_weights(self, weights: list) -> None:
        """Load weights by hand (training pauses); the views and the loss follow."""
        self._weights = weights
        if self.worker.state == "running":
            self.worker.pause()
        if self.worker.has_job():
            self._run.give(weights)
            self.worker.refresh()
        elif self._run is not None and self._run.model is not None:
            self._start_job(self._run.model, self._epoch, weights=weights)

    def _edit_weight(self, layer: int, out: int, inp: int) -> None:
        if self._weights is None:
            return
        if self.worker.state == "running":
            self.worker.pause()
        old = float(self._weights[layer][0][out, inp])
        value, ok = QInputDialog.getDouble(
            self,
            "Set a weight",
            self.network.describe_edge(layer, out, inp).split(":")[0] + ":",
            old,
            -100.0,
            100.0,
            3,
        )
        if ok:
            self.set_weight(layer, out, inp, value)

    # ================================================================ worker state
    def _on_failed(self, message: str) -> None:
        self.banner_label.setText(f"<b>{message}</b>" if "diverged" in message.lower() else message)
        self.banner.show()

    def _on_state(self, state: str) -> None:
        if state == "running":
            self.banner.hide()
        else:
            self._flush_curves()

    @property
    def epoch(self) -> int:
        """The epoch shown (the number of epochs trained)."""
        return self._epoch

    def is_ready(self) -> bool:
        return self._ready

    def status_text(self) -> str:
        w = self.worker
        if w.state == "running":
            return f"{self.title}: training, epoch {self._epoch:,}, {w.rate:,.0f} epochs/s"
        if w.state == "failed":
            return f"{self.title}: stopped (diverged) at epoch {self._epoch:,}"
        if not self._ready:
            return f"{self.title}: loading PyTorch…"
        return f"{self.title}: paused at epoch {self._epoch:,}"

    def set_device(self, device: str) -> None:
        super().set_device(device)
        model = self._run.model if self._run is not None else None
        if model is not None and device != "auto" and model.device.type != device:
            self._restart(reinit=True)  # the model lives on the old device: start again there

    def shutdown(self) -> None:
        self.worker.stop()

    # ================================================================ files
    def _ask_path(self, save: bool, title: str, filt: str, suffix: str) -> str | None:
        if save:
            path, _ = QFileDialog.getSaveFileName(self, title, "", filt)
        else:
            path, _ = QFileDialog.getOpenFileName(self, title, "", filt)
        if not path:
            return None
        if save and not Path(path).suffix:
            path += suffix
        return path

    def _error(self, title: str, text: str) -> None:
        QMessageBox.warning(self, title, text)

    def save(self) -> None:
        """Ctrl+S: save the whole experiment to one file."""
        path = self._ask_path(True, "Save experiment", "Experiment (*.json)", ".json")
        if path:
            self.save_experiment_to(path)

    def open(self) -> None:
        """Ctrl+O: open an experiment saved before."""
        path = self._ask_path(False, "Open experiment", "Experiment (*.json);;All files (*)", "")
        if path:
            self.load_experiment_from(path)

    def experiment(self) -> dict:
        """Everything needed to come back to exactly this state."""
        Xtr, ytr, Xte, yte = self._data
        config = dict(self._config())
        config["hidden"], config["features"] = list(config["hidden"]), list(config["features"])
        config["lr"] = self.learning_rate()
        config["extent"] = list(self._extent())
        curves = {}
        for name, plot in (("loss", self.loss_plot), ("acc", self.acc_plot)):
            for series in ("train", "test"):
                x, y = plot.data(series)
                curves[f"{name}/{series}"] = [x.tolist(), y.tolist()]
        return {
            "config": config,
            "dataset": self._dataset(),
            "X": Xtr,
            "y": ytr,
            "X_test": Xte,
            "y_test": yte,
            "weights": self._weights,
            "epoch": self._epoch,
            "ui": {
                "show_test": self.show_test_box.isChecked(),
                "discretize": self.discretize_box.isChecked(),
                "regularization": self.reg_combo.currentData(),
                "reg_rate": float(self.reg_rate_combo.currentData()),
                "curves": curves,
            },
        }

    def save_experiment_to(self, path: str) -> bool:
        """Save the experiment to ``path``; a message on failure."""
        if self._data is None or self._weights is None:
            self._error("Save experiment", "Nothing to save yet: wait for the network to load.")
            return False
        try:
            from playground.core import toy

            toy.save_experiment(path, self.experiment())
        except Exception as exc:  # noqa: BLE001 - the user sees why
            self._error("Save experiment", f"Could not save {path}:\n{exc}")
            return False
        return True

    def load_experiment_from(self, path: str) -> bool:
        """Load an experiment file: settings, points, weights and epoch, exactly."""
        try:
            from playground.core import toy

            exp = toy.load_experiment(path)
            cfg, ds = exp["config"], exp["dataset"]
            data = (
                np.asarray(exp["X"], np.float32).reshape(-1, 2),
                np.asarray(exp["y"], np.int64),
                np.asarray(exp["X_test"], np.float32).reshape(-1, 2),
                np.asarray(exp["y_test"], np.int64),
            )
            weights = [
                (np.asarray(W, np.float32), np.asarray(b, np.float32)) for W, b in exp["weights"]
            ]
        except Exception as exc:  # noqa: BLE001
            self._error("Open experiment", f"Could not open {path}:\n{exc}")
            return False
        ui = exp.get("ui") or {}
        self.worker.stop()
        self._loading = True
        try:
            self._set_combo(self.dataset_combo, ds.get("name", "fruit"))
            self.points_spin.setValue(int(ds.get("n", 400)))
            self.noise_slider.setValue(int(round(float(ds.get("noise", 0.1)) * 100)))
            self.test_slider.setValue(int(round(float(ds.get("test_fraction", 0.5)) * 100)))
            self.seed_spin.setValue(int(ds.get("seed", 0)))
            self.classes_spin.setValue(int(cfg.get("n_classes", 2)))
            self._hidden = [int(h) for h in cfg.get("hidden", [])]
            self._set_combo(self.act_combo, cfg.get("activation", "tanh"))
            self._set_combo(self.opt_combo, cfg.get("optimizer", "sgd"))
            for k, box in self.feature_boxes.items():
                box.setChecked(k in cfg.get("features", ["x1", "x2"]))
            self.lr_combo.setCurrentText(_fmt(float(cfg.get("lr", 0.03))))
            self.decay_spin.setValue(float(cfg.get("decay", 1.0)))
            self.batch_spin.setValue(int(cfg.get("batch_size", 10)))
            reg = ui.get("regularization") or (
                "l1" if cfg.get("l1") else "l2" if cfg.get("l2") else "none"
            )
            self._set_combo(self.reg_combo, reg)
            rate = float(ui.get("reg_rate", cfg.get("l1") or cfg.get("l2") or 0.0))
            self._set_reg_rate(rate)
            self.show_test_box.setChecked(bool(ui.get("show_test", True)))
            self.discretize_box.setChecked(bool(ui.get("discretize", False)))
            self._init_seed = int(cfg.get("seed", 0))
        finally:
            self._loading = False
        self._data_name = self.dataset_combo.currentData()
        self._data = data
        self._plane_stale = True
        self._rebuild_network()
        self._sync_plane()
        self._start_job(None, int(exp.get("epoch", 0)), weights=weights)
        self._epoch = int(exp.get("epoch", 0))
        self.epoch_label.setText(f"Epoch {self._epoch:,}")
        curves = ui.get("curves") or {}
        for key, (xs, ys) in curves.items():
            name, series = key.split("/")
            plot = self.loss_plot if name == "loss" else self.acc_plot
            plot.append(series, xs, ys)
            if xs:
                self._curve_epoch = max(self._curve_epoch, int(max(xs)))
        return True

    @staticmethod
    def _set_combo(combo: QComboBox, data: Any) -> None:
        i = combo.findData(data)
        if i >= 0:
            combo.setCurrentIndex(i)

    def _set_reg_rate(self, rate: float) -> None:
        i = int(np.argmin([abs(r - rate) for r in REG_RATES]))
        self.reg_rate_combo.setCurrentIndex(i)

    def _save_csv_dialog(self) -> None:
        path = self._ask_path(True, "Save points", "CSV (*.csv)", ".csv")
        if path:
            self.save_points_csv_to(path)

    def _load_csv_dialog(self) -> None:
        path = self._ask_path(False, "Load points", "CSV (*.csv);;All files (*)", "")
        if path:
            self.load_points_csv_from(path)

    def save_points_csv_to(self, path: str) -> bool:
        """Every point (training, then test) as x1,x2,label rows."""
        if self._data is None:
            return False
        Xtr, ytr, Xte, yte = self._data
        try:
            from playground.core import toy

            toy.save_points_csv(path, np.concatenate([Xtr, Xte]), np.concatenate([ytr, yte]))
        except Exception as exc:  # noqa: BLE001
            self._error("Save points", f"Could not save {path}:\n{exc}")
            return False
        return True

    def load_points_csv_from(self, path: str) -> bool:
        """Points from a CSV file, split into training and test by the test share."""
        try:
            from playground.core import toy

            X, y = toy.load_points_csv(path)
            if len(y) and int(y.max()) >= MAX_CLASSES:
                raise ValueError(f"labels must be 0 to {MAX_CLASSES - 1}, found {int(y.max())}")
            if len(y) and int(y.min()) < 0:
                raise ValueError(f"labels must be 0 to {MAX_CLASSES - 1}, found {int(y.min())}")
        except Exception as exc:  # noqa: BLE001
            self._error("Load points", f"Could not load {path}:\n{exc}")
            return False
        n = max(2, int(y.max()) + 1) if len(y) else 2
        data = toy.split(X, y, self.test_slider.value() / 100, seed=self.seed_spin.value())
        self._loading = True
        try:
            if self._n_classes() < n:
                self.classes_spin.setValue(n)
        finally:
            self._loading = False
        self._data = data
        self._rebuild_network()
        self._sync_points()
        self.plane.set_message("" if len(data[0]) else "No training points in that file.")
        self.worker.stop()
        self._start_job(None, 0)
        return True

    def _export_png_dialog(self) -> None:
        path = self._ask_path(True, "Export boundary as PNG", "PNG image (*.png)", ".png")
        if path:
            self.export_png_to(path)

    def export_png_to(self, path: str) -> bool:
        """A PNG of the boundary view."""
        if not self.plane.export_png(path):
            self._error("Export PNG", f"Could not write {path}.")
            return False
        return True

    def _export_script_dialog(self) -> None:
        path = self._ask_path(True, "Export as PyTorch script", "Python (*.py)", ".py")
        if path:
            self.export_script_to(path)

    def export_script_to(self, path: str, epochs: int = 300) -> bool:
        """A standalone PyTorch script that recreates this data and model and trains it."""
        if self._data is None:
            return False
        try:
            from playground.core import toy

            cfg = dict(self._config())
            cfg["lr"] = self.learning_rate()
            config = toy.ToyConfig(**cfg, extent=self._extent())
            text = toy.export_script(
                config,
                *self._data,
                epochs=epochs,
                dataset=self.dataset_combo.currentText(),
                filename=Path(path).name,
            )
            Path(path).write_text(text, encoding="utf-8")
        except Exception as exc:  # noqa: BLE001
            self._error("Export as code", f"Could not export {path}:\n{exc}")
            return False
        return True

    # ================================================================ settings
    def save_settings(self, s: QSettings) -> None:
        s.setValue("dataset", self.dataset_combo.currentData())
        s.setValue("points", self.points_spin.value())
        s.setValue("noise", self.noise_slider.value())
        s.setValue("test_share", self.test_slider.value())
        s.setValue("seed", self.seed_spin.value())
        s.setValue("classes", self._n_classes())
        s.setValue("hidden", ",".join(str(h) for h in self._hidden))
        s.setValue("activation", self.act_combo.currentData())
        s.setValue("features", ",".join(self._features()))
        s.setValue("optimizer", self.opt_combo.currentData())
        s.setValue("lr", self.learning_rate())
        s.setValue("decay", self.decay_spin.value())
        s.setValue("batch", self.batch_spin.value())
        s.setValue("regularization", self.reg_combo.currentData())
        s.setValue("reg_rate", float(self.reg_rate_combo.currentData()))
        s.setValue("show_test", self.show_test_box.isChecked())
        s.setValue("discretize", self.discretize_box.isChecked())

    def restore_settings(self, s: QSettings) -> None:
        self._loading = True
        try:
            with contextlib.suppress(TypeError, ValueError):
                self._set_combo(self.dataset_combo, s.value("dataset", "fruit"))
                self.points_spin.setValue(int(s.value("points", 400)))
                self.noise_slider.setValue(int(s.value("noise", 10)))
                self.test_slider.setValue(int(s.value("test_share", 50)))
                self.seed_spin.setValue(int(s.value("seed", 0)))
                self.classes_spin.setValue(int(s.value("classes", 2)))
                hidden = _as_text(s.value("hidden", "4,2"))
                self._hidden = [
                    min(max(int(h), 1), MAX_WIDTH) for h in hidden.split(",") if h.strip()
                ][:MAX_LAYERS]
                self._set_combo(self.act_combo, s.value("activation", "tanh"))
                feats = [
                    f for f in _as_text(s.value("features", "x1,x2")).split(",") if f in FEATURES
                ]
                for k, box in self.feature_boxes.items():
                    box.setChecked(k in (feats or ["x1", "x2"]))
                self._set_combo(self.opt_combo, s.value("optimizer", "sgd"))
                self.lr_combo.setCurrentText(_fmt(float(s.value("lr", 0.03))))
                self.decay_spin.setValue(float(s.value("decay", 1.0)))
                self.batch_spin.setValue(int(s.value("batch", 10)))
                self._set_combo(self.reg_combo, s.value("regularization", "none"))
                self._set_reg_rate(float(s.value("reg_rate", 0.0)))
                self.show_test_box.setChecked(_as_bool(s.value("show_test"), True))
                self.discretize_box.setChecked(_as_bool(s.value("discretize"), False))
        finally:
            self._loading = False
        self._data_name = self.dataset_combo.currentData()
        self._rebuild_network()
