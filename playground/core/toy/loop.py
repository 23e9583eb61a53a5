"""Training the toy classifier: mini-batch gradient descent, one epoch after another.

The training loop of makemore part 2 (and micrograd's demo), as :func:`step` writes it:
forward a mini-batch, the loss, ``zero_grad``, ``loss.backward()``, the optimizer's
update (:mod:`.optim`).  An epoch shuffles the training points (a seeded ``randperm``)
and takes them ``batch_size`` at a time, as TensorFlow Playground does.

:func:`train` wraps the step for the tab: it is a generator yielding one
:class:`~playground.core.training.Snapshot` per epoch (the loss and accuracy on the
training and test sets), re-reads the live settings (lr, decay, l1, l2, batch size) each
epoch, can offer partial snapshots between mini-batches so a view follows the weights,
and raises :class:`~playground.core.training.Diverged` when the loss turns NaN/inf or
more than doubles, after restoring the weights of the last good epoch.  :func:`fit`
drives it to the end.  The tiny matrices run on one CPU thread (:func:`one_thread`).
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np
import torch

from playground.core.toy.config import ToyConfig
from playground.core.toy.model import (
    ToyModel,
    data_loss,
    labels,
    loss_and_correct,
    one_thread,
    penalty,
)
from playground.core.toy.optim import Optimizer
from playground.core.training import DivergenceGuard, Job, LiveSettings, Snapshot


def step(
    model: ToyModel, opt: Optimizer, xb: torch.Tensor, yb: torch.Tensor, l1: float, l2: float
) -> torch.Tensor:
    """One gradient step on the mini-batch ``xb`` (b, k), ``yb`` (b,); returns its loss."""
    logits = model(xb)  # forward: (b, n_out)
    loss = data_loss(model, logits, yb)
    if l1 or l2:
        loss = loss + penalty(model, l1, l2)
    opt.zero_grad()
    loss.backward()  # backward: every p.grad
    opt.step()  # update: p -= lr * p.grad (or the optimizer's rule)
    return loss


def live_settings(config: ToyConfig) -> LiveSettings:
    """A :class:`LiveSettings` with the config's lr, decay, l1, l2 and batch size."""
    return LiveSettings(
        lr=config.lr, decay=config.decay, l1=config.l1, l2=config.l2, batch_size=config.batch_size
    )


def train(
    model: ToyModel,
    X_train: np.ndarray,
    y_train: np.ndarray,
    X_test: np.ndarray,
    y_test: np.ndarray,
    settings: LiveSettings | None = None,
    epochs: int | None = None,
    view_every: float | None = None,
) -> Job:
    """Train ``model`` with mini-batches, yielding one Snapshot per epoch.

    ``step`` is the epoch (1-based), ``total`` = ``epochs`` (None: until stopped);
    metrics: ``loss``, ``acc`` (training set), ``test_loss``, ``test_acc`` (held out; nan
    when there is no test set), ``lr`` (used in that epoch), all measured on the whole
    sets after the epoch.  ``detail()`` copies the ``weights`` (the views over the plane
    are drawn from them by the caller: :func:`~playground.core.toy.views.grid_views`).
    ``view_every`` (seconds): also yield partial snapshots between mini-batches, at most
    that often, so a view can follow the weights within an epoch (their metrics are the
    last epoch's).  ``settings`` (lr, decay, l1, l2, batch_size) are re-read every epoch,
    so changing them keeps the weights.  A loss that turns NaN/inf, or climbs above twice
    its starting value (or twice chance level, ``2 ln C``), raises
    :class:`~playground.core.training.Diverged` after restoring the weights of the last
    good epoch.  Weights set by hand meanwhile (:meth:`ToyModel.set_weights`) are trained
    on from where they are, measured afresh.
    """
    if len(X_train) == 0:
        raise ValueError("There are no training points: add some points first.")
    return _train(model, X_train, y_train, X_test, y_test, settings, epochs, view_every)


def _train(model, X_train, y_train, X_test, y_test, settings, epochs, view_every):
    cfg = model.config
    settings = settings if settings is not None else live_settings(cfg)
    x = model.inputs(X_train)  # (n, k) features on the device, computed once
    y = labels(model, y_train, "training")
    target = y.float() if model.n_out == 1 else y  # what the loss compares the logits with
    has_test = len(X_test) > 0
    x_test = model.inputs(X_test) if has_test else None
    y_test = labels(model, y_test, "test") if has_test else None
    n, n_test = len(x), (len(x_test) if has_test else 1)
    params = list(model.parameters())
    good = [p.detach().clone() for p in params]  # the weights after the last good epoch

    def keep_good() -> None:
        with torch.no_grad():
            for g, p in zip(good, params, strict=True):
                g.copy_(p)

    def measured_loss() -> float:
        with one_thread(model.device):
            return float(loss_and_correct(model, x, y)[0])

    # diverged: above twice the starting loss, or twice chance level (ln C), or NaN
    guard = DivergenceGuard("epoch", start=measured_loss(), floor=math.log(cfg.n_classes))
    opt = Optimizer(params, cfg.optimizer, float(settings.lr))
    gen = torch.Generator().manual_seed(int(cfg.seed) + 1)  # the order of the batches
    nan = torch.tensor(math.nan, device=model.device)
    seen = model.version  # weights set by hand since: measure from there

    def detail() -> dict[str, Any]:
        return {"weights": model.weights()}

    def partial() -> Snapshot:
        return Snapshot(epoch - 1, epochs, last, detail, "epoch", partial=True)

    epoch, last = 0, {}
    next_view = time.perf_counter() + (view_every or 0.0)
    while epochs is None or epoch < epochs:
        lr = float(settings.lr) * float(getattr(settings, "decay", 1.0)) ** epoch
        l1, l2 = float(getattr(settings, "l1", 0.0)), float(getattr(settings, "l2", 0.0))
        bs = max(1, min(int(getattr(settings, "batch_size", cfg.batch_size)), n))
        opt.lr = lr
        epoch += 1
        with one_thread(model.device):
            if model.version != seen:  # set by hand while paused
                seen = model.version
                keep_good()
                guard.restart(measured_loss())
            perm = torch.randperm(n, generator=gen).to(model.device)
            xp, tp = x[perm], target[perm]  # shuffle once; batches are slices (views)
            for i in range(0, n, bs):
                step(model, opt, xp[i : i + bs], tp[i : i + bs], l1, l2)
                if view_every is not None and i + bs < n and time.perf_counter() >= next_view:
                    yield partial()  # the weights so far, for a view
                    next_view = time.perf_counter() + view_every
                    if model.version != seen:  # set by hand meanwhile: measure from there
                        seen = model.version
                        keep_good()
                        guard.restart(measured_loss())
            loss, correct = loss_and_correct(model, x, y)
            if has_test:
                tloss, tcorrect = loss_and_correct(model, x_test, y_test)
            else:
                tloss, tcorrect = nan, nan
            values = torch.stack([loss, correct.float(), tloss, tcorrect.float()]).tolist()
        train_loss = values[0]
        try:
            guard.check(train_loss, epoch)
        except ArithmeticError:
            with torch.no_grad():  # back to the last good epoch's weights
                for p, g in zip(params, good, strict=True):
                    p.copy_(g)
            raise
        keep_good()
        metrics = {
            "loss": train_loss,
            "acc": values[1] / n,
            "test_loss": values[2],
            "test_acc": values[3] / n_test if has_test else math.nan,
            "lr": lr,
        }
        last = metrics
        yield Snapshot(epoch, epochs, metrics, detail=detail, unit="epoch")


def fit(X: np.ndarray, y: np.ndarray, config: ToyConfig, epochs: int = 300) -> ToyModel:
    """Build a :class:`ToyModel` and train it on all of ``X``, ``y`` for ``epochs``.

    A blocking wrapper over :func:`train` (the generator the tab runs).
    """
    model = ToyModel(config)
    empty = np.zeros((0, 2), np.float32)
    for _ in train(model, X, y, empty, np.zeros(0, np.int64), epochs=epochs):
        pass
    return model
