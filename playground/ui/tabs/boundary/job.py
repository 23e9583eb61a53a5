"""The tab's training job: runs in the worker's thread and holds no Qt object.

torch is imported there, never at start-up.  Weights set by hand in the GUI are handed to
the job (:meth:`Run.give`) and applied in its thread, so hand edits never race training.
"""

from __future__ import annotations

import math
import threading
from typing import Any

import numpy as np

RES = 100  # grid points a side of the boundary view


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


def boundary_job(run: Run, config: dict, dataset: dict, settings: Any, res: int = RES):
    """An epoch-``run.epoch0`` view, then toy.train's epochs, numbered from ``run.epoch0``.

    Makes the data (if ``run.data`` is None) and the model (if ``run.model`` is None).
    """
    from playground.core import toy
    from playground.core.training import Diverged, Snapshot
    from playground.ui.widgets.plane_image import plane_picture  # plain numpy, no Qt

    grid = prepare(run, config, dataset, res)
    ext = toy.extent(dataset["name"])
    model = run.model
    X_train, y_train, X_test, y_test = run.data

    def metrics() -> dict[str, float]:
        loss, acc = toy.evaluate(model, X_train, y_train)
        test_loss, test_acc = toy.evaluate(model, X_test, y_test)
        return {"loss": loss, "acc": acc, "test_loss": test_loss, "test_acc": test_acc}

    def view() -> dict[str, Any]:
        maps = model.neuron_maps(grid)
        last = maps[-1]
        probs = np.stack([1 - last[0], last[0]], 1) if model.n_out == 1 else last.T.copy()
        return {"weights": model.weights(), "maps": maps, "probs": probs.astype(np.float32)}

    def with_hand_weights(inner):
        def detail() -> dict[str, Any]:
            weights = run.take()
            if weights is None:
                out = inner()
            else:
                model.set_weights(weights)
                out = view()
                out["now"] = metrics()  # the loss of the hand-set weights, live
            # what the GUI draws, made here: its thread only hands it to Qt
            if "probs" in out:
                out["plane"] = plane_picture(out["probs"], ext, res)
            return out

        return detail

    hand = run.take()
    if hand is not None:
        model.set_weights(hand)
    first = metrics()
    good = {"epoch": run.epoch0, "loss": first["loss"]}  # the last epoch shown
    yield Snapshot(run.epoch0, None, first, detail=with_hand_weights(view), unit="epoch")
    if len(X_train) == 0:
        return
    n_classes = config["n_classes"]
    start = max(first["loss"] if math.isfinite(first["loss"]) else 0.0, math.log(n_classes))
    try:
        for snap in toy.train(model, X_train, y_train, X_test, y_test, settings, grid):
            snap.step += run.epoch0
            snap.detail = with_hand_weights(snap.detail)
            good = {"epoch": snap.step, "loss": snap.metrics["loss"]}
            yield snap
    except Diverged as exc:  # the epoch as the user sees it, and what is on the screen
        epoch = exc.step + run.epoch0
        level = getattr(exc, "start", None) or start
        err = Diverged(epoch, exc.unit, exc.value)
        err.args = (diverged_message(epoch, exc.value, level, n_classes, good),)
        raise err from None
