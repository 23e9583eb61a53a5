"""Ready-made comparisons: run a few variants of the same experiment, one after another,
from the same seed, and pin each one.

A :class:`Comparison` drives a tab through its public hooks only: ``tab.state`` (each
variant is a dict of fields to set), ``tab.session`` (reset, play, stop) and
``tab.pin_run(name)`` (keeps the run just trained).  A variant ends when the job finishes,
or after ``until`` units (epochs, steps) for jobs that train until stopped.  The user can
cancel at any time; the tab's own settings come back at the end.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal


class Comparison(QObject):
    """``Comparison(tab, [("SGD", {"optimizer": "sgd"}), ...], until=200).start()``."""

    progress = Signal(str)  # "Adam (5 of 5): epoch 120 of 200"
    done = Signal(bool)  # True: every variant ran; False: cancelled or failed

    def __init__(
        self,
        tab: Any,
        variants: list[tuple[str, dict[str, Any]]],
        until: int | None = None,
        base: dict[str, Any] | None = None,
    ):
        super().__init__(tab)
        self.tab, self.variants, self.until = tab, list(variants), until
        self.base = dict(base or {})  # fields every variant shares (e.g. the dataset)
        self.index = -1
        self.running = False
        self._saved: dict[str, Any] = {}
        self._ending = False
        self._pinned = -1  # the last variant pinned

    def start(self) -> None:
        """Run the first variant (the others follow as each one ends)."""
        session = self.tab.session
        self._saved = self.tab.state.to_dict()
        session.frame.connect(self._frame)
        session.finished.connect(self._variant_ended)
        session.failed.connect(self._failed)
        self.running = True
        self._next()

    def cancel(self) -> None:
        """Stop now; the runs pinned so far stay."""
        if self.running:
            self._finish(False)

    # ------------------------------------------------------------------ steps
    def _next(self) -> None:
        self.index += 1
        if self.index >= len(self.variants):
            self._finish(True)
            return
        name, settings = self.variants[self.index]
        self._ending = False
        self.tab.session.stop()
        self.tab.state.update(**{**self.base, **settings})
        self.tab.session.reset()
        self.progress.emit(f"{name} ({self.index + 1} of {len(self.variants)}): starting")
        self.tab.session.play()

    def _frame(self, frame: Any) -> None:
        if not self.running or self._ending:
            return
        name = self.variants[self.index][0]
        total = self.until or frame.total
        of = f" of {total:,}" if total else ""
        self.progress.emit(
            f"{name} ({self.index + 1} of {len(self.variants)}): {frame.unit} {frame.step:,}{of}"
        )
        if self.until is not None and frame.step >= self.until:
            self._ending = True
            self.tab.session.pause()
            QTimer.singleShot(0, self._variant_ended)  # after this frame is drawn

    def _variant_ended(self) -> None:
        if not self.running or self._pinned == self.index:
            return
        self._ending = True
        self._pinned = self.index
        self.tab.pin_run(self.variants[self.index][0])
        QTimer.singleShot(0, self._next)

    def _failed(self, message: str) -> None:
        if self.running:  # a diverged variant is a result too: pin it and go on
            self._variant_ended()

    def _finish(self, complete: bool) -> None:
        self.running = False
        session = self.tab.session
        for signal, slot in (
            (session.frame, self._frame),
            (session.finished, self._variant_ended),
            (session.failed, self._failed),
        ):
            signal.disconnect(slot)
        session.stop()
        self.tab.state.update(**self._saved)
        self.progress.emit("Comparison done." if complete else "Comparison cancelled.")
        self.done.emit(complete)
