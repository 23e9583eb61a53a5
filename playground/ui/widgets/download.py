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

Every signal is emitted on the GUI thread; the thread itself never touches Qt
(:mod:`playground.ui.background`).  The thread runs
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
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from playground.core import data
from playground.ui.background import BackgroundTask, Progress


class DatasetFetcher(QObject):
    """Locate (and if needed download) dataset ``name`` in a thread; see the module docstring."""

    ready = Signal(str)
    failed = Signal(str, str)
    progress = Signal(int, int)

    def __init__(self, name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.name = name
        self.files: dict[str, Path] = {}
        self.dialog: QProgressDialog | None = None
        self._parent_widget = parent
        self._task: BackgroundTask | None = None

    def start(self) -> None:
        """Begin (no-op while already running)."""
        if self.running():
            return
        name = self.name

        def work(progress: Progress) -> dict[str, Path]:  # in the thread: no Qt objects here
            return data.locate(
                name,
                download=True,
                progress=lambda done, total: progress.report((done, total)),
                cancel=progress.cancelled,
            )

        self._task = BackgroundTask(
            self, work, self._on_done, self._on_error, self._on_progress, f"fetch-{name}"
        )

    def running(self) -> bool:
        return self._task is not None and self._task.running()

    def cancel(self) -> None:
        """Stop a download in progress (it ends with ``failed``)."""
        if self._task is not None:
            self._task.cancel()

    # ------------------------------------------------------------ GUI thread
    def _on_progress(self, value: tuple[int, int]) -> None:
        done, total = value
        cancelled = self._task is not None and self._task.cancelled.is_set()
        if self.dialog is None and not cancelled and self.running():
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

    def _close_dialog(self) -> None:
        self._task = None
        if self.dialog is not None:
            with contextlib.suppress(RuntimeError):
                self.dialog.canceled.disconnect(self.cancel)
                self.dialog.close()
                self.dialog.deleteLater()
            self.dialog = None

    def _on_done(self, files: dict[str, Path]) -> None:
        self._close_dialog()
        self.files = files
        self.ready.emit(self.name)

    def _on_error(self, exc: BaseException) -> None:
        self._close_dialog()
        if isinstance(exc, data.DataMissing):
            message = str(exc)
        else:  # never a traceback in the user's face
            message = f"Could not get the {self.name} dataset: {exc}"
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
