"""The Character MLP tab: makemore parts 2 to 5 as a trainer you watch learn.

Put together from ``state`` (the one source of truth: every setting once), ``panels``
(widgets bound to it), a :class:`~playground.ui.session.Session` (play/pause/step/reset/
stop over the worker), ``presenter`` (frames -> views), ``job`` (what runs off the GUI
thread), ``files``, ``runs`` (pinned runs, the initialisation lesson) and ``part4`` (the
backprop ninja table, the speed of each kind of backward).  torch (through
playground.core.charmlp) is imported in a background thread once the tab is shown, never
at import time or in the constructor.

``tab.run`` is the model shown or training (a ``charmlp_run.Run``, ``tab.model`` its torch
module); the form always describes it (``form.py`` holds that rule).
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QHBoxLayout, QSplitter, QWidget

from playground.core.training import LiveSettings
from playground.ui.background import run_in_thread
from playground.ui.session import Session
from playground.ui.tabs.base import Tab
from playground.ui.tabs.charmlp import job
from playground.ui.tabs.charmlp.form import FormMixin
from playground.ui.tabs.charmlp.models import ModelsMixin
from playground.ui.tabs.charmlp.panels import HELP_HTML, SettingsPanel, ViewsPanel
from playground.ui.tabs.charmlp.part4 import Part4Mixin
from playground.ui.tabs.charmlp.presenter import Presenter, reference_text
from playground.ui.tabs.charmlp.runs import RunsMixin
from playground.ui.tabs.charmlp.state import CharMLPState
from playground.ui.worker import Frame, Worker

__all__ = ["CharMLPState", "CharMLPTab"]


class CharMLPTab(FormMixin, ModelsMixin, RunsMixin, Part4Mixin, Tab):
    """Embedding MLP language model on names.txt: hyperparameters, live views, lr finder."""

    key = "charmlp"
    title = "Character MLP"
    help_html = HELP_HTML

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.cm: Any = None  # playground.core.charmlp once loaded (imports torch)
        self.words: list[str] | None = None
        self.train_words: set[str] = set()
        self.run: Any = None  # charmlp_run.Run: the model shown / trained
        self._ready = False
        self._fetcher: Any = None
        self._reason: str | None = None  # what a group of changes is called (a preset)
        self._pending_preset: str | None = None  # picked before the core loaded
        self._init_models()
        self._init_runs()
        self._init_part4()
        self.state = CharMLPState()
        self.settings_panel = SettingsPanel(self.state)
        self.views = ViewsPanel(self.state, self.message_bar)
        self.runs = self.views.runs_page.panel  # the base class persists its pinned runs
        self.presenter = Presenter(self.views, lambda *a: self.session.due(*a))
        self.session = Session(self, self._start_job, on_reset=self._on_reset)
        self.finder_worker = Worker(self)
        self._lay_out()
        self._connect()
        self.show_message("Loading names.txt …")
        self._enable(False)

    # public views of what the tab holds, for tests and scripts
    @property
    def model(self) -> Any:
        """The model shown or training (a torch module), None before the core loaded."""
        return self.run.model if self.run is not None else None

    def _lay_out(self) -> None:
        splitter = QSplitter()
        splitter.addWidget(self.settings_panel)
        splitter.addWidget(self.views)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([345, 1015])
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(splitter)

    def _connect(self) -> None:
        s, v, c = self.settings_panel, self.views, self.views.controls
        self.state.connect(self._on_state)
        self.session.follow_live(self.state, lambda st: {"lr": st.lr})
        c.play_clicked.connect(self.toggle_play)
        c.step_clicked.connect(self.step)
        c.reset_clicked.connect(self.reset)
        c.stop_clicked.connect(self.stop_training)
        c.bind(self.session.worker)
        self.session.frame.connect(self._on_frame)
        self.session.state_changed.connect(self._on_run_state)
        self.watch_session(self.session)
        self._connect_finder()
        self._connect_runs()
        self._connect_part4()
        s.preset_picked.connect(self.apply_preset)
        s.optimizer_picked.connect(self._optimizer_picked)
        s.save_button.clicked.connect(self.save)
        s.load_button.clicked.connect(self.open)
        v.sample_button.clicked.connect(self.draw_samples)

    # ------------------------------------------------------------------ loading the core
    def showEvent(self, event) -> None:  # noqa: N802 - Qt name
        super().showEvent(event)
        if self.cm is None and self._fetcher is None:
            QTimer.singleShot(0, self.load_data)

    def load_data(self) -> None:
        """Find names.txt (downloading it if the dataset layer can), then import the core."""
        if self.cm is not None or self._fetcher is not None:
            return
        self.show_message("Loading names.txt …")
        from playground.ui.widgets.download import DatasetFetcher

        self._fetcher = DatasetFetcher("names", self)
        self._fetcher.ready.connect(
            lambda _name: run_in_thread(
                self, job.load_core, self._core_loaded, lambda e: self._data_failed(f"{e}")
            )
        )
        self._fetcher.failed.connect(lambda _name, msg: self._data_failed(msg))
        self._fetcher.start()

    def _data_failed(self, message: str) -> None:
        self._fetcher = None
        self.show_message(
            "<b>The names dataset is not available.</b> " + message.replace("\n", "<br>"),
            "error",
            ("Try again", self.load_data),
        )
        self._ready = True

    def _core_loaded(self, result: tuple[Any, list[str], set[str]]) -> None:
        self.cm, self.words, self.train_words = result
        from playground.core.charmlp_lr import smoothed  # loaded by job.load_core

        self.presenter.smoothed = smoothed
        if self._pending_preset is not None:
            self.apply_preset(self._pending_preset)
        self.show_message(
            f"{len(self.words):,} names loaded. Press Play (Space) to train, or find a "
            "learning rate first."
        )
        self._enable(True)
        self._update_count()
        self.show_fresh_model(ready=True)

    def _enable(self, on: bool) -> None:
        s, v = self.settings_panel, self.views
        compare = v.runs_page.compare_button
        for w in (v.controls, s.finder_button, s.save_button, s.load_button, v.sample_button):
            w.setEnabled(on)
        compare.setEnabled(on and not self.comparing())

    # ------------------------------------------------------------------ runs
    def _start_job(self, fresh: bool) -> Any:
        """The session's start: a job training the shown model, or a new one if it must be."""
        if self.cm is None:
            return None
        values = self.state.core_values()
        run = self.run
        try:
            config = self.cm.CharMLPConfig(**values)
            if (
                run is None
                or self._stale
                or (fresh and (not self._new_model or run.config.seed != config.seed))
                or self.cm.shape_key(config) != self.cm.shape_key(run.config)
            ):
                run = job.new_run(self.cm, self.words, values, self.device)  # ~1 ms
                self._adopt(run)
                self.presenter.clear()
            else:
                run.retune(config)
        except ValueError as exc:
            self.show_message(str(exc), "error")
            return None
        self._new_view()  # a fresh model still being built is not wanted now
        self._preview_key = None
        self.finder_worker.stop()
        self._new_model = False
        self.session.live = live = LiveSettings(lr=self.state.lr, stop=False)
        run.temperature = self.state.temperature
        start, steps = run.model.steps_trained, config.steps
        self.presenter.begin_run(steps)
        self._new_speed_run()
        self.show_message(
            f"Training steps {start + 1:,} to {start + steps:,} on {len(self.words):,} names "
            f"({'fresh model' if start == 0 else 'continuing'})."
        )
        return job.training_job(run, steps, live)

    def toggle_play(self) -> None:
        if self.cm is not None:
            self.session.toggle()

    def step(self) -> None:
        if self.cm is not None:
            self.session.step(1)

    def reset(self) -> None:
        """Stop, and start again from new random weights."""
        self.session.reset()

    def _on_reset(self) -> None:
        self.finder_worker.stop()
        self.show_fresh_model()

    def stop_training(self) -> None:
        """End the run early; the final losses are still measured."""
        live = self.session.live
        if not self.session.worker.has_job() or live is None:
            return
        live.stop = True
        if self.session.state == "paused":
            self.session.worker.play()

    # ------------------------------------------------------------------ frames
    def _on_frame(self, frame: Frame) -> None:
        finals = self.presenter.on_frame(frame, self.session.progress_text(frame))
        if finals is not None:
            self._show_finals(finals)
        self._measure_speed(frame.step, finals is not None or frame.partial)

    def _show_finals(self, finals: dict[str, float]) -> None:
        key = self.state.preset
        same = self.cm.shape_key(self.cm.preset(key)) == self.cm.shape_key(self.run.config)
        steps = self.run.model.steps_trained
        self._finals_at = steps
        self.presenter.show_finals(finals, reference_text(key if same else "", steps))
        self.show_message(
            f"Done: {steps:,} steps, dev loss {finals['dev']:.4f}. Play continues "
            "training this model; Reset starts a new one."
        )

    def _on_run_state(self, state: str) -> None:
        if self.run is not None:  # fresh views whenever it stops or pauses
            self.run.detail_every_s = 0.1 if state == "running" else 0.0
        if state != "running":
            self.presenter.flush(self.session.progress_text)
            self._speed_paused()
        loaded = self.cm is not None
        s, v = self.settings_panel, self.views
        s.finder_button.setEnabled(state not in ("running", "paused") and loaded)
        v.sample_button.setEnabled(state != "running" and loaded)
        s.load_button.setEnabled(state != "running" and loaded)
        self.show_speed()
        if state in ("paused", "finished"):
            self.check_gradients()  # the table follows the model where it stopped

    def run_failed(self, message: str) -> None:
        self._stale = True  # its weights may be NaN: the next Play starts a new model

    # ------------------------------------------------------------------ tab hooks
    def restore_settings(self, settings: QSettings) -> None:
        """The state's fields; settings saved before it existed kept a JSON "form"."""
        super().restore_settings(settings)
        old = settings.value("form")
        if old and settings.value("block_size") is None:
            with contextlib.suppress(ValueError, TypeError):
                form = json.loads(old)
                self.state.update(**CharMLPState.from_dict(form, strict=False).core_values())
        self._runs_changed()

    def is_ready(self) -> bool:
        return self._ready

    def status_text(self) -> str:
        if self.finder_worker.state == "running":
            return f"{self.title}: learning-rate finder running"
        return super().status_text()

    def shutdown(self) -> None:
        if self.comparing():
            self.comparison.cancel()
        if self._fetcher is not None:
            with contextlib.suppress(RuntimeError, AttributeError):
                self._fetcher.cancel()
        self.finder_worker.stop()
        super().shutdown()
