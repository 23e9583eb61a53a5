"""The Bigram tab: makemore part 1 as a live instrument.

The counts table of names.txt as the lecture draws it, a smoothing slider that moves
the NLL, names sampled one character at a time along the table, a score box, and the
one-layer neural net that learns the same table by gradient descent.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QCursor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPushButton,
    QSlider,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from playground.core import bigram as bg
from playground.core import data
from playground.core.training import LiveSettings
from playground.ui.background import run_in_thread
from playground.ui.style import OKABE_ITO, REFERENCE_COLOR, TRAIN_COLOR
from playground.ui.tabs.base import Tab, setting
from playground.ui.widgets.curves import CurvePlot
from playground.ui.widgets.download import DatasetFetcher
from playground.ui.widgets.heatmap import BigramHeatmap
from playground.ui.widgets.run_controls import RunControls
from playground.ui.worker import Frame, Worker

MODES = ["counts", "probs", "logprobs"]
MODE_NAMES = {"counts": "Counts", "probs": "Probabilities", "logprobs": "Log-probabilities"}
MODE_HELP = {
    "counts": (
        "<b>What am I looking at?</b> Every cell counts how often the column's character "
        "follows the row's character in the words, plus <i>k</i> fake counts (smoothing). "
        "'.' marks the start and the end of a word, so row '.' holds the first letters and "
        "column '.' the last ones. Hover a cell for details; click a row."
    ),
    "probs": (
        "<b>What am I looking at?</b> Each row divided by its total: P(next | current), the "
        "probability of the column's character after the row's. Every row sums to 1. This "
        "table <i>is</i> the whole bigram model."
    ),
    "logprobs": (
        "<b>What am I looking at?</b> The logarithm of each probability. The model's score "
        "of a word adds these up along it; the loss is minus their mean over every bigram "
        "of the data (the NLL). A probability of 0 is log = −∞."
    ),
}
MAX_LISTED = 300


def _fmt_nll(x: float) -> str:
    return "∞ (infinite)" if math.isinf(x) else f"{x:.4f}"


def _user_message(exc: BaseException) -> str:
    """ValueError/OSError messages are written for the user; anything else gets its type."""
    if isinstance(exc, (ValueError, OSError)):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def _load(path: Path | None, name: str) -> dict[str, Any]:
    """Off the GUI thread: read the words, count the bigrams, encode the data once."""
    words = data.load_words(path)
    model = bg.BigramModel.from_words(words, smoothing=0)
    seq = bg.encode(words, model.stoi)
    return {"words": words, "model": model, "seq": seq, "name": name}


def _label(text: str, wrap: bool = True, small: bool = True) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(wrap)
    label.setTextFormat(Qt.RichText)
    if small:
        label.setStyleSheet("color: #333;")
    return label


class BigramTab(Tab):
    """Counts, probabilities, sampling, scoring and the neural bigram of any word list."""

    key = "bigram"
    title = "Bigram"
    help_html = (
        "<h3>Bigram: makemore part 1</h3>"
        "<p>A bigram model predicts the next character from the current one only. Counting "
        "how often each pair occurs in 32,033 names and normalizing each row gives a 27×27 "
        "table of probabilities: that table is the model.</p>"
        "<ul><li><b>Heatmap</b>: counts, probabilities or log-probabilities. Hover a cell; "
        "click a row to see its next-letter distribution and the names with that bigram.</li>"
        "<li><b>Smoothing k</b>: fake counts added to every cell. With k = 0 an unseen pair "
        "has probability 0 and a name containing it scores −∞ (try <i>andrejq</i>).</li>"
        "<li><b>Sample</b>: start at '.', draw from the row, move to the drawn letter's row, "
        "until '.' comes out. Seed 2147483647 gives the lecture's names.</li>"
        "<li><b>Score</b>: the probability of each bigram of a name and its mean NLL.</li>"
        "<li><b>Neural</b>: one-hot(x) @ W, softmax, gradient descent: the loss falls to the "
        "counting model's and softmax(W) becomes P. Regularization acts like smoothing.</li>"
        "<li><b>Ctrl+O</b> opens your own word list (one word per line); Ctrl+S saves the "
        "heatmap as a PNG. Space / S / R: play, step, reset the neural net.</li></ul>"
    )

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.words: list[str] = []
        self.word_set: set[str] = set()
        self.source = ""
        self.base: bg.BigramModel | None = None  # counts, k = 0
        self.model: bg.BigramModel | None = None  # counts with the current smoothing
        self.seq = np.zeros(0, dtype=np.int64)
        self._ready = False
        self._loading = False
        self._fetcher: DatasetFetcher | None = None
        self._selected: tuple[int, int] = (-1, -1)
        self._anim: dict[str, Any] | None = None
        self._neural_probs: np.ndarray | None = None
        self._p_levels = (0.0, 1.0)
        self.nll = math.nan
        self._last_loss = math.nan
        self.settings_live = LiveSettings(lr=50.0, l2=0.01)
        self._build()
        QTimer.singleShot(0, self._load_default)

    # ================================================================ layout
    def _build(self) -> None:
        root = QVBoxLayout(self)
        root.setContentsMargins(6, 6, 6, 6)

        # ---- top bar: data, view mode, smoothing, NLL
        bar = QHBoxLayout()
        self.source_label = QLabel("Loading names.txt…")
        self.source_label.setObjectName("sourceLabel")
        self.source_label.setToolTip("The words the bigrams are counted from.")
        self.open_button = QPushButton("Open words…")
        self.open_button.setToolTip(
            "Count the bigrams of your own text file: one word per line (Ctrl+O)."
        )
        self.open_button.clicked.connect(self.open)
        self.names_button = QPushButton("names.txt")
        self.names_button.setToolTip(
            "Go back to the 32,033 names of the lecture (downloaded first if missing)."
        )
        self.names_button.clicked.connect(self._load_default)
        self.mode_combo = QComboBox()
        for m in MODES:
            self.mode_combo.addItem(MODE_NAMES[m], m)
        self.mode_combo.setToolTip("What the heatmap shows: counts, P, or log P.")
        self.mode_combo.currentIndexChanged.connect(self._refresh_heatmap)
        self.smooth_slider = QSlider(Qt.Horizontal)
        self.smooth_slider.setObjectName("smoothingSlider")
        self.smooth_slider.setRange(0, 100)
        self.smooth_slider.setValue(1)
        self.smooth_slider.setMinimumWidth(160)
        self.smooth_slider.setToolTip(
            "Smoothing k: fake counts added to every cell before normalizing (0 to 100)."
        )
        self.smooth_slider.valueChanged.connect(self._smoothing_changed)
        self.smooth_label = QLabel("k = 1")
        self.smooth_label.setMinimumWidth(48)
        self.nll_label = QLabel("")
        self.nll_label.setObjectName("nllLabel")
        self.nll_label.setToolTip(
            "Mean negative log-likelihood of every bigram of the words under the current "
            "table (float32 running sum, as in the lecture); lower is better."
        )
        f = self.nll_label.font()
        f.setPointSizeF(f.pointSizeF() * 1.15)
        f.setBold(True)
        self.nll_label.setFont(f)
        bar.addWidget(self.source_label)
        bar.addWidget(self.open_button)
        bar.addWidget(self.names_button)
        bar.addSpacing(16)
        bar.addWidget(QLabel("Show:"))
        bar.addWidget(self.mode_combo)
        bar.addSpacing(16)
        bar.addWidget(QLabel("Smoothing:"))
        bar.addWidget(self.smooth_slider)
        bar.addWidget(self.smooth_label)
        bar.addStretch(1)
        bar.addWidget(self.nll_label)
        root.addLayout(bar)

        # ---- body: heatmap | panels
        split = QSplitter(Qt.Horizontal)
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        self.heatmap = BigramHeatmap()
        self.heatmap.setObjectName("bigramHeatmap")
        self.heatmap.setToolTip("")
        self.heatmap.setMinimumSize(420, 420)
        self.heatmap.hovered.connect(self._hovered)
        self.heatmap.clicked.connect(self._clicked)
        self.hover_label = QLabel("Hover a cell for its numbers; click a row.")
        self.hover_label.setObjectName("hoverLabel")
        self.mode_help = _label(MODE_HELP["counts"])
        lv.addWidget(self.heatmap, 1)
        lv.addWidget(self.hover_label)
        lv.addWidget(self.mode_help)
        split.addWidget(left)

        self.panels = QTabWidget()
        self.panels.addTab(self._build_row_panel(), "Next letter")
        self.panels.addTab(self._build_sample_panel(), "Sample")
        self.panels.addTab(self._build_score_panel(), "Score a name")
        self.panels.addTab(self._build_neural_panel(), "Neural net")
        for i, tip in enumerate(
            (
                "One row of the table as bars: the next-letter probabilities after a letter.",
                "Make up names by drawing letter after letter from the table.",
                "How likely the model finds a name you type, pair by pair.",
                "Learn the same table by gradient descent with a one-layer network.",
            )
        ):
            self.panels.setTabToolTip(i, tip)
        split.addWidget(self.panels)
        split.setStretchFactor(0, 11)
        split.setStretchFactor(1, 10)
        split.setSizes([700, 640])
        root.addWidget(split, 1)

    def _build_row_panel(self) -> QWidget:
        w = QWidget()
        v = QVBoxLayout(w)
        v.addWidget(
            _label(
                "<b>What am I looking at?</b> One row of the table: after the chosen "
                "character, how likely each next character is (the bars sum to 1). Click a "
                "row of the heatmap to choose it, a cell to list the words containing that "
                "pair."
            )
        )
        self.row_plot = pg.PlotWidget()
        self.row_plot.setBackground("w")
        self.row_plot.setObjectName("rowPlot")
        self.row_plot.setToolTip("P(next character | the chosen one).")
        self.row_plot.setMenuEnabled(False)
        self.row_plot.setMouseEnabled(False, False)
        self.row_plot.hideButtons()
        self.row_plot.setLabel("left", "probability")
        self.row_plot.getAxis("left").enableAutoSIPrefix(False)
        self.row_bars = pg.BarGraphItem(x=[], height=[], width=0.8, brush=TRAIN_COLOR)
        self.row_plot.addItem(self.row_bars)
        self.row_plot.getAxis("bottom").setTicks([[]])
        v.addWidget(self.row_plot, 3)
        self.pair_label = _label("Click a cell to see the words with that bigram.", small=False)
        self.pair_label.setObjectName("pairLabel")
        v.addWidget(self.pair_label)
        self.pair_list = QListWidget()
        self.pair_list.setObjectName("pairList")
        self.pair_list.setToolTip("Words that contain the chosen bigram ('.' = start or end).")
        v.addWidget(self.pair_list, 2)
        return w

    def _build_sample_panel(self) -> QWidget:
        w = QWidget()
        v = QVBoxLayout(w)
        v.addWidget(
            _label(
                "<b>What am I looking at?</b> To make a name: start in row '.', draw the next "
                "character with that row's probabilities, move to its row, repeat until '.' "
                "comes out. Watch the path on the heatmap. The uniform model beside it draws "
                "every character with the same probability: what the counts bought."
            )
        )
        grid = QGridLayout()
        self.n_spin = QSpinBox()
        self.n_spin.setRange(1, 1000)
        self.n_spin.setValue(10)
        self.n_spin.setToolTip("How many names to sample.")
        self.seed_spin = QSpinBox()
        self.seed_spin.setRange(0, 2**31 - 1)
        self.seed_spin.setValue(bg.DEFAULT_SEED)
        self.seed_spin.setToolTip(
            "Seed of the torch.Generator: the same seed gives the same names "
            "(2147483647 gives the lecture's)."
        )
        self.temp_spin = QDoubleSpinBox()
        self.temp_spin.setRange(0.05, 5.0)
        self.temp_spin.setSingleStep(0.1)
        self.temp_spin.setValue(1.0)
        self.temp_spin.setToolTip(
            "Temperature: below 1 favours the likeliest letters, above 1 flattens the rows."
        )
        self.speed_slider = QSlider(Qt.Horizontal)
        self.speed_slider.setRange(1, 60)
        self.speed_slider.setValue(8)
        self.speed_slider.setToolTip("Animation speed: characters per second.")
        self.speed_slider.valueChanged.connect(self._speed_changed)
        self.instant_check = QCheckBox("Instant")
        self.instant_check.setToolTip("Skip the animation and list the names at once.")
        self.sample_button = QPushButton("Sample")
        self.sample_button.setObjectName("sampleButton")
        self.sample_button.setToolTip("Sample names from the table (and from the uniform model).")
        self.sample_button.clicked.connect(self._sample_clicked)
        grid.addWidget(QLabel("Names"), 0, 0)
        grid.addWidget(self.n_spin, 0, 1)
        grid.addWidget(QLabel("Seed"), 0, 2)
        grid.addWidget(self.seed_spin, 0, 3)
        grid.addWidget(QLabel("Temperature"), 0, 4)
        grid.addWidget(self.temp_spin, 0, 5)
        grid.addWidget(QLabel("Speed"), 1, 0)
        grid.addWidget(self.speed_slider, 1, 1, 1, 3)
        grid.addWidget(self.instant_check, 1, 4)
        grid.addWidget(self.sample_button, 1, 5)
        v.addLayout(grid)
        self.current_label = QLabel(" ")
        self.current_label.setObjectName("currentName")
        self.current_label.setToolTip("The name being drawn, one character at a time.")
        f = QFont(self.current_label.font())
        f.setPointSizeF(f.pointSizeF() * 1.6)
        f.setFamily("monospace")
        self.current_label.setFont(f)
        v.addWidget(self.current_label)
        self.draw_label = _label("")
        self.draw_label.setObjectName("drawLabel")
        self.draw_label.setToolTip("The last draw: which row it came from and its probability.")
        v.addWidget(self.draw_label)
        tables = QHBoxLayout()
        self.sample_table = self._table(
            ["name", "NLL", "in data?"], "Sampled names, their mean NLL, whether they are real."
        )
        self.sample_table.setObjectName("sampleTable")
        self.uniform_table = self._table(
            ["uniform model", "NLL"],
            "Names drawn with every character equally likely (cut at 50 characters).",
        )
        self.uniform_table.setObjectName("uniformTable")
        tables.addWidget(self.sample_table, 3)
        tables.addWidget(self.uniform_table, 2)
        v.addLayout(tables, 1)
        self.sample_summary = _label("")
        self.sample_summary.setObjectName("sampleSummary")
        v.addWidget(self.sample_summary)
        self._anim_timer = QTimer(self)
        self._anim_timer.timeout.connect(self._anim_tick)
        return w

    def _build_score_panel(self) -> QWidget:
        w = QWidget()
        v = QVBoxLayout(w)
        v.addWidget(
            _label(
                "<b>What am I looking at?</b> The model's probability of each pair of letters "
                "in a name (with '.' at both ends). Multiplying them gives the name's "
                "likelihood; the log turns the product into a sum. The mean NLL is minus that "
                "sum over the number of pairs: lower means more name-like."
            )
        )
        self.score_edit = QLineEdit()
        self.score_edit.setObjectName("scoreEdit")
        self.score_edit.setPlaceholderText("type a name, e.g. andrejq")
        self.score_edit.setToolTip("Any word made of this model's characters.")
        self.score_edit.textChanged.connect(self._update_score)
        v.addWidget(self.score_edit)
        self.score_summary = _label("", small=False)
        self.score_summary.setObjectName("scoreSummary")
        v.addWidget(self.score_summary)
        self.score_table = self._table(
            ["bigram", "P", "log P"], "Each bigram of the name, its probability and log."
        )
        self.score_table.setObjectName("scoreTable")
        v.addWidget(self.score_table, 1)
        return w

    def _build_neural_panel(self) -> QWidget:
        w = QWidget()
        v = QVBoxLayout(w)
        v.addWidget(
            _label(
                "<b>What am I looking at?</b> A one-layer net: one-hot(current letter) @ W "
                "gives log-counts, softmax turns them into probabilities, gradient descent on "
                "the mean NLL of every bigram tunes W. Its loss falls to the counting model's "
                "line and softmax(W) (left) becomes P (right). Regularization (λ·mean W²) "
                "pulls W to 0, i.e. to equal probabilities: like smoothing."
            )
        )
        self.worker = Worker(self)
        self.worker.frame.connect(self._on_frame)
        self.worker.failed.connect(self._on_failed)
        self.worker.state_changed.connect(lambda _s: self._update_neural_controls())
        self.run_controls = RunControls(show_progress=True)
        self.run_controls.bind(self.worker)
        self.run_controls.play_clicked.connect(self.toggle_play)
        self.run_controls.step_clicked.connect(self.step)
        self.run_controls.reset_clicked.connect(self.reset)
        v.addWidget(self.run_controls)
        grid = QGridLayout()
        self.lr_spin = QDoubleSpinBox()
        self.lr_spin.setRange(0.1, 500.0)
        self.lr_spin.setValue(50.0)
        self.lr_spin.setToolTip("Learning rate: the step size of gradient descent (lecture: 50).")
        self.lr_spin.valueChanged.connect(self._live_changed)
        self.l2_slider = QSlider(Qt.Horizontal)
        self.l2_slider.setObjectName("regularizationSlider")
        self.l2_slider.setRange(0, 30)
        self.l2_slider.setValue(10)
        self.l2_slider.setToolTip(
            "Regularization λ: the weight of mean(W²) in the loss; 0 = none (lecture: 0.01)."
        )
        self.l2_slider.valueChanged.connect(self._live_changed)
        self.l2_label = QLabel("")
        self.l2_label.setMinimumWidth(70)
        self.steps_spin = QSpinBox()
        self.steps_spin.setRange(10, 100_000)
        self.steps_spin.setValue(500)
        self.steps_spin.setSingleStep(100)
        self.steps_spin.setToolTip("How many gradient steps a run takes (full batch each).")
        self.trick_check = QCheckBox("count trick")
        self.trick_check.setToolTip(
            "one-hot(x) @ W just picks row x of W, so the loss over all bigrams equals a "
            "sum over the V×V cells weighted by their counts: same maths, much faster."
        )
        grid.addWidget(QLabel("learning rate"), 0, 0)
        grid.addWidget(self.lr_spin, 0, 1)
        grid.addWidget(QLabel("steps"), 0, 2)
        grid.addWidget(self.steps_spin, 0, 3)
        grid.addWidget(self.trick_check, 0, 4)
        grid.addWidget(QLabel("regularization"), 1, 0)
        grid.addWidget(self.l2_slider, 1, 1, 1, 3)
        grid.addWidget(self.l2_label, 1, 4)
        v.addLayout(grid)
        self.loss_plot = CurvePlot("loss (mean NLL per bigram)", x_label="step", y_label="NLL")
        self.loss_plot.setObjectName("neuralLoss")
        self.loss_plot.setToolTip("The neural net's loss on all bigrams, step by step.")
        self.loss_plot.add_curve("neural net", TRAIN_COLOR)
        self.loss_plot.setMinimumHeight(160)
        v.addWidget(self.loss_plot, 3)
        maps = QHBoxLayout()
        self.neural_map = BigramHeatmap(text=False, axis_labels=False)
        self.neural_map.setObjectName("neuralHeatmap")
        self.neural_map.setToolTip("softmax(W): the neural net's next-letter probabilities.")
        self.p_map = BigramHeatmap(text=False, axis_labels=False)
        self.p_map.setToolTip("P: the counting model's probabilities (current smoothing).")
        for title, m in (("softmax(W)", self.neural_map), ("P (counting)", self.p_map)):
            box = QVBoxLayout()
            t = QLabel(f"<b>{title}</b>")
            t.setAlignment(Qt.AlignCenter)
            box.addWidget(t)
            m.setMinimumSize(150, 150)
            box.addWidget(m, 1)
            maps.addLayout(box)
        v.addLayout(maps, 4)
        v.addWidget(
            _label(
                "Both maps: rows are the current character, columns the next one, in the "
                "order of the big table; darker means likelier."
            )
        )
        self.neural_label = _label("Press Play (Space) to train.", small=False)
        self.neural_label.setObjectName("neuralLabel")
        v.addWidget(self.neural_label)
        self._live_changed()
        return w

    def _table(self, headers: list[str], tip: str) -> QTableWidget:
        t = QTableWidget(0, len(headers))
        t.setHorizontalHeaderLabels(headers)
        t.verticalHeader().setVisible(False)
        t.setEditTriggers(QAbstractItemView.NoEditTriggers)
        t.setSelectionMode(QAbstractItemView.NoSelection)
        t.horizontalHeader().setSectionResizeMode(0, QHeaderView.Stretch)
        for c in range(1, len(headers)):
            t.horizontalHeader().setSectionResizeMode(c, QHeaderView.ResizeToContents)
        t.setToolTip(tip)
        return t

    # ================================================================ data
    def _load_default(self) -> None:
        """names.txt: fetch it if needed (dialog), then load it off the GUI thread."""
        if self._fetcher is not None and self._fetcher.running():
            return
        self._fetcher = DatasetFetcher("names", self)
        self._fetcher.ready.connect(self._names_ready)
        self._fetcher.failed.connect(self._names_failed)
        self._fetcher.start()

    def _names_ready(self, _name: str) -> None:
        path = self._fetcher.files["names.txt"] if self._fetcher else None
        self._start_load(path, "names.txt")

    def _names_failed(self, _name: str, message: str) -> None:
        self.source_label.setText("names.txt is not available")
        self.hover_label.setText(
            f"<span style='color:#b00'>{message}</span> You can also open any word list (Ctrl+O)."
        )
        self.hover_label.setWordWrap(True)
        self._ready = True  # the message is what there is to show

    def _start_load(self, path: Path | None, name: str) -> None:
        self._loading = True
        run_in_thread(
            self,
            lambda: _load(path, name),
            self._loaded,
            lambda exc: self._load_failed(name, _user_message(exc)),
            name="bigram-load",
        )

    def _load_failed(self, name: str, message: str) -> None:
        self._loading = False
        QMessageBox.warning(self, "Could not use this file", f"{name}: {message}")

    def load_words_file(self, path: str | Path) -> None:
        """Count the bigrams of a word list (one word per line) instead of names.txt."""
        path = Path(path)
        self._start_load(path, path.name)

    def _loaded(self, result: dict[str, Any]) -> None:
        self._loading = False
        self.stop_sampling()
        self.worker.stop()
        self.words = result["words"]
        self.word_set = set(self.words)
        self.base = result["model"]
        self.seq = result["seq"]
        self.source = result["name"]
        b = self.base
        self.source_label.setText(
            f"<b>{self.source}</b>: {len(self.words):,} words, {b.n_bigrams:,} bigrams, "
            f"{b.vocab_size} characters"
        )
        self._top_text = [a + c for a in b.itos for c in b.itos]
        self._selected = (-1, -1)
        self.sample_table.setRowCount(0)
        self.uniform_table.setRowCount(0)
        self.sample_summary.setText("")
        self.pair_list.clear()
        self.pair_label.setText("Click a cell to see the words with that bigram.")
        self._neural_probs = None
        self.loss_plot.clear_curves()
        self.neural_label.setText("Press Play (Space) to train.")
        ticks = [[(i, s) for i, s in enumerate(b.itos)]]
        self.row_plot.getAxis("bottom").setTicks(ticks)
        self._apply_smoothing()
        self._select_row(0, -1)
        if not self.score_edit.text():
            self.score_edit.setText("andrej" if "andrej" in self.word_set else self.words[0])
        self._ready = True

    # ================================================================ smoothing and views
    def _smoothing_changed(self, _value: int) -> None:
        self._apply_smoothing()

    def _apply_smoothing(self) -> None:
        k = self.smooth_slider.value()
        self.smooth_label.setText(f"k = {k}")
        if self.base is None:
            return
        self.model = self.base.with_smoothing(k)
        nll = self.model.nll_of(self.seq)
        self.nll = nll
        text = f"NLL = {_fmt_nll(nll)}"
        if math.isinf(nll):
            text = "NLL = ∞: some bigram has P = 0"
        self.nll_label.setText(text)
        self.nll_label.setStyleSheet("color: #b00;" if math.isinf(nll) else "")
        self._refresh_heatmap()
        self._p_levels = (0.0, float(self.model.probs.max()))
        self.p_map.set_data(self.model.probs, self.model.itos, self._p_levels)
        if self._neural_probs is not None:
            self.neural_map.set_data(self._neural_probs, self.model.itos, self._p_levels)
        self.loss_plot.set_reference(
            "counting model", nll if math.isfinite(nll) else None, REFERENCE_COLOR
        )
        if self._selected[0] >= 0:
            self._select_row(*self._selected)
        self._update_score()
        self._update_neural_stats()

    def _refresh_heatmap(self, *_: object) -> None:
        mode = self.mode_combo.currentData() or "counts"
        self.mode_help.setText(MODE_HELP[mode])
        m = self.model
        if m is None:
            return
        if mode == "counts":
            values = (m.counts + m.smoothing).astype(np.float64)
            bottom = [f"{v:.0f}" for v in values.ravel()]
            levels = (0.0, float(values.max()))
        elif mode == "probs":
            values = m.probs.astype(np.float64)
            bottom = [("0" if v == 0 else f"{v:.3f}".lstrip("0")) for v in values.ravel()]
            levels = (0.0, float(values.max()))
        else:
            values = m.log_probs.astype(np.float64)
            finite = values[np.isfinite(values)]
            bottom = [("-inf" if v == -np.inf else f"{v:.1f}") for v in values.ravel()]
            levels = (float(finite.min()) if finite.size else -10.0, 0.0)
        self.heatmap.set_data(values, m.itos, levels, self._top_text, bottom)

    def _cell_text(self, row: int, col: int) -> str:
        m = self.model
        a, b = m.itos[row], m.itos[col]
        n = int(m.counts[row, col])
        p = float(m.probs[row, col])
        lp = "−∞" if p == 0 else f"{math.log(p):.3f}"
        k = m.smoothing
        return (
            f"<b>'{a}{b}'</b>: '{b}' follows '{a}' {n:,} times"
            + (f" (+{k:g} fake)" if k else "")
            + f"; P({b} | {a}) = {p:.4f}, log P = {lp}"
        )

    def _hovered(self, row: int, col: int) -> None:
        if self.model is None:
            return
        if row < 0:
            QToolTip.hideText()
            return
        text = self._cell_text(row, col)
        self.hover_label.setText(text)
        QToolTip.showText(QCursor.pos(), text, self.heatmap)

    def _clicked(self, row: int, col: int) -> None:
        if self.model is None:
            return
        self._select_row(row, col)
        self.panels.setCurrentIndex(0)

    def _select_row(self, row: int, col: int) -> None:
        m = self.model
        self._selected = (row, col)
        V = m.vocab_size
        p = m.probs[row].astype(np.float64)
        brushes = [pg.mkBrush(TRAIN_COLOR)] * V
        if col >= 0:
            brushes[col] = pg.mkBrush(OKABE_ITO[5])
        self.row_bars.setOpts(x=np.arange(V), height=p, width=0.8, brushes=brushes)
        self.row_plot.setXRange(-0.6, V - 0.4, padding=0)
        self.row_plot.setYRange(0, max(float(p.max()) * 1.1, 1e-3), padding=0)
        a = m.itos[row]
        where = "a word starts" if a == "." else f"'{a}'"
        self.row_plot.setTitle(f"after {where}, the next character is…", color="#222")
        self.heatmap.highlight(row=row, cell=(row, col) if col >= 0 else None)
        if col >= 0:
            self._list_pair(row, col)

    def _list_pair(self, row: int, col: int) -> None:
        m = self.model
        pair = m.itos[row] + m.itos[col]
        hits = [w for w in self.words if pair in f".{w}."]
        unique = list(dict.fromkeys(hits))
        describe = {
            True: f"start with '{pair[1]}'",
            False: f"end with '{pair[0]}'" if pair[1] == "." else f"contain '{pair}'",
        }[pair[0] == "."]
        if pair == "..":
            describe = "are empty"
        self.pair_label.setText(
            f"<b>{len(hits):,}</b> words {describe} (the bigram <b>'{pair}'</b> occurs "
            f"{int(m.counts[row, col]):,} times)"
            + (f"; the first {MAX_LISTED} distinct:" if len(unique) > MAX_LISTED else ":")
        )
        self.pair_list.clear()
        self.pair_list.addItems(unique[:MAX_LISTED])

    # ================================================================ sampling
    def _speed_changed(self, value: int) -> None:
        self._anim_timer.setInterval(int(1000 / max(value, 1)))

    def _sample_clicked(self) -> None:
        if self._anim is not None:
            self.stop_sampling()
            return
        self.sample()

    def sample(self) -> None:
        """Sample the names (and as many from the uniform model); animate or list them."""
        if self.model is None:
            return
        n, seed, temp = self.n_spin.value(), self.seed_spin.value(), self.temp_spin.value()
        paths = self.model.sample_paths(n, seed=seed, temperature=temp)
        uniform = bg.BigramModel.uniform(self.model.itos)
        upaths = uniform.sample_paths(n, seed=seed)
        self.sample_table.setRowCount(0)
        self.uniform_table.setRowCount(0)
        self._anim = {
            "paths": paths,
            "upaths": upaths,
            "uniform": uniform,
            "P": self.model.sampling_probs(temp),
            "i": 0,
            "pos": 0,
        }
        if self.instant_check.isChecked():
            while self._anim is not None:
                self._finish_name()
            return
        self.sample_button.setText("Stop")
        self._speed_changed(self.speed_slider.value())
        self._anim_timer.start()

    def stop_sampling(self) -> None:
        """Stop the animation, listing the names that were still to come."""
        if self._anim is None:
            return
        self._anim_timer.stop()
        while self._anim is not None:
            self._finish_name()

    def _anim_tick(self) -> None:
        a = self._anim
        if a is None:
            self._anim_timer.stop()
            return
        path = a["paths"][a["i"]]
        pos = a["pos"]
        prev = 0 if pos == 0 else path[pos - 1]
        nxt = path[pos]
        self.heatmap.highlight(row=prev, cell=(prev, nxt), next_row=nxt if nxt else None)
        self.current_label.setText(self.model.decode(path[: pos + 1]) + ("." if nxt == 0 else "▌"))
        here, drawn = self.model.itos[prev], self.model.itos[nxt]
        self.draw_label.setText(
            f"row '{here}' → drew '{drawn}' with P = {a['P'][prev, nxt]:.3f}"
            + (" (end of the name)" if nxt == 0 else f"; next: row '{drawn}'")
        )
        a["pos"] = pos + 1
        if a["pos"] >= len(path):
            self._finish_name()

    def _finish_name(self) -> None:
        a = self._anim
        i = a["i"]
        path = a["paths"][i]
        name = self.model.decode(path)
        cut = path[-1] != 0
        self._add_row(self.sample_table, name, cut, self.model, in_data=True)
        upath = a["upaths"][i]
        self._add_row(
            self.uniform_table, a["uniform"].decode(upath), upath[-1] != 0, a["uniform"], False
        )
        a["i"], a["pos"] = i + 1, 0
        if a["i"] >= len(a["paths"]):
            self._anim = None
            self._anim_timer.stop()
            self.sample_button.setText("Sample")
            self.current_label.setText(name + ".")
            self.heatmap.highlight(
                row=self._selected[0] if self._selected[0] >= 0 else None,
                cell=self._selected if self._selected[1] >= 0 else None,
            )
            self._summarize_samples()

    def _add_row(
        self, table: QTableWidget, name: str, cut: bool, model: bg.BigramModel, in_data: bool
    ) -> None:
        r = table.rowCount()
        table.insertRow(r)
        shown = (name or "(empty)") + ("…" if cut else "")
        table.setItem(r, 0, QTableWidgetItem(shown))
        nll = model.score(name).nll if not cut else float("nan")
        item = QTableWidgetItem("cut" if cut else _fmt_nll(nll))
        item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
        if cut:
            item.setToolTip("Stopped at the length limit before '.' came out: no NLL.")
        table.setItem(r, 1, item)
        if in_data:
            real = name in self.word_set
            flag = QTableWidgetItem("yes" if real else "new")
            if real:
                flag.setForeground(pg.mkColor(OKABE_ITO[2]))
            table.setItem(r, 2, flag)
        table.scrollToBottom()

    def _summarize_samples(self) -> None:
        t = self.sample_table
        n = t.rowCount()
        names = [t.item(r, 0).text() for r in range(n)]
        real = sum(t.item(r, 2).text() == "yes" for r in range(n))
        mean_len = np.mean([len(s.rstrip("…")) for s in names]) if names else 0
        u = self.uniform_table
        ulen = np.mean([len(u.item(r, 0).text().rstrip("…")) for r in range(u.rowCount())])
        V = self.model.vocab_size
        uniform_nll = math.log(V)
        self.sample_summary.setText(
            f"{real} of {n} sampled names occur in {self.source}; mean length "
            f"{mean_len:.1f} (uniform: {ulen:.1f}). On the data the table scores NLL "
            f"{_fmt_nll(self.nll)}; the uniform model log {V} = {uniform_nll:.4f}."
        )

    # ================================================================ scoring
    def _update_score(self, *_: object) -> None:
        if self.model is None:
            return
        word = self.score_edit.text().strip().lower()
        t = self.score_table
        t.setRowCount(0)
        if not word:
            self.score_summary.setText("")
            return
        try:
            s = self.model.score(word)
        except ValueError as exc:
            self.score_summary.setText(f"<span style='color:#b00'>{exc}</span>")
            return
        t.setRowCount(len(s.bigrams))
        zero = []
        for r, (pair, p) in enumerate(zip(s.bigrams, s.probs, strict=True)):
            t.setItem(r, 0, QTableWidgetItem(pair))
            pi = QTableWidgetItem(f"{p:.4f}")
            li = QTableWidgetItem("−∞" if p == 0 else f"{math.log(p):.4f}")
            for item in (pi, li):
                item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                if p == 0:
                    item.setForeground(pg.mkColor("#b00"))
            t.setItem(r, 1, pi)
            t.setItem(r, 2, li)
            if p == 0:
                zero.append(pair)
        known = "is" if word in self.word_set else "is not"
        if zero:
            self.score_summary.setText(
                f"<span style='color:#b00'><b>log-likelihood = −∞, NLL = ∞</b></span>: "
                f"{', '.join(repr(z) for z in zero)} never occurs in {self.source} and the "
                f"smoothing is k = 0, so its probability is 0 and the whole name is impossible. "
                f"Move the smoothing slider above 0. ('{word}' {known} in the data.)"
            )
        else:
            self.score_summary.setText(
                f"log-likelihood = <b>{s.log_likelihood:.4f}</b> over {len(s.bigrams)} "
                f"bigrams; mean NLL = <b>{s.nll:.4f}</b> (the data's average: "
                f"{_fmt_nll(self.nll)}). '{word}' {known} in {self.source}."
            )

    # ================================================================ neural net
    def _l2(self) -> float:
        v = self.l2_slider.value()
        return 0.0 if v == 0 else 10 ** (-3 + 3 * (v - 1) / 29)  # 0.001 .. 1

    def _live_changed(self, *_: object) -> None:
        l2 = self._l2()
        self.l2_label.setText("λ = 0" if l2 == 0 else f"λ = {l2:.3g}")
        self.settings_live.update(lr=self.lr_spin.value(), l2=l2)

    def _make_job(self):
        method = "counts" if self.trick_check.isChecked() else "onehot"
        return bg.neural_job(
            self.words,
            itos=self.base.itos,
            steps=self.steps_spin.value(),
            settings=self.settings_live,
            device=self.device,
            method=method,
        )

    def _start_neural(self, paused: bool) -> None:
        if self.base is None:
            return
        self.loss_plot.clear_curves()
        self.neural_label.setText("Starting…")
        self.worker.start(self._make_job(), paused=paused)

    def toggle_play(self) -> None:
        if self.base is None:
            return
        if self.worker.has_job():
            self.worker.toggle()
        else:
            self._start_neural(paused=False)

    def step(self) -> None:
        if self.base is None:
            return
        if not self.worker.has_job():
            self._start_neural(paused=True)
        self.worker.step(1)

    def reset(self) -> None:
        self.worker.stop()
        self.loss_plot.clear_curves()
        self._neural_probs = None
        if self.base is not None:
            V = self.base.vocab_size
            self.neural_map.set_data(np.zeros((V, V)), self.base.itos, self._p_levels)
        self.neural_label.setText("Reset: press Play (Space) to train from new random W.")
        self.run_controls.counter.setText("")
        self.run_controls.progress.setValue(0)

    def _on_frame(self, frame: Frame) -> None:
        if frame.history:
            steps = [s for s, _ in frame.history]
            losses = [m["loss"] for _, m in frame.history]
            self.loss_plot.append("neural net", steps, losses)
        self.run_controls.show_frame(frame)
        probs = frame.detail.get("probs")
        if probs is not None and self.base is not None and probs.shape[0] == self.base.vocab_size:
            self._neural_probs = probs
            self.neural_map.set_data(probs, self.base.itos, self._p_levels)
        self._last_loss = frame.metrics.get("loss", float("nan"))
        self._update_neural_stats()

    def _update_neural_stats(self) -> None:
        if self._neural_probs is None or self.model is None:
            return
        gap = float(np.abs(self._neural_probs - self.model.probs).max())
        loss = self._last_loss
        self.neural_label.setText(
            f"loss {loss:.4f} vs counting {_fmt_nll(self.nll)} (k = {self.model.smoothing:g}); "
            f"largest |softmax(W) − P| = {gap:.3f}"
        )

    def _on_failed(self, message: str) -> None:
        self.neural_label.setText(f"<span style='color:#b00'>{message}</span>")

    def _update_neural_controls(self) -> None:
        running = self.worker.state in ("running", "paused")
        self.trick_check.setEnabled(not running)
        self.steps_spin.setEnabled(not running)

    # ================================================================ Tab hooks
    def open(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open a word list (one word per line)", "", "Text files (*.txt);;All files (*)"
        )
        if path:
            self.load_words_file(path)

    def save(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Save the heatmap", "bigram.png", "PNG images (*.png)"
        )
        if path and not self.heatmap.grab().save(path):
            QMessageBox.warning(self, "Could not save", f"Could not write {path}.")

    def is_ready(self) -> bool:
        return self._ready

    def status_text(self) -> str:
        text = super().status_text()
        if self.model is not None and self.worker.state not in ("running", "paused"):
            text = (
                f"{self.title}: {self.source}, k = {self.model.smoothing:g}, "
                f"NLL {_fmt_nll(self.nll)}"
            )
        return text

    def shutdown(self) -> None:
        self._anim_timer.stop()
        self._anim = None
        super().shutdown()

    def save_settings(self, settings: QSettings) -> None:
        settings.setValue("smoothing", self.smooth_slider.value())
        settings.setValue("mode", self.mode_combo.currentData())
        settings.setValue("n", self.n_spin.value())
        settings.setValue("seed", self.seed_spin.value())
        settings.setValue("temperature", self.temp_spin.value())
        settings.setValue("speed", self.speed_slider.value())
        settings.setValue("instant", self.instant_check.isChecked())
        settings.setValue("lr", self.lr_spin.value())
        settings.setValue("l2", self.l2_slider.value())
        settings.setValue("steps", self.steps_spin.value())
        settings.setValue("trick", self.trick_check.isChecked())
        settings.setValue("panel", self.panels.currentIndex())

    def restore_settings(self, settings: QSettings) -> None:
        def get(key: str, kind: type, default: Any) -> Any:
            return setting(settings, key, kind, default)

        self.smooth_slider.setValue(get("smoothing", int, 1))
        i = self.mode_combo.findData(get("mode", str, "counts"))
        self.mode_combo.setCurrentIndex(max(i, 0))
        self.n_spin.setValue(get("n", int, 10))
        self.seed_spin.setValue(get("seed", int, bg.DEFAULT_SEED))
        self.temp_spin.setValue(get("temperature", float, 1.0))
        self.speed_slider.setValue(get("speed", int, 8))
        self.instant_check.setChecked(get("instant", bool, False))
        self.lr_spin.setValue(get("lr", float, 50.0))
        self.l2_slider.setValue(get("l2", int, 10))
        self.steps_spin.setValue(get("steps", int, 500))
        self.trick_check.setChecked(get("trick", bool, False))
        self.panels.setCurrentIndex(get("panel", int, 0))
