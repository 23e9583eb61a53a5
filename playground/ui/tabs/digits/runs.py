"""Pinned runs of the Digits tab and its ready-made comparison, "numpy vs MLP vs CNN".

A pinned run keeps what the run was (:func:`~.state.run_settings`: dataset, model, epochs,
batch size, learning rate, training images), its training-loss curve (drawn dashed on the
loss plot) and test-accuracy curve (on the accuracy plot), its final test accuracy and
loss, and its training time.  The comparison trains the three models one after another
on the same images, each with its own recommended batch size and learning rate, and pins
each one (:class:`~playground.ui.compare.Comparison`).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject

from playground.core import digits
from playground.ui.compare import Comparison
from playground.ui.runs import PinnedRun
from playground.ui.tabs.digits.state import RUN_FIELDS, DigitsState, defaults_for, run_settings

COMPARE_EPOCHS = 2  # each model, on the first COMPARE_IMAGES training images
COMPARE_IMAGES = 10_000
COMPARE_NAMES = {"scratch": "numpy", "mlp": "MLP", "cnn": "CNN"}
TRAIN, TEST = "train (batches)", "test"


def comparison_variants() -> list[tuple[str, dict[str, Any]]]:
    """numpy, MLP, CNN: each with its own defaults, for :data:`COMPARE_EPOCHS` epochs."""
    return [
        (COMPARE_NAMES[m], {"model": m, **defaults_for(m), "epochs": COMPARE_EPOCHS})
        for m in digits.MODELS
    ]


def comparison_text() -> str:
    """What the comparison runs, in one line for the screen."""
    return f"{COMPARE_EPOCHS} epochs each on {COMPARE_IMAGES:,} images (~2 min)"


class DigitsRuns(QObject):
    """The tab's :class:`RunsPanel` wired to its run, state and session."""

    def __init__(self, tab: Any):
        super().__init__(tab)
        self.tab = tab
        page = tab.train_page
        self.panel = page.runs
        self.comparison: Comparison | None = None
        self.panel.pin_clicked.connect(lambda: self.pin_run())
        self.panel.restore_requested.connect(self.restore)
        self.panel.failed.connect(lambda text: tab.show_message(text, "error"))
        self.panel.exported.connect(lambda path: tab.saved("the pinned runs as CSV", path))
        page.compare_button.clicked.connect(self.compare)
        page.cancel_button.clicked.connect(self.cancel)
        page.compare_button.setToolTip(
            "A ready-made comparison: train the numpy network, the MLP and the CNN one after "
            f"another, each for {COMPARE_EPOCHS} epochs on the same first {COMPARE_IMAGES:,} "
            "training images with its own recommended batch size and learning rate, test each "
            "on the 10,000 test images, and pin each one. About 2 minutes on a laptop CPU; "
            "your settings come back at the end."
        )
        page.compare_label.setText(comparison_text())
        tab.state.connect(self._on_state)
        self.panel.set_current(run_settings(tab.state))

    def _on_state(self, name: str, _value: Any) -> None:
        if name in RUN_FIELDS:
            self.panel.set_current(run_settings(self.tab.state))

    # ---------------------------------------------------------------- pinning
    def pin_run(self, name: str = "") -> PinnedRun | None:
        """Keep the run shown in the curves (finished, stopped or under way); None if
        there is none (the message bar says so)."""
        tab = self.tab
        run = tab.run
        if run is None or not tab.train_view.has_curves():
            tab.show_message(
                "Nothing to pin yet: train a model (Play), then Pin keeps its settings, "
                "curves, test accuracy and time to compare with the next run.",
                "warning",
            )
            return None
        tab.train_view.flush(run)
        page = tab.train_page
        curves = {}
        for key, plot, series in (
            ("loss/train", page.loss_plot, TRAIN),
            ("acc/test", page.acc_plot, TEST),
        ):
            xs, ys = plot.data(series)
            if len(xs):
                curves[key] = (xs.tolist(), ys.tolist())
        metrics = {}
        if run.test_acc is not None:
            metrics["test_acc"] = float(run.test_acc)
        if run.test_loss is not None:
            metrics["test_loss"] = float(run.test_loss)
        pinned = PinnedRun(name, dict(run.settings), curves, metrics, wall_s=run.elapsed)
        return self.panel.pin(pinned)

    def restore(self, settings: dict[str, Any]) -> None:
        """Put a pinned run's settings back in the form (checked first)."""
        tab = self.tab
        if self.comparing():
            tab.show_message("Cancel the comparison first, then restore a run.", "warning")
            return
        try:
            checked = DigitsState.from_dict(settings)
        except ValueError as exc:
            tab.show_message(f"Could not restore that run's settings: {exc}", "error")
            return
        tab.state.update(**{k: getattr(checked, k) for k in RUN_FIELDS if k in settings})
        tab.show_message("The form shows that run's settings again: Play trains it anew.")

    # ---------------------------------------------------------------- the comparison
    def comparing(self) -> bool:
        return self.comparison is not None and self.comparison.running

    def compare(self) -> None:
        """numpy vs MLP vs CNN, one after another, each pinned when it ends."""
        if self.comparing():
            return
        page = self.tab.train_page
        self.comparison = Comparison(
            self.tab, comparison_variants(), base={"train_images": COMPARE_IMAGES}
        )
        self.comparison.progress.connect(page.compare_label.setText)
        self.comparison.done.connect(self._compare_done)
        page.compare_button.setEnabled(False)
        page.cancel_button.setEnabled(True)
        self.tab.clear_message()
        self.comparison.start()

    def cancel(self) -> None:
        """Stop the comparison; the runs pinned so far stay."""
        if self.comparing():
            self.comparison.cancel()

    def _compare_done(self, complete: bool) -> None:
        page = self.tab.train_page
        page.compare_button.setEnabled(True)
        page.cancel_button.setEnabled(False)
        if complete:
            page.compare_label.setText("Done: the three runs are pinned.")
        else:
            page.compare_label.setText("Cancelled; the runs pinned so far stay.")
        self.tab.show_message(
            "Comparison done: numpy, MLP and CNN are pinned; your settings are back."
            if complete
            else "Comparison cancelled; your settings are back."
        )
