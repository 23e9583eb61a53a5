"""What every tab offers the main window: keys, persistence, status, messages, shutdown.

A tab is put together from: ``state`` (its :class:`~playground.ui.state.State`, the one
source of truth), panels (widgets bound to the state), ``session`` (a
:class:`~playground.ui.session.Session`: play/pause/step/reset/stop) and a presenter
(frames -> views).  The base class persists the state and routes the keys.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget

from playground.ui.state import State
from playground.ui.widgets.message_bar import MessageBar
from playground.ui.worker import WorkerBase


class Tab(QWidget):
    """Base class of the four tabs.

    The main window routes keys to the current tab: Space -> :meth:`toggle_play`,
    S -> :meth:`step`, R -> :meth:`reset`, Ctrl+S -> :meth:`save`, Ctrl+O ->
    :meth:`open`, F1 shows :attr:`help_html`.  Tabs override what they support.
    """

    key = "tab"  # settings group and --tab name
    title = "Tab"
    help_html = "<p>No help yet.</p>"

    state: State | None = None  # set by the tab: its one source of truth
    session: Any = None  # a Session, for tabs that train
    runs: Any = None  # a RunsPanel, for tabs that pin runs (saved with the settings)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.device = "auto"
        self.message_bar = MessageBar()  # the tab puts it in its layout

    # messages -----------------------------------------------------------
    def show_message(
        self,
        text: str,
        level: str = "info",
        action: tuple[str, Any] | None = None,
        topic: str = "",
    ) -> None:
        """Tell the user ``text`` ("info", "warning", "error"); ``action``: (label, callback);
        ``topic``: what it is about, so that what makes it untrue clears it (and only it)."""
        self.message_bar.show_message(text, level, action, topic)

    def clear_message(self, topic: str | None = None) -> None:
        """Hide the message (with ``topic``: only a message about that)."""
        self.message_bar.clear(topic)

    def saved(self, what: str, path: Any) -> None:
        """Say where a save or an export wrote: "Saved the boundary as PNG to /x/y.png"."""
        self.show_message(f"Saved {what} to {path}.", "info", topic="file")

    def watch_session(self, session: Any) -> None:
        """The session's news in the message bar, the same in every tab.

        Its notice (a new model pending) shows while it holds.  A run that failed (diverged,
        or the training process stopped) shows as an error with Reset one click away, until
        Reset or a new run makes it old news.  :meth:`run_failed` is the tab's own part.
        """
        session.notice_changed.connect(self._session_notice)
        session.failed.connect(self._session_failed)
        session.was_reset.connect(lambda: self.clear_message("run"))
        session.state_changed.connect(
            lambda state: state == "running" and self.clear_message("run")
        )

    def reset_run(self) -> None:
        """What the Reset of a failed run's message does (the tab's Reset unless told)."""
        self.reset()

    def run_failed(self, message: str) -> None:
        """A run failed (its message is already shown): what else the tab must do."""

    def _session_notice(self, text: str) -> None:
        if text:
            self.show_message(text, "info", topic="notice")
        else:
            self.clear_message("notice")

    def _session_failed(self, message: str) -> None:
        self.show_message(message, "error", ("Reset", self.reset_run), topic="run")
        self.run_failed(message)

    def message(self) -> str:
        """The plain text of the message the tab shows now ("" when none)."""
        return self.message_bar.text()

    # keys ---------------------------------------------------------------
    def toggle_play(self) -> None: ...
    def step(self) -> None: ...
    def reset(self) -> None: ...
    def save(self) -> None: ...
    def open(self) -> None: ...

    # main window hooks ---------------------------------------------------
    def workers(self) -> list[WorkerBase]:
        """Every worker this tab owns (stopped on close; shown in the status bar)."""
        return self.findChildren(WorkerBase)

    def set_device(self, device: str) -> None:
        """The user picked a device ("auto", "cpu", "cuda", "mps") for new runs."""
        self.device = device

    def status_text(self) -> str:
        """One line for the status bar: what is running and how fast."""
        for w in self.workers():
            if w.state == "running":
                return f"{self.title}: training, {w.rate:,.0f} steps/s"
            if w.state == "paused":
                return f"{self.title}: paused"
        return f"{self.title}: idle"

    def save_settings(self, settings: QSettings) -> None:
        """Store this tab's settings (called inside its own settings group)."""
        if self.state is not None:
            self.state.save(settings)
        if self.runs is not None:
            settings.setValue("pinned_runs", json.dumps(self.runs.book.to_list()))

    def restore_settings(self, settings: QSettings) -> None:
        """Restore what :meth:`save_settings` stored (missing or bad values keep defaults)."""
        if self.state is not None:
            self.state.restore(settings)
        raw = settings.value("pinned_runs", None)
        if self.runs is not None and isinstance(raw, str):
            with contextlib.suppress(ValueError):  # damaged: start with none pinned
                self.runs.load(json.loads(raw))

    def is_ready(self) -> bool:
        """True once the tab has drawn its first real content (for --screenshot)."""
        return True

    def shutdown(self) -> None:
        """Stop every job; called when the window closes."""
        if self.session is not None:
            self.session.shutdown()
        for w in self.workers():
            w.stop()
