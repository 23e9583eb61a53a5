"""What runs off the GUI thread: micrograd's moons demo, by our engine and by torch.

Plain data in, plain data out: nothing here holds a Qt object.  The demo is pure Python
(a Value per number) and would hold the GIL the GUI paints with, so the tab runs it in a
training process (:class:`DemoSpec`, see ui/job_process.py).
"""

from __future__ import annotations

import contextlib
import random
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from playground.core import micrograd as mg
from playground.core import micrograd_demo as demo
from playground.core.training import DivergenceGuard, Job, LiveSettings, Snapshot, torch_threads
from playground.ui.tabs.backprop.state import hidden_sizes

GRID = 60  # the boundary image is GRID x GRID
ALPHA = 1e-4  # the demo's L2 weight
PATIENCE = 4  # steps in a row above twice the start: diverged (lr 3 overshoots, then recovers)
HINGE_AT_ZERO = 1.0  # the max-margin loss of a net that scores 0 everywhere: the guard's floor


def extent(X: list[list[float]]) -> tuple[float, float, float, float]:
    """The demo's plot: the points' range and 1 more on each side."""
    xs, ys = [p[0] for p in X], [p[1] for p in X]
    return min(xs) - 1, max(xs) + 1, min(ys) - 1, max(ys) + 1


def scores(weights: list, ext: tuple[float, float, float, float]) -> np.ndarray:
    """The MLP's score over a GRID x GRID grid (row-major: rows are y), from its weights."""
    x0, x1, y0, y1 = ext
    gx, gy = np.meshgrid(np.linspace(x0, x1, GRID), np.linspace(y0, y1, GRID))
    h = np.stack([gx.ravel(), gy.ravel()], 1)
    for i, (W, b) in enumerate(weights):
        h = h @ np.asarray(W).T + np.asarray(b)
        if i < len(weights) - 1:
            h = np.maximum(h, 0.0)
    return h[:, 0].reshape(GRID, GRID)


def torch_params(weights: list) -> list:
    """The same weights as float64 torch leaves: [W1, b1, W2, b2, ...]."""
    import torch

    out = []
    for W, b in weights:
        out.append(torch.tensor(W, dtype=torch.float64, requires_grad=True))
        out.append(torch.tensor(b, dtype=torch.float64, requires_grad=True))
    return out


def torch_step(params: list, X: Any, y: Any, lr: float) -> tuple[float, float]:
    """One demo step with tensors (the learner's code): loss before the update, accuracy."""
    import torch

    h = X
    for i in range(0, len(params), 2):
        h = h @ params[i].T + params[i + 1]
        if i + 2 < len(params):
            h = torch.relu(h)
    score = h[:, 0]
    loss = torch.relu(1 - y * score).mean() + ALPHA * sum((p * p).sum() for p in params)
    for p in params:
        p.grad = None
    loss.backward()
    with torch.no_grad():
        for p in params:
            p -= lr * p.grad
    acc = ((score > 0) == (y > 0)).double().mean().item()
    return loss.item(), acc


def demo_job(config: dict[str, Any], live: LiveSettings | None = None) -> Job:
    """micrograd's demo, configured from the state's values: one Snapshot per step with
    both engines' losses, times and the training time so far; the boundary (ours) as detail.

    ``live`` (lr, schedule) is read every step.  The run stops with
    :class:`~playground.core.training.Diverged` when our loss is NaN/inf or stays above
    twice its start for :data:`PATIENCE` steps."""
    steps, seed = int(config["steps"]), int(config["seed"])
    live = live or LiveSettings(lr=float(config["lr"]), schedule=str(config["schedule"]))
    X, y = demo.make_moons(int(config["points"]), float(config["noise"]), seed)
    model = mg.MLP(2, hidden_sizes(config["hidden"]) + [1], rng=random.Random(seed))
    ext = extent(X)
    use_torch = bool(config["torch"])
    guard = DivergenceGuard("step", patience=PATIENCE, floor=HINGE_AT_ZERO)

    def detail() -> dict[str, Any]:
        grid = scores(demo.weights(model), ext)  # a diverged net's scores: nothing drawn
        return {"scores": grid if np.isfinite(grid).all() else None, "extent": ext, "X": X, "y": y}

    with torch_threads(1) if use_torch else contextlib.nullcontext():
        if use_torch:
            import torch

            params = torch_params(demo.weights(model))
            Xt, yt = torch.tensor(X, dtype=torch.float64), torch.tensor(y, dtype=torch.float64)
        elapsed = 0.0
        for k in range(steps):
            lr = demo.demo_lr(k, steps, float(live.lr), str(live.schedule))
            t0 = time.perf_counter()
            loss, acc = demo.demo_step(model, X, y, k, steps, float(live.lr), str(live.schedule))
            t1 = time.perf_counter()
            metrics = {"loss": loss, "acc": acc, "ours_ms": 1000 * (t1 - t0), "lr": lr}
            if use_torch:
                tloss, tacc = torch_step(params, Xt, yt, lr)
                metrics.update(torch_loss=tloss, torch_acc=tacc)
                metrics["torch_ms"] = 1000 * (time.perf_counter() - t1)
            elapsed += time.perf_counter() - t0
            metrics["elapsed_s"] = elapsed
            guard.check(loss, k + 1)
            yield Snapshot(k + 1, steps, metrics, detail, "step")


@dataclass
class DemoSpec:
    """What the training process needs to run :func:`demo_job`: the state's values and its
    live settings, plain and picklable (ui/job_process.py)."""

    config: dict[str, Any]
    live: dict[str, Any]

    def make(self, store: dict) -> Job:
        live = LiveSettings(**self.live)
        store["live"] = live  # the GUI's changes of lr and schedule arrive here
        return demo_job(self.config, live)
