"""The Character MLP tab's models: the fresh one shown, samples, files, the lr finder.

All model work (building the initial view, sampling, reading weights, measuring a loaded
model's losses) runs through ``ui/background.py``; results older than the tab's latest
request are dropped (a generation counter, as in ndv).

``load_from(path)`` checks the file at once, from its small header (plain Python, no
torch: ``files.check_model``): a file that is not a model, is cut short, or whose tensors
do not fit its own settings is refused there, returning False with the reason shown, and
the tab keeps its model.  A sound file returns True: its weights then load in a background
thread (``loading_model`` is True until the model is shown, with the settings it changed
named in the message bar).  Only a file changed or removed in that moment can still fail
there; the message bar then says so and the tab keeps its model.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QFileDialog

from playground.ui.background import run_in_thread
from playground.ui.tabs.charmlp import files, job
from playground.ui.tabs.charmlp.state import changes, values_of
from playground.ui.worker import Frame


class ModelsMixin:
    """Part of :class:`CharMLPTab` (``self`` is the tab)."""

    def _init_models(self) -> None:
        self._sample_gen = 0  # the latest samples request
        self._view_gen = 0  # the latest background view request; older results are dropped
        self._view_latest = [0]  # the same, for the threads (a list: they hold no Qt object)
        self._preview_key: tuple | None = None  # shape of the fresh model being built
        self._new_model = False  # the shown model is new (or just loaded): Play trains it
        self._stale = False  # the shown model diverged: Play starts a new one
        self._loading_model = False
        self._name_chars: set[str] | None = None  # the characters of names.txt

    def _new_view(self) -> int:
        """A new background view request: older ones are dropped (or skip their work)."""
        self._view_gen += 1
        self._view_latest[0] = self._view_gen
        return self._view_gen

    def _adopt(self, run: Any) -> None:
        """Make ``run`` the model shown and trained."""
        self._new_view()
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
        values = self.state.core_values()
        try:
            key = self.cm.shape_key(self.cm.CharMLPConfig(**values))
        except ValueError as exc:
            self.show_message(str(exc), "error")
            self._ready = self._ready or ready
            return
        gen = self._new_view()
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
        self.saved(f"the model ({model.steps_trained:,} steps trained)", path)
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
        """Load a saved model to sample from or continue training.

        False, with the reason shown, when the file can't be this tab's model (checked at
        once, from its header); True when it can: it then loads in a background thread and
        is shown when ``loading_model`` turns False (see the module doc).
        """
        if self.cm is None:
            self.show_message("The names dataset is still loading; try again shortly.", "error")
            return False
        if self._name_chars is None:
            self._name_chars = set("".join(self.words))
        name = Path(path).name
        try:
            _values, steps = files.check_model(path, self._name_chars)
        except ValueError as exc:  # its message names the file
            self.show_message(str(exc), "error", topic="file")
            return False
        st = self.state
        cm, words, device, seed, temp = (
            self.cm,
            self.words,
            self.device,
            st.sample_seed,
            (st.temperature),
        )
        gen = self._new_view()
        self._loading_model = True
        self.show_message(f"Loading {name} ({steps:,} steps trained) …", topic="file")
        run_in_thread(
            self,
            lambda: job.load_model(cm, words, path, device, seed, temp),
            lambda result: self._model_loaded(gen, name, result),
            lambda exc: self._load_failed(gen, name, exc),
            name="charmlp-load",
        )
        return True

    @property
    def loading_model(self) -> bool:
        """True from a successful ``load_from`` until its model is shown (or failed)."""
        return self._loading_model

    def _load_failed(self, gen: int, name: str, exc: BaseException) -> None:
        self._loading_model = False
        if gen == self._view_gen:
            text = str(exc) if name in str(exc) else f"Could not open {name}: {exc}"
            self.show_message(text, "error", topic="file")

    def _model_loaded(self, gen: int, name: str, result: dict[str, Any]) -> None:
        self._loading_model = False
        if gen != self._view_gen:
            return
        self.session.stop()
        self.finder_worker.stop()
        run = result["run"]
        before = self.state.core_values()
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
        changed = changes(before, values_of(run.config))
        what = (
            "the form changed: " + ", ".join(changed)
            if changed
            else "the form already had its settings"
        )
        self.show_message(
            f"Opened {name} ({run.model.steps_trained:,} steps trained); {what}. Draw "
            "samples, or Play to continue training it.",
            topic="file",
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
            config = self.cm.CharMLPConfig(**self.state.core_values())
        except ValueError as exc:
            self.show_message(str(exc), "error")
            return
        self.views.finder_plot.clear_curve()
        self.settings_panel.use_lr_button.setEnabled(False)
        self.presenter.suggested = None
        from playground.core.charmlp_lr import lr_finder  # loaded by job.load_core

        self.finder_worker.start(lr_finder(self.words, config, 1000, device=self.device))

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
