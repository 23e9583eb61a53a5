"""The training page's runs: pin one (settings, both loss curves, final numbers, both
speeds, time), restore its settings, run a ready-made comparison, and a run that diverged.

Part of :class:`~playground.ui.tabs.backprop.BackpropTab` (uses its state, session,
trainer and train panel).
"""

from __future__ import annotations

from typing import Any

from playground.ui.compare import Comparison
from playground.ui.runs import PinnedRun
from playground.ui.tabs.backprop.state import COMPARISONS, TRAIN_FIELDS, BackpropState
from playground.ui.tabs.backprop.state import train_settings as settings_of


class RunsMixin:
    """Pinned runs and comparisons of the moons demo."""

    def _wire_runs(self) -> None:
        panel = self.train.runs
        self.runs = panel  # the base class persists the pinned runs with the settings
        self.comparison: Comparison | None = None
        self._run_settings: dict[str, Any] | None = None  # of the run shown, at its start
        panel.pin_clicked.connect(self._pin_clicked)
        panel.restore_requested.connect(self.restore_run)
        panel.failed.connect(lambda text: self.show_message(text, "error"))
        panel.exported.connect(lambda path: self.saved("the pinned runs as CSV", path))
        panel.set_current(settings_of(self.state))
        bar = self.train.compare
        bar.run_button.clicked.connect(lambda: self.run_comparison(bar.combo.currentText()))
        bar.cancel_button.clicked.connect(self.cancel_comparison)

    def _runs_on_state(self, name: str, value: Any) -> None:
        if name not in TRAIN_FIELDS:
            return
        self.train.runs.set_current(settings_of(self.state))
        spec = BackpropState.spec(name)
        if spec.live and self._run_settings is not None and self.session.worker.has_job():
            self._run_settings[name] = value  # the run shown goes on with it

    # ---------------------------------------------------------------- pin
    def pin_run(self, name: str = "") -> PinnedRun | None:
        """Keep the run shown (None, and a message, when nothing has trained yet)."""
        summary = self.trainer.summary()
        if summary is None or self._run_settings is None:
            self.show_message("Nothing to pin yet: press Play (or Step) first.", "warning")
            return None
        curves, metrics, seconds = summary
        run = PinnedRun(name, dict(self._run_settings), curves, metrics, seconds)
        return self.train.runs.pin(run)

    def _pin_clicked(self) -> None:
        run = self.pin_run()
        if run is not None:
            self.show_message(
                f"Pinned {run.name}: its losses stay on the plot, dashed; change a setting "
                "and train again to compare."
            )

    def restore_run(self, settings: dict[str, Any]) -> bool:
        """Put a pinned run's settings back in the form (validated; nothing else changes)."""
        known = {k: v for k, v in settings.items() if k in TRAIN_FIELDS}
        try:
            valid = settings_of(BackpropState.from_dict(known))
        except ValueError as exc:
            self.show_message(f"Cannot restore that run's settings: {exc}", "error")
            return False
        self.state.update(**{k: valid[k] for k in known}, page="train")
        self.show_message("The pinned run's settings are back: press Play to train them again.")
        return True

    # ---------------------------------------------------------------- comparisons
    def run_comparison(self, name: str) -> Comparison | None:
        """Run the ready-made comparison ``name`` (a key of COMPARISONS), pinning each."""
        if name not in COMPARISONS or self.comparison is not None:
            return None
        self.state.page = "train"
        self.comparison = Comparison(self, COMPARISONS[name])
        bar = self.train.compare
        self.comparison.progress.connect(bar.progress.setText)
        self.comparison.done.connect(self._comparison_done)
        bar.set_running(True)
        self.comparison.start()
        return self.comparison

    def cancel_comparison(self) -> None:
        if self.comparison is not None:
            self.comparison.cancel()

    def _comparison_done(self, complete: bool) -> None:
        self.comparison = None
        self.train.compare.set_running(False)
        if complete:
            self.show_message(
                "Comparison done: every variant is pinned, dashed on the plot; the form has "
                "your settings again."
            )

    def reset_run(self) -> None:
        """The Reset of a failed run's message: the training run's (R on the graph page
        zeroes the graph's grads instead)."""
        self.session.reset()
