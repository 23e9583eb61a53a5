"""Model files of the Digits tab (safetensors: never unpickled).

:func:`open_model` and :func:`save_model` are plain functions (no Qt).  :class:`ModelFiles`
runs them in a background thread while the GUI keeps running, and turns their errors
into messages for the tab's message bar.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEventLoop, QObject
from PySide6.QtWidgets import QFileDialog, QWidget

from playground.core import digits
from playground.ui.background import run_in_thread
from playground.ui.tabs.digits.state import check_model_for

Show = Callable[[str, str], None]  # show(text, level)
Saved = Callable[[str, str], None]  # saved(what, path): says where a save wrote


def open_model(path: str | Path, device: str = "cpu") -> digits.Classifier:
    """The model saved in ``path``; ``ValueError`` (``ModelFileError``) naming the file."""
    path = Path(path)
    clf = digits.load_model(path, device)
    check_model_for(clf, path.name)
    return clf


def save_model(clf: digits.Classifier, path: str | Path) -> None:
    """Write ``clf`` to ``path``; the core saves atomically (a failed save leaves the
    previous file intact).  ``OSError`` if the file cannot be written."""
    clf.save(path)


class ModelFiles(QObject):
    """Open and save models off the GUI thread; every outcome is shown with ``show``."""

    def __init__(self, parent: QWidget, show: Show, saved: Saved):
        super().__init__(parent)
        self._widget = parent
        self._show, self._saved = show, saved

    def ask_save_path(self, clf: digits.Classifier | None) -> str:
        """Where to save ``clf`` (a file dialog); "" if cancelled or there is no model."""
        if clf is None:
            return ""
        name = f"digits-{clf.kind}-{clf.dataset}.safetensors"
        return QFileDialog.getSaveFileName(
            self._widget, "Save the model", name, "Model files (*.safetensors)"
        )[0]

    def ask_open_path(self) -> str:
        """Which model file to open (a file dialog); "" if cancelled."""
        return QFileDialog.getOpenFileName(
            self._widget, "Open a model", "", "Model files (*.safetensors);;All files (*)"
        )[0]

    def open(self, path: str) -> digits.Classifier | None:
        """The model in ``path``, or None after an error message."""
        clf, error = self._in_thread(lambda: open_model(path))
        if error is not None:
            text = str(error) if isinstance(error, ValueError) else f"{path}: {error}"
            self._show(f"Could not open this model: {text}", "error")
            return None
        return clf

    def save(self, clf: digits.Classifier | None, path: str) -> bool:
        """Save ``clf`` to ``path``; True, or False after an error message."""
        if clf is None:
            self._show("There is no model to save yet.", "warning")
            return False
        _, error = self._in_thread(lambda: save_model(clf, path))
        if error is not None:
            self._show(f"Could not write {path}: {error}", "error")
            return False
        self._saved("the model", path)
        return True

    def _in_thread(self, work: Callable[[], Any]) -> tuple[Any, BaseException | None]:
        """Run ``work`` in a thread; the GUI keeps running until it is done."""
        out: list[Any] = [None, None]
        loop = QEventLoop(self)

        def done(result: Any, error: BaseException | None = None) -> None:
            out[:] = [result, error]
            loop.quit()

        run_in_thread(self, work, done, lambda exc: done(None, exc), name="digits-file")
        loop.exec()
        return out[0], out[1]
