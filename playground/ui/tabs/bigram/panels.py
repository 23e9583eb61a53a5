"""The Bigram tab's widgets: the top bar, the table, and the four side panels.

Widgets and their signals only: every setting is bound to the state with ``bind``;
what the widgets show otherwise is written by the presenter.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFont, QTextDocument
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSlider,
    QSpinBox,
    QTableWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from playground.ui.binding import bind, format_number
from playground.ui.style import TRAIN_COLOR
from playground.ui.tabs.bigram.runs import RunsPage
from playground.ui.tabs.bigram.state import (
    L2_CHOICES,
    MODE_NAMES,
    MODES,
    NEURAL_NAMES,
    PANELS,
    SAMPLER_NAMES,
    BigramState,
)
from playground.ui.widgets.curves import CurvePlot
from playground.ui.widgets.heatmap import BigramHeatmap, fit_tick_text
from playground.ui.widgets.run_controls import RunControls

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

PANEL_TITLES = {
    "row": ("Next letter", "One row of the table as bars: the next-letter probabilities."),
    "sample": ("Sample", "Make up names by drawing letter after letter from the table."),
    "score": ("Score a name", "How likely the model finds a name you type, pair by pair."),
    "neural": ("Neural net", "Learn the same table by gradient descent with a one-layer net."),
}
HELP = (
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


def label(text: str, wrap: bool = True, small: bool = True) -> QLabel:
    """A rich-text label (grey and wrapped by default: the panels' explanations)."""
    w = QLabel(text)
    w.setWordWrap(wrap)
    w.setTextFormat(Qt.RichText)
    if small:
        w.setStyleSheet("color: #333;")
    return w


def table(headers: list[str], tip: str) -> QTableWidget:
    """A read-only table whose first column stretches."""
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


def combo(items: dict[str, str]) -> QComboBox:
    """A combo box whose items carry their values as item data."""
    box = QComboBox()
    for value, text in items.items():
        box.addItem(text, value)
    return box


class FitLabel(QLabel):
    """A one-line rich-text label that drops trailing ", ..." parts when it is narrow
    ("<b>names.txt</b>: 32,033 words, 228,146 bigrams, 27 characters" -> "...: 32,033
    words"); :meth:`full_text` and the tooltip keep everything."""

    def __init__(self, text: str = "", tip: str = ""):
        super().__init__()
        self._tip = tip
        self._full = ""
        self.setTextFormat(Qt.RichText)
        self.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Fixed)
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt name
        self._full = text
        parts = text.split(", ")
        self._variants = [", ".join(parts[:n]) for n in range(len(parts), 0, -1)]
        self.setToolTip(f"{text}<br>{self._tip}" if self._tip else text)
        self.updateGeometry()
        self._fit()

    def full_text(self) -> str:
        return self._full

    def _width(self, html: str) -> int:
        doc = QTextDocument()
        doc.setDefaultFont(self.font())
        doc.setDocumentMargin(0)
        doc.setHtml(html)
        return int(doc.idealWidth()) + 2

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt name
        return QSize(self._width(self._full), super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt name
        return QSize(self._width(self._variants[-1]), super().minimumSizeHint().height())

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt name
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        fits = [v for v in self._variants if self._width(v) <= self.width()]
        QLabel.setText(self, fits[0] if fits else self._variants[-1])


class TopBar(QWidget):
    """Data source, view mode, smoothing slider and the NLL."""

    def __init__(self, state: BigramState):
        super().__init__()
        bar = QHBoxLayout(self)
        bar.setContentsMargins(0, 0, 0, 0)
        self.source_label = FitLabel("Loading names.txt…", "The words the bigrams come from.")
        self.source_label.setObjectName("sourceLabel")
        self.open_button = QPushButton("Open words…")
        self.open_button.setToolTip(
            "Count the bigrams of your own text file: one word per line (Ctrl+O)."
        )
        self.names_button = QPushButton("names.txt")
        self.names_button.setToolTip(
            "Go back to the 32,033 names of the lecture (downloaded first if missing)."
        )
        self.mode_combo = combo({m: MODE_NAMES[m] for m in MODES})
        bind(state, "mode", self.mode_combo)
        self.smooth_slider = QSlider(Qt.Horizontal)
        self.smooth_slider.setObjectName("smoothingSlider")
        self.smooth_slider.setMinimumWidth(100)
        k = state.spec("smoothing")
        self.smooth_slider.setToolTip(
            f"Smoothing k: {k.tip[0].lower()}{k.tip[1:-1]} ({k.lo} to {k.hi})."
        )
        bind(state, "smoothing", self.smooth_slider)
        self.smooth_label = QLabel("")
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
        for w in (self.source_label, self.open_button, self.names_button):
            bar.addWidget(w)
        bar.addSpacing(16)
        bar.addWidget(QLabel("Show:"))
        bar.addWidget(self.mode_combo)
        bar.addSpacing(16)
        bar.addWidget(QLabel("Smoothing:"))
        bar.addWidget(self.smooth_slider)
        bar.addWidget(self.smooth_label)
        bar.addStretch(1)
        bar.addWidget(self.nll_label)


class TablePanel(QWidget):
    """The big heatmap, the hover readout and what the current mode means."""

    def __init__(self):
        super().__init__()
        v = QVBoxLayout(self)
        v.setContentsMargins(0, 0, 0, 0)
        self.heatmap = BigramHeatmap()
        self.heatmap.setObjectName("bigramHeatmap")
        self.heatmap.setMinimumSize(320, 320)
        self.hover_label = QLabel("Hover a cell for its numbers; click a row.")
        self.hover_label.setObjectName("hoverLabel")
        self.mode_help = label(MODE_HELP["counts"])
        v.addWidget(self.heatmap, 1)
        v.addWidget(self.hover_label)
        v.addWidget(self.mode_help)


class RowPanel(QWidget):
    """One row of the table as bars, and the words holding a chosen bigram."""

    def __init__(self):
        super().__init__()
        v = QVBoxLayout(self)
        v.addWidget(
            label(
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
        fit_tick_text(self.row_plot.getAxis("bottom"))
        v.addWidget(self.row_plot, 3)
        self.pair_label = label("Click a cell to see the words with that bigram.", small=False)
        self.pair_label.setObjectName("pairLabel")
        v.addWidget(self.pair_label)
        self.pair_list = QListWidget()
        self.pair_list.setObjectName("pairList")
        self.pair_list.setToolTip("Words that contain the chosen bigram ('.' = start or end).")
        v.addWidget(self.pair_list, 2)


class SamplePanel(QWidget):
    """Sampling controls, the name being drawn, and the sampled names beside uniform ones."""

    def __init__(self, state: BigramState):
        super().__init__()
        v = QVBoxLayout(self)
        v.addWidget(
            label(
                "<b>What am I looking at?</b> To make a name: start in row '.', draw the next "
                "character with that row's probabilities, move to its row, repeat until '.' "
                "comes out. Watch the path on the heatmap. The uniform model beside it draws "
                "every character with the same probability: what the counts bought."
            )
        )
        v.addLayout(self._controls(state))
        self.current_label = QLabel(" ")
        self.current_label.setObjectName("currentName")
        self.current_label.setToolTip("The name being drawn, one character at a time.")
        f = QFont(self.current_label.font())
        f.setPointSizeF(f.pointSizeF() * 1.6)
        f.setFamily("monospace")
        self.current_label.setFont(f)
        v.addWidget(self.current_label)
        self.draw_label = label("")
        self.draw_label.setObjectName("drawLabel")
        self.draw_label.setToolTip("The last draw: which row it came from and its probability.")
        v.addWidget(self.draw_label)
        tables = QHBoxLayout()
        self.sample_table = table(
            ["name", "NLL", "in data?"], "Sampled names, their mean NLL, whether they are real."
        )
        self.sample_table.setObjectName("sampleTable")
        self.uniform_table = table(
            ["uniform model", "NLL"],
            "Names drawn with every character equally likely (cut at 50 characters).",
        )
        self.uniform_table.setObjectName("uniformTable")
        tables.addWidget(self.sample_table, 3)
        tables.addWidget(self.uniform_table, 2)
        v.addLayout(tables, 1)
        self.sample_summary = label("")
        self.sample_summary.setObjectName("sampleSummary")
        v.addWidget(self.sample_summary)

    def _controls(self, state: BigramState) -> QGridLayout:
        self.n_spin, self.seed_spin = QSpinBox(), QSpinBox()
        self.temp_spin = QDoubleSpinBox()
        self.temp_spin.setSingleStep(0.1)
        self.speed_slider = QSlider(Qt.Horizontal)
        self.instant_check = QCheckBox("Instant")
        self.sampler_combo = combo(
            {s: SAMPLER_NAMES[s] for s in BigramState.spec("sampler").choices}
        )
        for name, w in (
            ("n", self.n_spin),
            ("seed", self.seed_spin),
            ("temperature", self.temp_spin),
            ("speed", self.speed_slider),
            ("instant", self.instant_check),
            ("sampler", self.sampler_combo),
        ):
            bind(state, name, w)
        self.sample_button = QPushButton("Sample")
        self.sample_button.setObjectName("sampleButton")
        self.sample_button.setToolTip("Sample names from the table (and from the uniform model).")
        grid = QGridLayout()
        for col, (text, w) in enumerate(
            (("Names", self.n_spin), ("Seed", self.seed_spin), ("Temperature", self.temp_spin))
        ):
            grid.addWidget(QLabel(text), 0, 2 * col)
            grid.addWidget(w, 0, 2 * col + 1)
        grid.addWidget(QLabel("Speed"), 1, 0)
        grid.addWidget(self.speed_slider, 1, 1, 1, 3)
        grid.addWidget(self.instant_check, 1, 4)
        grid.addWidget(self.sample_button, 1, 5)
        grid.addWidget(QLabel("Sampler"), 2, 0)
        grid.addWidget(self.sampler_combo, 2, 1, 1, 3)
        return grid


class ScorePanel(QWidget):
    """A name typed in, scored bigram by bigram."""

    def __init__(self):
        super().__init__()
        v = QVBoxLayout(self)
        v.addWidget(
            label(
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
        v.addWidget(self.score_edit)
        self.score_summary = label("", small=False)
        self.score_summary.setObjectName("scoreSummary")
        v.addWidget(self.score_summary)
        self.score_table = table(
            ["bigram", "P", "log P"], "Each bigram of the name, its probability and log."
        )
        self.score_table.setObjectName("scoreTable")
        v.addWidget(self.score_table, 1)


class _Fill(QWidget):
    """A scroll area's page that fills the view and scrolls only below its minimum height
    (a QScrollArea sizes a page with wrapped text to its preferred height otherwise)."""

    def heightForWidth(self, w: int) -> int:  # noqa: N802 - Qt name
        return self.layout().totalMinimumHeightForWidth(w)


class _Pages(QTabWidget):
    """Tabbed pages that take the height they are given (no height-for-width: a page's
    wrapped text would ask its preferred height of the scroll area around it)."""

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt name
        return False


class NeuralPanel(QScrollArea):
    """The one-layer neural net: run controls, its settings, loss curve, and below it
    softmax(W) vs P or the pinned runs.  It scrolls when the window is too low for it."""

    def __init__(self, state: BigramState):
        super().__init__()
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        inner = _Fill()
        v = QVBoxLayout(inner)
        v.addWidget(
            label(
                "<b>What am I looking at?</b> A one-layer net: one-hot(current letter) @ W "
                "gives log-counts, softmax makes them probabilities, gradient descent on the "
                "mean NLL tunes W. The product just picks row x of W, so by default the net "
                "takes that row: the same numbers, fast. The loss falls to the counting "
                "model's line, softmax(W) becomes P, and λ·mean(W²) acts like smoothing."
            )
        )
        self.run_controls = RunControls(show_progress=True)
        v.addWidget(self.run_controls)
        v.addLayout(self._settings(state))
        self.loss_plot = CurvePlot("loss (mean NLL per bigram)", x_label="step", y_label="NLL")
        self.loss_plot.setObjectName("neuralLoss")
        self.loss_plot.setToolTip("The neural net's loss on all bigrams, step by step.")
        self.loss_plot.add_curve("neural net", TRAIN_COLOR)
        self.loss_plot.setMinimumHeight(120)
        v.addWidget(self.loss_plot, 3)
        self.runs_page = RunsPage({"loss": self.loss_plot})
        pin = self.runs_page.panel.pin_button
        pin.setParent(None)  # out of the runs page: beside Play, always at hand
        self.run_controls.layout().insertWidget(3, pin)
        self.views = _Pages()
        self.views.setDocumentMode(True)
        self.views.addTab(self._maps(), "softmax(W) vs P")
        self.views.addTab(self.runs_page, "Pinned runs")
        self.views.setTabToolTip(1, "Runs kept with Pin, and ready-made comparisons.")
        v.addWidget(self.views, 4)
        self.neural_label = label("Press Play (Space) to train.", small=False)
        self.neural_label.setObjectName("neuralLabel")
        v.addWidget(self.neural_label)
        self.setWidget(inner)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt name
        """As wide as the content (it never scrolls sideways); as low as a few lines."""
        inner = self.widget().minimumSizeHint().width()
        return QSize(inner + self.verticalScrollBar().sizeHint().width(), 240)

    def show_runs(self, count: int, front: bool = False) -> None:
        """The runs page's title says how many are pinned; ``front``: show it."""
        self.views.setTabText(1, f"Pinned runs ({count})" if count else "Pinned runs")
        if front:
            self.views.setCurrentIndex(1)

    def _settings(self, state: BigramState) -> QGridLayout:
        self.lr_spin = QDoubleSpinBox()
        self.steps_spin = QSpinBox()
        self.steps_spin.setSingleStep(100)
        self.l2_combo = QComboBox()
        self.l2_combo.setObjectName("regularizationCombo")
        self.l2_combo.setEditable(True)
        self.l2_combo.addItems([format_number(x) for x in L2_CHOICES])
        self.method_combo = combo({m: NEURAL_NAMES[m] for m in BigramState.spec("method").choices})
        self.method_combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.method_combo.setMinimumContentsLength(16)  # narrow windows: the list shows all
        for name, w in (
            ("lr", self.lr_spin),
            ("steps", self.steps_spin),
            ("l2", self.l2_combo),
            ("method", self.method_combo),
        ):
            bind(state, name, w)
        grid = QGridLayout()
        grid.addWidget(QLabel("learning rate"), 0, 0)
        grid.addWidget(self.lr_spin, 0, 1)
        grid.addWidget(QLabel("steps"), 0, 2)
        grid.addWidget(self.steps_spin, 0, 3)
        grid.addWidget(QLabel("regularization λ"), 1, 0)
        grid.addWidget(self.l2_combo, 1, 1)
        grid.addWidget(QLabel("computed as"), 1, 2)
        grid.addWidget(self.method_combo, 1, 3)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 2)
        return grid

    def _maps(self) -> QWidget:
        page = QWidget()
        v = QVBoxLayout(page)
        v.setContentsMargins(0, 4, 0, 0)
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
            m.setMinimumSize(100, 100)
            box.addWidget(m, 1)
            maps.addLayout(box)
        v.addLayout(maps, 1)
        v.addWidget(
            label("Rows: the current character; columns: the next; darker: likelier.", False)
        )
        return page


class SidePanels(QTabWidget):
    """The four panels beside the table; the front one is the state's ``panel``."""

    def __init__(self, state: BigramState):
        super().__init__()
        self.row, self.sampling, self.score = RowPanel(), SamplePanel(state), ScorePanel()
        self.neural = NeuralPanel(state)
        pages = (self.row, self.sampling, self.score, self.neural)
        for key, page in zip(PANELS, pages, strict=True):
            title, tip = PANEL_TITLES[key]
            self.setTabToolTip(self.addTab(page, title), tip)
        self.setCurrentIndex(PANELS.index(state.panel))
        self.currentChanged.connect(lambda i: setattr(state, "panel", PANELS[i]))
        state.connect(self._from_state)

    def _from_state(self, name: str, value: object) -> None:
        if name == "panel":
            self.setCurrentIndex(PANELS.index(value))
