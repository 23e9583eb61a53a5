"""Fetch a dataset off the GUI thread, with a cancellable progress dialog when it downloads.

API::

    from playground.ui.widgets.download import DatasetFetcher, fetch_dataset

    fetcher = DatasetFetcher("mnist", parent_widget)   # "names" | "mnist" | "fashion-mnist"
    fetcher.ready.connect(on_ready)                    # ready(str name): files are there, verified
    fetcher.failed.connect(on_failed)                  # failed(str name, str message for the user)
    fetcher.progress.connect(on_progress)              # progress(int done_bytes, int total_bytes)
    fetcher.start()
    fetcher.files      # after ready: {relative path: Path}, as data.locate returns
    fetcher.cancel()   # same as the dialog's Cancel button: failed(name, "... cancelled ...")
    fetcher.running()  # True while the thread works

    fetch_dataset(name, parent, on_ready, on_failed) -> DatasetFetcher   # the three lines above

Every signal is emitted on the GUI thread.  The thread runs
``data.locate(name, download=True, progress=..., cancel=...)``; if the files are
already there (verified) ``ready`` comes quickly and no dialog appears.  Only when a
download actually starts does a NON-modal QProgressDialog with Cancel show; the app
stays usable meanwhile.  A failure (no network, HTTP error, corrupt download) gives
``failed`` with data.DataMissing's message (which files, where to put them); the
caller shows it (QMessageBox or an inline label).  The fetcher is a child of
``parent`` and deletes its dialog when done.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from playground.core import data


class DatasetFetcher(QObject):
    """Locate (and if needed download) dataset ``name`` in a thread; see the module docstring."""

    ready = Signal(str)
    failed = Signal(str, str)
    progress = Signal(int, int)

    # posted from the thread; delivered on the GUI thread (queued)
    _bg_progress = Signal(int, int)
    _bg_done = Signal(object, str)  # files dict or None, error message

    def __init__(self, name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.name = name
        self.files: dict[str, Path] = {}
        self.dialog: QProgressDialog | None = None
        self._parent_widget = parent
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None
        self._bg_progress.connect(self._on_progress, Qt.QueuedConnection)
        self._bg_done.connect(self._on_done, Qt.QueuedConnection)

    def start(self) -> None:
        """Begin (no-op while already running)."""
        if self.running():
            return
        self._cancel.clear()
        self._thread = threading.Thread(target=self._work, name=f"fetch-{self.name}", daemon=True)
        self._thread.start()

    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def cancel(self) -> None:
        """Stop a download in progress (it ends with ``failed``)."""
        self._cancel.set()

    # ------------------------------------------------------------ thread
    def _work(self) -> None:
        try:
            files = data.locate(
                self.name, download=True, progress=self._emit_progress, cancel=self._cancel
            )
            result, message = files, ""
        except data.DataMissing as exc:
            result, message = None, str(exc)
        except Exception as exc:  # noqa: BLE001 - never a traceback in the user's face
            result, message = None, f"Could not get the {self.name} dataset: {exc}"
        with contextlib.suppress(RuntimeError):  # the fetcher may be gone already
            self._bg_done.emit(result, message)

    def _emit_progress(self, done: int, total: int) -> None:
        with contextlib.suppress(RuntimeError):
            self._bg_progress.emit(done, total)

    # ------------------------------------------------------------ GUI thread
    def _on_progress(self, done: int, total: int) -> None:
        if self.dialog is None and not self._cancel.is_set() and self.running():
            self._show_dialog(total)
        if self.dialog is not None:
            mb = 1e6
            self.dialog.setMaximum(max(total, 1))
            self.dialog.setValue(min(done, max(total, 1)))
            self.dialog.setLabelText(
                f"Downloading the {self.name} dataset: {done / mb:.1f} of {total / mb:.1f} MB\n"
                f"into {data.cache_dir()}"
            )
        self.progress.emit(done, total)

    def _show_dialog(self, total: int) -> None:
        dialog = QProgressDialog(
            f"Downloading the {self.name} dataset...",
            "Cancel",
            0,
            max(total, 1),
            self._parent_widget,
        )
        dialog.setObjectName("downloadDialog")
        dialog.setWindowTitle(f"Downloading {self.name}")
        dialog.setWindowModality(Qt.NonModal)
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setToolTip("The files are checked against their published SHA-256 sums.")
        dialog.canceled.connect(self.cancel)
        dialog.show()
        self.dialog = dialog

    def _on_done(self, files: dict[str, Path] | None, message: str) -> None:
        self._thread = None
        if self.dialog is not None:
            with contextlib.suppress(RuntimeError):
                self.dialog.canceled.disconnect(self.cancel)
                self.dialog.close()
                self.dialog.deleteLater()
            self.dialog = None
        if files is not None:
            self.files = files
            self.ready.emit(self.name)
        else:
            self.failed.emit(self.name, message)


def fetch_dataset(
    name: str,
    parent: QWidget,
    on_ready: Callable[[str], None],
    on_failed: Callable[[str, str], None],
) -> DatasetFetcher:
    """Start a :class:`DatasetFetcher` for ``name`` with its ready/failed signals connected."""
    fetcher = DatasetFetcher(name, parent)
    fetcher.ready.connect(on_ready)
    fetcher.failed.connect(on_failed)
    fetcher.start()
    return fetcher
