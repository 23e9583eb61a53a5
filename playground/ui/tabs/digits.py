"""The Digits tab: draw a digit, watch the network read it, train MNIST / Fashion-MNIST models.

Left: the draw pad, the live prediction (probability bars and the top class), and what
the network sees (the 28x28 input it gets, and either the first-layer weights that
push hardest toward its answer (MLPs) or the first convolution's feature maps (CNN)).
Right: Train (settings, progress, live curves), Results (test accuracy, confusion
matrix, the most confident mistakes) and Browse (random test images).

The shipped default model (numpy, from scripts/make_pretrained.py) loads in a thread
right after the window shows; datasets load in threads; training runs in the worker.
torch is imported only by the worker thread or when a torch model is opened.
"""

from __future__ import annotations

import contextlib
import time
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSlider,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from playground.core import digits
from playground.core.training import LiveSettings
from playground.ui.background import run_in_thread
from playground.ui.style import TEST_COLOR, TRAIN_COLOR
from playground.ui.tabs.base import Tab, setting
from playground.ui.widgets.curves import CurvePlot
from playground.ui.widgets.digit_views import (
    ConfusionMatrix,
    Gallery,
    ImageView,
    ProbabilityBars,
    mosaic,
)
from playground.ui.widgets.drawpad import DrawPad
from playground.ui.widgets.run_controls import RunControls
from playground.ui.worker import Frame, Worker

HELP = """
<h3>Digits: a classifier you can draw for</h3>
<p><b>Draw</b> a digit on the pad (left mouse button). The network's answer updates while you
draw: ten probability bars and its top guess. Right-click or <b>Delete</b> clears the pad,
<b>Ctrl+Z</b> undoes the last stroke.</p>
<p><b>What the network sees</b>: your drawing is turned into a 28x28 image the way MNIST was
made: cropped to the ink, scaled to fit a 20x20 box, and placed so its centre of mass is in
the middle. For an MLP the tiles are the first-layer weights (each a 28x28 template, red
positive, blue negative) of the hidden units that push hardest toward the answer; for the CNN
they are the first convolution's feature maps.</p>
<p><b>Train</b> your own model: choose the dataset (MNIST digits or Fashion-MNIST clothes), the
model (a network written from scratch in numpy, a torch MLP, or a small CNN), epochs, batch
size and learning rate, then press Play (Space). Curves show the loss and accuracy on the
training batches and, after each epoch, on the 10,000 test images. When training ends your
model drives the pad. Ctrl+S saves it, Ctrl+O opens a saved one.</p>
<p><b>Results</b>: the test accuracy, the confusion matrix (rows: true class, columns: the
prediction; click a cell to see its images) and the mistakes the model was most sure about.
<b>Browse</b> shows random test images with the model's guesses.</p>
<p>Keys: Space play/pause, S step, R back to the shipped model, Delete clear the pad.</p>
"""

BRUSH_DEFAULT = 18


def _fmt_time(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    return f"{seconds // 60}:{seconds % 60:02d}"


def _room_for_lines(label: QLabel, lines: int) -> None:
    """A wrapped label in a squeezed layout otherwise gets one line and clips the rest."""
    label.setMinimumHeight(lines * label.fontMetrics().lineSpacing() + 4)


class DigitsTab(Tab):
    """Draw, predict, train on MNIST and Fashion-MNIST."""

    key = "digits"
    title = "Digits"
    help_html = HELP

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.models: dict[str, digits.Classifier] = {}  # the model driving the pad, per dataset
        self.sources: dict[str, str] = {}  # where each model came from (for labels)
        self.sets: dict[str, dict[str, tuple[np.ndarray, np.ndarray]]] = {}
        self.evaluation: digits.Evaluation | None = None
        self._evaluated_model: digits.Classifier | None = None
        self._loading: set[str] = set()
        self._fetcher = None
        self._pending_train = False
        self._start_paused = False
        self._job: dict[str, Any] = {}
        self._job_config: digits.TrainConfig | None = None
        self._last_probs: np.ndarray | None = None
        self.latency_ms = 0.0
        self.worker = Worker(self)
        self.live = LiveSettings(lr=1e-3)

        self._build()
        self.worker.frame.connect(self._on_frame)
        self.worker.finished.connect(self._on_finished)
        self.worker.failed.connect(self._on_failed)
        self.worker.state_changed.connect(self._on_state)
        self._predict_timer = QTimer(self)
        self._predict_timer.setSingleShot(True)
        self._predict_timer.setInterval(0)
        self._predict_timer.timeout.connect(self.predict_now)
        QTimer.singleShot(0, self._start)  # after the window shows

    # ================================================================= building
    def _build(self) -> None:
        splitter = QSplitter(Qt.Horizontal)
        splitter.addWidget(self._build_left())
        splitter.addWidget(self._build_right())
        splitter.setStretchFactor(0, 5)
        splitter.setStretchFactor(1, 4)
        splitter.setSizes([760, 600])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(splitter)
        self._apply_defaults()
        self._show_empty()

    def _build_left(self) -> QWidget:
        left = QWidget()
        v = QVBoxLayout(left)
        v.setContentsMargins(0, 0, 0, 0)

        top = QHBoxLayout()
        pad_box = QVBoxLayout()
        self.pad = DrawPad(brush=BRUSH_DEFAULT)
        self.pad.setMinimumSize(240, 240)  # small windows shrink the pad, never overlap it
        self.pad.changed.connect(self._schedule_predict)
        pad_box.addWidget(self.pad, 1)
        tools = QHBoxLayout()
        tools.addWidget(QLabel("Brush"))
        self.brush_slider = QSlider(Qt.Horizontal)
        self.brush_slider.setRange(6, 40)
        self.brush_slider.setValue(BRUSH_DEFAULT)
        self.brush_slider.setToolTip("Thickness of the pen for the next strokes.")
        self.brush_slider.valueChanged.connect(self.pad.set_brush)
        tools.addWidget(self.brush_slider, 1)
        self.undo_button = QPushButton("Undo")
        self.undo_button.setToolTip("Remove the last stroke (Ctrl+Z).")
        self.undo_button.clicked.connect(self.pad.undo)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip("Wipe the pad (Delete, or right-click on the pad).")
        self.clear_button.clicked.connect(self.pad.clear)
        tools.addWidget(self.undo_button)
        tools.addWidget(self.clear_button)
        pad_box.addLayout(tools)
        top.addLayout(pad_box, 3)

        answer = QVBoxLayout()
        self.prediction_label = QLabel("")
        self.prediction_label.setObjectName("predictionLabel")
        self.prediction_label.setToolTip("The network's top guess and how sure it is.")
        self.prediction_label.setWordWrap(True)
        self.prediction_label.setMinimumHeight(56)
        font = self.prediction_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.7)
        font.setBold(True)
        self.prediction_label.setFont(font)
        answer.addWidget(self.prediction_label)
        self.bars = ProbabilityBars()
        self.bars.setToolTip("The probability the network gives each class for your drawing.")
        self.bars.setMinimumWidth(230)
        answer.addWidget(self.bars, 1)
        self.model_label = QLabel("Loading the shipped model...")
        self.model_label.setObjectName("digitsModelLabel")
        self.model_label.setWordWrap(True)
        self.model_label.setToolTip("The model that reads your drawing right now.")
        answer.addWidget(self.model_label)
        top.addLayout(answer, 2)
        v.addLayout(top, 3)

        sees = QGroupBox("What the network sees")
        sees.setToolTip("The input the network gets, and what inside it responds.")
        h = QHBoxLayout(sees)
        self.input_view = ImageView("28x28 input")
        self.input_view.setToolTip(
            "Your drawing as the network gets it: cropped, scaled to fit 20x20 and centred "
            "by mass in 28x28 like MNIST (Fashion-MNIST: scaled to fill 28x28)."
        )
        self.input_view.setFixedSize(170, 190)
        h.addWidget(self.input_view)
        self.insight_view = ImageView("")
        self.insight_view.setToolTip(
            "MLP: the first-layer weights of the hidden units that add most to the answer "
            "(red: ink here helps, blue: ink here hurts). CNN: the first layer's feature maps."
        )
        self.insight_view.setMinimumHeight(190)
        h.addWidget(self.insight_view, 1)
        self.insight_caption = QLabel("")
        self.insight_caption.setWordWrap(True)
        self.insight_caption.setFixedWidth(150)
        self.insight_caption.setToolTip("Which units the tiles are and how much each one adds.")
        h.addWidget(self.insight_caption)
        v.addWidget(sees, 2)
        return left

    def _build_right(self) -> QWidget:
        self.pages = QTabWidget()
        self.pages.addTab(self._build_train(), "Train")
        self.pages.addTab(self._build_results(), "Results")
        self.pages.addTab(self._build_browse(), "Browse test set")
        self.pages.setTabToolTip(0, "Train a model of your own and watch it learn.")
        self.pages.setTabToolTip(1, "How the model does on the 10,000 test images.")
        self.pages.setTabToolTip(2, "Random test images and what the model says about them.")
        self.pages.currentChanged.connect(self._page_changed)
        return self.pages

    def _build_train(self) -> QWidget:
        page = QWidget()
        v = QVBoxLayout(page)
        form = QFormLayout()
        self.dataset_combo = QComboBox()
        for name in digits.DATASETS:
            self.dataset_combo.addItem(digits.DATASET_TITLES[name], name)
        self.dataset_combo.setToolTip(
            "MNIST: handwritten digits. Fashion-MNIST: small photos of clothes, same size, "
            "harder. The pad uses the model of the dataset chosen here."
        )
        self.dataset_combo.currentIndexChanged.connect(self._dataset_changed)
        form.addRow("Dataset", self.dataset_combo)
        self.model_combo = QComboBox()
        for name in digits.MODELS:
            self.model_combo.addItem(digits.MODEL_TITLES[name], name)
        self.model_combo.setToolTip(
            "From scratch: numpy only, backward pass by hand. MLP: the same idea in torch. "
            "CNN: convolutions that look at small patches (best, slowest)."
        )
        self.model_combo.currentIndexChanged.connect(self._apply_defaults)
        form.addRow("Model", self.model_combo)
        self.epochs_spin = QSpinBox()
        self.epochs_spin.setRange(1, 100)
        self.epochs_spin.setToolTip("How many times training goes through all 60,000 images.")
        form.addRow("Epochs", self.epochs_spin)
        self.batch_spin = QSpinBox()
        self.batch_spin.setRange(8, 2048)
        self.batch_spin.setSingleStep(32)
        self.batch_spin.setToolTip("Images per gradient step (minibatch size).")
        form.addRow("Batch size", self.batch_spin)
        self.lr_spin = QDoubleSpinBox()
        self.lr_spin.setDecimals(5)
        self.lr_spin.setRange(1e-5, 2.0)
        self.lr_spin.setSingleStep(0.0005)
        self.lr_spin.setToolTip(
            "Step size at the start (it shrinks a little every epoch); a change reaches "
            "a running training at once."
        )
        self.lr_spin.valueChanged.connect(lambda v: self.live.update(lr=float(v)))
        form.addRow("Learning rate", self.lr_spin)
        self.defaults_button = QPushButton("Defaults for this model")
        self.defaults_button.setToolTip("Put back the recommended settings of this model.")
        self.defaults_button.clicked.connect(self._apply_defaults)
        self.device_label = QLabel("Device: CPU")
        self.device_label.setObjectName("digitsDevice")
        self.device_label.setToolTip("Where training computes (choose at the top right).")
        row = QHBoxLayout()
        row.addWidget(self.defaults_button)
        row.addWidget(self.device_label, 1)
        form.addRow("", row)
        v.addLayout(form)

        self.controls = RunControls(step_text="Step", show_progress=True, show_stop=True)
        self.controls.play_button.setToolTip("Start training, or pause / resume it (Space).")
        self.controls.step_button.setToolTip("Train a few more batches, then pause (S).")
        self.controls.reset_button.setToolTip(
            "Stop and go back to the shipped model of this dataset (R)."
        )
        self.controls.stop_button.setToolTip(
            "Stop training; the pad then uses the model as it is now."
        )
        self.controls.progress.setFormat("not training")
        self.controls.progress.setValue(0)
        self.controls.bind(self.worker)
        self.controls.play_clicked.connect(self.toggle_play)
        self.controls.step_clicked.connect(self.step)
        self.controls.reset_clicked.connect(self.reset)
        self.controls.stop_clicked.connect(self.stop_training)
        self.controls.stop_button.setEnabled(False)
        v.addWidget(self.controls)
        v.addWidget(self.controls.progress)  # a row of its own: epoch, batch, ETA need room
        self.train_status = QLabel("Press Play to train a model of your own.")
        self.train_status.setObjectName("trainStatus")
        self.train_status.setWordWrap(True)
        v.addWidget(self.train_status)

        self.loss_plot = CurvePlot("Loss (cross-entropy)", x_label="epoch", y_label="loss")
        self.loss_plot.add_curve("train (batches)", TRAIN_COLOR, width=1.5)
        self.loss_plot.add_curve("test", TEST_COLOR, symbol="o")
        self.loss_plot.setToolTip(
            "Training loss on recent batches, and test loss after each epoch."
        )
        self.acc_plot = CurvePlot("Accuracy", x_label="epoch", y_label="accuracy")
        self.acc_plot.add_curve("train (batches)", TRAIN_COLOR, width=1.5)
        self.acc_plot.add_curve("test", TEST_COLOR, symbol="o")
        self.acc_plot.setToolTip(
            "Share of images classified right: recent batches and the test set."
        )
        self.acc_plot.plotItem.legend.setOffset((-10, -40))  # bottom right: curves rise to 1
        for plot in (self.loss_plot, self.acc_plot):  # the legend stays readable over curves
            plot.plotItem.legend.setBrush(pg.mkBrush(255, 255, 255, 210))
        v.addWidget(self.loss_plot, 1)
        v.addWidget(self.acc_plot, 1)

        files = QHBoxLayout()
        self.save_button = QPushButton("Save model...")
        self.save_button.setToolTip("Save the model the pad uses to a .safetensors file (Ctrl+S).")
        self.save_button.clicked.connect(self.save)
        self.open_button = QPushButton("Open model...")
        self.open_button.setToolTip("Load a model saved by this tab (Ctrl+O).")
        self.open_button.clicked.connect(self.open)
        files.addWidget(self.save_button)
        files.addWidget(self.open_button)
        files.addStretch(1)
        v.addLayout(files)
        return page

    def _build_results(self) -> QWidget:
        page = QWidget()
        v = QVBoxLayout(page)
        self.results_label = QLabel("")
        self.results_label.setObjectName("resultsLabel")
        self.results_label.setWordWrap(True)
        self.results_label.setToolTip("The model's accuracy on the 10,000 test images.")
        _room_for_lines(self.results_label, 2)
        v.addWidget(self.results_label)
        self.download_button = QPushButton("Download the dataset")
        self.download_button.setToolTip("Fetch the dataset (about 30 MB) and check its checksums.")
        self.download_button.clicked.connect(self._download_current)
        self.download_button.setVisible(False)
        v.addWidget(self.download_button)
        self.confusion = ConfusionMatrix()
        self.confusion.setToolTip(
            "Rows: the true class; columns: what the model said. The diagonal is right; "
            "click any cell to see those images below."
        )
        self.confusion.cell_clicked.connect(self._cell_clicked)
        v.addWidget(self.confusion, 3)
        row = QHBoxLayout()
        self.gallery_label = QLabel("")
        self.gallery_label.setWordWrap(True)
        _room_for_lines(self.gallery_label, 2)
        row.addWidget(self.gallery_label, 1)
        self.all_mistakes_button = QPushButton("All mistakes")
        self.all_mistakes_button.setToolTip("Show the mistakes the model was most sure about.")
        self.all_mistakes_button.clicked.connect(self._show_mistakes)
        row.addWidget(self.all_mistakes_button)
        v.addLayout(row)
        self.mistakes = Gallery()
        self.mistakes.setObjectName("mistakesGallery")
        self.mistakes.setToolTip("Test images with their true label, the guess and its confidence.")
        v.addWidget(self.mistakes, 2)
        return page

    def _build_browse(self) -> QWidget:
        page = QWidget()
        v = QVBoxLayout(page)
        row = QHBoxLayout()
        self.browse_label = QLabel("Random test images and the model's guesses (red: wrong).")
        self.browse_label.setWordWrap(True)
        row.addWidget(self.browse_label, 1)
        self.shuffle_button = QPushButton("Show other images")
        self.shuffle_button.setToolTip("Pick 48 new random images from the test set.")
        self.shuffle_button.clicked.connect(self._browse)
        row.addWidget(self.shuffle_button)
        v.addLayout(row)
        self.browser = Gallery(icon=56)
        self.browser.setObjectName("browseGallery")
        self.browser.setToolTip("Each image: its true label, the model's guess and confidence.")
        v.addWidget(self.browser, 1)
        return page

    # ================================================================= start-up, loading
    def _start(self) -> None:
        self._ensure_model(self.dataset)  # small: the pad works at once

    def showEvent(self, event) -> None:  # noqa: N802 - Qt name
        """The datasets (~55 MB) load when the tab is first shown, not at every launch."""
        super().showEvent(event)
        self._ensure_data(self.dataset, download=False)

    @property
    def dataset(self) -> str:
        return self.dataset_combo.currentData() or "mnist"

    @property
    def model_kind(self) -> str:
        return self.model_combo.currentData() or "mlp"

    @property
    def clf(self) -> digits.Classifier | None:
        """The model that reads the pad now."""
        return self.models.get(self.dataset)

    def _ensure_model(self, dataset: str) -> None:
        if dataset in self.models or f"model:{dataset}" in self._loading:
            return
        self._loading.add(f"model:{dataset}")

        run_in_thread(
            self,
            lambda: digits.load_pretrained(dataset),
            lambda clf: self._on_model_ready(dataset, clf),
            lambda exc: self._on_model_failed(dataset, str(exc)),
            name=f"digits-model-{dataset}",
        )

    def _on_model_ready(self, dataset: str, clf: digits.Classifier) -> None:
        self._loading.discard(f"model:{dataset}")
        if dataset not in self.models:
            acc = clf.info.get("test_acc")
            self._set_model(
                dataset,
                clf,
                "shipped model" + (f", {float(acc):.2%} on the test set" if acc else ""),
            )

    def _on_model_failed(self, dataset: str, message: str) -> None:
        self._loading.discard(f"model:{dataset}")
        self.model_label.setText(f"The shipped model could not be loaded: {message}")

    def _set_model(self, dataset: str, clf: digits.Classifier, source: str) -> None:
        self.models[dataset] = clf
        self.sources[dataset] = source
        if dataset == self.dataset:
            self._model_changed()

    def _model_changed(self) -> None:
        clf = self.clf
        if clf is None:
            self.model_label.setText("Loading the shipped model...")
        else:
            self.model_label.setText(
                f"Reading the pad: {clf.title} ({clf.n_params():,} parameters; "
                f"{self.sources.get(self.dataset, '')})."
            )
        self.predict_now()
        self._evaluate()

    def _ensure_data(self, dataset: str, download: bool) -> None:
        """Load both splits of ``dataset`` in a thread; with ``download`` fetch them if absent."""
        if dataset in self.sets or f"data:{dataset}" in self._loading:
            return
        self._loading.add(f"data:{dataset}")

        def load() -> None:
            run_in_thread(
                self,
                lambda: {split: digits.load_dataset(dataset, split) for split in ("train", "test")},
                lambda sets: self._on_data_ready(dataset, sets),
                lambda exc: self._on_data_missing(dataset, str(exc)),  # DataMissing, bad file
                name=f"digits-data-{dataset}",
            )

        if download:
            from playground.ui.widgets.download import DatasetFetcher

            self._fetcher = DatasetFetcher(dataset, self)
            self._fetcher.ready.connect(lambda _name: load())
            self._fetcher.failed.connect(self._on_download_failed)
            self.train_status.setText(f"Getting the {digits.DATASET_TITLES[dataset]} dataset...")
            self._fetcher.start()
        else:
            load()

    def _on_data_ready(self, dataset: str, sets: dict) -> None:
        self._loading.discard(f"data:{dataset}")
        self.sets[dataset] = sets
        self.download_button.setVisible(False)
        if dataset == self.dataset:
            self._evaluate()
            if self.pages.currentIndex() == 2:
                self._browse()
        if self._pending_train and dataset == self.dataset:
            self._pending_train = False
            self._start_training()

    def _on_data_missing(self, dataset: str, message: str) -> None:
        self._loading.discard(f"data:{dataset}")
        title = digits.DATASET_TITLES[dataset]
        if self._pending_train and dataset == self.dataset:
            self._ensure_data(dataset, download=True)  # the download flow, with progress
            return
        if dataset == self.dataset:
            self.results_label.setText(
                f"The {title} test set is not on this machine yet. The pad keeps working "
                "with the shipped model; download the dataset to see results here."
            )
            self.download_button.setText(f"Download {title}")
            self.download_button.setVisible(True)
            self.browse_label.setText(f"Download {title} (Results page) to browse its test set.")

    def _on_download_failed(self, dataset: str, message: str) -> None:
        self._loading.discard(f"data:{dataset}")
        self._pending_train = False
        self.train_status.setText(f"No training: {message}")
        self.results_label.setText(f"Could not get the dataset: {message}")
        self.download_button.setVisible(True)

    def _download_current(self) -> None:
        self.download_button.setVisible(False)
        self._ensure_data(self.dataset, download=True)

    # ================================================================= the pad
    def _schedule_predict(self) -> None:
        if not self._predict_timer.isActive():
            self._predict_timer.start()

    def _show_empty(self) -> None:
        thing = "piece of clothing" if self.dataset == "fashion-mnist" else "digit"
        self.pad.hint = f"Draw a {thing} here"
        self.pad.update()
        self.prediction_label.setText(f"Draw a {thing} on the pad")
        self.bars.set_probs(None)
        self.input_view.show_image(np.zeros((28, 28), np.float32), (0, 1))
        self.insight_view.image.clear()
        self.insight_view.set_title("")
        self.insight_caption.setText("")
        self._last_probs = None

    def predict_now(self) -> None:
        """Read the pad and update the prediction views (on the GUI thread; a few ms)."""
        clf = self.clf
        if self.pad.is_empty():
            self._show_empty()
            return
        t0 = time.perf_counter()
        x = digits.preprocess_for(self.dataset, self.pad.ink())
        self.input_view.show_image(x, (0, 1))
        if clf is None:
            self.prediction_label.setText("Loading the model...")
            return
        probs = clf.predict_proba(x)[0]
        self.latency_ms = 1000 * (time.perf_counter() - t0)
        self._last_probs = probs
        top, conf = digits.top_class(probs)
        name = clf.class_names[top]
        self.prediction_label.setText(f"{name}  ({conf:.1%} sure)")
        self.bars.set_probs(probs)
        self._show_insight(clf, x, top)

    def _show_insight(self, clf: digits.Classifier, x: np.ndarray, top: int) -> None:
        name = clf.class_names[top]
        maps = clf.feature_maps(x)
        if maps is not None:  # CNN
            self.insight_view.set_cmap("viridis")
            self.insight_view.show_image(mosaic(maps, cols=8), (0, max(float(maps.max()), 1e-6)))
            self.insight_view.set_title(f"First convolution: {len(maps)} feature maps")
            self.insight_caption.setText(
                "Each map is one 5x5 filter slid over the input (after ReLU): bright where "
                "it found its pattern (an edge, a stroke direction)."
            )
            return
        contrib = clf.unit_contributions(x, top)
        weights = clf.first_layer()
        if contrib is None or weights is None:
            return
        units = np.argsort(-contrib)[:8]
        tiles = weights[units]
        scale = max(float(np.abs(tiles).max()), 1e-6)
        self.insight_view.set_cmap("diverging")
        self.insight_view.show_image(mosaic(tiles, cols=4), (-scale, scale))
        self.insight_view.set_title(f"First-layer weights pushing toward '{name}'")
        lines = [f"unit {u}: {contrib[u]:+.2f}" for u in units]
        self.insight_caption.setText(
            "The hidden units that add most to the logit of "
            f"'{name}' (activation x gradient):<br>" + "<br>".join(lines)
        )

    # ================================================================= training
    def _apply_defaults(self, *_: object) -> None:
        cfg = digits.DEFAULTS[self.model_kind]
        self.epochs_spin.setValue(cfg.epochs)
        self.batch_spin.setValue(cfg.batch_size)
        self.lr_spin.setValue(cfg.lr)

    def _dataset_changed(self) -> None:
        self.evaluation = None
        self._evaluated_model = None
        self.bars.set_names(digits.class_names(self.dataset))
        self.confusion.set_names(digits.class_names(self.dataset))
        self._ensure_model(self.dataset)
        if self.isVisible():  # else when the tab is first shown
            self._ensure_data(self.dataset, download=False)
        self.mistakes.clear()
        self.browser.clear()
        self.results_label.setText("")
        self.download_button.setVisible(False)
        self._model_changed()
        if self.loss_plot.count("train (batches)") and not self.worker.has_job():
            self.train_status.setText(
                "The curves below are from the last run on the other dataset; Play trains "
                f"on {self.dataset_combo.currentText()}."
            )

    def _config(self) -> digits.TrainConfig:
        return digits.config_for(
            self.model_kind,
            epochs=self.epochs_spin.value(),
            batch_size=self.batch_spin.value(),
            lr=self.lr_spin.value(),
        )

    def toggle_play(self) -> None:
        if self.worker.has_job():
            self.worker.toggle()
        else:
            self._request_training()

    def step(self) -> None:
        if self.worker.has_job():
            self.worker.step(1)
        else:
            self._request_training(paused=True)

    def _request_training(self, paused: bool = False) -> None:
        self._start_paused = paused
        if self.dataset in self.sets:
            self._start_training()
        else:
            self._pending_train = True
            self.train_status.setText(f"Loading {digits.DATASET_TITLES[self.dataset]}...")
            self._ensure_data(self.dataset, download=False)

    def _start_training(self) -> None:
        dataset, config = self.dataset, self._config()
        sets = self.sets[dataset]
        self.live.update(lr=config.lr)
        holder: dict[str, Any] = {"dataset": dataset, "config": config}
        device, live = self.device, self.live

        def job():  # runs in the worker's thread: holds no Qt object (not even self)
            from playground.core import devices

            torch_device = devices.resolve(device) if config.model != "scratch" else "cpu"
            holder["device"] = (
                "CPU (numpy)" if config.model == "scratch" else devices.describe(torch_device)
            )
            clf = digits.new_model(dataset, config, torch_device)
            holder["clf"] = clf
            yield from digits.train_job(clf, sets["train"], sets["test"], config, live)

        self._job = holder
        self.loss_plot.clear_curves()
        self.acc_plot.clear_curves()
        self.controls.progress.setMaximum(1)
        self.controls.progress.setValue(0)
        self.controls.progress.setFormat("starting...")
        self.train_status.setText(
            f"Training {digits.MODEL_TITLES[config.model]} on {digits.DATASET_TITLES[dataset]}: "
            f"{config.epochs} epochs, batch {config.batch_size}, lr {config.lr:g}."
        )
        self.worker.start(job(), paused=self._start_paused)
        if self._start_paused:
            self.worker.step(1)

    def _on_frame(self, frame: Frame) -> None:
        for _, m in frame.history:
            x = m["epoch"]
            self.loss_plot.append("train (batches)", [x], [m["loss"]])
            self.acc_plot.append("train (batches)", [x], [m["acc"]])
            if "test_acc" in m:
                self.loss_plot.append("test", [x], [m["test_loss"]])
                self.acc_plot.append("test", [x], [m["test_acc"]])
                self._job["test_acc"] = m["test_acc"]
        m = frame.metrics
        config = self._job.get("config")
        if not m or config is None:
            return
        self.controls.progress.setMaximum(frame.total or 1)
        self.controls.progress.setValue(frame.step)
        eta = m["elapsed"] / max(frame.step, 1) * ((frame.total or 0) - frame.step)
        epoch = min(int(m["epoch"] - 1e-9) + 1, config.epochs)
        self.controls.progress.setFormat(
            f"epoch {epoch}/{config.epochs} · batch {int(m['batch'])}/{int(m['batches'])}"
            f" · ETA {_fmt_time(eta)}"
        )
        rate = frame.step * config.batch_size / max(m["elapsed"], 1e-9)
        self._job["rate"] = rate
        self.device_label.setText(f"Device: {self._job.get('device', self.device.upper())}")
        test = self._job.get("test_acc")
        self.controls.counter.setText(
            f"{rate:,.0f} img/s" + (f" · test {test:.2%}" if test is not None else "")
        )

    def _adopt_trained(self, how: str) -> None:
        clf, holder = self._job.get("clf"), self._job
        if clf is None or not self.loss_plot.count("train (batches)"):
            return
        dataset = holder["dataset"]
        acc = holder.get("test_acc")
        self._set_model(
            dataset,
            clf,
            f"trained here, {how}" + (f", {acc:.2%} on the test set" if acc is not None else ""),
        )

    def _on_finished(self) -> None:
        self.controls.progress.setFormat(
            self.controls.progress.format().split(" · ETA")[0] + " · done"
        )
        self.train_status.setText("Training finished: your model now reads the pad.")
        self._adopt_trained("finished")

    def stop_training(self) -> None:
        if not self.worker.has_job():
            return
        self.worker.stop()
        self.controls.progress.setFormat(
            self.controls.progress.format().split(" · ETA")[0] + " · stopped"
        )
        self.train_status.setText("Stopped: the pad uses the model as far as it got.")
        self._adopt_trained("stopped early")

    def _on_failed(self, message: str) -> None:
        self.train_status.setText(f"<span style='color:#D55E00'>{message}</span>")
        self.controls.progress.setFormat("failed")

    def _on_state(self, state: str) -> None:
        running = state in ("running", "paused")
        for w in (self.dataset_combo, self.model_combo, self.epochs_spin, self.batch_spin):
            w.setEnabled(not running)
        self.controls.stop_button.setEnabled(running)

    def reset(self) -> None:
        """Stop training and go back to the shipped model of the current dataset."""
        self.worker.stop()
        self.loss_plot.clear_curves()
        self.acc_plot.clear_curves()
        self.controls.progress.setValue(0)
        self.controls.progress.setFormat("not training")
        self.controls.counter.setText("")
        self.train_status.setText("Back to the shipped model. Press Play to train your own.")
        self.models.pop(self.dataset, None)
        self._loading.discard(f"model:{self.dataset}")
        self._model_changed()
        self._ensure_model(self.dataset)

    def set_device(self, device: str) -> None:
        super().set_device(device)
        if not self.worker.has_job():
            self.device_label.setText(f"Device: {device.upper()}")

    # ================================================================= results, browse
    def _evaluate(self) -> None:
        clf, sets = self.clf, self.sets.get(self.dataset)
        if clf is None or sets is None or clf is self._evaluated_model:
            return
        self._evaluated_model = clf
        self.evaluation = None
        self.results_label.setText(f"Evaluating {clf.title} on the test set...")
        self.confusion.set_counts(np.zeros((10, 10), np.int64))
        self.confusion.select(-1, -1)
        self.mistakes.clear()
        self.browser.clear()
        self.gallery_label.setText("")
        images, labels = sets["test"]

        run_in_thread(
            self,
            lambda: digits.evaluate(clf, images, labels),
            lambda ev: self._on_evaluated(clf, ev),
            lambda exc: self._on_evaluated(clf, str(exc)),  # shown, never raised in the GUI
            name="digits-evaluate",
        )

    def _on_evaluated(self, clf: digits.Classifier, ev: Any) -> None:
        if clf is not self.clf:
            return  # the model changed meanwhile
        if isinstance(ev, str):
            self.results_label.setText(f"Could not evaluate: {ev}")
            return
        self.evaluation = ev
        n = len(ev.predictions)
        self.results_label.setText(
            f"<b>Test accuracy {ev.accuracy:.2%}</b> ({int(round(ev.accuracy * n)):,} of {n:,} "
            f"right, {len(ev.mistakes):,} mistakes; mean loss {ev.loss:.3f}). Model: {clf.title}."
        )
        self.confusion.set_names(clf.class_names)
        self.confusion.set_counts(ev.confusion)
        self.confusion.select(-1, -1)
        self._show_mistakes()
        if self.pages.currentIndex() == 2:
            self._browse()

    def _caption(self, index: int) -> tuple[str, bool]:
        names = digits.class_names(self.dataset)
        labels = self.sets[self.dataset]["test"][1]
        ev = self.evaluation
        true, pred = int(labels[index]), int(ev.predictions[index])
        short = [n.split("/")[0] for n in names]
        conf = f"{ev.confidence[index]:.1%}"
        if self.dataset == "mnist":
            return f"{short[true]} → {short[pred]}\n{conf}", true != pred
        return f"{short[true]}\n→ {short[pred]}\n{conf}", true != pred

    def _fill(self, gallery: Gallery, indices: np.ndarray) -> None:
        images = self.sets[self.dataset]["test"][0]
        items = []
        for i in indices:
            caption, wrong = self._caption(int(i))
            items.append((images[i], caption, wrong, int(i)))
        gallery.set_items(items)

    def _show_mistakes(self) -> None:
        ev = self.evaluation
        if ev is None:
            return
        self.confusion.select(-1, -1)
        self.gallery_label.setText(
            f"The {min(60, len(ev.mistakes))} mistakes the model was most sure about "
            "(true → predicted, confidence):"
        )
        self._fill(self.mistakes, ev.mistakes[:60])

    def _cell_clicked(self, true: int, pred: int) -> None:
        ev = self.evaluation
        if ev is None:
            return
        self.confusion.select(true, pred)
        labels = self.sets[self.dataset]["test"][1]
        idx = np.flatnonzero((labels == true) & (ev.predictions == pred))
        idx = idx[np.argsort(-ev.confidence[idx], kind="stable")][:80]
        names = digits.class_names(self.dataset)
        what = "right" if true == pred else f"predicted as {names[pred]}"
        self.gallery_label.setText(
            f"True {names[true]}, {what}: {int(ev.confusion[true, pred]):,} images"
            + (" (the 80 most confident shown)" if ev.confusion[true, pred] > 80 else "")
        )
        self._fill(self.mistakes, idx)

    def _page_changed(self, index: int) -> None:
        if index == 2 and self.browser.count() == 0:
            self._browse()

    def _browse(self) -> None:
        if self.evaluation is None or self.dataset not in self.sets:
            return
        n = len(self.evaluation.predictions)
        idx = np.random.default_rng().choice(n, size=48, replace=False)
        wrong = int(
            (self.evaluation.predictions[idx] != self.sets[self.dataset]["test"][1][idx]).sum()
        )
        self.browse_label.setText(
            f"48 random test images (true → guess, confidence); {wrong} wrong, in red."
        )
        self._fill(self.browser, idx)

    # ================================================================= files
    def save(self) -> None:
        clf = self.clf
        if clf is None:
            return
        path, _ = QFileDialog.getSaveFileName(
            self,
            "Save the model",
            f"digits-{clf.kind}-{clf.dataset}.safetensors",
            "Model files (*.safetensors)",
        )
        if not path:
            return
        try:
            clf.save(path)
        except OSError as exc:
            QMessageBox.warning(self, "Could not save", f"Could not write {path}: {exc}")
            return
        self.train_status.setText(f"Saved the model to {path}.")

    def open(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open a model", "", "Model files (*.safetensors);;All files (*)"
        )
        if path:
            self.open_path(path)

    def open_path(self, path: str) -> bool:
        """Load a saved model and make it read the pad; a bad file gets a message."""
        try:
            clf = digits.load_model(path)
        except digits.ModelFileError as exc:
            QMessageBox.warning(self, "Could not open this model", str(exc))
            return False
        self.worker.stop()
        self._set_model(clf.dataset, clf, f"opened from {path.rsplit('/', 1)[-1]}")
        i = self.dataset_combo.findData(clf.dataset)
        if i != self.dataset_combo.currentIndex():
            self.dataset_combo.setCurrentIndex(i)
        self.train_status.setText(f"Opened {path}: it now reads the pad.")
        return True

    # ================================================================= tab hooks
    def is_ready(self) -> bool:
        return self.clf is not None

    def status_text(self) -> str:
        state = self.worker.state
        if state == "running":
            return f"Digits: training, {self._job.get('rate', 0):,.0f} images/s"
        if state == "paused":
            return "Digits: training paused"
        clf = self.clf
        return f"Digits: {clf.title if clf else 'loading'}; draw on the pad"

    def save_settings(self, settings: QSettings) -> None:
        settings.setValue("dataset", self.dataset)
        settings.setValue("model", self.model_kind)
        settings.setValue("epochs", self.epochs_spin.value())
        settings.setValue("batch", self.batch_spin.value())
        settings.setValue("lr", self.lr_spin.value())
        settings.setValue("brush", self.brush_slider.value())
        settings.setValue("page", self.pages.currentIndex())

    def restore_settings(self, settings: QSettings) -> None:
        def get(key: str, kind: type, default: Any) -> Any:
            return setting(settings, key, kind, default)

        for combo, key in ((self.dataset_combo, "dataset"), (self.model_combo, "model")):
            i = combo.findData(settings.value(key, combo.currentData()))
            if i >= 0:
                combo.setCurrentIndex(i)
        if settings.contains("epochs"):
            self.epochs_spin.setValue(get("epochs", int, self.epochs_spin.value()))
            self.batch_spin.setValue(get("batch", int, self.batch_spin.value()))
            self.lr_spin.setValue(get("lr", float, self.lr_spin.value()))
        self.brush_slider.setValue(get("brush", int, BRUSH_DEFAULT))
        self.pages.setCurrentIndex(get("page", int, 0))

    def shutdown(self) -> None:
        if self._fetcher is not None:
            with contextlib.suppress(RuntimeError):
                self._fetcher.cancel()
        super().shutdown()
