"""The Digits tab's settings, declared once; pure helpers for its config and its files.

The model's training settings (model, epochs, batch size, learning rate: default, limits,
choices, role) are the core's :class:`~playground.core.digits_config.TrainConfig`; this
state takes them with ``from_core``, its defaults from the first model's
:data:`~playground.core.digits_config.DEFAULTS`.  No Qt here and no torch: a state can be
built, validated and turned into a training config in a notebook or a test.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from playground.core import digits
from playground.core.digits_config import DATASETS, DEFAULTS, MODELS, TrainConfig
from playground.ui.state import State, from_core, setting

FIRST_MODEL = MODELS[0]  # "scratch": the tab opens on the numpy network
_FIRST = DEFAULTS[FIRST_MODEL]
PAGES = ("train", "results", "browse")
ALL_IMAGES = 60_000  # both datasets have 60,000 training images


@dataclass
class DigitsState(State, core=TrainConfig):
    """Everything the Digits tab lets a user choose."""

    dataset: str = setting(
        "mnist",
        "Dataset",
        choices=DATASETS,
        shape=True,
        tip="MNIST: handwritten digits. Fashion-MNIST: small photos of clothes, same size, "
        "harder. The pad uses the model of the dataset chosen here.",
    )
    model: str = from_core("Model", default=FIRST_MODEL)
    epochs: int = from_core("Epochs", default=_FIRST.epochs)
    batch_size: int = from_core("Batch size", default=_FIRST.batch_size)
    lr: float = from_core(
        "Learning rate",
        live=True,
        default=_FIRST.lr,
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


# what a run is (kept with a pinned run, compared between runs); brush and page are views
RUN_FIELDS = ("dataset", *DigitsState.core_fields(), "train_images")


def defaults_for(model: str) -> dict[str, Any]:
    """The recommended settings of ``model`` (from the core) that the form shows."""
    cfg = DEFAULTS[model]
    return {k: getattr(cfg, k) for k in DigitsState.core_fields() if k != "model"}


def train_config(state: DigitsState) -> digits.TrainConfig:
    """The core's training config for what ``state`` describes."""
    limit = state.train_images if state.train_images < ALL_IMAGES else None
    return digits.config_for(**state.core_values(), train_limit=limit)


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
