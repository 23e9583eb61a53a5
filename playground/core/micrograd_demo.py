"""micrograd's demo: an MLP learns the two moons with the engine of :mod:`micrograd`.

karpathy/micrograd's ``demo.ipynb`` (the lecture's closing section, "walkthrough of the
full code of micrograd on github"): ``make_moons(n_samples=100, noise=0.1)``,
``MLP(2, [16, 16, 1])``, the SVM max-margin loss ``relu(1 - y * score)`` averaged, plus
``alpha = 1e-4`` times the sum of squared parameters, and 100 SGD steps with
``learning_rate = 1.0 - 0.9 * k / 100``; it reaches 100% accuracy.  The notebook's
``loss()`` is :func:`demo_loss`; one pass of its training loop is :func:`demo_step`.

Speed: a step makes ~66,000 Values (each with its ``_backward`` closure and cells), and
Python's garbage collector starts every few hundred new objects and walks what is young,
again and again while the graph grows: most of micrograd's time goes there.
:func:`gc_paused` switches it off for the step.
"""

from __future__ import annotations

import contextlib
import gc
import math
import random
from collections.abc import Iterator, Sequence

from playground.core.micrograd import MLP, Value


def make_moons(
    n: int = 100, noise: float = 0.1, seed: int = 1337
) -> tuple[list[list[float]], list[int]]:
    """Two interleaving half circles (sklearn's ``make_moons`` geometry), labels -1 / +1.

    Returns ``X`` (n lists of 2 floats) and ``y`` (n ints), shuffled; same seed, same points.
    """
    rng = random.Random(seed)
    n_out = n // 2
    n_in = n - n_out
    points = []
    for i in range(n_out):
        t = math.pi * i / max(n_out - 1, 1)
        points.append(([math.cos(t), math.sin(t)], -1))
    for i in range(n_in):
        t = math.pi * i / max(n_in - 1, 1)
        points.append(([1.0 - math.cos(t), 0.5 - math.sin(t)], 1))
    rng.shuffle(points)
    X = [[x + rng.gauss(0.0, noise), y + rng.gauss(0.0, noise)] for (x, y), _ in points]
    return X, [label for _, label in points]


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Python's garbage collector off inside the block, back as it was after.

    While a step builds its graph, the collector would start every few hundred new objects
    and walk the young ones, and every so often all the older ones too: the growing graph,
    again and again (micrograd 0.1.0's demo step: ~1.4 s with it on, ~0.18 s off, on 2
    cores).  A graph is a web of reference cycles (each ``_backward`` closure holds the
    Value it is stored on), so a dropped graph waits for the collector: one pass over the
    young generation as the block ends frees it, instead of many passes while it grew (and
    none over the process's older objects: torch's, in the tab's job).  The collector is global
    to the process: pause it around short blocks only.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
            gc.collect(0)  # the step's garbage, all young: one pass over it, nothing older


def demo_loss(
    model: MLP, X: Sequence[Sequence[float]], y: Sequence[int], alpha: float = 1e-4
) -> tuple[Value, float]:
    """micrograd's demo loss: mean SVM max-margin loss + ``alpha`` * L2; and the accuracy."""
    inputs = [list(map(Value, xrow)) for xrow in X]
    # forward the model to get scores
    scores = list(map(model, inputs))
    # svm "max-margin" loss
    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores, strict=True)]
    data_loss = sum(losses) * (1.0 / len(losses))
    # L2 regularization
    reg_loss = alpha * sum(p * p for p in model.parameters())
    total_loss = data_loss + reg_loss
    # also get accuracy
    accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(y, scores, strict=True)]
    return total_loss, sum(accuracy) / len(accuracy)


def weights(model: MLP) -> list[tuple[list[list[float]], list[float]]]:
    """Plain copies of each layer's ``(W rows (out x in), b (out))``, input to output (for
    torch and for drawing the boundary)."""
    return [
        ([[w.data for w in n.w] for n in layer.neurons], [n.b.data for n in layer.neurons])
        for layer in model.layers
    ]


SCHEDULES = ("decay", "constant")  # the demo's lr: 1 - 0.9 k/steps of the start, or fixed


def demo_lr(k: int, steps: int = 100, lr: float = 1.0, schedule: str = "decay") -> float:
    """The learning rate of step ``k``: micrograd's ``1 - 0.9 k/steps`` (x ``lr``), or ``lr``."""
    if schedule not in SCHEDULES:
        raise ValueError(f"schedule must be one of {', '.join(SCHEDULES)}")
    return lr * (1.0 - 0.9 * k / steps) if schedule == "decay" else lr


def demo_step(
    model: MLP, X, y, k: int, steps: int = 100, lr: float = 1.0, schedule: str = "decay"
) -> tuple[float, float]:
    """One pass of the demo's loop: forward, zero_grad, backward, SGD with :func:`demo_lr`,
    the collector paused (:func:`gc_paused`).  Returns the loss before the update and the
    accuracy."""
    with gc_paused():
        # forward
        total_loss, acc = demo_loss(model, X, y)
        # backward
        model.zero_grad()
        total_loss.backward()
        # update (sgd)
        learning_rate = demo_lr(k, steps, lr, schedule)
        for p in model.parameters():
            p.data -= learning_rate * p.grad
        loss = total_loss.data
        del total_loss  # the graph: the collector frees it once, after the step
    return loss, acc
