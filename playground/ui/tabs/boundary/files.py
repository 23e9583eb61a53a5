"""The tab's files: experiments (JSON), points (CSV), exported scripts.

An experiment is ``toy.save_experiment``'s JSON: "config" and "dataset" (what core and
older versions read), the arrays, the weights, the epoch, and under "ui" the tab's whole
state (``state.to_dict()``), the curves and the pinned runs ("pinned_runs").
The file's content is checked by core's own loader (``toy.load_experiment``: points,
labels, weight shapes against the file's network, one validator for both); on top of that
:func:`read_experiment` checks what only the tab keeps (its settings, which must describe
that same network, the curves, the pinned runs) before the tab touches any of it, and
raises ``ValueError`` naming the file and the field.  No Qt here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from playground.core.toy.checks import layer_sizes
from playground.ui.runs import RunBook
from playground.ui.tabs.boundary.state import BoundaryState, state_dict_from_v1

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
    from playground.core import toy

    exp = toy.load_experiment(path)  # raises naming the file: format, arrays, weights
    name = Path(path).name
    try:
        return _experiment(exp)
    except (ValueError, TypeError, KeyError) as exc:
        raise ValueError(f"{name}: {exc}") from None


def _experiment(exp: dict) -> Experiment:
    """What the tab needs of a file core has read and checked: its state (which must
    describe the file's network), all four point arrays, the weights, curves, runs."""
    config, dataset, ui = exp["config"], exp["dataset"], exp["ui"]
    settings = ui.get("settings")
    if settings is None:  # written before the tab had a state: rebuild it from the rest
        settings = state_dict_from_v1(config, dataset, ui)
    state = BoundaryState.from_dict(settings, strict=True)
    cfg = state.model_config()
    n_classes = config.get("n_classes", 2)
    mine = layer_sizes(cfg["features"], cfg["hidden"], cfg["n_classes"])
    theirs = layer_sizes(config.get("features", ("x1", "x2")), config.get("hidden", ()), n_classes)
    if mine != theirs or state.classes != n_classes:
        raise ValueError(
            f"ui.settings: the network {' -> '.join(map(str, mine))} ({state.classes} "
            f"classes) is not the file's {' -> '.join(map(str, theirs))} ({n_classes})"
        )
    for key in ("X", "y", "X_test", "y_test", "weights"):
        if key not in exp:
            raise ValueError(f"{key}: missing")
    return Experiment(
        state,
        (exp["X"], exp["y"], exp["X_test"], exp["y_test"]),
        exp["weights"],
        exp["epoch"],
        int(config.get("seed", 0)),
        check_curves(ui.get("curves") or {}),
        check_pinned(ui["pinned_runs"]) if "pinned_runs" in ui else None,
    )


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
        X, y = toy.load_points_csv(path)  # checks every coordinate and label
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
