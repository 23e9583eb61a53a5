"""What a Decision boundary experiment file must hold, checked once for everyone.

:func:`playground.core.toy.files.load_experiment` runs :func:`check_experiment` on every file it
reads, and the tab uses the same functions (points, weights against the network) for what
it is handed by hand; there is no second copy.  Each check raises ``ValueError`` naming the
field and the problem ("y: label 2 is not a class 0 to 1"); the loader adds the file's name.

numpy only (no torch), so the tab can check weights before torch has loaded.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from playground.core.toy.config import DATASETS

Weights = list[tuple[np.ndarray, np.ndarray]]


def check_number(value: Any, name: str, whole: bool = False, lo: float | None = None) -> Any:
    """A finite number (a whole one if ``whole``, at least ``lo`` if given), else
    ValueError naming ``name``.  Returns it as an int (``whole``) or a float."""
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_)
    )
    if not ok or not math.isfinite(value) or (whole and value != int(value)):
        kind = "a whole number" if whole else "a number"
        raise ValueError(f"{name}: expected {kind}, got {value!r}")
    if lo is not None and value < lo:
        raise ValueError(f"{name}: expected at least {lo:g}, got {value!r}")
    return int(value) if whole else float(value)


def check_mapping(value: Any, name: str) -> dict:
    """A dict (a JSON object), else ValueError "name: expected a mapping, got int"."""
    if not isinstance(value, dict):
        raise ValueError(f"{name}: expected a mapping, got {type(value).__name__}")
    return value


def layer_sizes(features: Sequence[str], hidden: Sequence[int], n_classes: int) -> list[int]:
    """Inputs, hidden widths, outputs of a toy network (two classes: one output unit)."""
    return [len(features), *(int(h) for h in hidden), 1 if n_classes == 2 else int(n_classes)]


def check_points(X: Any, y: Any, n_classes: int, what: str = "X") -> tuple[np.ndarray, np.ndarray]:
    """Points as float32 (n, 2) and labels as int64 (n,), or ValueError naming the field.

    ``what`` names the points ("X" or "X_test"); their labels are "y" or "y_test".  Every
    coordinate must be finite, there must be one label per point, and each label a class
    0 to ``n_classes - 1``.
    """
    label = "y" + what[1:]
    X = np.asarray(X)
    y = np.asarray(y)
    if X.size == 0:
        X = X.reshape(0, 2)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"{what}: expected points with 2 columns, got shape {X.shape}")
    if not np.issubdtype(X.dtype, np.number) or not np.isfinite(X.astype(np.float64)).all():
        raise ValueError(f"{what}: every coordinate must be a finite number (no NaN or inf)")
    if np.abs(X.astype(np.float64)).max(initial=0.0) > np.finfo(np.float32).max:
        raise ValueError(f"{what}: a coordinate is too large for float32")
    if y.ndim != 1 or len(y) != len(X):
        raise ValueError(f"{label}: {y.size} labels for {len(X)} points in {what}")
    if len(y) and (not np.issubdtype(y.dtype, np.number) or not np.isfinite(y).all()):
        raise ValueError(f"{label}: labels must be whole numbers")
    if len(y) and (np.any(y != np.round(y)) or y.min() < 0 or y.max() >= n_classes):
        bad = y[(y != np.round(y)) | (y < 0) | (y >= n_classes)][0]
        raise ValueError(f"{label}: label {bad:g} is not a class 0 to {n_classes - 1}")
    return X.astype(np.float32), y.astype(np.int64)


def check_weights(weights: Any, sizes: Sequence[int]) -> Weights:
    """Weights ``[(W (out, in), b (out,)), ...]`` whose shapes fit the network ``sizes``
    (inputs, hidden..., outputs), finite, as float32; else ValueError naming them."""
    sizes = list(sizes)
    net = " -> ".join(map(str, sizes))
    if not isinstance(weights, (list, tuple)) or len(weights) != len(sizes) - 1:
        n = len(weights) if isinstance(weights, (list, tuple)) else "no"
        raise ValueError(f"weights: {n} layers, but the network {net} has {len(sizes) - 1}")
    out = []
    for i, layer in enumerate(weights):
        if not isinstance(layer, (list, tuple)) or len(layer) != 2:
            raise ValueError(f"weights: layer {i + 1} is not a pair (W, b)")
        try:
            W, b = (np.asarray(a, np.float64) for a in layer)
        except (TypeError, ValueError):
            raise ValueError(f"weights: layer {i + 1} holds something not a number") from None
        want_w, want_b = (sizes[i + 1], sizes[i]), (sizes[i + 1],)
        if W.shape != want_w or b.shape != want_b:
            raise ValueError(
                f"weights: layer {i + 1} has W {W.shape} and b {b.shape}, but the network "
                f"{net} needs W {want_w} and b {want_b}"
            )
        if not (np.isfinite(W).all() and np.isfinite(b).all()):
            raise ValueError(f"weights: layer {i + 1} holds NaN or inf")
        out.append((W.astype(np.float32), b.astype(np.float32)))
    return out


def check_dataset(dataset: Any) -> dict:
    """The "dataset" part of a file: a mapping whose known keys hold sensible values."""
    d = check_mapping(dataset, "dataset")
    if "name" in d and d["name"] not in DATASETS:
        raise ValueError(f"dataset: unknown dataset {d['name']!r}; one of {', '.join(DATASETS)}")
    for key, whole in (("n", True), ("seed", True), ("n_classes", True), ("noise", False)):
        if key in d:
            check_number(d[key], f"dataset.{key}", whole=whole, lo=0)
    if "test_fraction" in d:
        share = check_number(d["test_fraction"], "dataset.test_fraction")
        if not 0.0 <= share <= 1.0:
            raise ValueError(f"dataset.test_fraction: expected 0 to 1, got {share:g}")
    return d


def check_experiment(parts: dict[str, Any], n_classes: int, sizes: Sequence[int]) -> None:
    """The arrays of an experiment (as ``toy.load_experiment`` read them) against its
    network: each point set with its labels, and the weights' shapes (``sizes``)."""
    for what in ("X", "X_test"):
        label = "y" + what[1:]
        if (what in parts) != (label in parts):
            missing, there = (label, what) if what in parts else (what, label)
            raise ValueError(f"{missing}: missing (the file has {there})")
        if what in parts:
            parts[what], parts[label] = check_points(parts[what], parts[label], n_classes, what)
    if "weights" in parts:
        parts["weights"] = check_weights(parts["weights"], sizes)
