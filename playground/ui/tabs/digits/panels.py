"""The Digits tab's widgets: the pad and its answer, what the network sees, and the
Train / Results / Browse pages.  Widgets and their signals only; settings are bound to
the state with :func:`~playground.ui.binding.bind`.

Layout sizes never depend on what the labels say: the pad keeps its size when the first
prediction appears (labels that change get fixed heights, captions ignore their text).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSlider,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from playground.core import digits
from playground.ui.binding import bind
from playground.ui.style import TEST_COLOR, TRAIN_COLOR
from playground.ui.tabs.digits.state import PAGES, DigitsState
from playground.ui.widgets.curves import CurvePlot
from playground.ui.widgets.digit_views import ConfusionMatrix, Gallery, ImageView, ProbabilityBars
from playground.ui.widgets.drawpad import DrawPad
from playground.ui.widgets.run_controls import RunControls
from playground.ui.widgets.runs_table import RunsPanel

# short names of the run settings in the runs table ("differs from now": "model cnn, lr 0.001")
RUN_LABELS = {
    "dataset": "dataset",
    "model": "model",
    "epochs": "epochs",
    "batch_size": "batch",
    "lr": "lr",
    "train_images": "images",
}


SURE_TIP = (
    "The network's top guess and its softmax probability. The ten outputs always add up to "
    "100%, so the network must pick one of its classes even for a scribble or a letter: a "
    "high percentage says which class wins, not that the drawing looks like it. The network "
    "was never trained to say \u201cnone of these\u201d, and its percentages are not "
    "calibrated."
)


class _FixedLabel(QLabel):
    """A wrapped label of fixed height: its text asks the layout for no height."""

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt name
        return False


def label(text: str = "", name: str = "", tip: str = "", lines: int = 0) -> QLabel:
    """A wrapped label; ``lines``: a fixed height of that many lines (text never resizes it)."""
    w = _FixedLabel(text) if lines else QLabel(text)
    w.setWordWrap(True)
    if name:
        w.setObjectName(name)
    if tip:
        w.setToolTip(tip)
    if lines:
        w.setFixedHeight(lines * w.fontMetrics().lineSpacing() + 4)
        w.setAlignment(Qt.AlignLeft | Qt.AlignTop)
    return w


class PadPanel(QWidget):
    """The pad with its tools, the top guess, the probability bars and which model reads."""

    def __init__(self, state: DigitsState):
        super().__init__()
        top = QHBoxLayout(self)
        top.setContentsMargins(0, 0, 0, 0)
        pad_box = QVBoxLayout()
        self.pad = DrawPad(brush=state.brush)
        self.pad.setMinimumSize(240, 240)  # small windows shrink the pad, never overlap it
        pad_box.addWidget(self.pad, 1)
        tools = QHBoxLayout()
        tools.addWidget(QLabel("Brush"))
        self.brush_slider = QSlider(Qt.Horizontal)
        bind(state, "brush", self.brush_slider)
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
        self.prediction_label.setToolTip(SURE_TIP)
        font = self.prediction_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.7)
        font.setBold(True)
        self.prediction_label.setFont(font)
        self.prediction_label.setWordWrap(True)  # "Ankle boot (97.1% sure)" in a narrow window
        lines = 2 * self.prediction_label.fontMetrics().lineSpacing() + 4
        self.prediction_label.setFixedHeight(max(56, lines))
        self.prediction_label.setAlignment(Qt.AlignLeft | Qt.AlignVCenter)
        answer.addWidget(self.prediction_label)
        # which model gives the answer, right under it (the form may describe another)
        self.model_label = label(
            "Loading the shipped model...",
            "digitsModelLabel",
            "The model that reads your drawing right now.",
            lines=3,
        )
        answer.addWidget(self.model_label)
        self.bars = ProbabilityBars()
        self.bars.setToolTip("The probability the network gives each class for your drawing.")
        self.bars.setMinimumWidth(230)
        answer.addWidget(self.bars, 1)
        self.sure_note = label(
            "\u201cSure\u201d is the softmax probability, not a calibrated confidence: the "
            "net must pick one of ten classes, even for a scribble.",
            "sureNote",
            SURE_TIP,
        )
        self.sure_note.setStyleSheet("color: #555;")
        small = self.sure_note.font()
        small.setPointSizeF(small.pointSizeF() * 0.9)
        self.sure_note.setFont(small)
        self.sure_note.setFixedHeight(3 * self.sure_note.fontMetrics().lineSpacing() + 4)
        self.sure_note.setAlignment(Qt.AlignLeft | Qt.AlignTop)
        answer.addWidget(self.sure_note)
        top.addLayout(answer, 2)


class SeesPanel(QGroupBox):
    """What the network sees: the 28x28 input and what inside the network responds."""

    def __init__(self):
        super().__init__("What the network sees")
        self.setToolTip("The input the network gets, and what inside it responds.")
        h = QHBoxLayout(self)
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
        self.insight_view.setFixedHeight(190)
        h.addWidget(self.insight_view, 1)
        self.caption = label(tip="Which units the tiles are and how much each one adds.")
        self.caption.setFixedSize(150, 190)
        self.caption.setAlignment(Qt.AlignLeft | Qt.AlignTop)  # its text never resizes it
        h.addWidget(self.caption)
        self.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Fixed)


class TrainPage(QWidget):
    """Settings, save and open, run controls, progress, the loss and accuracy curves, and
    below them the pinned runs (the table shows once a run is pinned) and the comparison.

    ``model_picked(kind)``: the user chose a model in the combo box (its defaults apply);
    it fires before the state hears of the new model.
    """

    model_picked = Signal(str)

    def __init__(self, state: DigitsState):
        super().__init__()
        v = QVBoxLayout(self)
        v.setContentsMargins(6, 6, 6, 6)
        v.addLayout(self._build_form(state))
        v.addWidget(self._build_controls())
        v.addWidget(self.controls.progress)  # a row of its own: epoch, batch, ETA need room
        self.status = label("Press Play to train a model of your own.", "trainStatus", lines=2)
        v.addWidget(self.status)
        v.addWidget(self._build_plots(), 3)
        self._layout = v
        v.addWidget(self._build_runs())
        self.runs.changed.connect(self.show_runs)
        self.show_runs()

    def _build_form(self, state: DigitsState) -> QGridLayout:
        """Two settings a row (the window may be 1024x640), then defaults, device, files."""
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        self.dataset_combo = QComboBox()
        for name in digits.DATASETS:
            self.dataset_combo.addItem(digits.DATASET_TITLES[name], name)
        bind(state, "dataset", self.dataset_combo)
        self.model_combo = QComboBox()
        for name in digits.MODELS:
            self.model_combo.addItem(digits.MODEL_TITLES[name], name)
        # connected before bind(): the defaults and the model reach the state together
        self.model_combo.currentIndexChanged.connect(
            lambda i: self.model_picked.emit(self.model_combo.itemData(i))
        )
        bind(state, "model", self.model_combo)
        self.epochs_spin = QSpinBox()
        bind(state, "epochs", self.epochs_spin)
        self.batch_spin = QSpinBox()
        self.batch_spin.setSingleStep(32)
        bind(state, "batch_size", self.batch_spin)
        self.lr_spin = QDoubleSpinBox()
        self.lr_spin.setDecimals(5)
        self.lr_spin.setSingleStep(0.0005)
        bind(state, "lr", self.lr_spin)
        self.images_spin = QSpinBox()
        self.images_spin.setSingleStep(5000)
        self.images_spin.setGroupSeparatorShown(True)
        bind(state, "train_images", self.images_spin)
        rows = [
            (("Dataset", self.dataset_combo), ("Model", self.model_combo)),
            (("Epochs", self.epochs_spin), ("Batch", self.batch_spin)),
            (("Learning rate", self.lr_spin), ("Images", self.images_spin)),
        ]
        for r, pair in enumerate(rows):
            for c, (text, widget) in enumerate(pair):
                name = QLabel(text)
                name.setToolTip(widget.toolTip())
                grid.addWidget(name, r, 2 * c)
                grid.addWidget(widget, r, 2 * c + 1)
        grid.setColumnStretch(1, 3)
        grid.setColumnStretch(3, 4)
        self.defaults_button = QPushButton("Model defaults")
        self.defaults_button.setToolTip(
            "Put back the recommended epochs, batch size and learning rate of this model."
        )
        self.device_label = QLabel("CPU")
        self.device_label.setObjectName("digitsDevice")
        self.device_label.setToolTip(
            "Where training computes (choose the device at the top right)."
        )
        # the device ("CPU (numpy)" once training started) must never widen the page past
        # a 1024-pixel window (it did): the label gives up width instead
        self.device_label.setMinimumWidth(1)  # its text's width when there is room, less if not
        self.save_button = QPushButton("Save model...")
        self.save_button.setToolTip("Save the model the pad uses to a .safetensors file (Ctrl+S).")
        self.open_button = QPushButton("Open model...")
        self.open_button.setToolTip("Load a model saved by this tab (Ctrl+O).")
        row = QHBoxLayout()
        row.addWidget(self.defaults_button)
        row.addWidget(self.device_label, 1)
        row.addWidget(self.save_button)
        row.addWidget(self.open_button)
        grid.addLayout(row, len(rows), 0, 1, 4)
        return grid

    def _build_controls(self) -> RunControls:
        self.controls = RunControls(step_text="Step", show_progress=True, show_stop=True)
        c = self.controls
        c.play_button.setToolTip("Start training, or pause / resume it (Space).")
        c.step_button.setToolTip("Train a few more batches, then pause (S).")
        c.reset_button.setToolTip("Stop and go back to the shipped model of this dataset (R).")
        c.stop_button.setToolTip("Stop training; the pad then uses the model as it is now.")
        c.stop_button.setEnabled(False)
        c.progress.setFormat("not training")
        c.progress.setValue(0)
        return c

    def _build_plots(self) -> QWidget:
        """Loss and accuracy side by side: pinned runs are drawn on them, dashed."""
        # stepped: ranges grown in nice steps, not auto-ranged on every new point (the axes
        # repainted each frame: 20-30 ms on the GUI thread while training)
        self.loss_plot = CurvePlot(
            "Loss (cross-entropy)", x_label="epoch", y_label="loss", stepped=True, x_min_span=1
        )
        self.loss_plot.setToolTip(
            "Training loss on recent batches, and test loss after each epoch. "
            "Dashed: the training loss of pinned runs."
        )
        self.acc_plot = CurvePlot(
            "Accuracy", x_label="epoch", y_label="accuracy", stepped=True, x_min_span=1
        )
        self.acc_plot.set_y_limits(0, 1)
        self.acc_plot.setToolTip(
            "Share of images classified right: recent batches and the test set. "
            "Dashed: the test accuracy of pinned runs."
        )
        box = QWidget()
        h = QHBoxLayout(box)
        h.setContentsMargins(0, 0, 0, 0)
        for plot in (self.loss_plot, self.acc_plot):
            plot.add_curve("train (batches)", TRAIN_COLOR, width=1.5, label="train")
            plot.add_curve("test", TEST_COLOR, symbol="o")
            plot.setMinimumSize(150, 150)
            h.addWidget(plot, 1)
        return box

    def _build_runs(self) -> QWidget:
        """Pin, the runs table, and the ready-made comparison with its progress and Cancel."""
        self.runs = RunsPanel(
            {"loss": self.loss_plot, "acc": self.acc_plot},
            [
                ("test_acc", "test acc", "{:.2%}"),
                ("test_loss", "test loss", "{:.3f}"),
            ],
            labels=RUN_LABELS,
        )
        table = self.runs.table
        table.setWordWrap(False)  # one line a run (the cells' tooltips say it all)
        table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
        table.setMinimumHeight(4 * (table.fontMetrics().height() + 8))  # header + 3 runs
        header = table.horizontalHeader()
        for col in range(table.columnCount()):
            if col != 2:  # "differs from now" stretches; the others fit their text
                header.setSectionResizeMode(col, QHeaderView.ResizeToContents)
        self.compare_button = QPushButton("numpy vs MLP vs CNN")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop the comparison; the runs pinned so far stay.")
        self.cancel_button.setEnabled(False)
        self.compare_label = label(name="compareStatus", lines=2)
        box = self.runs_box = QWidget()
        v = QVBoxLayout(box)
        v.setContentsMargins(0, 0, 0, 0)
        v.addWidget(self.runs, 1)
        row = QHBoxLayout()
        row.addWidget(self.compare_button)
        row.addWidget(self.cancel_button)
        row.addWidget(self.compare_label, 1)
        v.addLayout(row)
        return box

    def show_runs(self) -> None:
        """The runs table takes room from the curves only once a run is pinned."""
        has = len(self.runs.book) > 0
        self.runs.table.setVisible(has)
        self._layout.setStretchFactor(self.runs_box, 2 if has else 0)

    def set_run_active(self, active: bool) -> None:
        """Epochs, batch size and images describe the run: fixed while one is under way."""
        for w in (self.epochs_spin, self.batch_spin, self.images_spin, self.defaults_button):
            w.setEnabled(not active)


class ResultsPage(QWidget):
    """Test accuracy, the confusion matrix and a gallery of test images."""

    def __init__(self):
        super().__init__()
        v = QVBoxLayout(self)
        self.results_label = label(
            "", "resultsLabel", "The model's accuracy on the 10,000 test images.", lines=2
        )
        v.addWidget(self.results_label)
        self.problem_label = label(name="dataProblem")  # what is wrong with the files, in full
        self.problem_label.setTextFormat(Qt.PlainText)
        self.problem_label.setTextInteractionFlags(Qt.TextSelectableByMouse)  # paths to copy
        self.problem_label.setVisible(False)
        v.addWidget(self.problem_label)
        self.download_button = QPushButton("Download the dataset")
        self.download_button.setToolTip("Fetch the dataset (about 30 MB) and check its checksums.")
        self.download_button.setVisible(False)
        v.addWidget(self.download_button)
        self.confusion = ConfusionMatrix()
        self.confusion.setToolTip(
            "Rows: the true class; columns: what the model said. The diagonal is right; "
            "click any cell to see those images below."
        )
        v.addWidget(self.confusion, 3)
        row = QHBoxLayout()
        self.gallery_label = label(lines=2)
        row.addWidget(self.gallery_label, 1)
        self.all_mistakes_button = QPushButton("All mistakes")
        self.all_mistakes_button.setToolTip("Show the mistakes the model was most sure about.")
        row.addWidget(self.all_mistakes_button)
        v.addLayout(row)
        self.mistakes = Gallery()
        self.mistakes.setObjectName("mistakesGallery")
        self.mistakes.setToolTip("Test images with their true label, the guess and its confidence.")
        v.addWidget(self.mistakes, 2)

    def show_problem(self, text: str) -> None:
        """The core's message about the dataset's files ("" hides it)."""
        self.problem_label.setText(text)
        self.problem_label.setVisible(bool(text))


class BrowsePage(QWidget):
    """Random test images with the model's guesses."""

    def __init__(self):
        super().__init__()
        v = QVBoxLayout(self)
        row = QHBoxLayout()
        self.browse_label = label("Random test images and the model's guesses (red: wrong).")
        row.addWidget(self.browse_label, 1)
        self.shuffle_button = QPushButton("Show other images")
        self.shuffle_button.setToolTip("Pick 48 new random images from the test set.")
        row.addWidget(self.shuffle_button)
        v.addLayout(row)
        self.browser = Gallery(icon=56)
        self.browser.setObjectName("browseGallery")
        self.browser.setToolTip("Each image: its true label, the model's guess and confidence.")
        v.addWidget(self.browser, 1)


class DigitsView(QSplitter):
    """The whole tab: the pad, its answer and what the network sees on the left; the
    message bar (above, so the pad never moves under the pen) and the pages on the right."""

    def __init__(self, state: DigitsState, message_bar: QWidget):
        super().__init__(Qt.Horizontal)
        self.pad_panel, self.sees = PadPanel(state), SeesPanel()
        left = QWidget()
        v = QVBoxLayout(left)
        v.setContentsMargins(0, 0, 0, 0)
        v.addWidget(self.pad_panel, 1)
        v.addWidget(self.sees)
        self.train_page, self.results_page = TrainPage(state), ResultsPage()
        self.browse_page = BrowsePage()
        self.pages = QTabWidget()
        # the Train page scrolls rather than make the window taller (1024x640 with a message)
        self.train_scroll = QScrollArea()
        self.train_scroll.setWidget(self.train_page)
        self.train_scroll.setWidgetResizable(True)
        self.train_scroll.setFrameShape(QFrame.NoFrame)
        self.train_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        bar = self.train_scroll.verticalScrollBar().sizeHint().width()
        self.train_scroll.setMinimumWidth(self.train_page.minimumSizeHint().width() + bar)
        for page, title, tip in (
            (self.train_scroll, "Train", "Train a model of your own and watch it learn."),
            (self.results_page, "Results", "How the model does on the 10,000 test images."),
            (self.browse_page, "Browse test set", "Random test images and the model's guesses."),
        ):
            self.pages.setTabToolTip(self.pages.addTab(page, title), tip)
        self.pages.setCurrentIndex(PAGES.index(state.page))
        right = QWidget()
        rv = QVBoxLayout(right)
        rv.setContentsMargins(0, 0, 0, 0)
        rv.addWidget(message_bar)
        rv.addWidget(self.pages, 1)
        self.addWidget(left)
        self.addWidget(right)
        self.setStretchFactor(0, 5)
        self.setStretchFactor(1, 4)
        self.setSizes([760, 600])
