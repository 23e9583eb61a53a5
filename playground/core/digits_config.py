"""The Digits models' settings, declared once (no torch, no numpy): what can be trained.

The datasets, the three models and :class:`TrainConfig` (every training setting with its
limits and role, see :mod:`playground.core.schema`), the tab's recommended config of each
model (:data:`DEFAULTS`), and the model file's format name.  The Digits tab builds its state
from these before torch is loaded; :mod:`playground.core.digits` trains with them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from playground.core import schema
from playground.core.schema import option

DATASETS = ("mnist", "fashion-mnist")
DATASET_TITLES = {"mnist": "MNIST", "fashion-mnist": "Fashion-MNIST"}
MODELS = ("scratch", "mlp", "cnn")
MODEL_TITLES = {
    "scratch": "From scratch (numpy)",
    "mlp": "MLP (torch)",
    "cnn": "CNN (torch)",
}
CLASS_NAMES = {
    "mnist": [str(i) for i in range(10)],
    "fashion-mnist": [
        "T-shirt/top",
        "Trouser",
        "Pullover",
        "Dress",
        "Coat",
        "Sandal",
        "Shirt",
        "Sneaker",
        "Bag",
        "Ankle boot",
    ],
}
FILE_FORMAT = "neural-playground-digits"  # the "format" of a saved model's metadata header
FILE_VERSION = "1"


def class_names(dataset: str) -> list[str]:
    """The ten class names of a dataset ("0".."9" for MNIST)."""
    return list(CLASS_NAMES[dataset])


@dataclass(frozen=True)
class TrainConfig:
    """How to train one model; the tab's defaults are :data:`DEFAULTS`."""

    model: str = option(
        "mlp",
        choices=MODELS,
        shape=True,
        doc="From scratch: numpy only, backward pass by hand. MLP: the same idea in torch. "
        "CNN: convolutions that look at small patches (best, slowest).",
    )
    epochs: int = option(
        10, lo=1, hi=100, doc="How many times training goes through the training images."
    )
    batch_size: int = option(128, lo=8, hi=2048, doc="Images per gradient step (minibatch size).")
    lr: float = option(
        1e-3, lo=1e-5, hi=2.0, doc="Step size at the start (it shrinks a little every epoch)."
    )
    lr_decay: float = option(
        0.9, lo=0.0, hi=1.0, doc="The learning rate is multiplied by this after every epoch."
    )
    momentum: float = option(0.9, lo=0.0, hi=1.0, doc="SGD's momentum (scratch only).")
    hidden: tuple = option(
        (512, 256),
        item=int,
        lo=1,
        hi=4096,
        min_len=1,
        max_len=4,
        shape=True,
        doc="Units of each hidden layer (scratch and mlp).",
    )
    dropout: float = option(
        0.2, lo=0.0, hi=0.9, shape=True, doc="Dropout after hidden layers (mlp and cnn)."
    )
    seed: int = option(0, lo=0, doc="Seed of the initial weights and of the batches' order.")
    train_limit: int | None = None  # use only the first N training images (tests, demos)
    test_limit: int | None = None

    def __post_init__(self) -> None:
        schema.validate(self, "Digits training", rules=_limits)


def _limits(c: TrainConfig) -> list[str]:
    return [
        f"{name}: expected None or at least 1 image, got {value!r}"
        for name, value in (("train_limit", c.train_limit), ("test_limit", c.test_limit))
        if value is not None and value < 1
    ]


DEFAULTS: dict[str, TrainConfig] = {
    "scratch": TrainConfig(
        "scratch", epochs=15, batch_size=64, lr=0.05, lr_decay=0.85, hidden=(256, 128)
    ),
    "mlp": TrainConfig("mlp", epochs=15, batch_size=128, lr=1e-3, lr_decay=0.85, hidden=(512, 256)),
    "cnn": TrainConfig("cnn", epochs=8, batch_size=128, lr=1e-3, lr_decay=0.75, dropout=0.3),
}


def config_for(model: str, **overrides: Any) -> TrainConfig:
    """The tab's default config for ``model`` with some fields replaced (None values ignored)."""
    if model not in MODELS:
        raise ValueError(f"unknown model {model!r}; choose one of {', '.join(MODELS)}")
    changes = {k: v for k, v in overrides.items() if v is not None}
    return replace(DEFAULTS[model], **changes)
