"""Two-dimensional toy datasets and the small classifier of the Decision boundary tab.

Everything at the boundary is numpy (points ``X`` float32 ``(n, 2)``, labels ``y``
int64 ``(n,)``); torch lives inside.  A model is a stack of ``nn.Linear`` layers:

* 0 hidden layers and 2 classes is a single neuron, logistic regression:
  ``p(class 1) = sigmoid(w1*x1 + w2*x2 + b)``, so its decision boundary is the line
  ``w1*x1 + w2*x2 + b = 0``;
* 2 classes always use ONE output unit (sigmoid + binary cross-entropy);
  3 to 5 classes use one output per class (softmax + cross-entropy).

Input scaling.  Every plane is scaled onto the same square before the net sees it:
:func:`features` maps the plane shown (``config.extent``, e.g. fruit's 0..10 x 0..10)
onto ``[-INPUT_RANGE, INPUT_RANGE]^2`` (``x1 = (x - centre) / half_width * INPUT_RANGE``),
then computes the chosen features (x1, x2, x1^2, ..., sin x2) of those scaled
coordinates.  For the -6..6 plane of the other datasets this is the identity, exactly as
in TensorFlow Playground; fruit's spot size 5 becomes x1 = 0 and 10 becomes x1 = 6.  The
feature maps, the single-neuron line and the exported script all use the same scaling;
:meth:`ToyModel.line` gives the single neuron's line in plane coordinates.

Training is a generator (:func:`train`) yielding one
:class:`~playground.core.training.Snapshot` per epoch; :func:`fit` drives it to the end.
The five optimizers are written out (:class:`Optimizer`, the formulas of torch.optim);
the tiny matrices run on one CPU thread (:func:`one_thread`).  A loss that turns NaN/inf
or more than doubles raises :class:`~playground.core.training.Diverged`.
"""

from __future__ import annotations

import csv
import io
import json
import math
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from playground.core import toy_checks
from playground.core.files import atomic_write_text
from playground.core.toy_names import (  # noqa: F401 - toy's names live there, torch-free
    ACTIVATIONS,
    DATASETS,
    FEATURE_LABELS,
    FEATURES,
    MAX_CLASSES,
    MAX_LAYERS,
    MAX_WIDTH,
    MULTICLASS,
    OPTIMIZER_LABELS,
    OPTIMIZERS,
)
from playground.core.training import DivergenceGuard, Job, LiveSettings, Snapshot, torch_threads

DEFAULT_EXTENT = (-6.0, 6.0, -6.0, 6.0)
FRUIT_EXTENT = (0.0, 10.0, 0.0, 10.0)
INPUT_RANGE = 6.0  # the plane is mapped onto [-INPUT_RANGE, INPUT_RANGE]^2 for the net
MOMENTUM = 0.9
# Training "diverged" when the loss is NaN/inf, or when it climbs to more than this many
# times where it started (or chance level, ln C): the steps overshoot, the loss explodes.


# ---------------------------------------------------------------------------- data
def make_dataset(
    name: str, n: int = 400, noise: float = 0.1, seed: int = 0, n_classes: int = 2
) -> tuple[np.ndarray, np.ndarray]:
    """Generate ``n`` labelled points of dataset ``name`` (one of :data:`DATASETS`).

    Returns ``X`` float32 ``(n, 2)`` in the plane of :func:`extent` and ``y`` int64 ``(n,)``.
    ``noise`` (0 = clean, ~0.5 = very noisy) jitters the points (fruit: blurs the labels
    near the boundary).  ``n_classes`` (2..5) is used by gauss (blobs) and spiral (arms);
    the other datasets always have 2 classes.  Same arguments, same points.
    """
    if name not in DATASETS:
        raise ValueError(f"Unknown dataset {name!r}; choose one of {', '.join(DATASETS)}.")
    if not 2 <= n_classes <= MAX_CLASSES:
        raise ValueError(f"n_classes must be between 2 and {MAX_CLASSES}, not {n_classes}.")
    if n < 0:
        raise ValueError(f"The number of points must be >= 0, not {n}.")
    noise = max(float(noise), 0.0)
    rng = np.random.default_rng(seed)
    k = n_classes if name in MULTICLASS else 2
    y = np.arange(n) % k  # balanced classes
    rng.shuffle(y)
    X = _GENERATORS[name](y, k, noise, rng)
    return X.astype(np.float32), y.astype(np.int64)


def _fruit_boundary(size: np.ndarray) -> np.ndarray:
    """Spike length above which a fruit of this spot size is poisonous: a gentle curve."""
    return 8.2 - 1.05 * size + 0.06 * size**2


def _fruit(y, k, noise, rng):
    # x = size of the orange spots, y = length of the spikes, both 0..10.
    # Poisonous when the spikes are longer than a slightly curved function of the spot
    # size, so a straight line nearly (not quite) separates the classes; ``noise`` makes
    # the labels of fruit near the boundary a coin toss (width ~ 3 * noise).
    n = len(y)
    X = rng.uniform(0.3, 9.7, size=(n, 2))
    margin = X[:, 1] - _fruit_boundary(X[:, 0])
    p = 0.5 * (1 + np.tanh(margin / max(6 * noise, 1e-9)))  # = sigmoid(margin / (3 noise))
    labels = (rng.random(n) < p).astype(np.int64)
    # keep the classes balanced-ish by returning the drawn labels in place of y
    y[:] = labels
    return X


def _circle(y, k, noise, rng):
    n = len(y)
    r = np.where(y == 0, rng.uniform(0, 2.5, n), rng.uniform(3.5, 5.0, n))
    t = rng.uniform(0, 2 * np.pi, n)
    X = np.stack([r * np.cos(t), r * np.sin(t)], 1)
    return X + rng.normal(0, noise * 1.5, (n, 2))


def _xor(y, k, noise, rng):
    n = len(y)
    a = rng.uniform(0.3, 5.0, (n, 2)) * rng.choice([-1, 1], (n, 2))
    same = np.sign(a[:, 0]) == np.sign(a[:, 1])
    a[:, 1] *= np.where(same == (y == 0), 1, -1)  # class 0: quadrants 1 and 3
    return a + rng.normal(0, noise * 1.5, (n, 2))


def _gauss(y, k, noise, rng):
    n = len(y)
    if k == 2:
        centres = np.array([[2.5, 2.5], [-2.5, -2.5]])
    else:
        angle = 2 * np.pi * np.arange(k) / k + np.pi / 4
        centres = 3.5 * np.stack([np.cos(angle), np.sin(angle)], 1)
    return centres[y] + rng.normal(0, 0.6 + 3 * noise, (n, 2))


def _spiral(y, k, noise, rng):
    n = len(y)
    t = rng.uniform(0, 1, n)
    r = 0.3 + 5.2 * t
    angle = 1.75 * 2 * np.pi * t + 2 * np.pi * y / k
    X = np.stack([r * np.cos(angle), r * np.sin(angle)], 1)
    return X + rng.normal(0, noise, (n, 2))


def _moons(y, k, noise, rng):
    n = len(y)
    t = rng.uniform(0, np.pi, n)
    upper = np.stack([np.cos(t), np.sin(t)], 1)
    lower = np.stack([1 - np.cos(t), 0.5 - np.sin(t)], 1)
    X = np.where((y == 0)[:, None], upper, lower)
    X = (X - [0.5, 0.25]) * 2.6
    return X + rng.normal(0, noise * 2.6, (n, 2))


_GENERATORS = {
    "fruit": _fruit,
    "circle": _circle,
    "xor": _xor,
    "gauss": _gauss,
    "spiral": _spiral,
    "moons": _moons,
}


def extent(name: str) -> tuple[float, float, float, float]:
    """The plane shown for dataset ``name``: ``(xmin, xmax, ymin, ymax)``."""
    return FRUIT_EXTENT if name == "fruit" else DEFAULT_EXTENT


def axis_labels(name: str) -> tuple[str, str]:
    """Axis titles: the fruit story's words, else x1 and x2."""
    if name == "fruit":
        return ("size of the orange spots", "length of the spikes")
    return ("x1", "x2")


def class_names(name: str, n_classes: int = 2) -> list[str]:
    """Names of the classes: fruit is safe (0) or poisonous (1); else "class 0", ..."""
    if name == "fruit":
        return ["safe", "poisonous"]
    return [f"class {i}" for i in range(n_classes)]


def split(
    X: np.ndarray, y: np.ndarray, test_fraction: float = 0.5, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle with ``seed`` and hold out ``test_fraction`` of the points.

    Returns ``(X_train, y_train, X_test, y_test)``.  At least one point stays in the
    training set when there is any.
    """
    X, y = np.asarray(X, np.float32), np.asarray(y, np.int64)
    n = len(X)
    if not 0.0 <= test_fraction <= 1.0:
        raise ValueError(f"test_fraction must be between 0 and 1, not {test_fraction}.")
    n_test = min(int(round(n * test_fraction)), max(n - 1, 0))
    order = np.random.default_rng(seed).permutation(n)
    test, train_ = order[:n_test], order[n_test:]
    return X[train_], y[train_], X[test], y[test]


def make_grid(extent: Sequence[float], res: int = 100) -> np.ndarray:
    """Points at the pixel centres of a ``res`` x ``res`` image of the plane ``extent``.

    Returns float32 ``(res*res, 2)``, row-major: point ``i*res + j`` is row ``i``
    (the i-th y value, bottom to top) and column ``j`` (the j-th x value, left to right),
    so ``values.reshape(res, res)`` is an image with row 0 at the bottom.
    """
    xmin, xmax, ymin, ymax = (float(v) for v in extent)
    xs = xmin + (np.arange(res) + 0.5) * (xmax - xmin) / res
    ys = ymin + (np.arange(res) + 0.5) * (ymax - ymin) / res
    gx, gy = np.meshgrid(xs, ys)  # (res, res): row = y, column = x
    return np.stack([gx.ravel(), gy.ravel()], 1).astype(np.float32)


# ---------------------------------------------------------------------- features
def input_scaling(
    extent: Sequence[float] | None = None,
) -> tuple[tuple[float, float], tuple[float, float]]:
    """``(centre, factor)`` such that the net's inputs are ``(x - centre) * factor``.

    The plane ``extent`` is mapped onto ``[-INPUT_RANGE, INPUT_RANGE]^2``; ``None`` is
    the default plane -6..6 (identity).
    """
    xmin, xmax, ymin, ymax = (float(v) for v in (extent or DEFAULT_EXTENT))
    centre = ((xmin + xmax) / 2, (ymin + ymax) / 2)
    factor = (2 * INPUT_RANGE / (xmax - xmin), 2 * INPUT_RANGE / (ymax - ymin))
    return centre, factor


def _feature_columns(u: Any, names: Sequence[str], lib: Any) -> list[Any]:
    # u: scaled coordinates (n, 2), numpy or torch; lib: np or torch
    x1, x2 = u[:, 0], u[:, 1]
    table = {
        "x1": lambda: x1,
        "x2": lambda: x2,
        "x1^2": lambda: x1 * x1,
        "x2^2": lambda: x2 * x2,
        "x1*x2": lambda: x1 * x2,
        "sin x1": lambda: lib.sin(x1),
        "sin x2": lambda: lib.sin(x2),
    }
    return [table[name]() for name in names]


def check_features(names: Sequence[str]) -> tuple[str, ...]:
    """Validate a feature selection; returns it as a tuple in :data:`FEATURES` order."""
    names = tuple(names)
    unknown = [f for f in names if f not in FEATURES]
    if unknown:
        raise ValueError(f"Unknown input feature(s) {unknown}; choose from {', '.join(FEATURES)}.")
    if not names:
        raise ValueError("Select at least one input feature.")
    return tuple(f for f in FEATURES if f in names)


def features(
    X: np.ndarray, names: Sequence[str] = ("x1", "x2"), extent: Sequence[float] | None = None
) -> np.ndarray:
    """The network's inputs for points ``X`` (n, 2): float32 ``(n, len(names))``.

    Points are first scaled from the plane ``extent`` (default -6..6) onto
    ``[-INPUT_RANGE, INPUT_RANGE]^2`` (see :func:`input_scaling`); names as in
    :data:`FEATURES`, columns in the order given.
    """
    X = np.asarray(X, np.float32).reshape(-1, 2)
    (cx, cy), (fx, fy) = input_scaling(extent)
    u = np.stack([(X[:, 0] - cx) * fx, (X[:, 1] - cy) * fy], 1).astype(np.float32)
    cols = _feature_columns(u, tuple(names), np)
    return np.stack(cols, 1).astype(np.float32) if cols else np.zeros((len(X), 0), np.float32)


# -------------------------------------------------------------------------- model
@dataclass
class ToyConfig:
    """Everything that defines a toy classifier and how it trains.

    hidden: widths of the hidden layers, () = a single neuron (logistic regression);
        up to 6 layers of up to 32 neurons.
    activation: of the hidden layers: relu, tanh, sigmoid or linear.
    features: inputs computed from the point (see :data:`FEATURES`).
    n_classes: 2 -> one sigmoid output (binary cross-entropy); 3..5 -> softmax outputs.
    optimizer: sgd, momentum (SGD with momentum 0.9), rmsprop, adagrad or adam.
    lr, decay: learning rate of epoch e (0-based) is ``lr * decay**e``.
    batch_size: points per gradient step.
    l1, l2: regularization rates on the weights (not the biases): the penalty
        ``l1 * sum|w| + l2/2 * sum w^2`` is added to the loss that is minimised;
        the loss that is reported is the pure data loss (cross-entropy).
    seed: seeds the initial weights and the order of the batches.
    device: "cpu", "cuda", "mps" or "auto".
    extent: the plane ``(xmin, xmax, ymin, ymax)`` whose coordinates are scaled onto
        the net's inputs (None: -6..6; use ``toy.extent("fruit")`` for fruit).
        ``train(..., grid=...)`` fills it in from the grid when it is None.
    """

    hidden: tuple[int, ...] = (4, 2)
    activation: str = "tanh"
    features: tuple[str, ...] = ("x1", "x2")
    n_classes: int = 2
    optimizer: str = "sgd"
    lr: float = 0.03
    decay: float = 1.0
    batch_size: int = 10
    l1: float = 0.0
    l2: float = 0.0
    seed: int = 0
    device: str = "cpu"
    extent: tuple[float, float, float, float] | None = None

    def __post_init__(self) -> None:
        self.hidden = tuple(int(h) for h in self.hidden)
        self.features = tuple(self.features)
        if self.extent is not None:
            self.extent = tuple(float(v) for v in self.extent)

    def validate(self) -> None:
        """Raise ValueError with a plain message if a setting is out of range."""
        if len(self.hidden) > MAX_LAYERS:
            raise ValueError(f"At most {MAX_LAYERS} hidden layers, not {len(self.hidden)}.")
        if any(not 1 <= h <= MAX_WIDTH for h in self.hidden):
            raise ValueError(f"Each hidden layer needs 1 to {MAX_WIDTH} neurons: {self.hidden}.")
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"Unknown activation {self.activation!r}; use {ACTIVATIONS}.")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"Unknown optimizer {self.optimizer!r}; use {OPTIMIZERS}.")
        if not 2 <= self.n_classes <= MAX_CLASSES:
            raise ValueError(f"n_classes must be 2 to {MAX_CLASSES}, not {self.n_classes}.")
        check_features(self.features)
        if not (math.isfinite(self.lr) and self.lr >= 0):
            raise ValueError(f"The learning rate must be a number >= 0, not {self.lr}.")
        if not (math.isfinite(self.decay) and self.decay > 0):
            raise ValueError(f"The learning-rate decay must be > 0, not {self.decay}.")
        if int(self.batch_size) < 1:
            raise ValueError(f"The batch size must be at least 1, not {self.batch_size}.")
        if not (self.l1 >= 0 and self.l2 >= 0):
            raise ValueError(f"Regularization rates must be >= 0, not {self.l1}, {self.l2}.")
        if self.extent is not None:
            xmin, xmax, ymin, ymax = self.extent
            if not (xmax > xmin and ymax > ymin):
                raise ValueError(f"The plane {self.extent} is empty.")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able values (tuples become lists)."""
        d = asdict(self)
        d["hidden"], d["features"] = list(self.hidden), list(self.features)
        d["extent"] = list(self.extent) if self.extent is not None else None
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ToyConfig:
        """Inverse of :meth:`to_dict`; unknown keys are ignored, missing ones default."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in d.items() if k in known}
        if values.get("extent") is not None:
            values["extent"] = tuple(values["extent"])
        return cls(**values)


def one_thread(device: Any = "cpu"):
    """Torch's CPU kernels on one thread inside this block (restored after).

    The toy model's matrices are tiny: torch's thread pool only adds waiting, and on a
    busy machine the waiting costs ~30x (a 100x100 boundary view: 3 ms vs 95 ms).
    """
    return torch_threads(1, device)


_ACT = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid, "linear": lambda h: h}
# The grid pass (10,000 points x every neuron, many times a second): torch.tanh on the CPU
# costs ~6x torch.sigmoid there (measured 0.9 vs 0.15 ms on 10,000 x 32, one thread), and
# tanh(x) = 2 sigmoid(2x) - 1 (equal within ~1e-7 in float32).
_GRID_ACT = {"tanh": lambda h: torch.sigmoid(h.mul_(2)).mul_(2).sub_(1)}
_GAIN = {"relu": math.sqrt(2.0), "tanh": 5.0 / 3.0, "sigmoid": 1.0, "linear": 1.0}


@torch.no_grad()
def grid_views(
    weights: Sequence[tuple[np.ndarray, np.ndarray]], inputs: torch.Tensor, activation: str
) -> dict[str, Any]:
    """Every neuron over a grid, from weights alone: ``maps`` and ``probs``.

    ``weights``: ``[(W (out, in), b (out,)), ...]`` as :meth:`ToyModel.weights` gives;
    ``inputs``: the grid's features (m, k), a CPU tensor (:meth:`ToyModel.inputs`).
    ``maps`` as :meth:`ToyModel.neuron_maps`; ``probs`` float32 (m, n_classes).  It reads
    no model, so it can run on another thread while the model trains (torch releases the
    GIL inside its kernels: the matrix products run beside the training loop).
    """
    act = _GRID_ACT.get(activation, _ACT[activation])
    with one_thread():
        h = inputs  # (m, k)
        maps = [h.T.numpy()]
        for i, (W, b) in enumerate(weights):
            W, b = torch.tensor(np.asarray(W, np.float32)), torch.tensor(np.asarray(b, np.float32))
            z = torch.addmm(b, h, W.T)  # (m, out)
            if i < len(weights) - 1:
                h = act(z)
                maps.append(h.T.numpy())
        binary = z.shape[1] == 1
        out = torch.sigmoid(z) if binary else torch.softmax(z, 1)
        maps.append(out.T.numpy())
        probs = torch.cat([1 - out, out], 1) if binary else out
    return {"maps": maps, "probs": probs.numpy()}


class ToyModel(nn.Module):
    """A small fully connected classifier of 2-D points.

    ``forward`` takes features (see :func:`features`) and returns logits ``(n, 1)`` for
    2 classes or ``(n, C)``; :meth:`predict_proba` takes plane points.
    """

    def __init__(self, config: ToyConfig):
        super().__init__()
        config.validate()
        self.config = config
        from playground.core import devices

        self.device = devices.resolve(config.device)
        self.feature_names = check_features(config.features)
        self._act = _ACT[config.activation]
        sizes = [len(self.feature_names), *config.hidden, self.n_out]
        pairs = zip(sizes[:-1], sizes[1:], strict=True)
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in pairs)
        self.reset_parameters()
        self.to(self.device)
        self._set_scaling()
        self.version = 0  # counts set_weights calls: a trainer sees weights set by hand

    @property
    def n_out(self) -> int:
        """Output units: 1 for two classes (sigmoid), else one per class (softmax)."""
        return 1 if self.config.n_classes == 2 else self.config.n_classes

    def reset_parameters(self) -> None:
        """Fresh seeded initial weights (Xavier/He uniform, zero biases)."""
        g = torch.Generator().manual_seed(int(self.config.seed))
        with torch.no_grad():
            for i, layer in enumerate(self.layers):
                gain = 1.0 if i == len(self.layers) - 1 else _GAIN[self.config.activation]
                fan_in, fan_out = layer.in_features, layer.out_features
                bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
                w = (torch.rand(fan_out, fan_in, generator=g) * 2 - 1) * bound
                layer.weight.copy_(w)
                layer.bias.zero_()

    def _set_scaling(self) -> None:
        centre, factor = input_scaling(self.config.extent)
        self._centre = torch.tensor(centre, dtype=torch.float32, device=self.device)
        self._factor = torch.tensor(factor, dtype=torch.float32, device=self.device)

    def set_extent(self, extent: Sequence[float]) -> None:
        """Use the plane ``extent`` for the input scaling (stored in the config)."""
        self.config.extent = tuple(float(v) for v in extent)
        self.config.validate()
        self._set_scaling()

    # ---------------------------------------------------------------- compute
    def inputs(self, X: Any) -> torch.Tensor:
        """Plane points (numpy or tensor, (n, 2)) -> the net's features (n, k) on the device."""
        X = torch.as_tensor(np.asarray(X, np.float32).reshape(-1, 2), device=self.device)
        u = (X - self._centre) * self._factor
        return torch.stack(_feature_columns(u, self.feature_names, torch), 1)

    def forward(self, F: torch.Tensor) -> torch.Tensor:
        """Features (n, k) -> logits (n, 1) for 2 classes, (n, C) otherwise."""
        h = F
        for layer in self.layers[:-1]:
            h = self._act(layer(h))
        return self.layers[-1](h)

    def probs(self, logits: torch.Tensor) -> torch.Tensor:
        """Logits -> class probabilities (n, n_classes)."""
        if self.n_out == 1:
            p = torch.sigmoid(logits)
            return torch.cat([1 - p, p], 1)
        return torch.softmax(logits, 1)

    @torch.no_grad()
    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Probabilities of each class for plane points ``X`` (n, 2): float32 (n, n_classes)."""
        with one_thread(self.device):
            return self.probs(self(self.inputs(X))).float().cpu().numpy()

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The most probable class of each point: int64 (n,)."""
        return self.predict_proba(X).argmax(1).astype(np.int64)

    def neuron_maps(self, grid: np.ndarray) -> list[np.ndarray]:
        """What every neuron computes at each grid point: a list of float32 (width, m).

        Entry 0 is the input features, then one entry per hidden layer (activations),
        last the output: the probability of class 1 (1, m) for two classes, else the
        softmax probabilities (C, m).  (:func:`grid_views` from this model's weights.)
        """
        with one_thread(self.device):
            inputs = self.inputs(grid).float().cpu()
        return grid_views(self.weights(), inputs, self.config.activation)["maps"]

    # ---------------------------------------------------------------- weights
    def weights(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Copies of every layer's ``(W (out, in), b (out,))``, input to output."""
        return [
            (
                layer.weight.detach().float().cpu().numpy().copy(),
                layer.bias.detach().float().cpu().numpy().copy(),
            )
            for layer in self.layers
        ]

    def set_weights(self, weights: Sequence[tuple[np.ndarray, np.ndarray]]) -> None:
        """Overwrite the weights (same shapes as :meth:`weights`), e.g. from sliders."""
        if len(weights) != len(self.layers):
            raise ValueError(f"Expected {len(self.layers)} layers of weights, got {len(weights)}.")
        with torch.no_grad():
            for i, (layer, (W, b)) in enumerate(zip(self.layers, weights, strict=True)):
                W = torch.as_tensor(np.asarray(W, np.float32))
                b = torch.as_tensor(np.asarray(b, np.float32)).reshape(-1)
                if W.shape != layer.weight.shape or b.shape != layer.bias.shape:
                    raise ValueError(
                        f"Layer {i}: expected weights {tuple(layer.weight.shape)} and bias "
                        f"{tuple(layer.bias.shape)}, got {tuple(W.shape)} and {tuple(b.shape)}."
                    )
                layer.weight.copy_(W)
                layer.bias.copy_(b)
        self.version += 1

    def line(self) -> tuple[float, float, float] | None:
        """The single neuron's boundary in PLANE coordinates: ``(a1, a2, a0)`` with
        ``a1*x + a2*y + a0 = 0`` (where p = 0.5).

        Only for a single neuron (no hidden layers, 2 classes) on features x1 and x2;
        None otherwise.  Undoes the input scaling, so it can be drawn on the plot as is.
        """
        if self.config.hidden or self.n_out != 1 or self.feature_names != ("x1", "x2"):
            return None
        (W, b) = self.weights()[0]
        (cx, cy), (fx, fy) = input_scaling(self.config.extent)
        a1, a2 = float(W[0, 0]) * fx, float(W[0, 1]) * fy
        return a1, a2, float(b[0]) - a1 * cx - a2 * cy


def _penalty(model: ToyModel, l1: float, l2: float) -> torch.Tensor:
    """Regularization penalty on the weights (not biases): l1*sum|w| + l2/2*sum w^2."""
    total = 0.0
    for layer in model.layers:
        w = layer.weight
        if l1:
            total = total + l1 * w.abs().sum()
        if l2:
            total = total + 0.5 * l2 * (w * w).sum()
    return total


def _data_loss(model: ToyModel, logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    if model.n_out == 1:
        return nn.functional.binary_cross_entropy_with_logits(logits[:, 0], y.float())
    return nn.functional.cross_entropy(logits, y)


@torch.no_grad()
def _loss_and_correct(
    model: ToyModel, F: torch.Tensor, y: torch.Tensor, yf: torch.Tensor | None
) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean cross-entropy and number of correct predictions (tensors, no sync)."""
    logits = model(F)
    if model.n_out == 1:
        z = logits[:, 0]
        loss = nn.functional.binary_cross_entropy_with_logits(z, yf)
        correct = ((z > 0) == (y == 1)).sum()
    else:
        loss = nn.functional.cross_entropy(logits, y)
        correct = (logits.argmax(1) == y).sum()
    return loss, correct


def _labels(model: ToyModel, y: np.ndarray, what: str) -> torch.Tensor:
    y = np.asarray(y).reshape(-1)
    if len(y) and (y.min() < 0 or y.max() >= model.config.n_classes):
        raise ValueError(
            f"The {what} labels go from {y.min()} to {y.max()} but the model has "
            f"{model.config.n_classes} classes (labels 0 to {model.config.n_classes - 1})."
        )
    return torch.as_tensor(y.astype(np.int64), device=model.device)


def evaluate(model: ToyModel, X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """``(mean cross-entropy, accuracy)`` of ``model`` on points ``X`` with labels ``y``.

    The loss is the pure data loss (no regularization).  Empty data gives ``(nan, nan)``.
    """
    if len(X) == 0:
        return math.nan, math.nan
    yt = _labels(model, y, "evaluation")
    with one_thread(model.device):
        loss, correct = _loss_and_correct(model, model.inputs(X), yt, yt.float())
    return float(loss), float(correct) / len(X)


class Optimizer:
    """The five update rules, written out: the formulas and defaults of ``torch.optim``.

    ``step()`` moves every parameter ``p`` with gradient ``g`` (``lr`` may change between
    steps; ``t`` counts steps):

    * sgd:      p -= lr * g
    * momentum: v = 0.9 v + g;                       p -= lr * v
    * rmsprop:  s = 0.99 s + 0.01 g^2;               p -= lr * g / (sqrt(s) + 1e-8)
    * adagrad:  s = s + g^2;                         p -= lr * g / (sqrt(s) + 1e-10)
    * adam:     m = 0.9 m + 0.1 g;  v = 0.999 v + 0.001 g^2;
                p -= lr / (1 - 0.9^t) * m / (sqrt(v / (1 - 0.999^t)) + 1e-8)

    Written here rather than taken from ``torch.optim`` because constructing a torch
    optimizer imports ``torch._dynamo`` (2-3 s of Python holding the GIL, which would
    freeze the app the first time play is pressed); the exported script uses torch.optim
    and gives the same numbers.
    """

    def __init__(self, params: Sequence[torch.Tensor], name: str, lr: float):
        if name not in OPTIMIZERS:
            raise ValueError(f"Unknown optimizer {name!r}; use {OPTIMIZERS}.")
        self.params, self.name, self.lr, self.t = list(params), name, float(lr), 0
        zeros = [torch.zeros_like(p) for p in self.params]
        self.m = zeros if name in ("momentum", "adam") else []  # momentum / first moment
        self.s = [torch.zeros_like(p) for p in self.params] if name != "sgd" else []  # squares

    def zero_grad(self) -> None:
        """Forget the gradients (``backward`` fills them again)."""
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self) -> None:
        """One update of every parameter from its ``.grad``."""
        ps = [p for p in self.params if p.grad is not None]
        if len(ps) != len(self.params):
            raise RuntimeError("every parameter needs a gradient before step()")
        g = [p.grad for p in ps]
        lr, self.t = self.lr, self.t + 1
        if self.name == "sgd":
            torch._foreach_add_(ps, g, alpha=-lr)
        elif self.name == "momentum":
            if self.t == 1:
                torch._foreach_copy_(self.m, g)
            else:
                torch._foreach_mul_(self.m, MOMENTUM)
                torch._foreach_add_(self.m, g)
            torch._foreach_add_(ps, self.m, alpha=-lr)
        elif self.name == "rmsprop":
            torch._foreach_mul_(self.s, 0.99)
            torch._foreach_addcmul_(self.s, g, g, value=0.01)
            denom = torch._foreach_sqrt(self.s)
            torch._foreach_add_(denom, 1e-8)
            torch._foreach_addcdiv_(ps, g, denom, value=-lr)
        elif self.name == "adagrad":
            torch._foreach_addcmul_(self.s, g, g, value=1.0)
            denom = torch._foreach_sqrt(self.s)
            torch._foreach_add_(denom, 1e-10)
            torch._foreach_addcdiv_(ps, g, denom, value=-lr)
        else:  # adam
            b1, b2 = 0.9, 0.999
            torch._foreach_lerp_(self.m, g, 1 - b1)
            torch._foreach_mul_(self.s, b2)
            torch._foreach_addcmul_(self.s, g, g, value=1 - b2)
            c1, c2 = 1 - b1**self.t, 1 - b2**self.t
            denom = torch._foreach_sqrt(self.s)
            torch._foreach_div_(denom, c2**0.5)
            torch._foreach_add_(denom, 1e-8)
            torch._foreach_addcdiv_(ps, self.m, denom, value=-lr / c1)


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
    grid: np.ndarray | None = None,
    epochs: int | None = None,
    view_every: float | None = None,
) -> Job:
    """Train ``model`` with mini-batches, yielding one Snapshot per epoch.

    ``step`` is the epoch (1-based), ``total`` = ``epochs`` (None: until stopped);
    metrics: ``loss``, ``acc`` (training set), ``test_loss``, ``test_acc`` (held out; nan
    when there is no test set), ``lr`` (used in that epoch), all measured on the whole
    sets after the epoch.  ``detail()`` copies the ``weights``; its ``render`` turns them
    into ``probs`` (m, n_classes) and the neuron ``maps`` over ``grid`` (:func:`grid_views`,
    safe on another thread).  ``view_every`` (seconds): also yield partial snapshots
    between mini-batches, at most that often, so a view can follow the weights within an
    epoch (their metrics are the last epoch's).  ``settings`` (lr, decay, l1, l2,
    batch_size) are re-read every epoch, so changing them keeps the weights.  A loss that
    turns NaN/inf, or climbs above twice its starting value (or twice chance level,
    ``2 ln C``), raises :class:`~playground.core.training.Diverged`
    after restoring the weights of the last good epoch.
    """
    if len(X_train) == 0:
        raise ValueError("There are no training points: add some points first.")
    if grid is not None and model.config.extent is None:
        g = np.asarray(grid, np.float32)
        res_x = max(len(np.unique(g[:, 0])), 2)
        res_y = max(len(np.unique(g[:, 1])), 2)
        (x0, y0), (x1, y1) = g.min(0), g.max(0)
        dx, dy = (x1 - x0) / (res_x - 1) / 2, (y1 - y0) / (res_y - 1) / 2  # half pixels
        model.set_extent((x0 - dx, x1 + dx, y0 - dy, y1 + dy))
    return _train(model, X_train, y_train, X_test, y_test, settings, grid, epochs, view_every)


def _train(model, X_train, y_train, X_test, y_test, settings, grid, epochs, view_every):
    cfg = model.config
    settings = settings if settings is not None else live_settings(cfg)
    F = model.inputs(X_train)  # (n, k) on the device, computed once
    y = _labels(model, y_train, "training")
    yf = y.float()
    binary = model.n_out == 1
    target = yf if binary else y
    has_test = len(X_test) > 0
    Ft = model.inputs(X_test) if has_test else None
    yt = _labels(model, y_test, "test") if has_test else None
    ytf = yt.float() if has_test else None
    n, n_test = len(F), (len(Ft) if has_test else 1)
    params = list(model.parameters())
    good = [p.detach().clone() for p in params]  # the weights after the last good epoch

    def measured_loss() -> float:
        with one_thread(model.device):
            return float(_loss_and_correct(model, F, y, yf)[0])

    # diverged: above twice the starting loss, or twice chance level (ln C), or NaN
    guard = DivergenceGuard("epoch", start=measured_loss(), floor=math.log(cfg.n_classes))
    opt = Optimizer(params, cfg.optimizer, float(settings.lr))
    gen = torch.Generator().manual_seed(int(cfg.seed) + 1)
    lossf = (
        nn.functional.binary_cross_entropy_with_logits if binary else nn.functional.cross_entropy
    )
    nan = torch.tensor(math.nan, device=model.device)

    def detail() -> dict[str, Any]:
        return {"weights": model.weights()}

    render = None
    if grid is not None:
        with one_thread(model.device):
            grid_inputs = model.inputs(grid).float().cpu()
        act = cfg.activation

        def render(d: dict[str, Any]) -> dict[str, Any]:
            return grid_views(d["weights"], grid_inputs, act)

    def partial() -> Snapshot:
        return Snapshot(epoch - 1, epochs, last, detail, "epoch", render, partial=True)

    epoch, last = 0, {}
    next_view = time.perf_counter() + (view_every or 0.0)
    while epochs is None or epoch < epochs:
        lr = float(settings.lr) * float(getattr(settings, "decay", 1.0)) ** epoch
        l1, l2 = float(getattr(settings, "l1", 0.0)), float(getattr(settings, "l2", 0.0))
        bs = max(1, min(int(getattr(settings, "batch_size", cfg.batch_size)), n))
        opt.lr = lr
        epoch += 1
        with one_thread(model.device):
            with torch.no_grad():  # weights set by hand while paused: measure from there
                if not all(torch.equal(p, q) for p, q in zip(params, good, strict=True)):
                    torch._foreach_copy_(good, [p.detach() for p in params])
                    guard.restart(measured_loss())
            perm = torch.randperm(n, generator=gen).to(model.device)
            Fp, tp = F[perm], target[perm]  # shuffle once; batches are slices (views)
            for i in range(0, n, bs):
                logits = model(Fp[i : i + bs])
                loss = lossf(logits[:, 0] if binary else logits, tp[i : i + bs])
                if l1 or l2:
                    loss = loss + _penalty(model, l1, l2)
                opt.zero_grad()
                loss.backward()
                opt.step()
                if view_every is not None and i + bs < n and time.perf_counter() >= next_view:
                    version = model.version
                    yield partial()  # the weights so far, for a view
                    next_view = time.perf_counter() + view_every
                    if model.version != version:  # set by hand meanwhile: measure from there
                        with torch.no_grad():
                            torch._foreach_copy_(good, [p.detach() for p in params])
                        guard.restart(measured_loss())
            loss, correct = _loss_and_correct(model, F, y, yf)
            if has_test:
                tloss, tcorrect = _loss_and_correct(model, Ft, yt, ytf)
            else:
                tloss, tcorrect = nan, nan
            values = torch.stack([loss, correct.float(), tloss, tcorrect.float()]).tolist()
        train_loss = values[0]
        try:
            guard.check(train_loss, epoch)
        except ArithmeticError:
            with torch.no_grad():  # back to the last good epoch's weights
                torch._foreach_copy_(params, good)
            raise
        with torch.no_grad():
            torch._foreach_copy_(good, [p.detach() for p in params])
        metrics = {
            "loss": train_loss,
            "acc": values[1] / n,
            "test_loss": values[2],
            "test_acc": values[3] / n_test if has_test else math.nan,
            "lr": lr,
        }
        last = metrics
        yield Snapshot(epoch, epochs, metrics, detail=detail, unit="epoch", render=render)


def fit(X: np.ndarray, y: np.ndarray, config: ToyConfig, epochs: int = 300) -> ToyModel:
    """Build a :class:`ToyModel` and train it on all of ``X``, ``y`` for ``epochs``.

    A blocking wrapper over :func:`train` (the generator the tab runs).
    """
    model = ToyModel(config)
    empty = np.zeros((0, 2), np.float32)
    for _ in train(model, X, y, empty, np.zeros(0, np.int64), epochs=epochs):
        pass
    return model


# ---------------------------------------------------------------------- files
CSV_HEADER = ("x1", "x2", "label")
FLOAT32_MAX = float(np.finfo(np.float32).max)  # larger coordinates would load as inf
EXPERIMENT_FORMAT = "neural-playground/boundary-experiment"
EXPERIMENT_VERSION = 1


def save_points_csv(path: str | Path, X: np.ndarray, y: np.ndarray) -> None:
    """Write points and labels as CSV with the header ``x1,x2,label``.

    Coordinates are written with full float32 precision, so loading gives the same points.
    """
    X, y = np.asarray(X, np.float32).reshape(-1, 2), np.asarray(y, np.int64).reshape(-1)
    if len(X) != len(y):
        raise ValueError(f"{len(X)} points but {len(y)} labels.")
    buf = io.StringIO(newline="")
    out = csv.writer(buf)
    out.writerow(CSV_HEADER)
    for (a, b), label in zip(X.tolist(), y.tolist(), strict=True):
        out.writerow([repr(a), repr(b), int(label)])
    atomic_write_text(path, buf.getvalue())  # a kill mid-save leaves the old file


def load_points_csv(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """Read points saved by :func:`save_points_csv`: ``(X float32 (n, 2), y int64 (n,))``.

    Raises ValueError with a message naming the problem (and the line) if the file is
    empty, has other columns than ``x1,x2,label``, holds something that is not a number,
    or a label that is not a whole number from 0 to 4.
    """
    name = Path(path).name
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = [row for row in csv.reader(f) if any(cell.strip() for cell in row)]
    except UnicodeDecodeError:
        raise ValueError(f"{name} is not a text CSV file.") from None
    except csv.Error as exc:
        raise ValueError(f"{name} is not a valid CSV file: {exc}.") from None
    if not rows:
        raise ValueError(f"{name} is empty: expected a header line x1,x2,label and points.")
    header = tuple(cell.strip().lower() for cell in rows[0])
    if header != CSV_HEADER:
        raise ValueError(
            f"{name} has the columns {','.join(rows[0])!r}; expected exactly x1,x2,label."
        )
    if len(rows) == 1:
        raise ValueError(f"{name} has a header but no points.")
    X = np.empty((len(rows) - 1, 2), np.float64)
    y = np.empty(len(rows) - 1, np.int64)
    for i, row in enumerate(rows[1:]):
        line = i + 2
        if len(row) != 3:
            raise ValueError(
                f"{name}, line {line}: expected 3 values (x1,x2,label), got {len(row)}."
            )
        try:
            a, b, label = (float(cell) for cell in row)
        except ValueError:
            raise ValueError(
                f"{name}, line {line}: {','.join(row)!r} is not three numbers."
            ) from None
        if not (abs(a) <= FLOAT32_MAX and abs(b) <= FLOAT32_MAX):  # nan fails too
            raise ValueError(
                f"{name}, line {line}: coordinates must be finite numbers below "
                f"{FLOAT32_MAX:.3g} in size (found {row[0].strip()}, {row[1].strip()})."
            )
        if not math.isfinite(label) or label != int(label) or not 0 <= label < MAX_CLASSES:
            raise ValueError(
                f"{name}, line {line}: the label {row[2].strip()} is not a class number "
                f"from 0 to {MAX_CLASSES - 1}."
            )
        X[i], y[i] = (a, b), int(label)
    return X.astype(np.float32), y


def _array_to_json(a: np.ndarray) -> dict[str, Any]:
    a = np.asarray(a)
    return {"dtype": str(a.dtype), "shape": list(a.shape), "data": a.ravel().tolist()}


def _array_from_json(d: Any, what: str) -> np.ndarray:
    try:
        dtype = np.dtype(d["dtype"])
        if dtype.kind not in "fiu":
            raise ValueError(dtype)
        return np.asarray(d["data"], dtype=dtype).reshape(d["shape"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{what}: damaged ({exc})") from None


def save_experiment(path: str | Path, experiment: dict[str, Any]) -> None:
    """Save an experiment to one JSON file that :func:`load_experiment` reads back exactly.

    ``experiment`` keys: "config" (a ToyConfig or its dict), "dataset" (name, n, noise,
    seed, test_fraction, ...), "X", "y", "X_test", "y_test" (arrays), "weights" (as from
    :meth:`ToyModel.weights`), "epoch" (int) and "ui" (any JSON-able dict).  Arrays keep
    their dtype and every bit (float32 values are exact in JSON's float64 numbers).
    """
    config = experiment.get("config", {})
    if isinstance(config, ToyConfig):
        config = config.to_dict()
    doc: dict[str, Any] = {
        "format": EXPERIMENT_FORMAT,
        "version": EXPERIMENT_VERSION,
        "config": dict(config),
        "dataset": dict(experiment.get("dataset", {})),
        "epoch": int(experiment.get("epoch", 0)),
        "ui": dict(experiment.get("ui", {})),
    }
    for key in ("X", "y", "X_test", "y_test"):
        if experiment.get(key) is not None:
            doc[key] = _array_to_json(experiment[key])
    weights = experiment.get("weights")
    if weights is not None:
        doc["weights"] = [
            {
                "W": _array_to_json(np.asarray(W, np.float32)),
                "b": _array_to_json(np.asarray(b, np.float32)),
            }
            for W, b in weights
        ]
    atomic_write_text(path, json.dumps(doc, indent=1))  # never leave half a file behind


def load_experiment(path: str | Path) -> dict[str, Any]:
    """Read a file written by :func:`save_experiment`, checked against itself.

    Returns the same keys with numpy arrays ("X", "X_test" float32 (n, 2), "y", "y_test"
    int64 (n,), "weights" as a list of ``(W, b)`` float32 pairs) and "config" as a dict
    (``ToyConfig.from_dict`` makes the config).  Raises ValueError "NAME: field: problem"
    for anything a model could not use: not an experiment, a bad setting, points that are
    not finite, labels that are not classes of the network, a label count that is not the
    point count, weights whose shapes are not the network's (see :mod:`toy_checks`).
    """
    name = Path(path).name
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"{name}: cannot be read ({exc.strerror or exc})") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ValueError(f"{name} is not a Neural Playground experiment (not JSON).") from None
    if not isinstance(doc, dict) or doc.get("format") != EXPERIMENT_FORMAT:
        raise ValueError(f"{name} is not a Neural Playground decision-boundary experiment.")
    try:
        return _experiment(doc)
    except ValueError as exc:
        raise ValueError(f"{name}: {exc}") from None


def _experiment(doc: dict[str, Any]) -> dict[str, Any]:
    """The content of an experiment file's JSON, checked (ValueError "field: problem")."""
    version = toy_checks.check_number(doc.get("version", 0), "version", whole=True)
    if version > EXPERIMENT_VERSION:
        raise ValueError("it was saved by a newer version of Neural Playground")
    out: dict[str, Any] = {
        "config": dict(toy_checks.check_mapping(doc.get("config", {}), "config")),
        "dataset": dict(toy_checks.check_dataset(doc.get("dataset", {}))),
        "epoch": toy_checks.check_number(doc.get("epoch", 0), "epoch", whole=True, lo=0),
        "ui": dict(toy_checks.check_mapping(doc.get("ui", {}), "ui")),
    }
    toy_checks.check_number(out["config"].get("seed", 0), "config.seed", whole=True)
    try:
        config = ToyConfig.from_dict(out["config"])
        config.validate()
    except (TypeError, ValueError) as exc:
        raise ValueError(f"config: an invalid model configuration: {exc}") from None
    for key in ("X", "y", "X_test", "y_test"):
        if key in doc:
            out[key] = _array_from_json(doc[key], key)
    if "weights" in doc:
        layers = doc["weights"]
        if not isinstance(layers, list) or not all(isinstance(v, dict) for v in layers):
            raise ValueError("weights: expected a list of layers {W, b}")
        out["weights"] = [
            (
                _array_from_json(layer.get("W"), "weights"),
                _array_from_json(layer.get("b"), "weights"),
            )
            for layer in layers
        ]
    sizes = toy_checks.layer_sizes(config.features, config.hidden, config.n_classes)
    toy_checks.check_experiment(out, config.n_classes, sizes)
    return out


# ---------------------------------------------------------------------- export
def _numbers(a: np.ndarray, per_line: int = 10) -> str:
    """Python source for a list of numbers (or of [x, y] pairs), exact float32 text."""
    a = np.asarray(a)
    if a.dtype.kind == "f":
        text = [str(np.float32(v)) for v in a.astype(np.float32).ravel()]
    else:
        text = [str(int(v)) for v in a.ravel()]
    if a.ndim == 2:  # points: one [x, y] pair each
        text = [f"[{text[i]}, {text[i + 1]}]" for i in range(0, len(text), 2)]
    lines = [", ".join(text[i : i + per_line]) for i in range(0, len(text), per_line)]
    return "[\n    " + ",\n    ".join(lines) + ",\n]" if lines else "[]"


_SCRIPT = '''"""A decision-boundary experiment exported from Neural Playground.

{summary}

Run it as is:  python {filename}    (needs only torch and numpy)
It trains the same model on the same points as the app (same initial weights, same
batches), printing the training loss as it falls and the held-out accuracy.
"""

import math

import numpy as np
import torch
from torch import nn

torch.set_num_threads(1)  # tiny matrices: more threads only wait for each other

# --- the points, in plane coordinates, with their class labels (0..{last_class})
X_train = np.array({X_train}, dtype=np.float32).reshape(-1, 2)  # [x, y] per point
y_train = np.array({y_train}, dtype=np.int64)
X_test = np.array({X_test}, dtype=np.float32).reshape(-1, 2)
y_test = np.array({y_test}, dtype=np.int64)

# --- inputs: the plane {plane} is scaled onto [-{input_range}, {input_range}]^2, then
# the chosen features are computed from the scaled coordinates x1, x2
CENTRE = torch.tensor({centre}, dtype=torch.float32)
FACTOR = torch.tensor({factor}, dtype=torch.float32)
FEATURES = {features}


def features(X):
    """(n, 2) plane points -> (n, k) network inputs."""
    u = (torch.as_tensor(X, dtype=torch.float32) - CENTRE) * FACTOR
    x1, x2 = u[:, 0], u[:, 1]
    table = {{
        "x1": lambda: x1,
        "x2": lambda: x2,
        "x1^2": lambda: x1 * x1,
        "x2^2": lambda: x2 * x2,
        "x1*x2": lambda: x1 * x2,
        "sin x1": lambda: torch.sin(x1),
        "sin x2": lambda: torch.sin(x2),
    }}
    return torch.stack([table[name]() for name in FEATURES], 1)


# --- the model: {architecture}
HIDDEN = {hidden}
N_CLASSES = {n_classes}  # 2 classes: one sigmoid output; more: softmax
N_OUT = 1 if N_CLASSES == 2 else N_CLASSES
ACTIVATION = {activation}
GAIN = {gain}  # initial weights: uniform, Xavier/He scaled; biases start at 0
SEED = {seed}

sizes = [len(FEATURES), *HIDDEN, N_OUT]
linears = [nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
g = torch.Generator().manual_seed(SEED)
with torch.no_grad():
    for i, layer in enumerate(linears):
        gain = 1.0 if i == len(linears) - 1 else GAIN
        bound = gain * math.sqrt(6.0 / (layer.in_features + layer.out_features))
        w = torch.rand(layer.out_features, layer.in_features, generator=g) * 2 - 1
        layer.weight.copy_(w * bound)
        layer.bias.zero_()
layers = []
for layer in linears[:-1]:
    layers += [layer, ACTIVATION]
model = nn.Sequential(*layers, linears[-1])


def data_loss(logits, y):
    """Cross-entropy: binary (sigmoid) for 2 classes, softmax otherwise."""
    if N_OUT == 1:
        return nn.functional.binary_cross_entropy_with_logits(logits[:, 0], y.float())
    return nn.functional.cross_entropy(logits, y)


@torch.no_grad()
def loss_and_accuracy(F, y):
    logits = model(F)
    pred = (logits[:, 0] > 0).long() if N_OUT == 1 else logits.argmax(1)
    return data_loss(logits, y).item(), (pred == y).float().mean().item()


# --- training: {optimizer_label}, lr = {lr} * {decay}**epoch, batch {batch_size}
EPOCHS = {epochs}
LR, DECAY, BATCH = {lr}, {decay}, {batch_size}
L1, L2 = {l1}, {l2}  # penalty on the weights (not biases): L1*sum|w| + L2/2*sum w^2
optimizer = {optimizer}

F_train, Y_train = features(X_train), torch.as_tensor(y_train)
F_test, Y_test = features(X_test), torch.as_tensor(y_test)
order = torch.Generator().manual_seed(SEED + 1)  # the order of the batches
n = len(F_train)
for epoch in range(EPOCHS):
    for group in optimizer.param_groups:
        group["lr"] = LR * DECAY**epoch
    model.train()
    perm = torch.randperm(n, generator=order)
    F_perm, Y_perm = F_train[perm], Y_train[perm]
    for i in range(0, n, BATCH):
        loss = data_loss(model(F_perm[i : i + BATCH]), Y_perm[i : i + BATCH])
        if L1 or L2:
            for layer in linears:
                w = layer.weight
                loss = loss + L1 * w.abs().sum() + 0.5 * L2 * (w * w).sum()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    train_loss, train_acc = loss_and_accuracy(F_train, Y_train)
    if not math.isfinite(train_loss):
        raise SystemExit(f"Training diverged at epoch {{epoch + 1}}: lower the learning rate.")
    if epoch == 0 or (epoch + 1) % {every} == 0 or epoch + 1 == EPOCHS:
        line = f"epoch {{epoch + 1:5d}}  loss {{train_loss:.4f}}  accuracy {{train_acc:.3f}}"
        if len(F_test):
            test_loss, test_acc = loss_and_accuracy(F_test, Y_test)
            line += f"  test loss {{test_loss:.4f}}  test accuracy {{test_acc:.3f}}"
        print(line)
'''

_ACTIVATION_SOURCE = {
    "relu": "nn.ReLU()",
    "tanh": "nn.Tanh()",
    "sigmoid": "nn.Sigmoid()",
    "linear": "nn.Identity()",
}
_OPTIMIZER_SOURCE = {
    "sgd": "torch.optim.SGD(model.parameters(), lr=LR)",
    "momentum": f"torch.optim.SGD(model.parameters(), lr=LR, momentum={MOMENTUM})",
    "rmsprop": "torch.optim.RMSprop(model.parameters(), lr=LR)",
    "adagrad": "torch.optim.Adagrad(model.parameters(), lr=LR)",
    "adam": "torch.optim.Adam(model.parameters(), lr=LR)",
}


def export_script(
    config: ToyConfig,
    X_train: np.ndarray,
    y_train: np.ndarray,
    X_test: np.ndarray,
    y_test: np.ndarray,
    epochs: int = 300,
    dataset: str | None = None,
    filename: str = "boundary_experiment.py",
) -> str:
    """A standalone PyTorch script (torch + numpy only) that trains this model on these points.

    The points are embedded exactly; the input scaling, the initial weights (same seed,
    same draws) and the order of the batches are those of :func:`train`, so on the CPU
    the script retraces the app's run.  It prints the loss every few epochs.
    ``dataset`` only names the data in the docstring.
    """
    config.validate()
    centre, factor = input_scaling(config.extent)
    hidden = list(config.hidden)
    arch = (
        "a single neuron (logistic regression)"
        if not hidden and config.n_classes == 2
        else f"{len(hidden)} hidden layer(s) {hidden}, {config.activation}"
    )
    plane = config.extent or DEFAULT_EXTENT
    summary = (
        f"Data: {dataset or 'your points'}, {len(X_train)} training and {len(X_test)} test "
        f"points, {config.n_classes} classes.\nModel: {arch}; inputs {', '.join(config.features)}."
    )
    return _SCRIPT.format(
        summary=summary,
        filename=filename,
        last_class=config.n_classes - 1,
        X_train=_numbers(np.asarray(X_train, np.float32).reshape(-1, 2), 4),
        y_train=_numbers(np.asarray(y_train, np.int64), 30),
        X_test=_numbers(np.asarray(X_test, np.float32).reshape(-1, 2), 4),
        y_test=_numbers(np.asarray(y_test, np.int64), 30),
        plane=f"x {plane[0]:g}..{plane[1]:g}, y {plane[2]:g}..{plane[3]:g}",
        input_range=f"{INPUT_RANGE:g}",
        centre=list(centre),
        factor=list(factor),
        features=list(check_features(config.features)),
        architecture=arch,
        hidden=hidden,
        n_classes=config.n_classes,
        activation=_ACTIVATION_SOURCE[config.activation],
        gain=_GAIN[config.activation],
        seed=int(config.seed),
        optimizer_label=OPTIMIZER_LABELS[config.optimizer],
        optimizer=_OPTIMIZER_SOURCE[config.optimizer],
        lr=float(config.lr),
        decay=float(config.decay),
        batch_size=int(config.batch_size),
        l1=float(config.l1),
        l2=float(config.l2),
        epochs=int(epochs),
        every=max(1, int(epochs) // 20),
    )
