"""Digits model files: reading a saved model, and the shipped pretrained ones.

A model is saved (:meth:`~playground.core.digits_models.Classifier.save`) as safetensors:
its weights plus a metadata header (format, version, kind, dataset, arch, info.*).
:func:`load_model` reads it back without unpickling anything and says in words what is
wrong with a file that is not one; :func:`load_pretrained` loads the weights shipped in
``playground/resources`` (made by ``scripts/make_pretrained.py``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from playground.core.digits_config import DATASETS, FILE_FORMAT, MODELS
from playground.core.digits_models import (
    Classifier,
    ModelFileError,
    ScratchClassifier,
    TorchClassifier,
)

RESOURCES = Path(__file__).resolve().parents[1] / "resources"


def load_model(path: str | Path, device: Any = "cpu") -> Classifier:
    """Read a model saved by :meth:`Classifier.save` (safetensors: never unpickles).

    Raises :class:`ModelFileError` with a message for the user if the file is missing,
    is not a safetensors file, is corrupt, or is not a digits model.
    """
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"There is no file {path}.")
    try:
        from safetensors import safe_open

        with safe_open(str(path), framework="numpy") as f:
            meta = f.metadata() or {}
            tensors = {k: f.get_tensor(k) for k in f.keys()}  # noqa: SIM118 - safe_open API
    except Exception as exc:  # noqa: BLE001 - any parse failure means "not a valid file"
        raise ModelFileError(
            f"{path.name} is not a readable model file (expected safetensors saved by the "
            f"Digits tab); it may be corrupt or of another kind. ({type(exc).__name__}: {exc})"
        ) from None
    if meta.get("format") != FILE_FORMAT:
        raise ModelFileError(
            f"{path.name} is a safetensors file but not a Digits model "
            "(it has no Neural Playground digits header)."
        )
    kind, dataset = meta.get("kind"), meta.get("dataset")
    if kind not in MODELS or dataset not in DATASETS:
        raise ModelFileError(f"{path.name}: unknown model kind {kind!r} or dataset {dataset!r}.")
    try:
        arch = json.loads(meta.get("arch", "{}"))
        info = {k[5:]: v for k, v in meta.items() if k.startswith("info.")}
        tensors = {k: v.astype(np.float32) for k, v in tensors.items()}
        if kind == "scratch":
            clf: Classifier = ScratchClassifier(dataset, tuple(arch["hidden"]), info=info)
            clf.net.load_state_dict(tensors)
        else:
            import torch

            clf = TorchClassifier(kind, dataset, arch, device, info=info)
            state = {k: torch.from_numpy(v) for k, v in tensors.items()}
            clf.module.load_state_dict(state, strict=True)
            clf.module.to(clf.device)
    except Exception as exc:  # noqa: BLE001 - shapes/keys that do not match the header
        raise ModelFileError(
            f"{path.name} looks like a Digits model but its weights do not match its "
            f"description; the file is damaged. ({type(exc).__name__}: {exc})"
        ) from None
    return clf


def pretrained_path(dataset: str) -> Path:
    """Where the shipped default model of a dataset lives."""
    return RESOURCES / f"digits-{dataset}.safetensors"


def load_pretrained(dataset: str = "mnist") -> Classifier:
    """The shipped default model (made by scripts/make_pretrained.py); needs no dataset."""
    if dataset not in DATASETS:
        raise ValueError(f"unknown dataset {dataset!r}; choose one of {', '.join(DATASETS)}")
    return load_model(pretrained_path(dataset))
