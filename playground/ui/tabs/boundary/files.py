"""The tab's files: experiments (JSON), points (CSV), exported scripts.

An experiment is ``toy.save_experiment``'s JSON: "config" and "dataset" (what core and
older versions read), the arrays, the weights, the epoch, and under "ui" the tab's whole
state (``state.to_dict()``), the curves and the pinned runs ("pinned_runs").
:func:`read_experiment` checks everything against everything (settings, points, labels,
weight shapes, pinned runs) before the tab touches any of it, and raises ``ValueError``
naming the file and the field.  No Qt here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from playground.core.toy_names import MAX_CLASSES
from playground.ui.runs import RunBook
from playground.ui.tabs.boundary.state import (
    BoundaryState,
    check_number,
    check_points,
    check_weights,
    state_dict_from_v1,
)

Data = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


@dataclass
class Experiment:
    """An experiment file's content, checked."""

    state: BoundaryState
    data: Data
    weights: list[tuple[np.ndarray, np.ndarray]]
    epoch: int
    init_seed: int
    curves: dict[str, list]
    pinned: list[dict] | None = None  # the pinned runs (None: the file has none saved)


def experiment_doc(
    state: BoundaryState,
    data: Data,
    weights: list,
    epoch: int,
    curves: dict,
    init_seed: int,
    extent: tuple[float, ...],
    pinned: list[dict] | None = None,
) -> dict[str, Any]:
    """What ``toy.save_experiment`` writes for the tab as it is now."""
    config = state.model_config(init_seed, "cpu")
    config["hidden"], config["features"] = list(config["hidden"]), list(config["features"])
    config["extent"] = list(extent)
    Xtr, ytr, Xte, yte = data
    return {
        "config": config,
        "dataset": state.dataset_args(),
        "X": Xtr,
        "y": ytr,
        "X_test": Xte,
        "y_test": yte,
        "weights": weights,
        "epoch": epoch,
        "ui": {"settings": state.to_dict(), "curves": curves, "pinned_runs": pinned or []},
    }


def save_experiment(path: str, doc: dict[str, Any]) -> None:
    from playground.core import toy

    toy.save_experiment(path, doc)


def read_experiment(path: str) -> Experiment:
    """Read and check an experiment file; ValueError "NAME: field: problem" if it is bad."""
    name = Path(path).name
    try:
        return _read(path)
    except OSError as exc:
        raise ValueError(f"{name}: cannot be read ({exc.strerror or exc})") from None
    except (ValueError, TypeError, KeyError) as exc:
        text = str(exc)
        raise ValueError(text if text.startswith(name) else f"{name}: {text}") from None


def _read(path: str) -> Experiment:
    from playground.core import toy

    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ValueError("not an experiment file (not JSON)") from None
    if not isinstance(doc, dict):
        raise ValueError("not an experiment file")
    for key in ("version", "epoch"):
        if key in doc:
            check_number(doc[key], key, whole=True)
    config, dataset, ui = (_mapping(doc, k) for k in ("config", "dataset", "ui"))
    settings = ui.get("settings")
    if settings is None:  # written before the tab had a state: rebuild it from the rest
        settings = state_dict_from_v1(config, dataset, ui)
    state = BoundaryState.from_dict(settings, strict=True)
    init_seed = check_number(config.get("seed", 0), "config.seed", whole=True)
    exp = toy.load_experiment(path)  # the format, the version, the arrays
    parts = []
    for key in ("X", "X_test"):
        label = "y" + key[1:]
        if key not in exp or label not in exp:
            raise ValueError(f"{key if key not in exp else label}: missing")
        parts += check_points(exp[key], exp[label], state.classes, key)
    if "weights" not in exp:
        raise ValueError("weights: missing")
    weights = check_weights(exp["weights"], state)
    return Experiment(
        state,
        tuple(parts),
        weights,
        int(exp.get("epoch", 0)),
        int(init_seed),
        check_curves(ui.get("curves") or {}),
        check_pinned(ui["pinned_runs"]) if "pinned_runs" in ui else None,
    )


def _mapping(doc: dict, key: str) -> dict:
    value = doc.get(key, {})
    if not isinstance(value, dict):
        raise ValueError(f"{key}: expected a mapping, got {type(value).__name__}")
    return value


def check_curves(curves: Any) -> dict[str, list]:
    """Saved curves {"loss/train": [xs, ys], ...}: numbers, equal lengths."""
    if not isinstance(curves, dict):
        raise ValueError("curves: expected a mapping")
    out = {}
    for key, value in curves.items():
        if key not in ("loss/train", "loss/test", "acc/train", "acc/test"):
            raise ValueError(f"curves: unknown curve {key!r}")
        try:
            xs, ys = (np.asarray(v, np.float64) for v in value)
        except (TypeError, ValueError):
            raise ValueError(f"curves: {key} must be two lists of numbers") from None
        if xs.ndim != 1 or xs.shape != ys.shape or not np.isfinite(xs).all():
            raise ValueError(f"curves: {key} must be two lists of numbers of equal length")
        out[key] = [xs.tolist(), ys.tolist()]
    return out


def check_pinned(items: Any) -> list[dict]:
    """Saved pinned runs: each a valid run whose settings are valid settings of this tab;
    else ValueError "pinned run N: problem"."""
    RunBook().load_list(items)  # names, curves, numbers, pictures
    for i, item in enumerate(items, start=1):
        try:
            BoundaryState.from_dict(item["settings"], strict=True)
        except ValueError as exc:
            raise ValueError(f"pinned run {i}: {exc}") from None
    return list(items)


# ------------------------------------------------------------------ points
def read_points_csv(path: str) -> tuple[np.ndarray, np.ndarray]:
    """Points and labels (0 to MAX_CLASSES - 1) from an x1,x2,label file."""
    from playground.core import toy

    name = Path(path).name
    try:
        X, y = toy.load_points_csv(path)
        X, y = check_points(X, y, MAX_CLASSES, "X")
    except OSError as exc:
        raise ValueError(f"{name}: cannot be read ({exc.strerror or exc})") from None
    except (ValueError, OverflowError) as exc:
        text = str(exc)
        raise ValueError(text if name in text else f"{name}: {text}") from None
    return X, y


def save_points_csv(path: str, data: Data) -> None:
    """Every point (training, then test) as x1,x2,label rows."""
    from playground.core import toy

    Xtr, ytr, Xte, yte = data
    toy.save_points_csv(path, np.concatenate([Xtr, Xte]), np.concatenate([ytr, yte]))


def export_script(
    path: str,
    state: BoundaryState,
    data: Data,
    init_seed: int,
    title: str,
    extent: tuple[float, ...],
    epochs: int = 300,
) -> None:
    """A standalone PyTorch script that recreates this data and model and trains it."""
    from playground.core import toy
    from playground.core.files import atomic_write_text

    config = toy.ToyConfig(**state.model_config(init_seed, "cpu"), extent=extent)
    text = toy.export_script(config, *data, epochs=epochs, dataset=title, filename=Path(path).name)
    atomic_write_text(path, text)
