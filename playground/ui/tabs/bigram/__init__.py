"""The Bigram tab: makemore part 1 as a live instrument.

The counts table of names.txt as the lecture draws it, a smoothing slider that moves
the NLL, names sampled one character at a time along the table, a score box, and the
one-layer neural net that learns the same table by gradient descent, whose runs can be
pinned and compared (by hand or with a ready-made comparison).

Put together as every tab is: :class:`BigramState` (the settings) -> panels (widgets
bound to it) -> :class:`Session` (the neural net's runs) -> presenters (what is drawn).
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEventLoop, QSettings, Qt, QTimer
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import QFileDialog, QSplitter, QToolTip, QVBoxLayout, QWidget

from playground.core import bigram as bg
from playground.core.training import LiveSettings
from playground.ui.background import run_in_thread
from playground.ui.compare import Comparison
from playground.ui.runs import PinnedRun
from playground.ui.session import Session
from playground.ui.tabs.base import Tab
from playground.ui.tabs.bigram import job, presenter, runs
from playground.ui.tabs.bigram.files import Words, read_words, save_png, user_message
from playground.ui.tabs.bigram.panels import HELP, SidePanels, TablePanel, TopBar
from playground.ui.tabs.bigram.state import BigramState, smoothing_label
from playground.ui.widgets.download import DatasetFetcher
from playground.ui.worker import Frame

__all__ = ["BigramState", "BigramTab"]

SHAPE_WHAT = {"steps": "the number of steps", "method": "the computation"}


class BigramTab(Tab):
    """Counts, probabilities, sampling, scoring and the neural bigram of any word list."""

    key = "bigram"
    title = "Bigram"
    help_html = HELP

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.state = BigramState()
        self.data: Words | None = None  # the words shown, counted once (k = 0)
        self._ready = False
        self._fetcher: DatasetFetcher | None = None
        self._sampling: Any = None  # the background sampling task
        self._run: dict[str, Any] = {}  # the settings of the run shown (for Pin)
        self._last: dict[str, float] = {}  # its latest metrics
        self._build()
        self.session = Session(
            self,
            self._start_job,
            on_reset=self._on_reset,
            controls=self.neural.run_controls,
            process=True,  # torch loads and trains in the training process, never here
        )
        self.session.follow_live(self.state)
        self.session.frame.connect(self._on_frame)
        self.watch_session(self.session)
        self.state.connect(self._on_state)
        self.bar.smooth_label.setText(smoothing_label(self.state.smoothing))
        QTimer.singleShot(0, self.load_names)

    # ================================================================ layout and wiring
    def _build(self) -> None:
        root = QVBoxLayout(self)
        root.setContentsMargins(6, 6, 6, 6)
        s = self.state
        self.bar = TopBar(s)
        self.table = TablePanel()
        self.panels = SidePanels(s)
        p = self.panels
        self.row, self.sampling, self.score, self.neural = p.row, p.sampling, p.score, p.neural
        split = QSplitter(Qt.Horizontal)
        split.addWidget(self.table)
        split.addWidget(self.panels)
        split.setStretchFactor(0, 11)
        split.setStretchFactor(1, 10)
        split.setSizes([700, 640])
        root.addWidget(self.bar)
        root.addWidget(self.message_bar)
        root.addWidget(split, 1)
        self.bar.open_button.clicked.connect(self.open)
        self.bar.names_button.clicked.connect(self.load_names)
        self.table.heatmap.hovered.connect(self._hovered)
        self.table.heatmap.clicked.connect(self._clicked)
        self.sampler = presenter.SamplingPresenter(self.sampling, self.table.heatmap, self._sampled)
        self.sampling.sample_button.clicked.connect(self._sample_clicked)
        self.view = presenter.TablePresenter(self.bar, self.table, self.row, self.score)
        self.score.score_edit.textChanged.connect(self.view.show_score)
        self.presenter = presenter.NeuralPresenter(self.neural)
        self.runs = self.neural.runs_page.panel
        self.runs.pin_clicked.connect(self.pin_run)
        self.runs.restore_requested.connect(self._restore_run)
        self.runs.failed.connect(lambda text: self.show_message(text, "error"))
        self.runs.exported.connect(lambda path: self.saved("the pinned runs as CSV", path))
        self.runs.changed.connect(lambda: self.neural.show_runs(len(self.runs.book)))
        page = self.neural.runs_page
        page.compare_button.clicked.connect(lambda: self.compare(page.preset()))

    def _on_state(self, name: str, value: Any) -> None:
        if name == "smoothing":
            self.bar.smooth_label.setText(smoothing_label(value))
            self._smooth()
        elif name == "mode":
            self.view.show_mode(value)
        elif name == "speed":
            self.sampler.set_speed(value)
        elif name in SHAPE_WHAT:
            self.session.shape_changed(SHAPE_WHAT[name])
        if name in ("lr", "l2") and self.session.worker.has_job():
            self._run[name] = value  # the running job takes it at its next step
        if name in runs.RUN_FIELDS:
            self._show_current()

    # ================================================================ words
    def load_names(self) -> None:
        """names.txt: fetch it if needed, then count it off the GUI thread."""
        if self._fetcher is not None and self._fetcher.running():
            return
        self._fetcher = DatasetFetcher("names", self)
        self._fetcher.ready.connect(self._names_ready)
        self._fetcher.failed.connect(self._names_failed)
        self._fetcher.start()

    def _names_ready(self, _name: str) -> None:
        path = self._fetcher.files["names.txt"] if self._fetcher else None
        run_in_thread(
            self,
            partial(read_words, path, "names.txt"),
            self._loaded,
            lambda exc: self._load_failed("names.txt", exc),
            name="bigram-load",
        )

    def _names_failed(self, _name: str, message: str) -> None:
        if self.data is None:
            self.bar.source_label.setText("names.txt is not available")
        self.show_message(f"{message} You can also open any word list (Ctrl+O).", "error")
        self._ready = True  # the message is what there is to show

    def load_words_file(self, path: str | Path) -> bool:
        """Count the bigrams of a word list (one word per line) instead of the current one.

        The file is read and counted in a background thread while the window stays live;
        returns True once it is shown, or False after the message bar says why not (the
        tab keeps its words).
        """
        path = Path(path)
        outcome: list[bool] = []
        loop = QEventLoop()

        def done(words: Words) -> None:
            self._loaded(words)
            outcome.append(True)
            loop.quit()

        def failed(exc: BaseException) -> None:
            self._load_failed(path.name, exc)
            outcome.append(False)
            loop.quit()

        run_in_thread(self, partial(read_words, path, path.name), done, failed, "bigram-load")
        self.destroyed.connect(loop.quit)  # closed meanwhile: the callbacks never come
        loop.exec()
        self.destroyed.disconnect(loop.quit)
        return bool(outcome and outcome[0])

    def _load_failed(self, name: str, exc: BaseException) -> None:
        keep = f" Still showing {self.data.name}." if self.data is not None else ""
        self.show_message(f"Could not use {name}: {user_message(exc)}{keep}", "error")
        self._ready = True

    def _loaded(self, words: Words) -> None:
        self.sampler.clear()
        self.data = words
        self.clear_message()
        if self.session.worker.has_job():
            self.session.shape_changed("the word list")
        self.presenter.clear(words.base.itos, "Press Play (Space) to train.")
        self.view.show_words(words, self.state.smoothing, self.state.mode)
        self.presenter.show_counting(self.model, self.nll)
        self._show_current()
        self._ready = True

    # ================================================================ the table
    @property
    def model(self) -> bg.BigramModel | None:
        """The counting model shown: the words' counts with the current smoothing."""
        return self.view.model

    @property
    def nll(self) -> float:
        """Its mean NLL on the words (float32 running sum, as in the lecture)."""
        return self.view.nll

    def _smooth(self) -> None:
        self.view.smooth(self.state.smoothing, self.state.mode)
        if self.model is not None:
            self.presenter.show_counting(self.model, self.nll)

    def _hovered(self, row: int, col: int) -> None:
        text = self.view.hover(row, col)
        if text:
            QToolTip.showText(QCursor.pos(), text, self.table.heatmap)
        else:
            QToolTip.hideText()

    def _clicked(self, row: int, col: int) -> None:
        if self.model is not None:
            self.view.select(row, col)
            self.state.panel = "row"

    # ================================================================ sampling
    def _sample_clicked(self) -> None:
        if self.sampler.running():
            self.sampler.finish()
        else:
            self.sample()

    def sample(self) -> None:
        """Draw the names in the background, then list or animate them."""
        if self.model is None or (self._sampling is not None and self._sampling.running()):
            return
        s, drawn_from = self.state, self.data
        work = partial(job.sample, self.model, s.n, s.seed, s.temperature, s.sampler)

        def done(out: job.Sampled) -> None:
            if self.data is drawn_from:  # other words loaded meanwhile: drop the names
                self.sampler.play(out, drawn_from.word_set, s.instant, s.speed)

        self._sampling = run_in_thread(
            self,
            work,
            done,
            lambda exc: self.show_message(f"Sampling failed: {user_message(exc)}", "error"),
            name="bigram-sample",
        )

    def stop_sampling(self) -> None:
        """Stop the animation, listing the names that were still to come."""
        self.sampler.finish()

    def _sampled(self) -> None:
        self.view.show_selection()
        text = presenter.sample_summary(self.sampler.last, self.sampler.real, self.source, self.nll)
        self.sampling.sample_summary.setText(text)

    # ================================================================ the neural net
    def _start_job(self, _fresh: bool) -> job.NeuralSpec | None:
        """A new run from new random W (the core's job cannot resume a finished one)."""
        if self.data is None:
            return None
        live = self.state.values("live")
        self.session.live = LiveSettings(**live)
        self._run = {k: getattr(self.state, k) for k in runs.RUN_FIELDS} | {"words": self.source}
        self._last = {}
        self.presenter.clear(self.data.base.itos, "Starting from new random W…")
        d = self.data
        config = self.state.values()
        return job.NeuralSpec(tuple(d.words), tuple(d.base.itos), config, live, self.device)

    def _on_frame(self, frame: Frame) -> None:
        self._last = frame.metrics
        if self.model is not None:
            itos = self.data.base.itos
            self.presenter.show_frame(frame, itos, self.model, self.nll, self.session.due)

    def _on_reset(self) -> None:
        itos = self.data.base.itos if self.data else None
        self.presenter.clear(itos, "Reset: press Play (Space) to train from new random W.")

    # ================================================================ pinned runs
    def pin_run(self, name: str = "") -> PinnedRun | None:
        """Keep the run shown (settings, loss curve, final numbers, time) in the runs table;
        None, with a message, when there is no run to keep."""
        xs, ys = self.neural.loss_plot.data("neural net")
        if not len(ys) or self.data is None or not self._run:
            self.show_message("Nothing to pin yet: train the net first (Play).", "info")
            return None
        run = runs.make_run(name, self._run, (xs, ys), self._last, self.data.base.counts)
        self.runs.pin(run)
        self.neural.show_runs(len(self.runs.book), front=True)
        return run

    def compare(self, key: str, steps: int | None = None) -> Comparison | None:
        """Run the ready-made comparison ``key`` (runs.PRESETS) and pin each variant."""
        page = self.neural.runs_page
        if page.running() or self.data is None:
            return None
        self.clear_message()
        self.state.panel = "neural"
        self.neural.show_runs(len(self.runs.book), front=True)
        return page.start(self, key, steps)

    def _restore_run(self, settings: dict) -> None:
        """Put a pinned run's settings back in the form (validated first)."""
        fields = {k: v for k, v in settings.items() if k in runs.RUN_FIELDS}
        try:
            BigramState.from_dict(fields)
        except ValueError as exc:
            self.show_message(f"Could not restore that run's settings: {exc}", "error")
            return
        self.state.update(**fields)
        text = f"Restored {runs.describe(fields)}."
        words = settings.get("words")
        if words and words != self.source:
            text += f" That run learnt {words}; these are {self.source}."
        self.show_message(text + " Press Play to train with them.", "info")

    def _show_current(self) -> None:
        """The runs table highlights what differs from the current settings."""
        current = {k: getattr(self.state, k) for k in runs.RUN_FIELDS}
        self.runs.set_current(current | {"words": self.source})

    def restore_settings(self, settings: QSettings) -> None:
        super().restore_settings(settings)
        self.neural.show_runs(len(self.runs.book))
        self._show_current()

    def toggle_play(self) -> None:
        self.session.toggle()

    def step(self) -> None:
        self.session.step(1)

    def reset(self) -> None:
        self.session.reset()

    # ================================================================ Tab hooks
    @property
    def source(self) -> str:
        """The name of the words shown ("names.txt", a file's name), "" before any."""
        return self.data.name if self.data is not None else ""

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
        if path:
            self.save_heatmap_file(path)

    def save_heatmap_file(self, path: str | Path) -> bool:
        """Save the heatmap as a PNG; True, or False after the message bar says why."""
        try:
            save_png(self.table.heatmap, path)
        except (ValueError, OSError) as exc:
            self.show_message(f"Could not save the heatmap: {user_message(exc)}", "error")
            return False
        self.saved("the heatmap as PNG", path)
        return True

    def is_ready(self) -> bool:
        return self._ready

    def status_text(self) -> str:
        if self.model is not None and self.session.state not in ("running", "paused"):
            return f"{self.title}: {self.source}, k = {self.model.smoothing:g}, NLL " + (
                presenter.fmt_nll(self.nll)
            )
        return super().status_text()

    def shutdown(self) -> None:
        self.sampler.clear()
        self.neural.runs_page.cancel()
        super().shutdown()
