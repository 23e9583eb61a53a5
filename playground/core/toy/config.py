"""The Decision boundary classifier's settings, declared once: names, limits, ToyConfig.

TensorFlow Playground's side panel, as data: the datasets, the input features, the
activations and the optimizers the tab offers, and :class:`ToyConfig`, everything that
defines a toy classifier and how it trains.  No torch here, so the tab can build its
controls (and check a file) before torch has loaded; the torch modules of this package
(:mod:`.model`, :mod:`.optim`, :mod:`.loop`) read these names.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from typing import Any

from playground.core import schema
from playground.core.schema import option

DATASET_TITLES = {
    "fruit": "Fruit: safe or poisonous?",
    "circle": "Circle",
    "xor": "XOR (four corners)",
    "gauss": "Gaussian blobs",
    "spiral": "Spiral",
    "moons": "Two moons",
}
DATASETS = tuple(DATASET_TITLES)
MULTICLASS = ("gauss", "spiral")  # datasets that can have 3..5 classes
FEATURE_LABELS = {
    "x1": "x₁",
    "x2": "x₂",
    "x1^2": "x₁²",
    "x2^2": "x₂²",
    "x1*x2": "x₁·x₂",
    "sin x1": "sin(x₁)",
    "sin x2": "sin(x₂)",
}
FEATURES = tuple(FEATURE_LABELS)
ACTIVATION_LABELS = {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid", "linear": "Linear"}
ACTIVATIONS = tuple(ACTIVATION_LABELS)
OPTIMIZER_LABELS = {
    "sgd": "SGD",
    "momentum": "SGD + momentum",
    "rmsprop": "RMSprop",
    "adagrad": "AdaGrad",
    "adam": "Adam",
}
OPTIMIZERS = tuple(OPTIMIZER_LABELS)
# the initial weights' scale per activation (Xavier/He uniform; the last layer uses 1)
GAIN = {"relu": math.sqrt(2.0), "tanh": 5.0 / 3.0, "sigmoid": 1.0, "linear": 1.0}
MOMENTUM = 0.9  # the "momentum" optimizer is SGD with this momentum
MAX_CLASSES = 5
MAX_LAYERS = 6
MAX_WIDTH = 32


def check_features(names: Any) -> tuple[str, ...]:
    """Validate a feature selection; returns it as a tuple in :data:`FEATURES` order."""
    names = tuple(names)
    unknown = [f for f in names if f not in FEATURES]
    if unknown:
        raise ValueError(f"Unknown input feature(s) {unknown}; choose from {', '.join(FEATURES)}.")
    if not names:
        raise ValueError("Select at least one input feature.")
    return tuple(f for f in FEATURES if f in names)


@dataclass(frozen=True)
class ToyConfig:
    """Everything that defines a toy classifier and how it trains, each setting declared
    once (:func:`~playground.core.schema.option`: default, limits, choices, whether it
    changes the network's shape).  Built checked: a bad value raises one ``ValueError``
    naming every problem.

    The loss that is minimised is the data loss (cross-entropy) plus the penalty
    ``l1 * sum|w| + l2/2 * sum w^2`` on the weights (not the biases); the loss reported is
    the pure data loss.  The learning rate of epoch e (0-based) is ``lr * decay**e``.
    ``extent``: the plane ``(xmin, xmax, ymin, ymax)`` whose coordinates are scaled onto
    the net's inputs (None: -6..6; use ``toy.extent("fruit")`` for fruit), see
    :mod:`playground.core.toy.inputs`.
    """

    hidden: tuple = option(
        (4, 2), item=int, lo=1, hi=MAX_WIDTH, max_len=MAX_LAYERS, shape=True,
        doc="The widths of the hidden layers; none is a single neuron (logistic regression).",
    )  # fmt: skip
    activation: str = option(
        "tanh", choices=ACTIVATIONS, shape=True, doc="The hidden neurons' activation function."
    )
    features: tuple = option(
        ("x1", "x2"), item=str, choices=FEATURES, min_len=1, shape=True,
        doc="The network's inputs, computed from the point's coordinates.",
    )  # fmt: skip
    n_classes: int = option(
        2, lo=2, hi=MAX_CLASSES, shape=True,
        doc="2: one sigmoid output (binary cross-entropy); 3 to 5: softmax outputs.",
    )  # fmt: skip
    optimizer: str = option(
        "sgd", choices=OPTIMIZERS, doc="The update rule: sgd, momentum, rmsprop, adagrad, adam."
    )
    lr: float = option(0.03, lo=1e-5, hi=10.0, doc="The learning rate: the size of each step.")
    decay: float = option(
        1.0, lo=0.9, hi=1.0, doc="The learning rate is multiplied by this after every epoch."
    )
    batch_size: int = option(10, lo=1, hi=500, doc="Points per gradient step.")
    l1: float = option(0.0, lo=0.0, doc="L1 regularization rate (on the weights).")
    l2: float = option(0.0, lo=0.0, doc="L2 regularization rate (on the weights).")
    seed: int = option(0, doc="Seeds the initial weights and the order of the batches.")
    device: str = option("cpu", doc='"cpu", "cuda", "mps" or "auto".')
    extent: tuple[float, float, float, float] | None = None

    def __post_init__(self) -> None:
        schema.validate(self, "toy classifier", rules=_rules)
        # the features in FEATURES order (the network's input order); the plane as floats
        object.__setattr__(self, "features", check_features(self.features))
        if self.extent is not None:
            object.__setattr__(self, "extent", tuple(float(v) for v in self.extent))

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
        return cls(**{k: v for k, v in d.items() if k in known})


def _rules(config: ToyConfig) -> list[str]:
    """What no single field's limits say: the plane must be a plane."""
    if config.extent is None:
        return []
    try:
        xmin, xmax, ymin, ymax = (float(v) for v in config.extent)
    except (TypeError, ValueError):
        return [f"extent: expected (xmin, xmax, ymin, ymax), got {config.extent!r}"]
    if not (xmax > xmin and ymax > ymin) or not all(map(math.isfinite, config.extent)):
        return [f"extent: the plane {config.extent} is empty"]
    return []
