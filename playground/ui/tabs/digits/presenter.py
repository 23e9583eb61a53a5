"""Frames and models -> the Digits tab's views.

:class:`PadPresenter` reads the pad through a model (a few ms, on the GUI thread: the
model is already loaded); :class:`TrainPresenter` draws training frames, paced by the
session; :class:`ResultsPresenter` evaluates a model on the test set in a thread and
fills the Results and Browse pages.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Iterable
from typing import Any

import numpy as np
from PySide6.QtCore import QObject

from playground.core import digits
from playground.ui.background import run_in_thread
from playground.ui.session import Session, format_seconds
from playground.ui.tabs.digits.job import Run
from playground.ui.tabs.digits.panels import BrowsePage, PadPanel, ResultsPage, SeesPanel, TrainPage
from playground.ui.tabs.digits.state import model_title
from playground.ui.widgets.digit_views import Gallery, mosaic
from playground.ui.worker import Frame

TRAIN = "train (batches)"


def thing(dataset: str) -> str:
    """What one draws for ``dataset``."""
    return "piece of clothing" if dataset == "fashion-mnist" else "digit"


READERS = {"scratch": "numpy network", "mlp": "MLP (torch)", "cnn": "CNN (torch)"}


def reader_text(clf: digits.Classifier, source: str) -> str:
    """ "Read by: the shipped numpy network, 98.24% on the MNIST test set".

    ``source`` says whose model it is, with ``{model}`` where its kind goes: "the shipped
    {model}", "your {model}, trained here (finished)", "the {model} opened from m.safetensors".
    """
    who = source.replace("{model}", READERS[clf.kind])  # not format(): a file name may hold {}
    text = f"Read by: {who}"
    with contextlib.suppress(TypeError, ValueError):  # None or junk: not measured
        acc = float(clf.info.get("test_acc"))
        text += f", {acc:.2%} on the {digits.DATASET_TITLES[clf.dataset]} test set"
    return text


class PadPresenter:
    """The pad's drawing -> the input the network sees, its answer, and what responds."""

    def __init__(self, pad: PadPanel, sees: SeesPanel):
        self.p, self.s = pad, sees
        self.probs: np.ndarray | None = None  # the latest prediction (None: empty pad)
        self.latency_ms = 0.0

    def show_empty(self, dataset: str) -> None:
        self.p.pad.hint = f"Draw a {thing(dataset)} here"
        self.p.pad.update()
        self.p.prediction_label.setText(f"Draw a {thing(dataset)} on the pad")
        self.p.bars.set_probs(None)
        self.s.input_view.show_image(np.zeros((28, 28), np.float32), (0, 1))
        self.s.insight_view.image.clear()
        self.s.insight_view.set_title("")
        self.s.caption.setText("")
        self.probs = None

    def show_model(self, clf: digits.Classifier | None, source: str) -> None:
        """Say which model reads the pad, under its answer (see :func:`reader_text`)."""
        label = self.p.model_label
        if clf is None:
            label.setText("Loading the shipped model...")
            return
        label.setText(reader_text(clf, source))
        label.setToolTip(
            f"The model that reads your drawing right now: {clf.title}, "
            f"{clf.n_params():,} parameters. The form on the Train page describes the next "
            "run, which may be another model."
        )

    def predict(self, clf: digits.Classifier | None, dataset: str) -> None:
        """Read the pad with ``clf`` and show the answer."""
        if self.p.pad.is_empty():
            self.show_empty(dataset)
            return
        t0 = time.perf_counter()
        x = digits.preprocess_for(dataset, self.p.pad.ink())
        self.s.input_view.show_image(x, (0, 1))
        if clf is None:
            self.p.prediction_label.setText("Loading the model...")
            return
        probs = clf.predict_proba(x)[0]
        self.latency_ms = 1000 * (time.perf_counter() - t0)
        self.probs = probs
        top, conf = digits.top_class(probs)
        self.p.prediction_label.setText(f"{clf.class_names[top]}  ({conf:.1%} sure)")
        self.p.bars.set_probs(probs)
        self._insight(clf, x, top)

    def _insight(self, clf: digits.Classifier, x: np.ndarray, top: int) -> None:
        view, name = self.s.insight_view, clf.class_names[top]
        maps = clf.feature_maps(x)
        if maps is not None:  # CNN
            view.set_cmap("viridis")
            view.show_image(mosaic(maps, cols=8), (0, max(float(maps.max()), 1e-6)))
            view.set_title(f"First convolution: {len(maps)} feature maps")
            self.s.caption.setText(
                "Each map is one 5x5 filter slid over the input (after ReLU): bright where "
                "it found its pattern (an edge, a stroke direction)."
            )
            return
        contrib, weights = clf.unit_contributions(x, top), clf.first_layer()
        if contrib is None or weights is None:
            return
        units = np.argsort(-contrib)[:8]
        tiles = weights[units]
        scale = max(float(np.abs(tiles).max()), 1e-6)
        view.set_cmap("diverging")
        view.show_image(mosaic(tiles, cols=4), (-scale, scale))
        view.set_title(f"First-layer weights pushing toward '{name}'")
        rows = "".join(f"<tr><td>unit {u}</td><td>&nbsp;{contrib[u]:+.2f}</td></tr>" for u in units)
        self.s.caption.setText(
            f"Units adding most to the logit of '{name}' (activation x gradient):"
            f"<table>{rows}</table>"
        )


def progress_text(frame: Frame, elapsed: float) -> str:
    """ "batch 1,200 of 7,035 · 95 batches/s · 31 s left", from the job's training time.

    Not ``Session.progress_text``: the worker's rate counts snapshots, and this job
    reports every ~1/50 epoch, so its rate and ETA would be ~18x off.
    """
    parts = [f"batch {frame.step:,}" + (f" of {frame.total:,}" if frame.total else "")]
    rate = frame.step / elapsed if elapsed > 0 else 0.0
    if rate > 0 and not frame.final:
        parts.append(f"{rate:,.0f} batches/s")
        if frame.total:
            parts.append(f"{format_seconds((frame.total - frame.step) / rate)} left")
    return " · ".join(parts)


# each plot's curves: (train metric, test metric)
PLOTS = {"loss": ("loss", "test_loss"), "acc": ("acc", "test_acc")}


class TrainPresenter:
    """Training frames -> curves, progress bar, counter and status line.

    While a run trains, each drawn frame brings one plot up to date, the loss and the
    accuracy in turn: one plot's repaint per frame, not both in the same pass of the event
    loop (that pass was the GUI thread's longest stall).
    """

    def __init__(self, page: TrainPage, session: Session):
        self.page, self.session = page, session
        self._pending: dict[str, list[tuple[int, dict[str, float]]]] = {k: [] for k in PLOTS}
        self._turn = 1  # the plot the last running frame brought up to date (loss goes first)

    def start(self, run: Run) -> None:
        p, c = self.page, run.config
        self.clear()
        for plot in (p.loss_plot, p.acc_plot):  # the epoch axis spans the run from the start
            plot.set_x_min_span(c.epochs)
        p.controls.progress.setFormat("starting...")
        images = f" on {c.train_limit:,} images" if c.train_limit else ""
        p.status.setText(
            f"Training {model_title(c.model, run.dataset)}: {c.epochs} epochs{images}, "
            f"batch {c.batch_size}, lr {c.lr:g}."
        )

    def clear(self, status: str | None = None) -> None:
        p = self.page
        self._pending = {k: [] for k in PLOTS}
        p.loss_plot.clear_curves()
        p.acc_plot.clear_curves()
        p.controls.progress.setMaximum(1)
        p.controls.progress.setValue(0)
        p.controls.progress.setFormat("not training")
        p.controls.counter.setText("")
        if status is not None:
            p.status.setText(status)

    def frame(self, frame: Frame, run: Run | None) -> None:
        """Every metric reaches the curves; they redraw as often as the session says."""
        for pending in self._pending.values():
            pending += frame.history
        if run is None or not self.session.due("digits-train", "normal", frame):
            return
        if self.session.running and not frame.final:
            self._turn = 1 - self._turn
            self.flush(run, [("loss", "acc")[self._turn]])
        else:
            self.flush(run)
        m, c = frame.metrics, run.config
        if not m:
            return
        bar = self.page.controls.progress
        bar.setMaximum(frame.total or 1)
        bar.setValue(frame.step)
        epoch = min(int(m["epoch"] - 1e-9) + 1, c.epochs)
        bar.setFormat(f"epoch {epoch} of {c.epochs} · {progress_text(frame, m['elapsed'])}")
        run.rate = frame.step * c.batch_size / max(m["elapsed"], 1e-9)
        self.page.device_label.setText(run.device)  # "CPU (numpy)": short, as the page is
        test = run.test_acc
        counter = self.page.controls.counter
        counter.setText(f"{run.rate:,.0f} img/s")
        counter.setToolTip(
            "Images trained on per second"
            + (f"; the last epoch's test accuracy: {test:.2%}" if test is not None else "")
        )

    def flush(self, run: Run, plots: Iterable[str] = tuple(PLOTS)) -> None:
        """Append what arrived since ``plots`` were last drawn, one call per curve (each
        call redoes the curve's arrays: per point it cost ~1 ms of the GUI thread);
        nothing non-finite."""
        for name in plots:
            rows, self._pending[name] = self._pending[name], []
            plot = self.page.loss_plot if name == "loss" else self.page.acc_plot
            key, test_key = PLOTS[name]
            train = [(m["epoch"], m[key]) for _, m in rows if math.isfinite(m["loss"])]
            test = [
                (m["epoch"], m[test_key])
                for _, m in rows
                if "test_acc" in m and math.isfinite(m["test_loss"])
            ]
            for curve, points in ((TRAIN, train), ("test", test)):
                if points:
                    plot.append(curve, *zip(*points, strict=True))
            for _, m in rows:
                run.elapsed = max(run.elapsed, float(m.get("elapsed", 0.0)))
                if "test_acc" in m and math.isfinite(m["test_loss"]):
                    run.test_acc, run.test_loss = m["test_acc"], m["test_loss"]

    def ended(self, how: str, status: str) -> None:
        """The run finished, stopped or failed: say so where the ETA was."""
        bar = self.page.controls.progress
        bar.setFormat(bar.format().split(" · ")[0] + f" · {how}")
        self.page.status.setText(status)

    def has_curves(self) -> bool:
        return self.page.loss_plot.count(TRAIN) > 0


class ResultsPresenter(QObject):
    """A model's results on the test set (evaluated in a thread) -> Results and Browse."""

    def __init__(self, parent: QObject, results: ResultsPage, browse: BrowsePage):
        super().__init__(parent)
        self.r, self.b = results, browse
        self.evaluation: digits.Evaluation | None = None
        self.clf: digits.Classifier | None = None  # the model the pages are about
        self.test: tuple[np.ndarray, np.ndarray] | None = None

    def clear(self) -> None:
        self.evaluation, self.clf, self.test = None, None, None
        self.r.results_label.setText("")
        self.r.show_problem("")
        self.r.download_button.setVisible(False)
        self.r.mistakes.clear()
        self.b.browser.clear()

    def show_missing(self, title: str) -> None:
        """The dataset is not on this machine: offer to download it."""
        self.r.results_label.setText(
            f"The {title} test set is not on this machine yet. The pad keeps working "
            "with the shipped model; download the dataset to see results here."
        )
        self.r.download_button.setText(f"Download {title}")
        self.r.download_button.setVisible(True)
        self.b.browse_label.setText(f"Download {title} (Results page) to browse its test set.")

    def show_damaged(self, title: str, message: str) -> None:
        """Files of the dataset are here but damaged: ``message`` (the core's) names them,
        says where they are and what to do; a download fetches good copies."""
        self.r.results_label.setText(
            f"<b>Some {title} files on this machine are damaged</b>, so there are no results "
            "here. The pad keeps working with the shipped model."
        )
        self.r.show_problem(message)
        self.r.download_button.setText(f"Download {title} again")
        self.r.download_button.setVisible(True)
        self.b.browse_label.setText(f"The {title} files are damaged: see the Results page.")

    def show_download_failed(self, message: str) -> None:
        self.r.results_label.setText("Could not get the dataset.")
        self.r.show_problem(message)
        self.r.download_button.setVisible(True)

    def evaluate(self, clf: digits.Classifier, test: tuple[np.ndarray, np.ndarray]) -> None:
        """Evaluate ``clf`` on ``test`` unless it is the model shown already."""
        if clf is self.clf and self.test is test:
            return
        self._begin(clf, test)
        images, labels = test
        run_in_thread(
            self,
            lambda: digits.evaluate(clf, images, labels),
            lambda ev: self._done(clf, ev),
            lambda exc: self._done(clf, str(exc)),  # shown, never raised in the GUI
            name="digits-evaluate",
        )

    def adopt(
        self, clf: digits.Classifier, test: tuple[np.ndarray, np.ndarray], ev: digits.Evaluation
    ) -> None:
        """Show ``ev``, ``clf``'s evaluation on ``test`` made elsewhere (not measured again)."""
        self._begin(clf, test)
        self._done(clf, ev)

    def _begin(self, clf: digits.Classifier, test: tuple[np.ndarray, np.ndarray]) -> None:
        self.clf, self.test, self.evaluation = clf, test, None
        self.r.results_label.setText(f"Evaluating {clf.title} on the test set...")
        self.r.show_problem("")
        self.r.download_button.setVisible(False)
        self.r.confusion.set_names(clf.class_names)
        self.r.confusion.set_counts(np.zeros((10, 10), np.int64))
        self.r.confusion.select(-1, -1)
        self.r.mistakes.clear()
        self.b.browser.clear()
        self.r.gallery_label.setText("")

    def _done(self, clf: digits.Classifier, ev: Any) -> None:
        if clf is not self.clf:
            return  # the model changed meanwhile
        if isinstance(ev, str):
            self.r.results_label.setText(f"Could not evaluate: {ev}")
            return
        self.evaluation = ev
        n = len(ev.predictions)
        self.r.results_label.setText(
            f"<b>Test accuracy {ev.accuracy:.2%}</b> ({int(round(ev.accuracy * n)):,} of {n:,} "
            f"right, {len(ev.mistakes):,} mistakes; mean loss {ev.loss:.3f}). Model: {clf.title}."
        )
        self.r.confusion.set_counts(ev.confusion)
        self.show_mistakes()
        if self.b.isVisible():
            self.browse()

    def _caption(self, index: int) -> tuple[str, bool]:
        ev, labels = self.evaluation, self.test[1]
        true, pred = int(labels[index]), int(ev.predictions[index])
        short = [n.split("/")[0] for n in self.clf.class_names]
        conf = f"{ev.confidence[index]:.1%}"
        if self.clf.dataset == "mnist":
            return f"{short[true]} → {short[pred]}\n{conf}", true != pred
        return f"{short[true]}\n→ {short[pred]}\n{conf}", true != pred

    def _fill(self, gallery: Gallery, indices: np.ndarray) -> None:
        images = self.test[0]
        items = []
        for i in indices:
            caption, wrong = self._caption(int(i))
            items.append((images[i], caption, wrong, int(i)))
        gallery.set_items(items)

    def show_mistakes(self) -> None:
        ev = self.evaluation
        if ev is None:
            return
        self.r.confusion.select(-1, -1)
        self.r.gallery_label.setText(
            f"The {min(60, len(ev.mistakes))} mistakes the model was most sure about "
            "(true → predicted, confidence):"
        )
        self._fill(self.r.mistakes, ev.mistakes[:60])

    def cell_clicked(self, true: int, pred: int) -> None:
        ev = self.evaluation
        if ev is None:
            return
        self.r.confusion.select(true, pred)
        labels = self.test[1]
        idx = np.flatnonzero((labels == true) & (ev.predictions == pred))
        idx = idx[np.argsort(-ev.confidence[idx], kind="stable")][:80]
        names = self.clf.class_names
        what = "right" if true == pred else f"predicted as {names[pred]}"
        n = int(ev.confusion[true, pred])
        self.r.gallery_label.setText(
            f"True {names[true]}, {what}: {n:,} images"
            + (" (the 80 most confident shown)" if n > 80 else "")
        )
        self._fill(self.r.mistakes, idx)

    def browse(self) -> None:
        """48 random test images with the model's guesses."""
        ev = self.evaluation
        if ev is None:
            return
        idx = np.random.default_rng().choice(len(ev.predictions), size=48, replace=False)
        wrong = int((ev.predictions[idx] != self.test[1][idx]).sum())
        self.b.browse_label.setText(
            f"48 random test images (true → guess, confidence); {wrong} wrong, in red."
        )
        self._fill(self.b.browser, idx)
