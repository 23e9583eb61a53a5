"""The Character MLP tab's form rules: presets, the shape rule, the parameter count.

The one rule (DESIGN rule 7): the form never describes a model other than the one
training or shown.  A shape setting (``charmlp.shape_key``'s fields) changed while it
trains restarts a new model at once; paused or idle, the new model is built and shown at
once (in a thread) and the next Play trains it; ``session.notice`` says so.  A training
setting (steps, batch, optimizer, gradients, decay, seed) changed while a job runs
restarts it on the same model, so the progress line and the form agree.
"""

from __future__ import annotations

from typing import Any

from playground.ui.tabs.charmlp.state import (
    SHAPE_FIELDS,
    TRAINING_FIELDS,
    CharMLPState,
    values_of,
    wavenet_block,
)


class FormMixin:
    """Part of :class:`CharMLPTab` (``self`` is the tab)."""

    def apply_preset(self, name: str) -> None:
        """Fill every setting from a preset (a new model if its shape differs).  Before
        the core has loaded only the name is kept; its values follow once it is there."""
        if self.cm is None:
            self.state.preset = name
            self._pending_preset = name
            return
        self.apply({"preset": name, **values_of(self.cm.preset(name))}, reason="the preset")

    def apply(self, values: dict[str, Any], reason: str | None = None) -> None:
        """Set several settings at once; ``reason`` names them in the tab's notice."""
        self._reason = reason
        try:
            self.state.update(**values)
        finally:
            self._reason = None

    def _on_state(self, name: str, value: Any) -> None:
        st = self.state
        wavenet = st.architecture == "wavenet"
        if name in ("architecture", "hidden") and wavenet:
            st.block_size = wavenet_block(st.hidden)
        self.settings_panel.block_spin.setEnabled(not wavenet)
        if name in CharMLPState.core_fields():
            self._update_count()
        if name == "temperature" and self.run is not None:
            self.run.temperature = value
        if self.cm is None or self.run is None:
            return
        if name in SHAPE_FIELDS:
            self._shape_check(name)
        elif name in TRAINING_FIELDS:
            self._training_changed(name)

    def _what(self, name: str) -> str:
        return self._reason or f"the {self.state.spec(name).label.lower()}"

    def _shape_key(self) -> tuple | None:
        try:
            return self.cm.shape_key(self.cm.CharMLPConfig(**self.state.core_values()))
        except ValueError:
            return None  # the count label says why

    def _shape_check(self, name: str) -> None:
        """A shape setting changed: a new model (now if training, else shown and pending)."""
        key = self._shape_key()
        shown = self._preview_key or self.cm.shape_key(self.run.config)
        if key is None or key == shown:
            return
        self.session.shape_changed(self._what(name))  # running: restarts fresh at once
        if not self.session.running:
            self.show_fresh_model()

    def _training_changed(self, name: str) -> None:
        """Steps, batch, optimizer, decay or seed: the job must follow the form."""
        job_config = values_of(self.run.config)
        if all(getattr(self.state, f) == job_config[f] for f in TRAINING_FIELDS):
            return  # the model was just built (or retuned) with these settings
        if self._new_model and name == "seed":
            self.show_fresh_model()  # the seed also draws the starting weights
        elif self.session.running:
            self.session.begin(fresh=False, play=True)  # goes on with the new settings
        elif self.session.worker.has_job():
            self.session.stop()
            self.show_message(f"{self._what(name).capitalize()} changed: Play goes on with it.")

    def _optimizer_picked(self, optimizer: str) -> None:
        """Adam wants a smaller rate than SGD: suggest one when the user switches."""
        if optimizer == "adam" and self.state.lr >= 0.05:
            self.state.lr = 0.003
        elif optimizer == "sgd" and self.state.lr < 0.01:
            self.state.lr = 0.1

    def _update_count(self) -> None:
        if self.cm is None:
            return
        try:
            config = self.cm.CharMLPConfig(**self.state.core_values())
        except ValueError as exc:
            self.settings_panel.show_count(str(exc), error=True)
            return
        vocab = len(self.run.model.itos) if self.run is not None else 27
        n = self.cm.count_parameters(config, vocab)
        self.settings_panel.show_count(f"<b>{n:,} parameters</b> to learn")
