"""The Character MLP tab: makemore parts 2, 3 and 5 as a trainer you watch learn.

torch (through playground.core.charmlp) is imported in a background thread once
the tab is shown, never at import time or in the constructor.
"""

from __future__ import annotations

import contextlib
import json
import math
import time
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from playground.ui.background import run_in_thread
from playground.ui.style import REFERENCE_COLOR, TEST_COLOR, TRAIN_COLOR
from playground.ui.tabs.base import Tab
from playground.ui.widgets.charmlp_views import (
    ActivationHistogram,
    EmbeddingScatter,
    LrFinderPlot,
    RatioBars,
    SamplesView,
)
from playground.ui.widgets.curves import CurvePlot
from playground.ui.widgets.run_controls import RunControls
from playground.ui.worker import Frame, Worker

# The lecture preset (makemore part 2), used until the core module has loaded.
DEFAULTS: dict[str, Any] = {
    "block_size": 3,
    "emb_dim": 10,
    "hidden": [200],
    "batchnorm": False,
    "init": "randn",
    "last_layer_scale": 1.0,
    "architecture": "mlp",
    "optimizer": "sgd",
    "batch_size": 32,
    "steps": 200_000,
    "lr": 0.1,
    "decay_step": 100_000,
    "decay_factor": 0.1,
    "seed": 2147483647,
}
PRESET_LABELS = {
    "lecture": "Lecture: makemore part 2",
    "batchnorm": "BatchNorm: part 3",
    "tiny": "Tiny: 2-D embedding",
    "wavenet": "WaveNet: part 5",
}
# What the lectures printed, for the results table.
LECTURE_NUMBERS = {
    "lecture": "part 2 printed train 2.126, dev 2.170",
    "batchnorm": "part 3 printed train 2.067, dev 2.106",
    "wavenet": "part 5 printed train 1.769, dev 1.993",
}
DRAW_HZ = 10  # views redraw at most this often while training (the rest of the time trains)
SPLIT_SIZES = {"train": 182_625, "dev": 22_655, "test": 22_866}


def _spin(lo: int, hi: int, value: int, tip: str, step: int = 1) -> QSpinBox:
    s = QSpinBox()
    s.setRange(lo, hi)
    s.setValue(value)
    s.setSingleStep(step)
    s.setGroupSeparatorShown(True)
    s.setToolTip(tip)
    return s


def _combo(items: list[tuple[str, Any]], tip: str) -> QComboBox:
    c = QComboBox()
    for text, data in items:
        c.addItem(text, data)
    c.setToolTip(tip)
    return c


class CharMLPTab(Tab):
    """Embedding MLP language model on names.txt: hyperparameters, live views, lr finder."""

    key = "charmlp"
    title = "Character MLP"
    help_html = """
<h3>Character MLP (Bengio et al. 2003; Karpathy's makemore parts 2, 3 and 5)</h3>
<p>The model reads the last <i>block size</i> characters of a name and predicts the next one.
Each character is a learned vector (a row of the embedding table <b>C</b>); the vectors of
the context are concatenated, pass through tanh hidden layers and a last layer gives one score
(logit) per character; softmax turns scores into probabilities, and the loss is the mean
negative log-probability of the right next character.</p>
<ul>
<li><b>Presets</b> start from the lectures: <i>Lecture</i> (part 2, 11,897 parameters, dev
loss 2.17), <i>BatchNorm</i> (part 3, 2.11), <i>Tiny</i> (a 2-D embedding you see as it is),
<i>WaveNet</i> (part 5: neighbours fused in pairs, 1.99).</li>
<li><b>Initial loss</b>: a model that knows nothing should say 1/27 for every character, a loss
of -ln(1/27) = 3.30. Plain randn weights start near 27: confidently wrong. Scaling the last
layer down (and Kaiming-scaled weights) fixes it.</li>
<li><b>Loss plot</b>: log10 of each step's minibatch loss (grey), its running mean (blue) and
the dev loss (orange dots), measured on names the model never trains on.</li>
<li><b>Embedding</b>: characters as points; similar ones end up close (vowels gather).</li>
<li><b>Activations</b>: saturated tanh units (|t| &gt; 0.97) pass no gradient; the grad:data and
update:data ratios say how fast each layer learns (about 1e-3 per step is healthy).</li>
<li><b>Learning-rate finder</b>: one step at each rate from 0.001 to 1; pick a rate a little
before the loss is lowest. <i>Use it</i> copies it into the learning rate.</li>
<li><b>Samples</b> are drawn while it trains; each is marked new or in the training set.</li>
</ul>
<p>Keys: Space play/pause, S one step, R new random weights, Ctrl+S save the model,
Ctrl+O load one (then Play continues training it). The learning rate can change while
it trains; other settings start a new model.</p>
"""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.cm = None  # playground.core.charmlp once loaded (imports torch)
        self.words: list[str] | None = None
        self.train_words: set[str] = set()
        self.run = None  # charmlp.Run: the model being shown / trained
        self.settings_live = None  # LiveSettings of the running job
        self._ready = False
        self._loading = False
        self._first_loss: float | None = None
        self._chunk = 100
        self._chunk_sum = 0.0
        self._chunk_n = 0
        self._chunk_first = 0
        self._suggested: float | None = None
        self._finals: dict[str, float] = {}
        self._run_total = 0
        self._fetcher = None
        self._measuring = False  # the worker only measures a loaded model's losses
        self._pending_curves: dict[str, tuple[list, list]] = {
            name: ([], []) for name in ("train, per step", "train, running mean", "dev")
        }
        self._pending_detail: dict[str, Any] | None = None
        self._drawn_at = 0.0

        self.worker = Worker(self)
        self.finder_worker = Worker(self)
        self._build()
        self.worker.frame.connect(self._on_frame)
        self.worker.failed.connect(self._on_failed)
        self.worker.state_changed.connect(self._on_state)
        self.finder_worker.frame.connect(self._on_finder_frame)
        self.finder_worker.failed.connect(self._on_finder_failed)
        self.finder_worker.state_changed.connect(self._on_finder_state)
        self.controls.bind(self.worker)
        self._update_count()

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        # ---- left: settings
        self.preset_combo = _combo(
            [(text, key) for key, text in PRESET_LABELS.items()],
            "Start from one of the lectures' models: picking one fills in every setting below.",
        )
        self.arch_combo = _combo(
            [("Flat MLP (parts 2-3)", "mlp"), ("WaveNet hierarchy (part 5)", "wavenet")],
            "Flat: all context characters are concatenated at once. WaveNet: neighbours are "
            "fused in pairs, layer by layer (block size must be 2^layers).",
        )
        self.block_spin = _spin(1, 16, 3, "How many previous characters the model sees.")
        self.emb_spin = _spin(1, 64, 10, "Length of each character's learned vector in C.")
        self.layers_spin = _spin(1, 3, 1, "How many tanh hidden layers.")
        self.hidden_spins = [
            _spin(1, 1024, 200, f"Units in hidden layer {i + 1}.", step=10) for i in range(3)
        ]
        self.bn_check = QCheckBox("BatchNorm before each tanh")
        self.bn_check.setToolTip(
            "Normalise each unit over the batch before tanh (part 3): keeps activations "
            "in the useful range of tanh."
        )
        self.init_combo = _combo(
            [("randn (part 2)", "randn"), ("Kaiming: gain/√fan_in (part 3)", "kaiming")],
            "How the weights start: straight from a standard normal, or scaled by "
            "(5/3)/√fan_in so tanh is not saturated from the start.",
        )
        self.last_combo = _combo(
            [("× 1 (as drawn)", 1.0), ("× 0.1", 0.1), ("× 0.01", 0.01)],
            "Shrink the output layer's weights (and zero its bias) so the first predictions "
            "are nearly uniform: the first loss is then about 3.30 instead of far higher.",
        )
        self.opt_combo = _combo(
            [("SGD", "sgd"), ("Adam", "adam")],
            "Plain minibatch gradient descent as in the lectures, or Adam (use a smaller rate, "
            "about 0.003).",
        )
        self.batch_spin = _spin(1, 4096, 32, "Examples per training step (a random minibatch).")
        self.steps_spin = _spin(
            1, 2_000_000, 200_000, "How many training steps one press of Play runs.", step=1000
        )
        self.lr_spin = QDoubleSpinBox()
        self.lr_spin.setDecimals(4)
        self.lr_spin.setRange(0.0001, 10.0)
        self.lr_spin.setSingleStep(0.01)
        self.lr_spin.setValue(0.1)
        self.lr_spin.setToolTip(
            "Learning rate: how far each step moves the weights. Changes apply at once, "
            "even while training."
        )
        self.decay_spin = _spin(
            0, 2_000_000, 100_000, "After this step the rate is multiplied by the decay.", 1000
        )
        self.decay_factor_spin = QDoubleSpinBox()
        self.decay_factor_spin.setDecimals(3)
        self.decay_factor_spin.setRange(0.001, 1.0)
        self.decay_factor_spin.setSingleStep(0.05)
        self.decay_factor_spin.setValue(0.1)
        self.decay_factor_spin.setToolTip(
            "The factor the rate is multiplied by after the decay step."
        )
        self.seed_spin = _spin(
            0, 2**31 - 1, 2147483647, "Random seed of the starting weights and of the minibatches."
        )

        model_box = QGroupBox("Model")
        mf = QFormLayout(model_box)
        mf.addRow("Preset", self.preset_combo)
        mf.addRow("Architecture", self.arch_combo)
        mf.addRow("Block size", self.block_spin)
        mf.addRow("Embedding size", self.emb_spin)
        mf.addRow("Hidden layers", self.layers_spin)
        hidden_row = QHBoxLayout()
        for s in self.hidden_spins:
            hidden_row.addWidget(s)
        mf.addRow("Units", hidden_row)
        mf.addRow(self.bn_check)
        mf.addRow("Init", self.init_combo)
        mf.addRow("Last layer", self.last_combo)
        self.count_label = QLabel("parameters: …")
        self.count_label.setObjectName("parameterCount")
        self.count_label.setWordWrap(True)
        self.count_label.setToolTip("How many numbers the model learns, for these settings.")
        mf.addRow(self.count_label)

        train_box = QGroupBox("Training")
        tf = QFormLayout(train_box)
        tf.addRow("Optimizer", self.opt_combo)
        tf.addRow("Batch size", self.batch_spin)
        tf.addRow("Steps", self.steps_spin)
        tf.addRow("Learning rate", self.lr_spin)
        tf.addRow("Decay after step", self.decay_spin)
        tf.addRow("Decay × ", self.decay_factor_spin)
        tf.addRow("Seed", self.seed_spin)

        self.finder_button = QPushButton("Find learning rate")
        self.finder_button.setObjectName("lrFinderButton")
        self.finder_button.setToolTip(
            "Sweep the rate from 0.001 to 1 over 1,000 steps on a fresh model with these "
            "settings and plot the loss against it."
        )
        self.use_lr_button = QPushButton("Use suggested rate")
        self.use_lr_button.setObjectName("useLrButton")
        self.use_lr_button.setEnabled(False)
        self.use_lr_button.setToolTip("Copy the finder's suggested rate into Learning rate.")
        finder_row = QHBoxLayout()
        finder_row.addWidget(self.finder_button)
        finder_row.addWidget(self.use_lr_button)

        self.save_button = QPushButton("Save model…")
        self.save_button.setToolTip("Write the trained model to a .safetensors file (Ctrl+S).")
        self.load_button = QPushButton("Load model…")
        self.load_button.setToolTip(
            "Read a saved model to sample from it or continue training it (Ctrl+O)."
        )
        file_row = QHBoxLayout()
        file_row.addWidget(self.save_button)
        file_row.addWidget(self.load_button)

        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(4, 4, 4, 4)
        lv.addWidget(model_box)
        lv.addWidget(train_box)
        lv.addLayout(finder_row)
        lv.addLayout(file_row)
        lv.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(left)
        scroll.setWidgetResizable(True)
        scroll.setMinimumWidth(345)
        scroll.setMaximumWidth(380)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)

        # ---- right: run controls, message, plots
        self.controls = RunControls(show_progress=True, show_stop=True)
        self.controls.stop_button.setEnabled(False)
        self.message = QLabel("Loading names.txt …")
        self.message.setObjectName("charmlpMessage")
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.RichText)
        self.retry_button = QPushButton("Try again")
        self.retry_button.setToolTip("Look for (or download) the names dataset again.")
        self.retry_button.setVisible(False)
        self.init_label = QLabel("")
        self.init_label.setObjectName("initialLoss")
        self.init_label.setTextFormat(Qt.RichText)
        self.init_label.setToolTip(
            "A model that knows nothing should give every one of the 27 characters "
            "probability 1/27: a loss of -ln(1/27) = 3.30. A much higher first loss means "
            "the model starts confidently wrong and wastes its first steps undoing that."
        )

        self.loss_plot = CurvePlot("training loss (log10)", "step", "log10 loss")
        self.loss_plot.add_curve("train, per step", "#C8C8C8", width=1)
        self.loss_plot.add_curve("train, running mean", TRAIN_COLOR, width=2)
        self.loss_plot.add_curve("dev", TEST_COLOR, width=1.5, symbol="o")
        self.loss_plot.setMinimumSize(300, 170)
        self.loss_plot.getAxis("left").enableAutoSIPrefix(False)
        self.loss_plot.plotItem.legend.setBrush(pg.mkBrush(255, 255, 255, 200))  # over the curves
        self.loss_plot.setToolTip(
            "log10 of the loss of each minibatch (grey, noisy), its running mean (blue) "
            "and the loss on the dev names the model never trains on (orange)."
        )
        self.scatter = EmbeddingScatter()
        self.hist = ActivationHistogram()
        self.ratios = RatioBars()
        self.finder_plot = LrFinderPlot()
        self.samples = SamplesView()
        self.sample_seed = _spin(0, 2**31 - 1, 0, "Seed of the names drawn by Draw samples.")
        self.temp_spin = QDoubleSpinBox()
        self.temp_spin.setRange(0.0, 3.0)
        self.temp_spin.setSingleStep(0.1)
        self.temp_spin.setValue(1.0)
        self.temp_spin.setToolTip(
            "Temperature: below 1 picks likelier characters (safer names), above 1 takes more "
            "risks, 0 always takes the most likely one."
        )
        self.sample_button = QPushButton("Draw samples")
        self.sample_button.setToolTip("Draw 12 names from the current model with this seed.")
        srow = QHBoxLayout()
        srow.addWidget(QLabel("seed"))
        srow.addWidget(self.sample_seed, 1)
        srow.addWidget(QLabel("temp."))
        srow.addWidget(self.temp_spin)
        sample_box = QWidget()
        sb = QVBoxLayout(sample_box)
        sb.setContentsMargins(0, 0, 0, 0)
        sb.addWidget(self.samples, 1)
        sb.addLayout(srow)
        sb.addWidget(self.sample_button)

        self.table = QTableWidget(3, 3)
        self.table.setObjectName("resultsTable")
        self.table.setHorizontalHeaderLabels(["split", "examples", "loss"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.table.setToolTip(
            "Mean loss of the finished model on each part of the 80/10/10 split of the names "
            "(shuffled with seed 42, as in the lecture)."
        )
        for r, split in enumerate(SPLIT_SIZES):
            self.table.setItem(r, 0, QTableWidgetItem(split))
            self.table.setItem(r, 1, QTableWidgetItem(f"{SPLIT_SIZES[split]:,}"))
            self.table.setItem(r, 2, QTableWidgetItem("–"))
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setMaximumHeight(120)
        self.reference_label = QLabel("")
        self.reference_label.setWordWrap(True)
        self.reference_label.setStyleSheet(f"color: {REFERENCE_COLOR}")
        results = QWidget()
        rv = QVBoxLayout(results)
        rv.setContentsMargins(0, 0, 0, 0)
        rv.addWidget(QLabel("<b>Final loss</b>"))
        rv.addWidget(self.table)
        rv.addWidget(self.reference_label)
        rv.addStretch(1)

        grid = QGridLayout()
        grid.setSpacing(6)
        grid.addWidget(self.loss_plot, 0, 0, 1, 2)
        grid.addWidget(self.scatter, 0, 2)
        grid.addWidget(self.hist, 1, 0)
        grid.addWidget(self.ratios, 1, 1)
        grid.addWidget(self.finder_plot, 1, 2)
        for c, stretch in enumerate((4, 4, 5)):
            grid.setColumnStretch(c, stretch)
        grid.setRowStretch(0, 5)
        grid.setRowStretch(1, 4)
        bottom = QHBoxLayout()
        bottom.addWidget(sample_box, 3)
        bottom.addWidget(results, 2)

        right = QWidget()
        rv2 = QVBoxLayout(right)
        rv2.setContentsMargins(4, 4, 4, 4)
        rv2.addWidget(self.controls)
        mrow = QHBoxLayout()
        mrow.addWidget(self.message, 1)
        mrow.addWidget(self.retry_button)
        rv2.addLayout(mrow)
        rv2.addWidget(self.init_label)
        rv2.addLayout(grid, 6)
        rv2.addLayout(bottom, 2)

        splitter = QSplitter()
        splitter.addWidget(scroll)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([345, 1015])
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(splitter)

        # ---- signals
        self.preset_combo.activated.connect(
            lambda _i: self.apply_preset(self.preset_combo.currentData())
        )
        for w in (self.block_spin, self.emb_spin, self.layers_spin, *self.hidden_spins):
            w.valueChanged.connect(self._form_changed)
        for w in (self.batch_spin, self.steps_spin, self.decay_spin, self.seed_spin):
            w.valueChanged.connect(self._update_count)
        self.decay_factor_spin.valueChanged.connect(self._update_count)
        for c in (self.arch_combo, self.init_combo, self.last_combo):
            c.currentIndexChanged.connect(self._form_changed)
        self.opt_combo.currentIndexChanged.connect(self._optimizer_changed)
        self.bn_check.toggled.connect(self._form_changed)
        self.lr_spin.valueChanged.connect(self._lr_changed)
        self.temp_spin.valueChanged.connect(self._temperature_changed)
        self.controls.play_clicked.connect(self.toggle_play)
        self.controls.step_clicked.connect(self.step)
        self.controls.reset_clicked.connect(self.reset)
        self.controls.stop_clicked.connect(self.stop_training)
        self.finder_button.clicked.connect(self.find_lr)
        self.use_lr_button.clicked.connect(self.use_suggested_lr)
        self.save_button.clicked.connect(self.save)
        self.load_button.clicked.connect(self.open)
        self.sample_button.clicked.connect(self.draw_samples)
        self.retry_button.clicked.connect(self._start_loading)
        self._enable(False)

    # ------------------------------------------------------------------ loading
    def showEvent(self, event) -> None:  # noqa: N802 - Qt name
        super().showEvent(event)
        if self.cm is None and not self._loading:
            QTimer.singleShot(0, self._start_loading)

    def _start_loading(self) -> None:
        """Find names.txt (downloading it if the dataset layer can), then import the core."""
        if self._loading or self.cm is not None:
            return
        self._loading = True
        self.retry_button.setVisible(False)
        self.message.setText("Loading names.txt …")
        from playground.ui.widgets.download import DatasetFetcher

        self._fetcher = DatasetFetcher("names", self)
        self._fetcher.ready.connect(lambda _name: self._load_in_thread())
        self._fetcher.failed.connect(lambda _name, msg: self._on_loaded(msg))
        self._fetcher.start()

    def _load_in_thread(self) -> None:
        def work() -> tuple[Any, list[str], set[str]]:
            from playground.core import charmlp, data

            words = data.load_words()
            return charmlp, words, set(charmlp.split_words(words)["train"])

        run_in_thread(self, work, self._on_loaded, lambda exc: self._on_loaded(f"{exc}"))

    def _on_loaded(self, result: Any) -> None:
        self._loading = False
        if isinstance(result, str):
            self.message.setText(
                "<b>The names dataset is not available.</b> " + result.replace("\n", "<br>")
            )
            self.message.setStyleSheet(f"color: {TEST_COLOR}")
            self.retry_button.setVisible(True)
            self._ready = True
            return
        self.cm, self.words, self.train_words = result
        self.message.setStyleSheet("")
        self.message.setText(
            f"{len(self.words):,} names loaded. Press Play (Space) to train, or find a "
            "learning rate first."
        )
        self._enable(True)
        self._update_count()
        self._new_run()
        self._ready = True

    def _enable(self, on: bool) -> None:
        for w in (
            self.controls,
            self.finder_button,
            self.save_button,
            self.load_button,
            self.sample_button,
        ):
            w.setEnabled(on)

    # ------------------------------------------------------------------ the form
    def form(self) -> dict[str, Any]:
        """The settings in the form, as CharMLPConfig fields."""
        n = self.layers_spin.value()
        return {
            "block_size": self.block_spin.value(),
            "emb_dim": self.emb_spin.value(),
            "hidden": [s.value() for s in self.hidden_spins[:n]],
            "batchnorm": self.bn_check.isChecked(),
            "init": self.init_combo.currentData(),
            "last_layer_scale": float(self.last_combo.currentData()),
            "architecture": self.arch_combo.currentData(),
            "optimizer": self.opt_combo.currentData(),
            "batch_size": self.batch_spin.value(),
            "steps": self.steps_spin.value(),
            "lr": self.lr_spin.value(),
            "decay_step": self.decay_spin.value(),
            "decay_factor": self.decay_factor_spin.value(),
            "seed": self.seed_spin.value(),
        }

    def set_form(self, values: dict[str, Any]) -> None:
        """Fill the form (missing keys keep their value); values may be strings."""
        v = {**self.form(), **values}
        widgets = [
            self.block_spin,
            self.emb_spin,
            self.layers_spin,
            *self.hidden_spins,
            self.bn_check,
            self.arch_combo,
            self.init_combo,
            self.last_combo,
        ]
        for w in widgets:
            w.blockSignals(True)
        try:
            hidden = [int(h) for h in v["hidden"]][:3] or [200]
            self.block_spin.setValue(int(v["block_size"]))
            self.emb_spin.setValue(int(v["emb_dim"]))
            self.layers_spin.setValue(len(hidden))
            for s, h in zip(self.hidden_spins, hidden, strict=False):
                s.setValue(h)
            self.bn_check.setChecked(str(v["batchnorm"]).lower() in ("true", "1"))
            self._select(self.arch_combo, v["architecture"])
            self._select(self.init_combo, v["init"])
            self._select(self.last_combo, float(v["last_layer_scale"]))
        finally:
            for w in widgets:
                w.blockSignals(False)
        self._select(self.opt_combo, v["optimizer"], quiet=True)
        self.batch_spin.setValue(int(v["batch_size"]))
        self.steps_spin.setValue(int(v["steps"]))
        self.lr_spin.setValue(float(v["lr"]))
        self.decay_spin.setValue(int(v["decay_step"]))
        self.decay_factor_spin.setValue(float(v["decay_factor"]))
        self.seed_spin.setValue(int(v["seed"]))
        self._form_changed()

    @staticmethod
    def _select(combo: QComboBox, data: Any, quiet: bool = False) -> None:
        for i in range(combo.count()):
            if combo.itemData(i) == data:
                if quiet:
                    combo.blockSignals(True)
                combo.setCurrentIndex(i)
                combo.blockSignals(False)
                return

    def apply_preset(self, name: str) -> None:
        """Fill every setting from a preset."""
        self._select(self.preset_combo, name, quiet=True)
        if self.cm is not None:
            config = self.cm.preset(name)
            values = {f: getattr(config, f) for f in DEFAULTS}
            values["hidden"] = list(config.hidden)
        else:
            values = dict(DEFAULTS)
        self.set_form(values)

    def config(self):
        """The form as a validated CharMLPConfig (ValueError with a plain message if not)."""
        return self.cm.CharMLPConfig(**self.form())

    def _form_changed(self, *_: Any) -> None:
        n = self.layers_spin.value()
        for i, s in enumerate(self.hidden_spins):
            s.setEnabled(i < n)
        wavenet = self.arch_combo.currentData() == "wavenet"
        if wavenet and self.block_spin.value() != 2**n:
            self.block_spin.blockSignals(True)
            self.block_spin.setValue(2**n)
            self.block_spin.blockSignals(False)
        self.block_spin.setEnabled(not wavenet)
        self._update_count()
        # a different shape: show a fresh model (unless one is training)
        if (
            self.cm is not None
            and not self.worker.has_job()
            and (self.run is None or self._shape_changed())
        ):
            self._new_run()

    def _shape_changed(self) -> bool:
        try:
            return self.cm.shape_key(self.config()) != self.cm.shape_key(self.run.config)
        except ValueError:
            return False

    def _update_count(self, *_: Any) -> None:
        if self.cm is None:
            return
        try:
            config = self.config()
        except ValueError as exc:
            self.count_label.setText(f"<span style='color:{TEST_COLOR}'>{exc}</span>")
            return
        V = len(self.run.model.itos) if self.run is not None else 27
        n = self.cm.count_parameters(config, V)
        self.count_label.setText(f"<b>{n:,} parameters</b> to learn")

    def _optimizer_changed(self, *_: Any) -> None:
        adam = self.opt_combo.currentData() == "adam"
        if adam and self.lr_spin.value() >= 0.05:
            self.lr_spin.setValue(0.003)
        elif not adam and self.lr_spin.value() < 0.01:
            self.lr_spin.setValue(0.1)

    def _lr_changed(self, value: float) -> None:
        if self.settings_live is not None:
            self.settings_live.lr = float(value)

    def _temperature_changed(self, value: float) -> None:
        if self.run is not None:
            self.run.temperature = float(value)

    # ------------------------------------------------------------------ runs
    def _new_run(self) -> None:
        """A fresh model from the form, shown in its initial state (not trained)."""
        if self.cm is None:
            return
        try:
            config = self.config()
            self.run = self.cm.Run(self.words, config, device=self.device)
        except ValueError as exc:
            self.message.setText(f"<span style='color:{TEST_COLOR}'>{exc}</span>")
            return
        self.run.temperature = self.temp_spin.value()
        self._clear_views()
        self._show_initial()

    def _clear_views(self) -> None:
        self.loss_plot.clear_curves()
        for xs, ys in self._pending_curves.values():
            xs.clear()
            ys.clear()
        self._pending_detail = None
        self._first_loss = None
        self._chunk_sum, self._chunk_n = 0.0, 0
        self._finals = {}
        for r in range(3):
            self.table.item(r, 2).setText("–")
        self.reference_label.setText("")
        self.controls.progress.setValue(0)
        self.controls.counter.setText("")
        self.samples.show_samples([], "Samples")
        self.hist.set_layers(0)

    def _show_initial(self) -> None:
        """Draw the untrained model: its random embedding, the loss it should start at."""
        model = self.run.model
        C = model.C.detach().cpu().numpy()
        xy, axes = self.cm.embedding_2d(C)
        self.scatter.set_vocabulary(model.itos)
        self.scatter.show_points(xy, axes, self._scatter_title(C.shape[1], model.steps_trained))
        self.hist.set_layers(len(model.config.hidden))
        self._show_init_label()

    def _show_final_views(self) -> None:
        """The last frame drawn may be some steps old: show the views as training left them
        (the job is over, so the model can be read here; a few milliseconds)."""
        try:
            d = self.run.detail()  # detail_every_s is 0 once it stops: always fresh
        except Exception:  # noqa: BLE001 - a view refresh must never break the tab
            return
        if "embedding" in d:
            self._show_detail(d)

    def _scatter_title(self, emb: int, step: int) -> str:
        view = "real axes" if emb <= 2 else f"PCA of {emb}-D"
        return f"C ({view}) · step {step:,}"

    def _show_init_label(self) -> None:
        V = len(self.run.model.itos) if self.run is not None else 27
        expected = math.log(V)
        text = f"Initial loss: expected <b>{expected:.2f}</b> (= −ln(1/{V}), a uniform guess)"
        if self._first_loss is not None:
            bad = self._first_loss > 1.5 * expected
            color = TEST_COLOR if bad else "#007a55"
            text += f" · this run's first loss: <b style='color:{color}'>{self._first_loss:.2f}</b>"
            if bad:
                text += " — confidently wrong; try Last layer × 0.01 or Kaiming init"
        self.init_label.setText(text)

    def _start(self, paused: bool = False) -> bool:
        """Start (or continue) training the current model; False if the form is invalid."""
        if self.cm is None:
            return False
        try:
            config = self.config()
        except ValueError as exc:
            QMessageBox.warning(self, "Character MLP", str(exc))
            return False
        self.finder_worker.stop()
        if self.run is None or self._shape_changed():
            self._new_run()
        else:
            self.run.retune(config)
        from playground.core.training import LiveSettings

        self.settings_live = LiveSettings(lr=config.lr, stop=False)
        self._measuring = False
        self.run.temperature = self.temp_spin.value()
        start = self.run.model.steps_trained
        steps = config.steps
        self._run_total = start + steps
        self._chunk = max(10, steps // 400)
        self._chunk_sum, self._chunk_n = 0.0, 0
        self.message.setText(
            f"Training steps {start + 1:,} to {start + steps:,} on {len(self.words):,} names "
            f"({'continuing' if start else 'fresh model'})."
        )
        self.worker.start(self.run.train(steps, self.settings_live), paused=paused)
        return True

    def toggle_play(self) -> None:
        if self.worker.has_job():
            self.worker.toggle()
        else:
            self._start()

    def step(self) -> None:
        if not self.worker.has_job() and not self._start(paused=True):
            return
        self.worker.step(1)

    def reset(self) -> None:
        """Stop, and start again from new random weights."""
        self.worker.stop()
        self.finder_worker.stop()
        self.settings_live = None
        self.run = None
        self._new_run()

    def stop_training(self) -> None:
        """End the run early; the final losses are still measured."""
        if not self.worker.has_job() or self.settings_live is None:
            return
        self.settings_live.stop = True
        if self.worker.state == "paused":
            self.worker.play()

    # ------------------------------------------------------------------ frames
    def _on_frame(self, frame: Frame) -> None:
        """Collect every step's metrics; draw at most DRAW_HZ times a second while running."""
        curves = self._pending_curves
        for step, m in frame.history:
            loss = m.get("loss")
            if loss is not None:
                if self._first_loss is None and step == 1:
                    self._first_loss = loss
                    self._show_init_label()
                lg = math.log10(max(loss, 1e-12))
                curves["train, per step"][0].append(step)
                curves["train, per step"][1].append(lg)
                if self._chunk_n == 0:
                    self._chunk_first = step
                self._chunk_sum += lg
                self._chunk_n += 1
                if self._chunk_n >= self._chunk:
                    curves["train, running mean"][0].append((self._chunk_first + step) / 2)
                    curves["train, running mean"][1].append(self._chunk_sum / self._chunk_n)
                    self._chunk_sum, self._chunk_n = 0.0, 0
            if "dev_loss" in m:
                curves["dev"][0].append(step)
                curves["dev"][1].append(math.log10(m["dev_loss"]))
            if "final_train" in m:
                self._show_finals(m)
        if "final_train" in frame.metrics:
            self._show_finals(frame.metrics)
        if "embedding" in frame.detail:
            self._pending_detail = frame.detail
        now = time.monotonic()
        running = self.worker.state == "running" and not frame.final
        if running and now - self._drawn_at < 1 / DRAW_HZ:
            return
        self._drawn_at = now
        for name, (xs, ys) in curves.items():
            if xs:
                self.loss_plot.append(name, xs, ys)
                xs.clear()
                ys.clear()
        if self._pending_detail is not None:
            self._show_detail(self._pending_detail)
            self._pending_detail = None
        self._show_progress(frame)

    def _show_progress(self, frame: Frame) -> None:
        total = frame.total or self._run_total
        rate = self.worker.rate
        text = f"step {frame.step:,} of {total:,}"
        if rate > 0 and self.worker.state == "running" and not frame.final:
            left = max(total - frame.step, 0) / rate
            eta = f"{int(left // 60)} min {int(left % 60):02d} s" if left >= 60 else f"{left:.0f} s"
            text += f" · {rate:,.0f} steps/s · ETA {eta}"
        if "lr" in frame.metrics:
            text += f" · lr {frame.metrics['lr']:.4g}"
        self.controls.show_frame(frame, text)

    def _show_detail(self, d: dict[str, Any]) -> None:
        self.scatter.set_vocabulary(d["itos"])
        self.scatter.show_points(
            d["embedding_2d"], d["axes"], self._scatter_title(d["embedding"].shape[1], d["step"])
        )
        self.hist.show_stats(d["activations"])
        self.ratios.show_ratios(d["ratios"])
        if self._measuring:  # a loaded model's losses: keep the samples drawn on request
            return
        temp = self.run.temperature if self.run is not None else 1.0
        self.samples.show_samples(d["samples"], f"Samples at step {d['step']:,} (temp. {temp:g})")

    def _show_finals(self, m: dict[str, float]) -> None:
        self._finals = {k: m[f"final_{k}"] for k in SPLIT_SIZES}
        for r, split in enumerate(SPLIT_SIZES):
            self.table.item(r, 2).setText(f"{self._finals[split]:.4f}")
        key = self.preset_combo.currentData()
        ref = LECTURE_NUMBERS.get(key, "")
        if ref and self.run is not None:  # compare only with the lecture's own model
            same = self.cm.shape_key(self.cm.preset(key)) == self.cm.shape_key(self.run.config)
            ref = ref if same else ""
        steps = self.run.model.steps_trained if self.run is not None else 0
        self.reference_label.setText(
            f"after {steps:,} steps" + (f" · for comparison, {ref} after 200,000" if ref else "")
        )
        self.message.setText(
            f"Done: {steps:,} steps, dev loss {self._finals['dev']:.4f}. Play continues "
            "training this model; Reset starts a new one."
        )

    def _on_state(self, state: str) -> None:
        if self.run is not None:  # fresh views whenever it stops or pauses
            self.run.detail_every_s = 1 / DRAW_HZ if state == "running" else 0.0
        if state == "finished" and self.run is not None and self.cm is not None:
            self._show_final_views()
        if state in ("finished", "failed", "idle"):
            self._measuring = False
        running = state in ("running", "paused")
        self.finder_button.setEnabled(not running and self.cm is not None)
        self.sample_button.setEnabled(state != "running" and self.cm is not None)
        self.load_button.setEnabled(state != "running" and self.cm is not None)

    def _on_failed(self, message: str) -> None:
        self.message.setText(f"<span style='color:{TEST_COLOR}'><b>{message}</b></span>")
        self.run = None  # its weights may be NaN: the next Play starts a fresh model

    def _on_finder_failed(self, message: str) -> None:
        self.message.setText(f"<span style='color:{TEST_COLOR}'><b>{message}</b></span>")

    # ------------------------------------------------------------------ lr finder
    def find_lr(self) -> None:
        """Start the learning-rate sweep (or stop it if it is running)."""
        if self.cm is None:
            return
        if self.finder_worker.has_job():
            self.finder_worker.stop()
            return
        if self.worker.state == "running":
            self.worker.pause()
        try:
            config = self.config()
        except ValueError as exc:
            QMessageBox.warning(self, "Character MLP", str(exc))
            return
        self.finder_plot.clear_curve()
        self.use_lr_button.setEnabled(False)
        self._suggested = None
        job = self.cm.lr_finder(self.words, config, steps=1000, device=self.device)
        self.finder_worker.start(job)

    def _on_finder_frame(self, frame: Frame) -> None:
        d = frame.detail
        if not d:
            return
        e, losses = d["exponents"], d["losses"]
        smooth = self.cm.smoothed(losses, max(1, len(losses) // 20))
        done = frame.final
        self._suggested = d["suggested_lr"] if len(losses) > 20 else None
        self.finder_plot.show_curve(e, losses, smooth, self._suggested if done else None)
        if done and self._suggested:
            self.finder_plot.set_titles(
                f"lr finder · suggested {self._suggested:.3g}", f"suggested {self._suggested:.3g}"
            )
        else:
            total = frame.total or 1000
            self.finder_plot.set_titles(
                f"lr finder · step {frame.step:,} of {total:,}", f"step {frame.step:,}/{total:,}"
            )
        if done and self._suggested:
            self.use_lr_button.setText(f"Use {self._suggested:.3g}")
            self.use_lr_button.setEnabled(True)

    def _on_finder_state(self, state: str) -> None:
        running = state in ("running", "paused")
        self.finder_button.setText("Stop finder" if running else "Find learning rate")
        self.controls.play_button.setEnabled(not running)

    def use_suggested_lr(self) -> None:
        """Put the finder's suggestion into the learning-rate box (and a running job)."""
        if self._suggested:
            self.lr_spin.setValue(round(self._suggested, 4))

    # ------------------------------------------------------------------ samples, files
    def draw_samples(self) -> None:
        """Draw names from the current model (not while it trains: it refreshes them itself)."""
        if self.run is None or self.worker.state == "running":
            return
        seed, temp = self.sample_seed.value(), self.temp_spin.value()
        names = self.cm.sample(self.run.model, 12, seed=seed, temperature=temp)
        self.samples.show_samples(
            [(n, n in self.train_words) for n in names], f"Samples, seed {seed}, temp. {temp:g}"
        )

    def save(self) -> None:
        if self.run is None:
            return
        if self.worker.state == "running":
            self.worker.pause()
            QTimer.singleShot(150, self.save)  # let the current step finish
            return
        path, _ = QFileDialog.getSaveFileName(
            self, "Save model", "charmlp.safetensors", "Character MLP (*.safetensors)"
        )
        if path:
            self.save_to(path)

    def save_to(self, path: str) -> None:
        try:
            self.cm.save(self.run.model, path)
        except OSError as exc:
            QMessageBox.warning(self, "Save model", f"Could not write {path}: {exc}")
            return
        self.message.setText(f"Saved the model ({self.run.model.steps_trained:,} steps) to {path}.")

    def open(self) -> None:
        if self.cm is None or self.worker.state == "running":
            return
        path, _ = QFileDialog.getOpenFileName(
            self, "Load model", "", "Character MLP (*.safetensors);;All files (*)"
        )
        if path:
            self.load_from(path)

    def load_from(self, path: str) -> bool:
        """Load a saved model to sample from or continue training; errors go to a dialog."""
        try:
            model = self.cm.load(path, device=self.device)
        except ValueError as exc:
            QMessageBox.warning(self, "Load model", str(exc))
            return False
        self.worker.stop()
        self.finder_worker.stop()
        self.settings_live = None
        config = model.config
        values = {f: getattr(config, f) for f in DEFAULTS}
        values["hidden"] = list(config.hidden)
        self.run = self.cm.Run(self.words, model=model)
        self.run.temperature = self.temp_spin.value()
        self.set_form(values)
        self._clear_views()
        self._show_initial()
        self.draw_samples()
        self.message.setText(
            f"Loaded a model trained for {model.steps_trained:,} steps. Draw samples, or "
            "Play to continue training it."
        )
        # measure its losses off the GUI thread (a run of zero steps)
        self._run_total = model.steps_trained
        self._measuring = True
        self.worker.start(self.run.train(0))
        return True

    # ------------------------------------------------------------------ tab hooks
    def set_device(self, device: str) -> None:
        self.device = device

    def is_ready(self) -> bool:
        return self._ready

    def status_text(self) -> str:
        if self.finder_worker.state == "running":
            return f"{self.title}: learning-rate finder running"
        return super().status_text()

    def save_settings(self, settings: QSettings) -> None:
        settings.setValue("form", json.dumps(self.form()))
        settings.setValue("preset", self.preset_combo.currentData())
        settings.setValue("sample_seed", self.sample_seed.value())
        settings.setValue("temperature", self.temp_spin.value())

    def restore_settings(self, settings: QSettings) -> None:
        preset = settings.value("preset")
        if preset in PRESET_LABELS:
            self._select(self.preset_combo, preset, quiet=True)
        form = settings.value("form")
        if form:
            with contextlib.suppress(ValueError, TypeError, KeyError):
                self.set_form(json.loads(form))
        with contextlib.suppress(ValueError, TypeError):
            self.sample_seed.setValue(int(settings.value("sample_seed", 0)))
            self.temp_spin.setValue(float(settings.value("temperature", 1.0)))

    def shutdown(self) -> None:
        if self._fetcher is not None:
            with contextlib.suppress(RuntimeError, AttributeError):
                self._fetcher.cancel()
        super().shutdown()
