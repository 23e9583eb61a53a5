"""The toy classifier: layers of neurons, each layer one line, ``h = act(x @ W + b)``.

The single-neuron lesson and micrograd's ``MLP`` (micrograd/nn.py: ``Neuron`` computes
``act(sum(wi*xi) + b)``; a ``Layer`` is many neurons; an ``MLP`` is layers in a row),
written with matrices as makemore part 3 writes its ``Linear``: ``W`` is ``(fan_in,
fan_out)``, one column per neuron, so a whole layer is one dot product per neuron,
``x @ W + b``.

* 0 hidden layers and 2 classes is a single neuron, logistic regression:
  ``p(class 1) = sigmoid(w1*x1 + w2*x2 + b)``, so its decision boundary is the line
  ``w1*x1 + w2*x2 + b = 0`` (:meth:`ToyModel.line`, in plane coordinates);
* 2 classes always use ONE output unit (sigmoid + binary cross-entropy);
  3 to 5 classes use one output per class (softmax + cross-entropy, makemore part 2).

Names: ``x`` the features of a batch (n, k), ``h`` a hidden layer's activations,
``logits`` the last layer's output; ``layers[i] = (W, b)`` layer i's weights and biases,
registered as the parameters ``W1, b1, W2, b2, ...`` (makemore part 2's names).
Files and the tab see each layer as ``nn.Linear`` stores it, ``(W (out, in), b (out,))``:
one row per neuron (:meth:`ToyModel.weights`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from playground.core.toy.config import GAIN, ToyConfig, check_features
from playground.core.toy.inputs import feature_columns, input_scaling
from playground.core.training import torch_threads

ACT = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid, "linear": lambda h: h}


def one_thread(device: Any = "cpu"):
    """Torch's CPU kernels on one thread inside this block (restored after).

    The toy model's matrices are tiny: torch's thread pool only adds waiting, and on a
    busy machine the waiting costs ~30x (a 100x100 boundary view: 3 ms vs 95 ms).
    """
    return torch_threads(1, device)


class ToyModel(nn.Module):
    """A small fully connected classifier of 2-D points.

    ``forward`` takes features (see :meth:`inputs`) and returns logits ``(n, 1)`` for
    2 classes or ``(n, C)``; :meth:`predict_proba` takes plane points.
    """

    def __init__(self, config: ToyConfig):
        super().__init__()
        self.config = config
        from playground.core import devices

        self.device = devices.resolve(config.device)
        self.feature_names = check_features(config.features)
        self.act = ACT[config.activation]
        sizes = [len(self.feature_names), *config.hidden, self.n_out]
        # [(W (fan_in, fan_out), b (fan_out,)), ...]: W1, b1, W2, b2, ... as parameters
        self.layers = [
            (
                nn.Parameter(torch.empty(a, b, device=self.device)),
                nn.Parameter(torch.empty(b, device=self.device)),
            )
            for a, b in zip(sizes[:-1], sizes[1:], strict=True)
        ]
        for i, (W, b) in enumerate(self.layers, 1):
            self.register_parameter(f"W{i}", W)
            self.register_parameter(f"b{i}", b)
        self.reset_parameters()
        centre, factor = input_scaling(config.extent)
        self.centre = torch.tensor(centre, dtype=torch.float32, device=self.device)
        self.factor = torch.tensor(factor, dtype=torch.float32, device=self.device)
        self.version = 0  # counts set_weights calls: a trainer sees weights set by hand

    @property
    def n_out(self) -> int:
        """Output units: 1 for two classes (sigmoid), else one per class (softmax)."""
        return 1 if self.config.n_classes == 2 else self.config.n_classes

    def reset_parameters(self) -> None:
        """Fresh seeded initial weights (Xavier/He uniform, zero biases).

        Drawn as nn.Linear's ``(out, in)`` (the exported script draws the same numbers).
        """
        g = torch.Generator().manual_seed(int(self.config.seed))
        last = len(self.layers) - 1
        with torch.no_grad():
            for i, (W, b) in enumerate(self.layers):
                gain = 1.0 if i == last else GAIN[self.config.activation]
                fan_in, fan_out = W.shape
                bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
                w = (torch.rand(fan_out, fan_in, generator=g) * 2 - 1) * bound
                W.copy_(w.T)
                b.zero_()

    # ---------------------------------------------------------------- compute
    def inputs(self, X: Any) -> torch.Tensor:
        """Plane points (numpy or tensor, (n, 2)) -> the net's features (n, k) on the device."""
        X = torch.as_tensor(np.asarray(X, np.float32).reshape(-1, 2), device=self.device)
        u = (X - self.centre) * self.factor
        return torch.stack(feature_columns(u, self.feature_names, torch), 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Features (n, k) -> logits (n, 1) for 2 classes, (n, C) otherwise."""
        h = x
        for W, b in self.layers[:-1]:
            h = self.act(h @ W + b)  # (n, fan_out): one dot product per neuron
        W, b = self.layers[-1]
        return h @ W + b  # logits (n, n_out)

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

    # ---------------------------------------------------------------- weights
    def weights(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Copies of every layer's ``(W (out, in), b (out,))``, input to output: one row
        per neuron, as nn.Linear and the experiment files hold them."""
        return [
            (
                W.detach().T.float().cpu().numpy().copy(),
                b.detach().float().cpu().numpy().copy(),
            )
            for W, b in self.layers
        ]

    def set_weights(self, weights: Sequence[tuple[np.ndarray, np.ndarray]]) -> None:
        """Overwrite the weights (same shapes as :meth:`weights`), e.g. from sliders."""
        if len(weights) != len(self.layers):
            raise ValueError(f"Expected {len(self.layers)} layers of weights, got {len(weights)}.")
        with torch.no_grad():
            for i, ((W, b), (W_new, b_new)) in enumerate(zip(self.layers, weights, strict=True)):
                W_new = torch.as_tensor(np.asarray(W_new, np.float32))
                b_new = torch.as_tensor(np.asarray(b_new, np.float32)).reshape(-1)
                if W_new.shape != W.T.shape or b_new.shape != b.shape:
                    raise ValueError(
                        f"Layer {i}: expected weights {tuple(W.T.shape)} and bias "
                        f"{tuple(b.shape)}, got {tuple(W_new.shape)} and {tuple(b_new.shape)}."
                    )
                W.copy_(W_new.T)
                b.copy_(b_new)
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


# ---------------------------------------------------------------------- the loss
def data_loss(model: ToyModel, logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Cross-entropy: binary (sigmoid) for one output unit (``y`` float), softmax
    otherwise (``y`` int64 class numbers)."""
    if model.n_out == 1:
        return nn.functional.binary_cross_entropy_with_logits(logits[:, 0], y.float())
    return nn.functional.cross_entropy(logits, y)


def penalty(model: ToyModel, l1: float, l2: float) -> torch.Tensor | float:
    """Regularization on the weights (not biases): ``l1*sum|w| + l2/2*sum w^2``."""
    total = 0.0
    for W, _ in model.layers:
        if l1:
            total = total + l1 * W.abs().sum()
        if l2:
            total = total + 0.5 * l2 * (W * W).sum()
    return total


@torch.no_grad()
def loss_and_correct(
    model: ToyModel, x: torch.Tensor, y: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean cross-entropy and number of correct predictions (tensors, no sync)."""
    logits = model(x)
    if model.n_out == 1:
        z = logits[:, 0]
        correct = ((z > 0) == (y == 1)).sum()
    else:
        correct = (logits.argmax(1) == y).sum()
    return data_loss(model, logits, y), correct


def labels(model: ToyModel, y: np.ndarray, what: str) -> torch.Tensor:
    """Labels as an int64 tensor on the model's device; ValueError if not its classes."""
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
    y = labels(model, y, "evaluation")
    with one_thread(model.device):
        loss, correct = loss_and_correct(model, model.inputs(X), y)
    return float(loss), float(correct) / len(X)
