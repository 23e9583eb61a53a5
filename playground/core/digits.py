"""MNIST / Fashion-MNIST: train a classifier, watch it, measure it.  The Digits tab's core.

    images, labels = load_dataset("mnist", "test")          # uint8 (N,28,28), int64 (N,)
    clf = load_pretrained("mnist")                           # shipped weights, no data needed
    clf.predict_proba(images.astype("float32") / 255)        # (N,10)
    preprocess(drawing)                                      # HxW ink in [0,1] -> (28,28)
    clf = fit("mnist", model="cnn", epochs=3)                # "scratch" | "mlp" | "cnn"
    report = evaluate(clf, images, labels)                   # accuracy, confusion, mistakes

This module trains and evaluates; the rest lives beside it, by job:

- :mod:`~playground.core.digits_config`: datasets, models, :class:`TrainConfig` and the
  tab's :data:`DEFAULTS` (no torch: the tab builds its state from them);
- :mod:`~playground.core.digits_models`: the three classifiers ("scratch": the numpy
  network of :mod:`playground.core.scratch`; "mlp" and "cnn" in torch);
- :mod:`~playground.core.digits_preprocess`: a drawing made like an MNIST digit;
- :mod:`~playground.core.digits_files`: saved models and the shipped pretrained ones.

Their public names are also this module's (``digits.preprocess``, ``digits.load_model``...).

Training (:func:`train_job`) is minibatch gradient descent, a generator of
:class:`playground.core.training.Snapshot` so the ui worker can run, pause and stop it.
Each batch is the usual step: forward, cross-entropy loss, backward, update.  The torch
models' step is PyTorch's own (``logits = model(x)``, ``F.cross_entropy``,
``optimizer.zero_grad()``, ``loss.backward()``, ``optimizer.step()``: its MNIST example's
step, whose log_softmax + nll_loss is the same loss) with Adam; the scratch model's
backward pass is written by hand and its update is SGD with momentum.  The learning rate
decays every epoch (``lr * lr_decay ** epoch``).  torch is imported only when a torch
model is trained.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from playground.core import data
from playground.core.digits_config import (
    CLASS_NAMES,
    DATASET_TITLES,
    DATASETS,
    DEFAULTS,
    FILE_FORMAT,
    FILE_VERSION,
    MODEL_TITLES,
    MODELS,
    TrainConfig,
    class_names,
    config_for,
)
from playground.core.digits_files import RESOURCES, load_model, load_pretrained, pretrained_path
from playground.core.digits_models import (
    Classifier,
    ModelFileError,
    ScratchClassifier,
    TorchClassifier,
    build_module,
    new_model,
)
from playground.core.digits_preprocess import (
    as_float,
    centre_of_mass,
    ink_box,
    preprocess,
    preprocess_for,
    resize,
)
from playground.core.scratch import SGD, ScratchNet
from playground.core.training import (
    DivergenceGuard,
    LiveSettings,
    Snapshot,
    check_finite,
    job_cores,
    torch_threads,
)


# --------------------------------------------------------------------------- data
def load_dataset(name: str, split: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """(images uint8 (N,28,28), labels int64 (N,)) of "mnist"/"fashion-mnist", "train"/"test".

    Raises :class:`playground.core.data.DataMissing` (with what to do) if the files are absent.
    """
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}")
    return data.load_images(name, split)


# --------------------------------------------------------------------------- training
def _subset(images: np.ndarray, labels: np.ndarray, limit: int | None):
    return (images, labels) if limit is None else (images[:limit], labels[:limit])


def train_job(
    clf: Classifier,
    train: tuple[np.ndarray, np.ndarray],
    test: tuple[np.ndarray, np.ndarray] | None,
    config: TrainConfig,
    live: LiveSettings | None = None,
    reports_per_epoch: int = 50,
) -> Iterator[Snapshot]:
    """Train ``clf`` in place; a generator of Snapshots (unit "batch").

    train/test: (uint8 images (N,28,28), int64 labels).  Every ~1/50 epoch it yields
    metrics {epoch (fractional), batch, batches, loss, acc (since the last report),
    lr, elapsed (training seconds)}; after each epoch also {train_loss, train_acc,
    test_loss, test_acc} (test only if ``test`` is given).  ``live.lr``, if set,
    replaces the base learning rate while running.
    """
    x, y = _subset(*train, config.train_limit)
    if test is not None:
        test = _subset(*test, config.test_limit)
    if len(x) == 0:
        raise ValueError("no training images")
    if clf.kind == "scratch":
        return _train_scratch(clf, x, y, test, config, live, reports_per_epoch)
    return _in_threads(_train_torch(clf, x, y, test, config, live, reports_per_epoch), clf.device)


def _in_threads(job: Iterator[Snapshot], device: Any) -> Iterator[Snapshot]:
    """``job`` with torch on :func:`~playground.core.training.job_cores` threads: on two
    cores the GUI keeps one (a second torch thread took it while the curves painted)."""
    with torch_threads(job_cores(), device):
        yield from job


def _lr(config: TrainConfig, live: LiveSettings | None, epoch: int) -> float:
    base = float(getattr(live, "lr", config.lr)) if live is not None else config.lr
    return base * config.lr_decay**epoch


def _train_scratch(clf, x, y, test, config, live, reports_per_epoch) -> Iterator[Snapshot]:
    net: ScratchNet = clf.net
    opt = SGD(net.params, lr=config.lr, momentum=config.momentum)
    rng = np.random.default_rng(config.seed)
    n, bs = len(x), config.batch_size
    batches = math.ceil(n / bs)
    total = config.epochs * batches
    every = max(1, batches // reports_per_epoch)
    elapsed, step = 0.0, 0
    guard = _guard()
    for epoch in range(config.epochs):
        t0 = time.perf_counter()
        opt.lr = _lr(config, live, epoch)
        order = rng.permutation(n)
        loss_sum = correct = seen = 0.0
        win_loss = win_correct = win_seen = 0.0
        for b in range(batches):
            idx = order[b * bs : (b + 1) * bs]
            xb = x[idx].reshape(len(idx), 784).astype(np.float32) / 255.0
            yb = y[idx]
            with np.errstate(over="ignore", invalid="ignore"):  # check_finite reports it
                loss, grads, logits = net.loss_and_grads(xb, yb)  # forward, loss, backward
            check_finite(loss, epoch + 1, "epoch")
            opt.step(grads)  # update
            hits = float((logits.argmax(1) == yb).sum())
            loss_sum += loss * len(idx)
            correct += hits
            seen += len(idx)
            win_loss += loss * len(idx)
            win_correct += hits
            win_seen += len(idx)
            step += 1
            if (b + 1) % every == 0 or b == batches - 1:
                metrics = {
                    "epoch": epoch + (b + 1) / batches,
                    "batch": b + 1,
                    "batches": batches,
                    "loss": guard.check(win_loss / win_seen, epoch + 1),
                    "acc": win_correct / win_seen,
                    "lr": opt.lr,
                }
                win_loss = win_correct = win_seen = 0.0
                if b == batches - 1:
                    metrics.update(train_loss=loss_sum / seen, train_acc=correct / seen)
                    if test is not None:
                        metrics.update(_test_metrics(clf, *test))
                elapsed += time.perf_counter() - t0
                metrics["elapsed"] = elapsed
                yield Snapshot(step, total, metrics, unit="batch")
                t0 = time.perf_counter()
                opt.lr = _lr(config, live, epoch)


def _guard() -> DivergenceGuard:
    """Diverged: a window's loss above twice chance level (2 ln 10) twice in a row, or NaN.
    Collapsed: back at chance level (ln 10) for 10 windows (1/5 epoch) after leaving it."""
    return DivergenceGuard("epoch", patience=2, start=math.log(10), chance=math.log(10))


def _test_metrics(clf: Classifier, images: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    ev = evaluate(clf, images, labels)
    return {"test_loss": ev.loss, "test_acc": ev.accuracy}


def _train_torch(clf, x, y, test, config, live, reports_per_epoch) -> Iterator[Snapshot]:
    import torch
    import torch.nn.functional as F

    model, device = clf.module, clf.device
    opt = torch.optim.Adam(model.parameters(), lr=config.lr)
    g = torch.Generator().manual_seed(config.seed)
    xs = torch.from_numpy(np.array(x, copy=True)).to(device)  # uint8 (N,28,28): 4x smaller
    ys = torch.from_numpy(np.ascontiguousarray(y)).to(device)
    n, bs = len(xs), config.batch_size
    batches = math.ceil(n / bs)
    total = config.epochs * batches
    every = max(1, batches // reports_per_epoch)
    elapsed, step = 0.0, 0
    guard = _guard()
    shape = (-1, 1, 28, 28) if clf.kind == "cnn" else (-1, 784)
    for epoch in range(config.epochs):
        t0 = time.perf_counter()
        for group in opt.param_groups:
            group["lr"] = _lr(config, live, epoch)
        model.train()
        order = torch.randperm(n, generator=g).to(device)
        loss_sum = torch.zeros((), device=device)
        correct = torch.zeros((), device=device, dtype=torch.long)
        win_loss, win_correct, win_seen, seen = loss_sum.clone(), correct.clone(), 0, 0
        for b in range(batches):
            idx = order[b * bs : (b + 1) * bs]
            xb = xs[idx].view(shape).float().div_(255.0)
            yb = ys[idx]
            logits = model(xb)  # forward
            loss = F.cross_entropy(logits, yb)  # loss
            opt.zero_grad(set_to_none=True)
            loss.backward()  # backward
            opt.step()  # update
            with torch.no_grad():  # accumulate on the device: no sync every batch
                win_loss += loss.detach() * len(idx)
                win_correct += (logits.argmax(1) == yb).sum()
            win_seen += len(idx)
            step += 1
            if (b + 1) % every == 0 or b == batches - 1:
                window_loss = guard.check(float(win_loss) / win_seen, epoch + 1)
                metrics = {
                    "epoch": epoch + (b + 1) / batches,
                    "batch": b + 1,
                    "batches": batches,
                    "loss": window_loss,
                    "acc": float(win_correct) / win_seen,
                    "lr": opt.param_groups[0]["lr"],
                }
                loss_sum += win_loss
                correct += win_correct
                seen += win_seen
                win_loss.zero_(), win_correct.zero_()
                win_seen = 0
                if b == batches - 1:
                    metrics.update(
                        train_loss=float(loss_sum) / seen, train_acc=float(correct) / seen
                    )
                    if test is not None:
                        metrics.update(_test_metrics(clf, *test))
                    model.train()
                elapsed += time.perf_counter() - t0
                metrics["elapsed"] = elapsed
                yield Snapshot(step, total, metrics, unit="batch")
                t0 = time.perf_counter()
                for group in opt.param_groups:
                    group["lr"] = _lr(config, live, epoch)
    model.eval()


def fit(
    dataset: str = "mnist",
    model: str = "mlp",
    epochs: int | None = None,
    device: Any = "cpu",
    data_sets: dict[str, tuple[np.ndarray, np.ndarray]] | None = None,
    **overrides: Any,
) -> Classifier:
    """Train a model with the tab's defaults (any :class:`TrainConfig` field can be overridden).

    ``data_sets`` may hold {"train": (images, labels), "test": ...} already loaded.
    """
    config = config_for(model, epochs=epochs, **overrides)
    data_sets = data_sets or {}
    train = data_sets.get("train") or load_dataset(dataset, "train")
    test = data_sets.get("test")
    clf = new_model(dataset, config, device)
    for _ in train_job(clf, train, test, config):
        pass
    return clf


# --------------------------------------------------------------------------- evaluation
@dataclass
class Evaluation:
    """A model's results on a labelled set.

    confusion[t, p] counts images of true class t predicted as p.  ``mistakes`` are the
    indices of misclassified images, most confident mistakes first.
    """

    accuracy: float
    loss: float
    confusion: np.ndarray  # int64 (10,10)
    predictions: np.ndarray  # int64 (N,)
    confidence: np.ndarray  # float32 (N,), probability of the predicted class
    mistakes: np.ndarray  # int64 (M,)


def evaluate(clf: Classifier, images: np.ndarray, labels: np.ndarray) -> Evaluation:
    """Accuracy, mean cross-entropy, confusion matrix and mistakes of ``clf`` on a labelled set."""
    p = clf.predict_proba(as_float(images))
    pred = p.argmax(1).astype(np.int64)
    conf = p[np.arange(len(pred)), pred].astype(np.float32)
    confusion = np.zeros((10, 10), dtype=np.int64)
    np.add.at(confusion, (labels, pred), 1)
    wrong = np.flatnonzero(pred != labels)
    mistakes = wrong[np.argsort(-conf[wrong], kind="stable")]
    loss = float(-np.log(p[np.arange(len(labels)), labels] + 1e-12).mean())
    return Evaluation(float((pred == labels).mean()), loss, confusion, pred, conf, mistakes)


def top_class(probs: np.ndarray) -> tuple[int, float]:
    """(class index, probability) of the most likely class of one probability vector."""
    i = int(np.argmax(probs))
    return i, float(probs[i])


__all__ = [
    "CLASS_NAMES",
    "DATASETS",
    "DATASET_TITLES",
    "DEFAULTS",
    "FILE_FORMAT",
    "FILE_VERSION",
    "MODELS",
    "MODEL_TITLES",
    "RESOURCES",
    "Classifier",
    "Evaluation",
    "ModelFileError",
    "ScratchClassifier",
    "TorchClassifier",
    "TrainConfig",
    "as_float",
    "build_module",
    "centre_of_mass",
    "class_names",
    "config_for",
    "evaluate",
    "fit",
    "ink_box",
    "load_dataset",
    "load_model",
    "load_pretrained",
    "new_model",
    "preprocess",
    "preprocess_for",
    "pretrained_path",
    "resize",
    "top_class",
    "train_job",
]
