"""The Character MLP tab's widgets, bound to its state (no behaviour beyond that).

:class:`SettingsPanel` is the form on the left (model, training, finder, files);
:class:`ViewsPanel` the run controls, the loss and embedding plots on the right, and under
them a page each for the activations, samples and final losses, the pinned runs and the
backprop ninja table (pages keep it usable in a 1024x640 window).
"""

from __future__ import annotations

import contextlib
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QObject, QSignalBlocker, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from playground.ui.binding import bind
from playground.ui.style import REFERENCE_COLOR, TEST_COLOR, TRAIN_COLOR
from playground.ui.tabs.charmlp.runs import RunsPage
from playground.ui.tabs.charmlp.state import (
    ARCHITECTURE_NAMES,
    BACKWARD_NAMES,
    INIT_NAMES,
    LAST_LAYER_NAMES,
    OPTIMIZER_NAMES,
    PRESET_NAMES,
    CharMLPState,
)
from playground.ui.widgets.charmlp_views import (
    ActivationHistogram,
    EmbeddingScatter,
    LrFinderPlot,
    NinjaView,
    RatioBars,
    SamplesView,
)
from playground.ui.widgets.curves import CurvePlot
from playground.ui.widgets.run_controls import RunControls

SPLIT_SIZES = {"train": 182_625, "dev": 22_655, "test": 22_866}
MAX_LAYERS = 3


def _spin(step: float = 1, double: bool = False, decimals: int = 2) -> QSpinBox | QDoubleSpinBox:
    """A spin box that reports a typed number once, when editing ends."""
    s = QDoubleSpinBox() if double else QSpinBox()
    if double:
        s.setDecimals(decimals)
    else:
        s.setGroupSeparatorShown(True)
    s.setSingleStep(step)
    s.setKeyboardTracking(False)
    return s


def _combo(names: dict[Any, str]) -> QComboBox:
    c = QComboBox()
    for data, text in names.items():
        c.addItem(text, data)
    return c


class HiddenBinding(QObject):
    """``state.hidden`` (a tuple of 1-3 widths) <-> a layer count and three unit boxes."""

    def __init__(self, state: CharMLPState, layers: QSpinBox, units: list[QSpinBox]):
        super().__init__(layers)
        self.state, self.layers, self.units = state, layers, units
        spec = state.spec("hidden")
        layers.setRange(spec.min_len, spec.max_len)
        for u in units:
            u.setRange(int(spec.lo), int(spec.hi))
            u.setValue(state.hidden[0])  # a layer switched on starts at this width
            u.valueChanged.connect(self._from_widgets)
        layers.valueChanged.connect(self._from_widgets)
        disconnect = state.connect(self._from_state)
        layers.destroyed.connect(lambda *_: disconnect())
        self.show(state.hidden)

    def show(self, hidden: tuple) -> None:
        """Put ``hidden`` on the widgets without echoing it back."""
        with contextlib.ExitStack() as blocked:
            for w in (self.layers, *self.units):
                blocked.enter_context(QSignalBlocker(w))
            self.layers.setValue(len(hidden))
            for i, u in enumerate(self.units):
                if i < len(hidden):
                    u.setValue(hidden[i])
                u.setEnabled(i < len(hidden))

    def _from_state(self, name: str, value: Any) -> None:
        if name == "hidden":
            self.show(value)

    def _from_widgets(self, *_: Any) -> None:
        n = self.layers.value()
        with contextlib.suppress(ValueError):
            self.state.hidden = tuple(u.value() for u in self.units[:n])
        self.show(self.state.hidden)


class SettingsPanel(QScrollArea):
    """The form: model, training, learning-rate finder, model files."""

    preset_picked = Signal(str)  # the user chose a preset (fill in its settings)
    optimizer_picked = Signal(str)  # the user chose an optimizer (suggest a rate)

    def __init__(self, state: CharMLPState, parent: QWidget | None = None):
        super().__init__(parent)
        self.preset_combo = _combo(PRESET_NAMES)
        self.arch_combo = _combo(ARCHITECTURE_NAMES)
        self.block_spin = _spin()
        self.emb_spin = _spin()
        self.layers_spin = _spin()
        self.layers_spin.setToolTip("How many tanh hidden layers.")
        self.hidden_spins = [_spin(step=10) for _ in range(MAX_LAYERS)]
        for i, s in enumerate(self.hidden_spins):
            s.setToolTip(f"Units in hidden layer {i + 1}.")
        self.bn_check = QCheckBox("BatchNorm before each tanh")
        self.init_combo = _combo(INIT_NAMES)
        self.last_combo = _combo(LAST_LAYER_NAMES)
        self.count_label = QLabel("parameters: …")
        self.count_label.setObjectName("parameterCount")
        self.count_label.setWordWrap(True)
        self.count_label.setToolTip("How many numbers the model learns, for these settings.")
        self.opt_combo = _combo(OPTIMIZER_NAMES)
        self.backward_combo = _combo(BACKWARD_NAMES)
        self.speed_label = QLabel("")
        self.speed_label.setObjectName("backwardSpeed")
        self.speed_label.setWordWrap(True)
        self.speed_label.setStyleSheet(f"color: {REFERENCE_COLOR}")
        self.speed_label.setToolTip(
            "Training speed of the run now, and the last speed measured with each way of "
            "computing the gradients (same model and batch: the hand-written backward skips "
            "autograd's graph)."
        )
        self.batch_spin = _spin()
        self.steps_spin = _spin(step=1000)
        self.lr_spin = _spin(step=0.01, double=True, decimals=4)
        self.decay_spin = _spin(step=1000)
        self.decay_factor_spin = _spin(step=0.05, double=True, decimals=3)
        self.seed_spin = _spin()
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
        self.save_button = QPushButton("Save model…")
        self.save_button.setToolTip("Write the trained model to a .safetensors file (Ctrl+S).")
        self.load_button = QPushButton("Load model…")
        self.load_button.setToolTip(
            "Read a saved model to sample from it or continue training it (Ctrl+O)."
        )
        self._bind(state)
        self._lay_out()
        self.preset_combo.activated.connect(
            lambda _i: self.preset_picked.emit(self.preset_combo.currentData())
        )
        self.opt_combo.activated.connect(
            lambda _i: self.optimizer_picked.emit(self.opt_combo.currentData())
        )

    def _bind(self, state: CharMLPState) -> None:
        for name, widget in (
            ("preset", self.preset_combo),
            ("architecture", self.arch_combo),
            ("block_size", self.block_spin),
            ("emb_dim", self.emb_spin),
            ("batchnorm", self.bn_check),
            ("init", self.init_combo),
            ("last_layer_scale", self.last_combo),
            ("optimizer", self.opt_combo),
            ("backward", self.backward_combo),
            ("batch_size", self.batch_spin),
            ("steps", self.steps_spin),
            ("lr", self.lr_spin),
            ("decay_step", self.decay_spin),
            ("decay_factor", self.decay_factor_spin),
            ("seed", self.seed_spin),
        ):
            bind(state, name, widget)
        self.hidden_binding = HiddenBinding(state, self.layers_spin, self.hidden_spins)

    def _lay_out(self) -> None:
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
        mf.addRow(self.count_label)
        train_box = QGroupBox("Training")
        tf = QFormLayout(train_box)
        tf.addRow("Optimizer", self.opt_combo)
        tf.addRow("Gradients", self.backward_combo)
        tf.addRow(self.speed_label)
        tf.addRow("Batch size", self.batch_spin)
        tf.addRow("Steps", self.steps_spin)
        tf.addRow("Learning rate", self.lr_spin)
        tf.addRow("Decay after step", self.decay_spin)
        tf.addRow("Decay × ", self.decay_factor_spin)
        tf.addRow("Seed", self.seed_spin)
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(4, 4, 4, 4)
        lv.addWidget(model_box)
        lv.addWidget(train_box)
        for a, b in (
            (self.finder_button, self.use_lr_button),
            (self.save_button, self.load_button),
        ):
            row = QHBoxLayout()
            row.addWidget(a)
            row.addWidget(b)
            lv.addLayout(row)
        lv.addStretch(1)
        self.setWidget(left)
        self.setWidgetResizable(True)
        self.setMinimumWidth(345)
        self.setMaximumWidth(380)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)

    def show_count(self, text: str, error: bool = False) -> None:
        """The parameter count (or why the settings don't make a model)."""
        self.count_label.setText(
            f"<span style='color:{TEST_COLOR}'>{text}</span>" if error else text
        )


class Pages(QTabWidget):
    """The views under the plots, a page each; its size does not follow the page shown
    (a table's rows, a wrapped caption), so the plots above keep theirs."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("charmlpPages")
        self.setDocumentMode(True)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt name
        return QSize(640, 300)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt name
        return QSize(300, 210)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt name
        return False  # a page's wrapped caption would otherwise set the height


class ViewsPanel(QWidget):
    """Run controls, the loss curves, the model's views, samples and final losses."""

    def __init__(self, state: CharMLPState, message_bar: QWidget, parent: QWidget | None = None):
        super().__init__(parent)
        self.controls = RunControls(show_progress=True, show_stop=True)
        self.controls.stop_button.setEnabled(False)
        # a long progress line loses its last parts, never widening the window past 1024 px
        self.controls.layout().setStretchFactor(self.controls.counter, 3)
        self.init_label = QLabel("")
        self.init_label.setObjectName("initialLoss")
        self.init_label.setTextFormat(Qt.RichText)
        self.init_label.setWordWrap(True)
        self.init_label.setToolTip(
            "A model that knows nothing should give every one of the 27 characters "
            "probability 1/27: a loss of -ln(1/27) = 3.30. A much higher first loss means "
            "the model starts confidently wrong and wastes its first steps undoing that."
        )
        self.loss_plot = CurvePlot(
            "training loss (log10)", "step", "log10 loss", stepped=True, x_min_span=100
        )
        self.loss_plot.add_curve("train, per step", "#C8C8C8", width=1)
        self.loss_plot.add_curve("train, running mean", TRAIN_COLOR, width=2)
        self.loss_plot.add_curve("dev", TEST_COLOR, width=1.5, symbol="o")
        self.loss_plot.setMinimumSize(300, 170)
        self.loss_plot.getAxis("left").enableAutoSIPrefix(False)
        self.loss_plot.plotItem.legend.setBrush(pg.mkBrush(255, 255, 255, 200))
        self.loss_plot.setToolTip(
            "log10 of the loss of each minibatch (grey, noisy), its running mean (blue) "
            "and the loss on the dev names the model never trains on (orange)."
        )
        self.scatter = EmbeddingScatter()
        self.hist = ActivationHistogram()
        self.ratios = RatioBars()
        self.finder_plot = LrFinderPlot()
        self.samples = SamplesView()
        self.sample_seed = _spin()
        self.temp_spin = _spin(step=0.1, double=True)
        bind(state, "sample_seed", self.sample_seed)
        bind(state, "temperature", self.temp_spin)
        self.sample_button = QPushButton("Draw samples")
        self.sample_button.setToolTip("Draw 12 names from the current model with this seed.")
        self.table = self._results_table()
        self.reference_label = QLabel("")
        self.reference_label.setWordWrap(True)
        self.reference_label.setStyleSheet(f"color: {REFERENCE_COLOR}")
        self.runs_page = RunsPage({"loss": self.loss_plot})
        self.ninja = NinjaView()
        self.pages = Pages()
        self._titles: dict[QWidget, str] = {}
        self._lay_out(message_bar)

    @staticmethod
    def _results_table() -> QTableWidget:
        table = QTableWidget(3, 3)
        table.setObjectName("resultsTable")
        table.setHorizontalHeaderLabels(["split", "examples", "loss"])
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QTableWidget.NoEditTriggers)
        table.setToolTip(
            "Mean loss of the finished model on each part of the 80/10/10 split of the names "
            "(shuffled with seed 42, as in the lecture)."
        )
        for r, split in enumerate(SPLIT_SIZES):
            table.setItem(r, 0, QTableWidgetItem(split))
            table.setItem(r, 1, QTableWidgetItem(f"{SPLIT_SIZES[split]:,}"))
            table.setItem(r, 2, QTableWidgetItem("–"))
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeToContents)
        header.setStretchLastSection(True)
        rows = table.verticalHeader()
        rows.setDefaultSectionSize(table.fontMetrics().height() + 6)  # compact: 3 rows in view
        table.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        table.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        height = header.sizeHint().height() + 3 * rows.defaultSectionSize()
        table.setFixedHeight(height + 2 * table.frameWidth() + 2)
        return table

    def _lay_out(self, message_bar: QWidget) -> None:
        srow = QHBoxLayout()
        srow.addWidget(QLabel("seed"))
        srow.addWidget(self.sample_seed, 1)
        srow.addWidget(QLabel("temp."))
        srow.addWidget(self.temp_spin)
        sample_box = QVBoxLayout()
        sample_box.addWidget(self.samples, 1)
        sample_box.addLayout(srow)
        sample_box.addWidget(self.sample_button)
        results = QVBoxLayout()
        results.addWidget(QLabel("<b>Final loss</b>"))
        results.addWidget(self.table)
        results.addWidget(self.reference_label)
        results.addStretch(1)
        top = QHBoxLayout()
        top.setSpacing(6)
        top.addWidget(self.loss_plot, 8)
        top.addWidget(self.scatter, 5)
        inside = QWidget()
        row = QHBoxLayout(inside)
        row.setContentsMargins(0, 4, 0, 0)
        for w in (self.hist, self.ratios, self.finder_plot):
            row.addWidget(w, 1)
        words = QWidget()
        bottom = QHBoxLayout(words)
        bottom.setContentsMargins(4, 4, 4, 4)
        bottom.addLayout(sample_box, 3)
        bottom.addLayout(results, 2)
        for page, title, tip in (
            (inside, "Activations · ratios · lr", "tanh histograms, grad:data ratios, lr finder"),
            (words, "Samples · final loss", "Names drawn from the model; the final losses"),
            (self.runs_page, "Compare runs", "Pinned runs and the initialisation lesson"),
            (self.ninja, "Backprop ninja (part 4)", "Every gradient by hand, against autograd"),
        ):
            self.pages.addTab(page, title)
            self.pages.setTabToolTip(self.pages.count() - 1, tip)
            self._titles[page] = title
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.controls)
        layout.addWidget(message_bar)
        layout.addWidget(self.init_label)
        layout.addLayout(top, 5)
        layout.addWidget(self.pages, 4)

    def show_page(self, page: QWidget) -> None:
        self.pages.setCurrentWidget(page)

    def set_page_title(self, page: QWidget, title: str = "") -> None:
        """A page's tab title ("": its own)."""
        self.pages.setTabText(self.pages.indexOf(page), title or self._titles[page])


HELP_HTML = """
<h3>Character MLP (Bengio et al. 2003; Karpathy's makemore parts 2 to 5)</h3>
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
<li><b>Backprop ninja (part 4)</b>: every gradient of one batch written by hand, from the loss
back to C, and checked against autograd's (exact, approximate, largest difference); hover a
row for its formula. <i>Gradients: by hand</i> trains with that backward only (no
<tt>loss.backward()</tt>); the steps/s of both are shown under it.</li>
<li><b>Compare runs</b>: Pin keeps the run (settings, curves, final losses, time, samples);
its curves are drawn dashed on the loss plot and the table highlights the settings that
differ from now. <i>The initialisation lesson</i> trains part 3's four variants from the
same seed and pins each.</li>
</ul>
<p>Keys: Space play/pause, S one step, R new random weights, Ctrl+S save the model,
Ctrl+O load one (then Play continues training it). The learning rate and the temperature
change a running job; a setting of the model's shape (a preset, block, embedding, layers,
BatchNorm, init) starts a new model: at once while it trains, at the next Play otherwise.
Training settings (steps, batch, optimizer, gradients, decay, seed) apply from the next
step. A run whose loss blows up (NaN, or above twice where it started) stops with a
message and a Reset button.</p>
"""
