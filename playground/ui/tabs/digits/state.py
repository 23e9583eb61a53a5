"""The Digits tab's settings, declared once; pure helpers for its config and its files.

No Qt here: a state can be built, validated and turned into a training config in a
notebook or a test.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from playground.core import digits
from playground.ui.state import State, setting

FIRST_MODEL = digits.MODELS[0]  # "scratch": the tab opens on the numpy network
_FIRST = digits.DEFAULTS[FIRST_MODEL]
PAGES = ("train", "results", "browse")
ALL_IMAGES = 60_000  # both datasets have 60,000 training images
# what a run is (kept with a pinned run, compared between runs); brush and page are views
RUN_FIELDS = ("dataset", "model", "epochs", "batch_size", "lr", "train_images")


@dataclass
class DigitsState(State):
    """Everything the Digits tab lets a user choose."""

    dataset: str = setting(
        "mnist",
        "Dataset",
        choices=digits.DATASETS,
        shape=True,
        tip="MNIST: handwritten digits. Fashion-MNIST: small photos of clothes, same size, "
        "harder. The pad uses the model of the dataset chosen here.",
    )
    model: str = setting(
        FIRST_MODEL,
        "Model",
        choices=digits.MODELS,
        shape=True,
        tip="From scratch: numpy only, backward pass by hand. MLP: the same idea in torch. "
        "CNN: convolutions that look at small patches (best, slowest).",
    )
    epochs: int = setting(
        _FIRST.epochs,
        "Epochs",
        lo=1,
        hi=100,
        tip="How many times training goes through the training images.",
    )
    batch_size: int = setting(
        _FIRST.batch_size,
        "Batch size",
        lo=8,
        hi=2048,
        tip="Images per gradient step (minibatch size).",
    )
    lr: float = setting(
        _FIRST.lr,
        "Learning rate",
        lo=1e-5,
        hi=2.0,
        live=True,
        tip="Step size at the start (it shrinks a little every epoch); a change reaches "
        "a running training at once.",
    )
    train_images: int = setting(
        ALL_IMAGES,
        "Training images",
        lo=500,
        hi=ALL_IMAGES,
        tip="Train on the first N of the 60,000 training images (fewer: faster, less "
        "accurate). The test set is always all 10,000 test images.",
    )
    brush: int = setting(18, "Brush", lo=6, hi=40, tip="Thickness of the pen for the next strokes.")
    page: str = setting("train", "Page", choices=PAGES)


def defaults_for(model: str) -> dict[str, Any]:
    """The recommended epochs, batch size and learning rate of ``model`` (from the core)."""
    cfg = digits.DEFAULTS[model]
    return {"epochs": cfg.epochs, "batch_size": cfg.batch_size, "lr": cfg.lr}


def train_config(state: DigitsState) -> digits.TrainConfig:
    """The core's training config for what ``state`` describes."""
    limit = state.train_images if state.train_images < ALL_IMAGES else None
    return digits.config_for(
        state.model,
        epochs=state.epochs,
        batch_size=state.batch_size,
        lr=state.lr,
        train_limit=limit,
    )


def run_settings(state: DigitsState) -> dict[str, Any]:
    """The fields that describe a training run (what a pinned run keeps)."""
    d = state.to_dict()
    return {k: d[k] for k in RUN_FIELDS}


def model_title(kind: str, dataset: str) -> str:
    """ "CNN (torch) on Fashion-MNIST"."""
    return f"{digits.MODEL_TITLES[kind]} on {digits.DATASET_TITLES[dataset]}"


def check_model_for(clf: Any, name: str) -> None:
    """Raise ``ValueError`` naming ``name`` if a loaded model cannot read the pad here:
    an unknown kind or dataset, or a first layer that is not 28x28 -> units."""
    if clf.kind not in digits.MODELS or clf.dataset not in digits.DATASETS:
        raise ValueError(f"{name}: unknown model kind {clf.kind!r} or dataset {clf.dataset!r}")
    weights = clf.first_layer()
    if weights is not None and tuple(weights.shape[1:]) != (28, 28):
        raise ValueError(f"{name}: the first layer reads {weights.shape[1:]} images, not 28x28")
