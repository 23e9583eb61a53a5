"""Whether a model trained here takes over the pad: never silently for a worse one.

When a run ends (finished, or stopped early) its model is measured on the test images
(in a thread).  It reads the pad from then on if it is at least as good as the model
reading the pad now; otherwise the pad keeps its model, and the message bar says both
accuracies, what to do if the run learnt nothing, and offers "Use it anyway".
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject

from playground.core import digits
from playground.ui.background import run_in_thread
from playground.ui.tabs.digits.job import Run


def known_accuracy(clf: digits.Classifier | None, results: Any) -> float | None:
    """Test accuracy of ``clf``: the Results page's evaluation of it, else what its file
    says (``info["test_acc"]``), else None."""
    if clf is None:
        return None
    ev = results.evaluation
    if results.clf is clf and ev is not None:
        return float(ev.accuracy)
    try:
        return float(clf.info["test_acc"])
    except (KeyError, ValueError):
        return None


def advice(run: Run) -> str:
    """What to try after a run that learnt nothing, from its learning rate."""
    lr = float(run.settings.get("lr", run.config.lr))  # live: the last one used
    rec = digits.DEFAULTS[run.config.model].lr
    if lr > 2 * rec:
        return (
            f"Its learning rate ({lr:g}) is {lr / rec:.0f}x the recommended {rec:g}: steps "
            "that big make a network collapse. Try a smaller one."
        )
    if lr < rec / 2:
        return (
            f"Its learning rate ({lr:g}) is far below the recommended {rec:g}: steps that "
            "small learn little in this time. Try a larger one."
        )
    return "Try more epochs or more training images."


class Adoption(QObject):
    """Offers a trained model to the pad (see the module's docstring)."""

    def __init__(self, tab: Any):
        super().__init__(tab)
        self.tab = tab
        self._serial = 0  # offers still measuring: only the latest one counts

    def cancel(self) -> None:
        """A new run or Reset: an offer still measuring is old news."""
        self._serial += 1

    def offer(self, run: Run, how: str) -> None:
        """``run`` ended (``how``: "finished" or "stopped early"): measure, then decide."""
        sets = self.tab.loader.sets.get(run.dataset)
        clf = run.clf
        if clf is None or sets is None:
            return
        self._serial += 1
        serial = self._serial
        images, labels = sets["test"]
        self.tab.train_page.status.setText(
            f"Training {how}: measuring your model on the {len(labels):,} test images..."
        )
        run_in_thread(
            self,
            lambda: digits.evaluate(clf, images, labels),
            lambda ev: serial == self._serial and self._measured(run, how, ev),
            lambda exc: serial == self._serial and self._failed(how, exc),
            name="digits-adopt",
        )

    def _measured(self, run: Run, how: str, ev: digits.Evaluation) -> None:
        tab, clf = self.tab, run.clf
        clf.info["test_acc"] = f"{ev.accuracy:.4f}"  # saved with the model
        current = tab.loader.models.get(run.dataset)
        known = known_accuracy(current, tab.results)
        if current is None or known is None or ev.accuracy >= known:
            self.use(run, how, ev)
            return
        self._keep(run, how, ev, known, current)

    def _keep(
        self,
        run: Run,
        how: str,
        ev: digits.Evaluation,
        known: float,
        current: digits.Classifier,
    ) -> None:
        """The pad keeps its better model; the message says so and offers the new one."""
        acc, guess = ev.accuracy, 1 / len(current.class_names)
        text = (
            f"Your new model gets {acc:.2%} of the test images right, fewer than the "
            f"{known:.2%} of the model reading the pad, so the pad keeps that one."
        )
        if acc < 2 * guess:
            text += (
                f" {acc:.0%} is about what guessing gets ({guess:.0%}): the network learnt "
                f"nothing. {advice(run)}"
            )
        self.tab.show_message(
            text,
            "warning" if acc < 2 * guess else "info",
            ("Use it anyway", lambda: self.use(run, how, ev, chosen=True)),
            topic="run",
        )
        self.tab.train_page.status.setText(
            f"Training {how}: your model reached {acc:.2%}; the pad keeps its model ({known:.2%})."
        )

    def use(self, run: Run, how: str, ev: digits.Evaluation, chosen: bool = False) -> None:
        """``run``'s model reads the pad of its dataset from now on."""
        tab = self.tab
        source = f"your {{model}}, trained here ({how}{'; your choice' if chosen else ''})"
        if run.dataset == tab.state.dataset:  # the Results page shows it without measuring again
            tab.results.adopt(run.clf, tab.loader.sets[run.dataset]["test"], ev)
        tab.loader.set_model(run.dataset, run.clf, source)
        tab.train_page.status.setText(
            f"Training {how}: your model ({ev.accuracy:.2%} on the test set) now reads the pad."
        )

    def _failed(self, how: str, exc: BaseException) -> None:
        self.tab.train_page.status.setText(
            f"Training {how}, but your model could not be measured ({exc}); the pad keeps "
            "its model."
        )
