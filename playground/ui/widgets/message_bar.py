"""The line where a tab tells the user something: a note, a warning, an error.

One per tab, above its views.  An error can carry one action (e.g. "Reset" after a run
diverged) so what to do is one click away.  :meth:`MessageBar.text` is the plain text
shown now ("" when hidden): what ``tab.message()`` returns.

A message may name its *topic* ("run" for a run that failed, "notice" for the session's
word about the model, ...): whatever makes it untrue clears that topic only
(``clear("run")``), so it never takes a newer message of another kind with it.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget

STYLES = {
    "info": ("#eef4fb", "#0072B2"),
    "warning": ("#fff6e0", "#E69F00"),
    "error": ("#fdecea", "#D55E00"),
}


class MessageBar(QFrame):
    """A coloured strip with a message, an optional action button and a close button."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("messageBar")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 3, 4, 3)
        self.label = QLabel("")
        self.label.setObjectName("messageText")
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        layout.addWidget(self.label, 1)
        self.action_button = QPushButton("")
        self.action_button.hide()
        layout.addWidget(self.action_button)
        close = QToolButton()
        close.setText("✕")
        close.setToolTip("Hide this message.")
        close.clicked.connect(lambda: self.clear())
        layout.addWidget(close)
        self._action: Callable[[], None] | None = None
        self.action_button.clicked.connect(self._act)
        self.level = ""
        self.topic = ""  # what the message is about ("" for none in particular)
        self.hide()

    def show_message(
        self,
        text: str,
        level: str = "info",
        action: tuple[str, Callable[[], None]] | None = None,
        topic: str = "",
    ) -> None:
        """Show ``text`` (may hold simple HTML) at ``level`` ("info", "warning", "error");
        ``topic`` names what it is about, for :meth:`clear`."""
        if not text:
            self.clear()
            return
        bg, border = STYLES[level]
        self.setStyleSheet(
            f"#messageBar {{ background: {bg}; border: 1px solid {border}; border-radius: 5px; }}"
        )
        self.level, self.topic = level, topic
        self.label.setText(text)
        self._action = action[1] if action else None
        self.action_button.setText(action[0] if action else "")
        self.action_button.setVisible(action is not None)
        self.show()

    def clear(self, topic: str | None = None) -> None:
        """Hide the message; with ``topic``, only if the message shown is about that."""
        if topic is not None and topic != self.topic:
            return
        self.label.setText("")
        self._action = None
        self.level, self.topic = "", ""
        self.hide()

    def text(self) -> str:
        """The message as plain text ("" when none is shown)."""
        if self.isHidden() or not self.label.text():
            return ""
        doc = QTextDocument()
        doc.setHtml(self.label.text())
        return doc.toPlainText().strip()

    def _act(self) -> None:
        action = self._action
        self.clear()
        if action is not None:
            action()
