"""The Decision boundary tab's files: points as CSV, a whole experiment as JSON.

Not a lecture's code: the files a learner keeps.  ``x1,x2,label`` CSV (as a notebook
would ``np.savetxt`` it, full float32 precision) and one JSON file per experiment (the
settings, the points, the weights, the epoch, the tab's view).  Loaders check what they
read with :mod:`.checks` and raise ``ValueError`` naming the file and the problem; saves
are atomic (:func:`~playground.core.files.atomic_write_text`).
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from playground.core.files import atomic_write_text
from playground.core.toy import checks
from playground.core.toy.config import MAX_CLASSES, ToyConfig

CSV_HEADER = ("x1", "x2", "label")
FLOAT32_MAX = float(np.finfo(np.float32).max)  # larger coordinates would load as inf
EXPERIMENT_FORMAT = "neural-playground/boundary-experiment"
EXPERIMENT_VERSION = 1


def save_points_csv(path: str | Path, X: np.ndarray, y: np.ndarray) -> None:
    """Write points and labels as CSV with the header ``x1,x2,label``.

    Coordinates are written with full float32 precision, so loading gives the same points.
    """
    X, y = np.asarray(X, np.float32).reshape(-1, 2), np.asarray(y, np.int64).reshape(-1)
    if len(X) != len(y):
        raise ValueError(f"{len(X)} points but {len(y)} labels.")
    buf = io.StringIO(newline="")
    out = csv.writer(buf)
    out.writerow(CSV_HEADER)
    for (a, b), label in zip(X.tolist(), y.tolist(), strict=True):
        out.writerow([repr(a), repr(b), int(label)])
    atomic_write_text(path, buf.getvalue())  # a kill mid-save leaves the old file


def load_points_csv(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """Read points saved by :func:`save_points_csv`: ``(X float32 (n, 2), y int64 (n,))``.

    Raises ValueError with a message naming the problem (and the line) if the file is
    empty, has other columns than ``x1,x2,label``, holds something that is not a number,
    or a label that is not a whole number from 0 to 4.
    """
    name = Path(path).name
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = [row for row in csv.reader(f) if any(cell.strip() for cell in row)]
    except UnicodeDecodeError:
        raise ValueError(f"{name} is not a text CSV file.") from None
    except csv.Error as exc:
        raise ValueError(f"{name} is not a valid CSV file: {exc}.") from None
    if not rows:
        raise ValueError(f"{name} is empty: expected a header line x1,x2,label and points.")
    header = tuple(cell.strip().lower() for cell in rows[0])
    if header != CSV_HEADER:
        raise ValueError(
            f"{name} has the columns {','.join(rows[0])!r}; expected exactly x1,x2,label."
        )
    if len(rows) == 1:
        raise ValueError(f"{name} has a header but no points.")
    X = np.empty((len(rows) - 1, 2), np.float64)
    y = np.empty(len(rows) - 1, np.int64)
    for i, row in enumerate(rows[1:]):
        line = i + 2
        if len(row) != 3:
            raise ValueError(
                f"{name}, line {line}: expected 3 values (x1,x2,label), got {len(row)}."
            )
        try:
            a, b, label = (float(cell) for cell in row)
        except ValueError:
            raise ValueError(
                f"{name}, line {line}: {','.join(row)!r} is not three numbers."
            ) from None
        if not (abs(a) <= FLOAT32_MAX and abs(b) <= FLOAT32_MAX):  # nan fails too
            raise ValueError(
                f"{name}, line {line}: coordinates must be finite numbers below "
                f"{FLOAT32_MAX:.3g} in size (found {row[0].strip()}, {row[1].strip()})."
            )
        if not math.isfinite(label) or label != int(label) or not 0 <= label < MAX_CLASSES:
            raise ValueError(
                f"{name}, line {line}: the label {row[2].strip()} is not a class number "
                f"from 0 to {MAX_CLASSES - 1}."
            )
        X[i], y[i] = (a, b), int(label)
    return X.astype(np.float32), y


def _array_to_json(a: np.ndarray) -> dict[str, Any]:
    a = np.asarray(a)
    return {"dtype": str(a.dtype), "shape": list(a.shape), "data": a.ravel().tolist()}


def _array_from_json(d: Any, what: str) -> np.ndarray:
    try:
        dtype = np.dtype(d["dtype"])
        if dtype.kind not in "fiu":
            raise ValueError(dtype)
        return np.asarray(d["data"], dtype=dtype).reshape(d["shape"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{what}: damaged ({exc})") from None


def save_experiment(path: str | Path, experiment: dict[str, Any]) -> None:
    """Save an experiment to one JSON file that :func:`load_experiment` reads back exactly.

    ``experiment`` keys: "config" (a ToyConfig or its dict), "dataset" (name, n, noise,
    seed, test_fraction, ...), "X", "y", "X_test", "y_test" (arrays), "weights" (as from
    :meth:`ToyModel.weights`), "epoch" (int) and "ui" (any JSON-able dict).  Arrays keep
    their dtype and every bit (float32 values are exact in JSON's float64 numbers).
    """
    config = experiment.get("config", {})
    if isinstance(config, ToyConfig):
        config = config.to_dict()
    doc: dict[str, Any] = {
        "format": EXPERIMENT_FORMAT,
        "version": EXPERIMENT_VERSION,
        "config": dict(config),
        "dataset": dict(experiment.get("dataset", {})),
        "epoch": int(experiment.get("epoch", 0)),
        "ui": dict(experiment.get("ui", {})),
    }
    for key in ("X", "y", "X_test", "y_test"):
        if experiment.get(key) is not None:
            doc[key] = _array_to_json(experiment[key])
    weights = experiment.get("weights")
    if weights is not None:
        doc["weights"] = [
            {
                "W": _array_to_json(np.asarray(W, np.float32)),
                "b": _array_to_json(np.asarray(b, np.float32)),
            }
            for W, b in weights
        ]
    atomic_write_text(path, json.dumps(doc, indent=1))  # never leave half a file behind


def load_experiment(path: str | Path) -> dict[str, Any]:
    """Read a file written by :func:`save_experiment`, checked against itself.

    Returns the same keys with numpy arrays ("X", "X_test" float32 (n, 2), "y", "y_test"
    int64 (n,), "weights" as a list of ``(W, b)`` float32 pairs) and "config" as a dict
    (``ToyConfig.from_dict`` makes the config).  Raises ValueError "NAME: field: problem"
    for anything a model could not use: not an experiment, a bad setting, points that are
    not finite, labels that are not classes of the network, a label count that is not the
    point count, weights whose shapes are not the network's (see :mod:`.checks`).
    """
    name = Path(path).name
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"{name}: cannot be read ({exc.strerror or exc})") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ValueError(f"{name} is not a Neural Playground experiment (not JSON).") from None
    if not isinstance(doc, dict) or doc.get("format") != EXPERIMENT_FORMAT:
        raise ValueError(f"{name} is not a Neural Playground decision-boundary experiment.")
    try:
        return _experiment(doc)
    except ValueError as exc:
        raise ValueError(f"{name}: {exc}") from None


def _experiment(doc: dict[str, Any]) -> dict[str, Any]:
    """The content of an experiment file's JSON, checked (ValueError "field: problem")."""
    version = checks.check_number(doc.get("version", 0), "version", whole=True)
    if version > EXPERIMENT_VERSION:
        raise ValueError("it was saved by a newer version of Neural Playground")
    out: dict[str, Any] = {
        "config": dict(checks.check_mapping(doc.get("config", {}), "config")),
        "dataset": dict(checks.check_dataset(doc.get("dataset", {}))),
        "epoch": checks.check_number(doc.get("epoch", 0), "epoch", whole=True, lo=0),
        "ui": dict(checks.check_mapping(doc.get("ui", {}), "ui")),
    }
    checks.check_number(out["config"].get("seed", 0), "config.seed", whole=True)
    try:
        config = ToyConfig.from_dict(out["config"])
    except (TypeError, ValueError) as exc:
        raise ValueError(f"config: an invalid model configuration: {exc}") from None
    for key in ("X", "y", "X_test", "y_test"):
        if key in doc:
            out[key] = _array_from_json(doc[key], key)
    if "weights" in doc:
        layers = doc["weights"]
        if not isinstance(layers, list) or not all(isinstance(v, dict) for v in layers):
            raise ValueError("weights: expected a list of layers {W, b}")
        out["weights"] = [
            (
                _array_from_json(layer.get("W"), "weights"),
                _array_from_json(layer.get("b"), "weights"),
            )
            for layer in layers
        ]
    sizes = checks.layer_sizes(config.features, config.hidden, config.n_classes)
    checks.check_experiment(out, config.n_classes, sizes)
    return out
