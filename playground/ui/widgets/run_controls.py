"""Play/pause, step and reset buttons with a progress bar, bound to a Worker.

The run's line ("step 1,200 of 30,000 · 950 steps/s · 31 s left") is split where there is a
progress bar: its first part is the bar's own text (where "100%" would say less), the rest
beside it; where room runs out, the last parts go first, and nothing is cut mid-word.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QStyle,
    QWidget,
)

from playground.ui.worker import Frame, Worker

SEP = " · "


class CounterLabel(QLabel):
    """A line of parts joined by " · " ("950 steps/s · 31 s left").

    Where the whole line does not fit, its last parts go, so what shows is never cut
    mid-word (with no room at all, nothing shows); the whole line is in the tooltip.  It
    asks for the room of its first part and needs none, so it never widens the window.
    """

    def __init__(self, text: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self._whole = ""
        self.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Preferred)
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt name
        self._whole = text
        self.setToolTip(text if SEP in text else "")
        self._fit()

    def whole_text(self) -> str:
        """The whole line, as set (``text()`` is the part shown)."""
        return self._whole

    def _fit(self) -> None:
        parts, width = self._whole.split(SEP), self.contentsRect().width()
        metrics = self.fontMetrics()
        while parts and metrics.horizontalAdvance(SEP.join(parts)) > width:
            parts.pop()
        super().setText(SEP.join(parts))

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt name
        first = self._whole.split(SEP)[0]
        margins = self.contentsMargins()
        width = self.fontMetrics().horizontalAdvance(first) + margins.left() + margins.right()
        return QSize(width + 2, super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt name
        return QSize(0, super().minimumSizeHint().height())

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt name
        super().resizeEvent(event)
        self._fit()


class ProgressBar(QProgressBar):
    """A progress bar whose text is the longest of its texts that fits ("step 418 of
    100,000", then "418 / 100,000", then "0%"): never cut.  Without texts: Qt's own."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._texts: tuple[str, ...] = ()

    def set_texts(self, *texts: str) -> None:
        """The texts to show, longest first (none: the bar's own format)."""
        self._texts = texts
        self.update()

    def text(self) -> str:
        if not self._texts:
            return super().text()
        room = self.width() - 8
        fits = [t for t in self._texts if self.fontMetrics().horizontalAdvance(t) <= room]
        return fits[0] if fits else f"{100 * self.value() // max(1, self.maximum())}%"


class RunControls(QWidget):
    """A row of run buttons.  The tab connects the signals to what they mean for it.

    play_clicked: Space, or the play/pause button.  step_clicked: S.  reset_clicked: R.
    Call :meth:`bind` with the tab's worker so the buttons follow its state, and
    :meth:`show_frame` to update the counter and progress bar.
    """

    play_clicked = Signal()
    step_clicked = Signal()
    reset_clicked = Signal()
    stop_clicked = Signal()

    def __init__(
        self,
        parent: QWidget | None = None,
        step_text: str = "Step",
        show_progress: bool = False,
        show_stop: bool = False,
    ):
        super().__init__(parent)
        style = self.style()
        self.play_button = QPushButton(style.standardIcon(QStyle.SP_MediaPlay), "Play")
        self.play_button.setToolTip("Start or pause training (Space).")
        self.step_button = QPushButton(style.standardIcon(QStyle.SP_MediaSkipForward), step_text)
        self.step_button.setToolTip(f"{step_text}: run one unit of training, then pause (S).")
        self.reset_button = QPushButton(style.standardIcon(QStyle.SP_BrowserReload), "Reset")
        self.reset_button.setToolTip("Start again from new random weights (R).")
        self.stop_button = QPushButton(style.standardIcon(QStyle.SP_MediaStop), "Stop")
        self.stop_button.setToolTip("Stop this run; the model keeps what it learned so far.")
        self.stop_button.setVisible(show_stop)
        self.counter = CounterLabel("")
        self.counter.setObjectName("stepCounter")
        self.progress = ProgressBar()
        self.progress.setVisible(show_progress)
        self.progress.setTextVisible(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for w in (self.play_button, self.step_button, self.reset_button, self.stop_button):
            layout.addWidget(w)
        layout.addWidget(self.counter, 1)
        layout.addWidget(self.progress, 2)
        self.play_button.clicked.connect(self.play_clicked)
        self.step_button.clicked.connect(self.step_clicked)
        self.reset_button.clicked.connect(self.reset_clicked)
        self.stop_button.clicked.connect(self.stop_clicked)
        self._worker: Worker | None = None
        self._line = ""

    def bind(self, worker: Worker) -> None:
        """Follow ``worker``'s state (button text and icon)."""
        self._worker = worker
        worker.state_changed.connect(self._on_state)

    def _on_state(self, state: str) -> None:
        style = self.style()
        running = state == "running"
        self.play_button.setText("Pause" if running else "Play")
        self.play_button.setIcon(
            style.standardIcon(QStyle.SP_MediaPause if running else QStyle.SP_MediaPlay)
        )
        self.stop_button.setEnabled(state in ("running", "paused"))

    def show_frame(self, frame: Frame, text: str | None = None) -> None:
        """Update the counter ("epoch 12") and the progress bar from a frame; ``text`` is the
        whole line (default: the unit and the step)."""
        self._line = text if text is not None else f"{frame.unit} {frame.step:,}"
        if frame.total and not self.progress.isHidden():
            first, _, rest = self._line.partition(SEP)
            self.progress.set_texts(first, f"{frame.step:,} / {frame.total:,}")
            self.progress.setToolTip(self._line)
            self.counter.setText(rest)
            self.progress.setMaximum(frame.total)
            self.progress.setValue(min(frame.step, frame.total))
        else:
            self.counter.setText(self._line)

    def clear(self) -> None:
        """No run yet: an empty counter and bar."""
        self._line = ""
        self.counter.setText("")
        self.progress.setValue(0)
        self.progress.set_texts("")
        self.progress.setToolTip("")

    def text(self) -> str:
        """The run's whole line as last shown (progress bar and counter together)."""
        return self._line
