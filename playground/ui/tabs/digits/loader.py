"""The models and datasets of the Digits tab, loaded off the GUI thread.

The shipped model of a dataset (small, numpy) loads first, so the pad works at once;
the datasets (~55 MB each) load when the tab is first shown; a missing dataset is
downloaded, with progress, only when the user asks (Play or the Download button).
"""

from __future__ import annotations

import contextlib

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from playground.core import data, digits
from playground.ui.background import run_in_thread

Sets = dict[str, tuple[np.ndarray, np.ndarray]]


class Unreadable(Exception):
    """The dataset could not be loaded; ``damaged``: a file is here but bad (not just absent)."""

    def __init__(self, message: str, damaged: bool):
        super().__init__(message)
        self.damaged = damaged


def read_sets(dataset: str) -> Sets:
    """Both splits of ``dataset`` (in a worker thread); :class:`Unreadable` if they cannot
    be read, saying whether a file is damaged (the core's message names it, where it is and
    what to do) or only missing."""
    try:
        return {split: digits.load_dataset(dataset, split) for split in ("train", "test")}
    except data.DataMissing as exc:
        problems = [why for path, why in data.status(dataset).values() if path is None]
        raise Unreadable(str(exc), any(why != "missing" for why in problems)) from None
    except ValueError as exc:  # a verified file that does not parse
        raise Unreadable(str(exc), True) from None


class Loader(QObject):
    """``models[dataset]``: the model that reads the pad for that dataset (shipped,
    trained here or opened), ``sources[dataset]`` whose it is ("the shipped {model}": see
    :func:`~.presenter.reader_text`); ``sets[dataset]``:
    {"train"|"test": (uint8 images, labels)} once loaded."""

    model_changed = Signal(str)  # dataset
    model_failed = Signal(str, str)  # dataset, message
    data_ready = Signal(str)
    data_missing = Signal(str, str)  # not on this machine: message
    data_damaged = Signal(str, str)  # a file is here but damaged: message naming it
    download_started = Signal(str)
    download_failed = Signal(str, str)

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self._widget = parent
        self.models: dict[str, digits.Classifier] = {}
        self.sources: dict[str, str] = {}
        self.sets: dict[str, Sets] = {}
        self._busy: set[str] = set()
        self._fetcher = None

    # ---------------------------------------------------------------- models
    def set_model(self, dataset: str, clf: digits.Classifier, source: str) -> None:
        """Make ``clf`` read the pad for ``dataset``."""
        self.models[dataset] = clf
        self.sources[dataset] = source
        self.model_changed.emit(dataset)

    def forget_model(self, dataset: str) -> None:
        """Back to the shipped model of ``dataset`` (loaded again in a thread)."""
        self.models.pop(dataset, None)
        self._busy.discard(f"model:{dataset}")
        self.model_changed.emit(dataset)
        self.ensure_model(dataset)

    def ensure_model(self, dataset: str) -> None:
        """Load the shipped model of ``dataset`` unless a model is there or on its way."""
        key = f"model:{dataset}"
        if dataset in self.models or key in self._busy:
            return
        self._busy.add(key)
        run_in_thread(
            self,
            lambda: digits.load_pretrained(dataset),
            lambda clf: self._on_model(dataset, clf),
            lambda exc: self._on_model_error(dataset, str(exc)),
            name=f"digits-model-{dataset}",
        )

    def _on_model(self, dataset: str, clf: digits.Classifier) -> None:
        self._busy.discard(f"model:{dataset}")
        if dataset not in self.models:  # a trained or opened one came first: keep it
            self.set_model(dataset, clf, "the shipped {model}")

    def _on_model_error(self, dataset: str, message: str) -> None:
        self._busy.discard(f"model:{dataset}")
        self.model_failed.emit(dataset, message)

    # ---------------------------------------------------------------- datasets
    def loading(self, dataset: str) -> bool:
        return f"data:{dataset}" in self._busy

    def ensure_data(self, dataset: str, download: bool = False) -> None:
        """Load both splits of ``dataset`` in a thread; with ``download`` fetch them if absent."""
        key = f"data:{dataset}"
        if dataset in self.sets or key in self._busy:
            return
        self._busy.add(key)
        if not download:
            self._load(dataset)
            return
        from playground.ui.widgets.download import DatasetFetcher

        self._fetcher = DatasetFetcher(dataset, self._widget)
        self._fetcher.ready.connect(lambda _name: self._load(dataset))
        self._fetcher.failed.connect(self._on_download_failed)
        self.download_started.emit(dataset)
        self._fetcher.start()

    def _load(self, dataset: str) -> None:
        run_in_thread(
            self,
            lambda: read_sets(dataset),
            lambda sets: self._on_data(dataset, sets),
            lambda exc: self._on_data_error(dataset, exc),
            name=f"digits-data-{dataset}",
        )

    def _on_data(self, dataset: str, sets: Sets) -> None:
        self._busy.discard(f"data:{dataset}")
        self.sets[dataset] = sets
        self.data_ready.emit(dataset)

    def _on_data_error(self, dataset: str, exc: BaseException) -> None:
        self._busy.discard(f"data:{dataset}")
        damaged = not isinstance(exc, Unreadable) or exc.damaged
        (self.data_damaged if damaged else self.data_missing).emit(dataset, str(exc))

    def _on_download_failed(self, dataset: str, message: str) -> None:
        self._busy.discard(f"data:{dataset}")
        self.download_failed.emit(dataset, message)

    def shutdown(self) -> None:
        if self._fetcher is not None:
            with contextlib.suppress(RuntimeError):
                self._fetcher.cancel()
