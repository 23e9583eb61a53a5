"""The tab's training job: runs in the worker's thread and holds no Qt object.

torch is imported there, never at start-up.  Weights set by hand in the GUI are handed to
the job (:meth:`Run.give`) and applied in its thread, so hand edits never race training.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

RES = 100  # grid points a side of the boundary view
VIEW_EVERY = 0.002  # seconds: how often an epoch offers a view from inside (see toy.train)


class Run:
    """What one job trains: the model (built in the job's thread), the data, hand edits."""

    def __init__(self, model: Any = None, data: tuple | None = None, epoch0: int = 0):
        self.model = model
        self.data = data  # (X_train, y_train, X_test, y_test) or None: the job makes it
        self.epoch0 = epoch0
        self._pending: list | None = None
        self._lock = threading.Lock()

    def give(self, weights: list | None) -> None:
        """Weights to load before the next view (set by hand in the GUI)."""
        with self._lock:
            self._pending = weights

    def take(self) -> list | None:
        with self._lock:
            w, self._pending = self._pending, None
        return w


def thin_maps(maps: np.ndarray, res: int, step: int) -> np.ndarray:
    """Maps (n, res*res) at every ``step``-th grid point each way: (n, r*r)."""
    if step <= 1:
        return maps
    return np.ascontiguousarray(maps.reshape(-1, res, res)[:, ::step, ::step]).reshape(
        len(maps), -1
    )


def diverged_message(
    epoch: int, value: float, level: float, n_classes: int, good: dict | None
) -> str:
    """What the screen says when a run blew up: the epoch that failed, and the epoch (with
    its loss) whose weights are kept and shown."""
    chance = math.log(n_classes)
    if math.isfinite(value):
        where = (
            f"chance level (ln {n_classes} = {chance:.3g})"
            if abs(level - chance) < 1e-9
            else f"its starting level ({level:.3g})"
        )
        what = f"the loss jumped to {value:.3g}, more than twice {where}"
    else:
        what = f"the loss became {value}"
    kept = ""
    if good is not None:
        kept = (
            f" The weights of epoch {good['epoch']:,} are kept and shown "
            f"(training loss {good['loss']:.3f})."
        )
    return (
        f"Training diverged in epoch {epoch:,}: {what}, because the steps overshoot.{kept} "
        "Lower the learning rate and press Reset."
    )


def prepare(run: Run, config: dict, dataset: dict, res: int) -> np.ndarray:
    """Make the run's data and model if it has none; the plane's grid (res*res, 2)."""
    from playground.core import toy

    if run.data is None:
        d = dataset
        X, y = toy.make_dataset(d["name"], d["n"], d["noise"], d["seed"], d["n_classes"])
        run.data = toy.split(X, y, d["test_fraction"], seed=d["seed"])
    ext = toy.extent(dataset["name"])
    if run.model is None:
        run.model = toy.ToyModel(toy.ToyConfig(**config, extent=ext))
    return toy.make_grid(ext, res)


def boundary_job(
    run: Run,
    config: dict,
    dataset: dict,
    settings: Any,
    res: int = RES,
    view_every: float | None = VIEW_EVERY,
    epochs: int | None = None,
):
    """An epoch-``run.epoch0`` view, then toy.train's epochs (``epochs`` of them, None:
    until stopped), numbered from ``run.epoch0``, with views from inside the epochs
    (``view_every`` seconds apart at most).

    Makes the data (if ``run.data`` is None) and the model (if ``run.model`` is None).
    A snapshot's ``detail`` only copies the weights (applying hand-set ones first); its
    ``render`` (the worker's view thread) makes the neuron maps and the plane's picture.
    """
    from playground.core import toy
    from playground.core.training import Snapshot

    grid = prepare(run, config, dataset, res)
    model = run.model
    X_train, y_train, X_test, y_test = run.data

    def metrics() -> dict[str, float]:
        loss, acc = toy.evaluate(model, X_train, y_train)
        test_loss, test_acc = toy.evaluate(model, X_test, y_test)
        return {"loss": loss, "acc": acc, "test_loss": test_loss, "test_acc": test_acc}

    detail = _detail(run, metrics)
    inputs = model.inputs(grid).float().cpu()
    render = _render(inputs, config["activation"], toy.extent(dataset["name"]), res)
    hand = run.take()
    if hand is not None:
        model.set_weights(hand)
    first = metrics()
    yield Snapshot(run.epoch0, None, first, detail, "epoch", render)
    if len(X_train) == 0:
        return
    # no grid: the model has its extent (prepare), and this job renders its own views
    snaps = toy.train(
        model, X_train, y_train, X_test, y_test, settings, epochs=epochs, view_every=view_every
    )
    yield from _numbered(snaps, run.epoch0, first, config["n_classes"], detail, render)


def _detail(run: Run, metrics: Any) -> Any:
    """A snapshot's detail: a copy of the weights, after loading any set by hand (then
    with their loss, measured now)."""

    def detail() -> dict[str, Any]:
        model, weights = run.model, run.take()
        if weights is None:
            return {"weights": model.weights()}
        model.set_weights(weights)
        return {"weights": model.weights(), "now": metrics()}  # the hand-set loss, live

    return detail


def _render(inputs: Any, activation: str, ext: tuple, res: int) -> Any:
    """A snapshot's render: what the GUI draws, made off its thread (its thread only hands
    it to Qt).  Only the diagram columns it asks for (``d["view"]["columns"]``) carry
    neuron maps, each thinned to every ``d["view"]["steps"][column]``-th grid point."""
    from playground.core import toy
    from playground.ui.widgets.plane_image import plane_picture  # plain numpy, no Qt

    def render(d: dict[str, Any]) -> dict[str, Any]:
        views = toy.grid_views(d["weights"], inputs, activation)
        views["plane"] = plane_picture(views["probs"], ext, res)
        view = d.get("view", {})
        columns, steps = view.get("columns"), view.get("steps", {})
        if columns is not None:
            views["maps"] = [
                thin_maps(m, res, steps.get(i, 1)) if i in columns else None
                for i, m in enumerate(views["maps"])
            ]
        return views

    return render


def _numbered(epochs: Any, epoch0: int, first: dict, n_classes: int, detail: Any, render: Any):
    """toy.train's snapshots numbered from ``epoch0``, with the tab's detail and render;
    a divergence says which epoch failed and which epoch's weights are kept."""
    from playground.core.training import Diverged

    good = {"epoch": epoch0, "loss": first["loss"]}  # the last epoch shown
    shown = first  # the metrics of the last epoch, for views from inside the next
    start = max(first["loss"] if math.isfinite(first["loss"]) else 0.0, math.log(n_classes))
    try:
        for snap in epochs:
            snap.step += epoch0
            snap.detail, snap.render = detail, render
            if snap.partial:
                snap.metrics = shown
            else:
                shown = snap.metrics
                good = {"epoch": snap.step, "loss": snap.metrics["loss"]}
            yield snap
    except Diverged as exc:  # the epoch as the user sees it, and what is on the screen
        epoch = exc.step + epoch0
        level = getattr(exc, "start", None) or start
        err = Diverged(epoch, exc.unit, exc.value)
        err.args = (diverged_message(epoch, exc.value, level, n_classes, good),)
        raise err from None


@dataclass
class RunInfo:
    """What the tab knows of the run in the training process: the epoch it started at,
    its data (None until the first frame brings it), its model's device (None: no model
    yet), config and the seed of its model's initial weights."""

    epoch0: int = 0
    data: tuple | None = None
    device: str | None = None
    config: Any = None  # the model's toy.ToyConfig, as the first frame tells it
    seed: int = 0


@dataclass
class BoundarySpec:
    """What the training process needs to make the tab's job (see ui/job_process.py):
    plain, picklable values.  The model stays in the process between jobs (``fresh``
    False goes on with it); the first frame tells the tab the data and the device."""

    fresh: bool
    config: dict
    dataset: dict
    data: tuple | None
    live: dict
    epoch0: int
    weights: list | None
    res: int = RES
    view_every: float | None = VIEW_EVERY
    epochs: int | None = None  # None: until stopped

    def make(self, store: dict) -> Any:
        from playground.core.training import LiveSettings

        old = store.get("run")
        model = None if self.fresh or old is None else old.model
        if model is not None:  # the same network, perhaps another optimizer from now on
            model.config = replace(model.config, optimizer=self.config["optimizer"])
        run = Run(model, self.data, self.epoch0)
        run.give(self.weights)
        live = LiveSettings(**self.live)
        store.update(run=run, live=live, give=run.give)
        job = boundary_job(
            run, self.config, self.dataset, live, self.res, self.view_every, self.epochs
        )
        return _telling(job, run)


def _telling(job: Any, run: Run) -> Any:
    """``job`` whose first frame also holds the data and the model's device."""
    first = next(job)
    inner = first.detail

    def detail() -> dict[str, Any]:
        model = run.model
        return {**inner(), "data": run.data, "device": model.device.type, "config": model.config}

    first.detail = detail
    yield first
    yield from job
