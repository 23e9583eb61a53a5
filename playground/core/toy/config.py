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
