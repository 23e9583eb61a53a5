"""Play/pause, step and reset buttons with a progress bar, bound to a Worker."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QStyle, QWidget

from playground.ui.worker import Frame, Worker


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
        self.counter = QLabel("")
        self.counter.setObjectName("stepCounter")
        self.progress = QProgressBar()
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
        """Update the counter ("epoch 12") and the progress bar from a frame."""
        self.counter.setText(text if text is not None else f"{frame.unit} {frame.step:,}")
        if frame.total:
            self.progress.setMaximum(frame.total)
            self.progress.setValue(min(frame.step, frame.total))
