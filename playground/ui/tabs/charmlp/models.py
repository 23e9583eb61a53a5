"""The Character MLP tab's models: the fresh one shown, samples, files, the lr finder.

All model work (building the initial view, sampling, reading weights, measuring a loaded
model's losses) runs through ``ui/background.py``; results older than the tab's latest
request are dropped (a generation counter, as in ndv).

``load_from(path)`` reads the file's small header at once (plain Python: a wrong file is
refused immediately, returning False with the error shown), then loads the weights in a
background thread and returns True: the outcome ("Loaded ..." or the error) reaches the
message bar when it is done, and until then the tab keeps what it had.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QFileDialog

from playground.ui.background import run_in_thread
from playground.ui.tabs.charmlp import files, job
from playground.ui.tabs.charmlp.state import config_values, model_values, values_of
from playground.ui.worker import Frame


class ModelsMixin:
    """Part of :class:`CharMLPTab` (``self`` is the tab)."""

    def _init_models(self) -> None:
        self._sample_gen = 0  # the latest samples request
        self._view_gen = 0  # the latest background view request; older results are dropped
        self._preview_key: tuple | None = None  # shape of the fresh model being built
        self._new_model = False  # the shown model is new (or just loaded): Play trains it
        self._stale = False  # the shown model diverged: Play starts a new one
        self._loading_model = False

    def _adopt(self, run: Any) -> None:
        """Make ``run`` the model shown and trained."""
        self._view_gen += 1
        self._preview_key = None
        self.run = run
        self._stale = False
        run.temperature = self.state.temperature
        self._reset_clock()  # a new model: its training time starts at 0
        self._finals_at = -1
        self._update_count()

    # ------------------------------------------------------------------ a fresh model
    def show_fresh_model(self, ready: bool = False) -> None:
        """Build a new model from the form in a thread, then show it untrained."""
        values = config_values(self.state)
        try:
            key = self.cm.shape_key(self.cm.CharMLPConfig(**values))
        except ValueError as exc:
            self.show_message(str(exc), "error")
            self._ready = self._ready or ready
            return
        self._view_gen += 1
        gen = self._view_gen
        self._preview_key = key
        cm, words, device = self.cm, self.words, self.device
        run_in_thread(
            self,
            lambda: job.fresh_model(cm, words, values, device),
            lambda result: self._fresh_ready(gen, result, ready),
            lambda exc: self._background_failed(gen, exc, ready),
            name="charmlp-fresh",
        )

    def _fresh_ready(self, gen: int, result: tuple[Any, dict], ready: bool) -> None:
        if ready:
            self._ready = True
        if gen != self._view_gen or self.session.worker.has_job():
            return  # a newer request, or a job started meanwhile
        run, view = result
        self._adopt(run)
        self._new_model = True
        self.presenter.clear()
        self.presenter.show_initial(view)
        self.check_gradients()  # if its page is shown, the table follows the new model

    def _background_failed(self, gen: int, exc: BaseException, ready: bool = False) -> None:
        if ready:
            self._ready = True
        if gen == self._view_gen:
            self._preview_key = None
            self.show_message(f"{exc}", "error")

    # ------------------------------------------------------------------ samples
    def draw_samples(self) -> None:
        """Draw 12 names from the current model in a thread (not while it trains: it
        refreshes them itself)."""
        if self.run is None or self.session.running:
            return
        st = self.state
        cm, model, seed, temp, seen = (
            self.cm,
            self.run.model,
            st.sample_seed,
            st.temperature,
            (self.train_words),
        )
        self._sample_gen += 1
        gen = self._sample_gen

        def done(samples: list[tuple[str, bool]]) -> None:
            if gen == self._sample_gen:
                self.presenter.keep_samples = True
                self.presenter.show_samples(samples, seed, temp)

        run_in_thread(
            self,
            lambda: job.draw_samples(cm, model, 12, seed, temp, seen),
            done,
            lambda exc: self.show_message(f"{exc}", "error"),
            name="charmlp-samples",
        )

    # ------------------------------------------------------------------ files
    def save(self) -> None:
        """Ask for a path and save the model there (pausing training first)."""
        if self.run is None:
            return
        if self.session.running:
            self.session.pause()
            QTimer.singleShot(150, self.save)  # let the current step finish
            return
        path, _ = QFileDialog.getSaveFileName(
            self, "Save model", "charmlp.safetensors", "Character MLP (*.safetensors)"
        )
        if path:
            self.save_to(path)

    def save_to(self, path: str) -> bool:
        """Write the model with its settings (atomically); False with the error shown."""
        if self.run is None:
            self.show_message("There is no model to save yet.", "error")
            return False
        model = self.run.model
        try:
            self.cm.save(model, path)  # atomic: the core writes a temp file and renames it
        except (OSError, ValueError) as exc:
            self.show_message(f"Could not write {path}: {exc}", "error")
            return False
        self.show_message(f"Saved the model ({model.steps_trained:,} steps) to {path}.")
        return True

    def open(self) -> None:
        """Ask for a model file and load it."""
        if self.cm is None or self.session.running:
            return
        path, _ = QFileDialog.getOpenFileName(
            self, "Load model", "", "Character MLP (*.safetensors);;All files (*)"
        )
        if path:
            self.load_from(path)

    def load_from(self, path: str) -> bool:
        """Load a saved model to sample from or continue training (see the module doc)."""
        if self.cm is None:
            self.show_message("The names dataset is still loading; try again shortly.", "error")
            return False
        try:
            _values, _itos, steps = model_values(files.read_header(path), Path(path).name)
        except ValueError as exc:
            self.show_message(str(exc), "error")
            return False
        st = self.state
        cm, words, device, seed, temp = (
            self.cm,
            self.words,
            self.device,
            st.sample_seed,
            (st.temperature),
        )
        self._view_gen += 1
        gen = self._view_gen
        self._loading_model = True
        self.show_message(f"Loading {Path(path).name} ({steps:,} steps trained) …")
        run_in_thread(
            self,
            lambda: job.load_model(cm, words, path, device, seed, temp),
            lambda result: self._model_loaded(gen, result),
            lambda exc: self._load_failed(gen, exc),
            name="charmlp-load",
        )
        return True

    @property
    def loading_model(self) -> bool:
        """True while load_from's background part runs."""
        return self._loading_model

    def _load_failed(self, gen: int, exc: BaseException) -> None:
        self._loading_model = False
        self._background_failed(gen, exc)

    def _model_loaded(self, gen: int, result: dict[str, Any]) -> None:
        self._loading_model = False
        if gen != self._view_gen:
            return
        self.session.stop()
        self.finder_worker.stop()
        run = result["run"]
        self._adopt(run)  # first: the form then matches the model, so no shape change
        self.apply(values_of(run.config))
        self.session.set_notice("")
        self._new_model = True
        self.presenter.clear()
        self.presenter.show_initial(result["view"])
        self._show_finals(result["losses"])
        self.presenter.keep_samples = True
        self.presenter.show_samples(result["samples"], self.state.sample_seed, run.temperature)
        self.check_gradients()
        self.show_message(
            f"Loaded a model trained for {run.model.steps_trained:,} steps. Draw samples, or "
            "Play to continue training it."
        )

    def _connect_finder(self) -> None:
        self.finder_worker.frame.connect(self._on_finder_frame)
        self.finder_worker.failed.connect(lambda msg: self.show_message(msg, "error"))
        self.finder_worker.state_changed.connect(self._on_finder_state)
        self.settings_panel.finder_button.clicked.connect(self.find_lr)
        self.settings_panel.use_lr_button.clicked.connect(self.use_suggested_lr)

    # ------------------------------------------------------------------ lr finder
    def find_lr(self) -> None:
        """Start the learning-rate sweep (or stop it if it is running)."""
        if self.cm is None:
            return
        if self.finder_worker.has_job():
            self.finder_worker.stop()
            return
        self.session.pause()
        try:
            config = self.cm.CharMLPConfig(**config_values(self.state))
        except ValueError as exc:
            self.show_message(str(exc), "error")
            return
        self.views.finder_plot.clear_curve()
        self.settings_panel.use_lr_button.setEnabled(False)
        self.presenter.suggested = None
        self.finder_worker.start(self.cm.lr_finder(self.words, config, 1000, device=self.device))

    def _on_finder_frame(self, frame: Frame) -> None:
        suggested = self.presenter.show_finder(frame)
        if suggested:
            self.settings_panel.use_lr_button.setText(f"Use {suggested:.3g}")
            self.settings_panel.use_lr_button.setEnabled(True)

    def _on_finder_state(self, state: str) -> None:
        running = state in ("running", "paused")
        self.settings_panel.finder_button.setText(
            "Stop finder" if running else "Find learning rate"
        )
        self.views.controls.play_button.setEnabled(not running)

    def use_suggested_lr(self) -> None:
        """Put the finder's suggestion into the learning rate (and a running job)."""
        if self.presenter.suggested:
            self.state.lr = round(self.presenter.suggested, 4)
