"""The Digits tab: draw a digit, watch the network read it, train MNIST / Fashion-MNIST models.

Left: the draw pad, the live prediction (probability bars and the top class), and what
the network sees.  Right: Train (settings, progress, live curves, pinned runs and the
"numpy vs MLP vs CNN" comparison), Results (test accuracy, confusion matrix, the most
confident mistakes) and Browse (random test images).

Put together from: :class:`~.state.DigitsState` (the settings), the panels bound to it,
a :class:`~playground.ui.session.Session` (play/pause/step/stop/reset), the presenters
(frames and models -> views), :class:`~.loader.Loader` (models and datasets, in threads),
:class:`~.runs.DigitsRuns` (pinned runs) and :mod:`.files`.  torch is imported only by the
worker thread or to open a torch model.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QVBoxLayout, QWidget

from playground.core import digits
from playground.core.training import Job, LiveSettings
from playground.ui.runs import PinnedRun
from playground.ui.session import Session
from playground.ui.tabs.base import Tab
from playground.ui.tabs.digits.adopt import Adoption
from playground.ui.tabs.digits.files import ModelFiles
from playground.ui.tabs.digits.help import HELP
from playground.ui.tabs.digits.job import Run, make_job
from playground.ui.tabs.digits.loader import Loader
from playground.ui.tabs.digits.panels import DigitsView
from playground.ui.tabs.digits.presenter import PadPresenter, ResultsPresenter, TrainPresenter
from playground.ui.tabs.digits.runs import DigitsRuns
from playground.ui.tabs.digits.state import (
    PAGES,
    DigitsState,
    defaults_for,
    run_settings,
    train_config,
)

__all__ = ["DigitsTab", "DigitsState"]


class DigitsTab(Tab):
    """Draw, predict, train on MNIST and Fashion-MNIST."""

    key = "digits"
    title = "Digits"
    help_html = HELP

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.state = DigitsState()
        self.loader = Loader(self)
        self.files = ModelFiles(self, self.show_message, self.saved)
        self.run: Run | None = None  # the run training now (or last), if any
        self._want_step = False  # what Play/Step asked for while the dataset loads
        self._waiting: bool | None = None  # a run waiting for its dataset: play?
        self._keep_model = False  # a Reset that leaves the pad its model (a failed run's)
        self._build()
        self.session = Session(self, self._start_job, on_reset=self._on_reset)
        self.train_view = TrainPresenter(self.train_page, self.session)
        self.runs = self.train_page.runs  # pinned runs: saved with the settings (base class)
        self.pinned = DigitsRuns(self)
        self.adoption = Adoption(self)  # a trained model reads the pad only if no worse
        self._wire()
        self.pad_view.show_empty(self.state.dataset)
        QTimer.singleShot(0, lambda: self.loader.ensure_model(self.state.dataset))

    # ================================================================= building
    def _build(self) -> None:
        view = DigitsView(self.state, self.message_bar)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(view, 1)
        self.view = view
        self.pad_panel, self.sees, self.pages = view.pad_panel, view.sees, view.pages
        self.train_page, self.results_page = view.train_page, view.results_page
        self.browse_page, self.pad = view.browse_page, view.pad_panel.pad
        self.pad_view = PadPresenter(self.pad_panel, self.sees)
        self.results = ResultsPresenter(self, self.results_page, self.browse_page)

    def _wire(self) -> None:
        st, tp, rp = self.state, self.train_page, self.results_page
        st.connect(self._on_state)
        self.session.follow_live(st)
        self.session.frame.connect(self._on_frame)
        self.session.finished.connect(lambda: self._adopt("finished"))
        self.session.state_changed.connect(self._on_run_state)
        self.watch_session(self.session)
        c = tp.controls
        c.bind(self.session.worker)
        c.play_clicked.connect(self.toggle_play)
        c.step_clicked.connect(self.step)
        c.reset_clicked.connect(self.reset)
        c.stop_clicked.connect(self.stop_training)
        tp.model_picked.connect(self.apply_defaults)
        tp.defaults_button.clicked.connect(lambda: self.apply_defaults(st.model))
        tp.save_button.clicked.connect(self.save)
        tp.open_button.clicked.connect(self.open)
        rp.download_button.clicked.connect(self._download)
        rp.confusion.cell_clicked.connect(self.results.cell_clicked)
        rp.all_mistakes_button.clicked.connect(self.results.show_mistakes)
        self.browse_page.shuffle_button.clicked.connect(self.results.browse)
        self.pages.currentChanged.connect(self._page_changed)
        self._predict_timer = QTimer(self, singleShot=True, interval=0)
        self._predict_timer.timeout.connect(self.predict_now)
        self.pad.changed.connect(self._predict_timer.start)
        ld = self.loader
        ld.model_changed.connect(lambda d: d == st.dataset and self._model_changed())
        ld.model_failed.connect(
            lambda _d, msg: self.show_message(
                f"The shipped model could not be loaded: {msg}", "error"
            )
        )
        ld.data_ready.connect(self._on_data_ready)
        ld.data_missing.connect(self._on_data_missing)
        ld.data_damaged.connect(self._on_data_damaged)
        ld.download_started.connect(
            lambda d: tp.status.setText(f"Getting the {digits.DATASET_TITLES[d]} dataset...")
        )
        ld.download_failed.connect(self._on_download_failed)

    # ================================================================= the state
    def _on_state(self, name: str, value: Any) -> None:
        if name == "brush":
            self.pad.set_brush(value)
        elif name == "page":
            self.pages.setCurrentIndex(PAGES.index(value))
        elif name == "dataset":
            self._dataset_changed()
        if name in ("dataset", "model"):
            self.session.shape_changed("the dataset" if name == "dataset" else "the model")
        elif name in ("epochs", "batch_size", "train_images") and self._plan_differs():
            self.session.shape_changed("the training plan")  # set by code: the form is locked

    def _plan_differs(self) -> bool:
        """A run is under way with other epochs, batch size or images than the form shows."""
        run, st = self.run, self.state
        if not self.session.worker.has_job() or run is None:
            return False
        c, now = run.config, train_config(st)
        return (c.epochs, c.batch_size, c.train_limit) != (
            now.epochs,
            now.batch_size,
            now.train_limit,
        )

    def apply_defaults(self, model: str | None = None) -> None:
        """The recommended epochs, batch size and learning rate of ``model`` (and pick it)."""
        model = model or self.state.model
        self.state.update(model=model, **defaults_for(model))

    def _page_changed(self, index: int) -> None:
        self.state.page = PAGES[index]
        if PAGES[index] == "browse" and self.browse_page.browser.count() == 0:
            self.results.browse()

    @property
    def clf(self) -> digits.Classifier | None:
        """The model that reads the pad now."""
        return self.loader.models.get(self.state.dataset)

    @property
    def evaluation(self) -> digits.Evaluation | None:
        """The results of :attr:`clf` on the test set, once evaluated."""
        return self.results.evaluation

    def _dataset_changed(self) -> None:
        d = self.state.dataset
        names = digits.class_names(d)
        self.pad_panel.bars.set_names(names)
        self.results_page.confusion.set_names(names)
        self.results.clear()
        self.loader.ensure_model(d)
        if self.isVisible():  # else when the tab is first shown
            self.loader.ensure_data(d)
        self._model_changed()
        if self.train_view.has_curves() and not self.session.worker.has_job():
            self.train_page.status.setText(
                "The curves below are from the last run on the other dataset; Play trains "
                f"on {digits.DATASET_TITLES[d]}."
            )

    def _model_changed(self) -> None:
        d = self.state.dataset
        self.pad_view.show_model(self.clf, self.loader.sources.get(d, ""))
        self.predict_now()
        self._evaluate()

    def _evaluate(self) -> None:
        sets = self.loader.sets.get(self.state.dataset)
        if self.clf is not None and sets is not None:
            self.results.evaluate(self.clf, sets["test"])

    # ================================================================= loading
    def showEvent(self, event) -> None:  # noqa: N802 - Qt name
        """The datasets (~55 MB) load when the tab is first shown, not at every launch."""
        super().showEvent(event)
        self.loader.ensure_data(self.state.dataset)

    def _on_data_ready(self, dataset: str) -> None:
        if dataset != self.state.dataset:
            return
        self._evaluate()
        if self._waiting is not None:
            play, self._waiting = self._waiting, None
            self._launch(play)

    def _on_data_missing(self, dataset: str, _message: str) -> None:
        if dataset != self.state.dataset:
            return
        if self._waiting is not None:  # Play asked for it: the download flow, with progress
            self.loader.ensure_data(dataset, download=True)
        else:
            self.results.show_missing(digits.DATASET_TITLES[dataset])

    def _on_data_damaged(self, dataset: str, message: str) -> None:
        """A file is here but damaged: the Results page names it (Play downloads it again)."""
        if dataset != self.state.dataset:
            return
        if self._waiting is not None:
            self.loader.ensure_data(dataset, download=True)
        else:
            self.results.show_damaged(digits.DATASET_TITLES[dataset], message)

    def _on_download_failed(self, _dataset: str, message: str) -> None:
        self._waiting = None
        self.train_page.status.setText(f"No training: {message}")
        self.results.show_download_failed(message)
        self.show_message(f"Could not get the dataset: {message}", "error")

    def _download(self) -> None:
        self.results_page.download_button.setVisible(False)
        self.loader.ensure_data(self.state.dataset, download=True)

    # ================================================================= the pad
    def predict_now(self) -> None:
        """Read the pad and update the prediction views (on the GUI thread; a few ms)."""
        self.pad_view.predict(self.clf, self.state.dataset)

    @property
    def latency_ms(self) -> float:
        """How long the last prediction took, drawing to answer."""
        return self.pad_view.latency_ms

    @property
    def last_probs(self) -> Any:
        """The latest class probabilities (10,), None while the pad is empty."""
        return self.pad_view.probs

    # ================================================================= training
    def toggle_play(self) -> None:
        self._want_step = False
        self.session.toggle()

    def step(self) -> None:
        self._want_step = True
        self.session.step()

    def _launch(self, play: bool) -> None:
        self._want_step = not play
        self.session.play() if play else self.session.step()

    def _start_job(self, fresh: bool) -> Job | None:
        """The session's start: a new model of the state's kind (None while data loads)."""
        st = self.state
        sets = self.loader.sets.get(st.dataset)
        if sets is None:
            self._waiting = not self._want_step
            self.train_page.status.setText(f"Loading {digits.DATASET_TITLES[st.dataset]}...")
            self.loader.ensure_data(st.dataset)
            return None
        self._waiting = None
        self.run = Run(st.dataset, train_config(st), settings=run_settings(st))
        self.session.live = LiveSettings(**st.values("live"))
        self.train_view.start(self.run)
        return make_job(self.run, sets, self.session.live, self.device)

    def _on_frame(self, frame: Any) -> None:
        run = self.run
        if run is not None and self.session.live is not None:
            run.settings["lr"] = self.session.live.lr  # the learning rate is live
        self.train_view.frame(frame, run)

    def pin_run(self, name: str = "") -> PinnedRun | None:
        """Pin the run shown in the curves (see :class:`~.runs.DigitsRuns`)."""
        return self.pinned.pin_run(name)

    def _adopt(self, how: str) -> None:
        """Offer the trained model to the pad: it reads the pad if it is no worse than the
        model there (else the message says so and offers it); a comparison's runs are
        only pinned."""
        run = self.run
        if run is None or run.clf is None or not self.train_view.has_curves():
            return
        if how == "finished":
            self.train_view.ended("done", "Training finished.")
        if not self.pinned.comparing():
            self.adoption.offer(run, how)

    def stop_training(self) -> None:
        """Stop; the model as far as it got is offered to the pad (see :meth:`_adopt`)."""
        self._waiting = None
        self.pinned.cancel()
        if not self.session.worker.has_job():
            return
        self.session.stop()
        self.train_view.ended("stopped", "Stopped.")
        self._adopt("stopped early")

    def run_failed(self, message: str) -> None:
        """The message bar has it all; the status line keeps its first words."""
        first = message.split(":")[0].rstrip(".")
        self.train_view.ended("failed", f"<span style='color:#D55E00'>{first}.</span>")

    def _on_run_state(self, state: str) -> None:
        self.train_page.set_run_active(state in ("running", "paused"))
        if state == "running":
            self.adoption.cancel()  # a new run: the last one's offer is old news

    def reset_run(self) -> None:
        """The Reset of a failed run's message: the run's curves go, the pad keeps its
        model (the toolbar's Reset and R go back to the shipped model)."""
        self._keep_model = True
        try:
            self.reset()
        finally:
            self._keep_model = False

    def reset(self) -> None:
        """Stop training and go back to the shipped model of the current dataset."""
        self._waiting = None
        self.pinned.cancel()
        self.session.reset()

    def _on_reset(self) -> None:
        self.clear_message()
        self.adoption.cancel()
        if self._keep_model:
            self.train_view.clear("The pad keeps its model. Press Play to train a new one.")
            return
        self.train_view.clear("Back to the shipped model. Press Play to train your own.")
        self.loader.forget_model(self.state.dataset)

    def set_device(self, device: str) -> None:
        super().set_device(device)
        if not self.session.worker.has_job():
            self.train_page.device_label.setText(device.upper())

    # ================================================================= files
    def save(self) -> None:
        path = self.files.ask_save_path(self.clf)
        if path:
            self.save_path(path)

    def save_path(self, path: str) -> bool:
        """Save the model that reads the pad to ``path`` (atomically); False if it failed."""
        return self.files.save(self.clf, path)

    def open(self) -> None:
        path = self.files.ask_open_path()
        if path:
            self.open_path(path)

    def open_path(self, path: str) -> bool:
        """Load a saved model and make it read the pad; a bad file gets a message and the
        tab keeps its model."""
        clf = self.files.open(path)
        if clf is None:
            return False
        self._waiting = None
        self.session.stop()
        st, name = self.state, Path(path).name
        fields = {"dataset": clf.dataset}
        if clf.kind != st.model:
            fields.update(model=clf.kind, **defaults_for(clf.kind))
        st.update(**fields)  # the form shows the opened model
        self.loader.set_model(clf.dataset, clf, f"the {{model}} opened from {name}")
        self.train_page.status.setText(f"Opened {name}: it now reads the pad.")
        self.show_message(" ".join(t for t in (f"Opened {path}.", self.session.notice) if t))
        return True

    # ================================================================= tab hooks
    def restore_settings(self, settings: Any) -> None:
        super().restore_settings(settings)  # the settings, then the pinned runs
        self.train_page.show_runs()

    def is_ready(self) -> bool:
        return self.clf is not None

    def status_text(self) -> str:
        state = self.session.state
        if state == "running":
            rate = self.run.rate if self.run else 0.0
            return f"Digits: training, {rate:,.0f} images/s"
        if state == "paused":
            return "Digits: training paused"
        clf = self.clf
        return f"Digits: {clf.title if clf else 'loading'}; draw on the pad"

    def shutdown(self) -> None:
        self.pinned.cancel()  # the user's settings come back before they are saved
        self.loader.shutdown()
        super().shutdown()
