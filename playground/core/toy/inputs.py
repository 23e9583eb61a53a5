"""The network's inputs: the plane scaled onto one square, then the chosen features.

TensorFlow Playground's "features" column (x1, x2, x1^2, x2^2, x1*x2, sin x1, sin x2).
Every plane is scaled onto the same square before the net sees it: :func:`features`
maps the plane shown (e.g. fruit's 0..10 x 0..10) onto ``[-INPUT_RANGE, INPUT_RANGE]^2``
(``x1 = (x - centre) * factor``), then computes the chosen features of those scaled
coordinates.  For the -6..6 plane of the other datasets this is the identity, exactly as
in TensorFlow Playground; fruit's spot size 5 becomes x1 = 0 and 10 becomes x1 = 6.  The
model (:meth:`ToyModel.inputs`), the single neuron's line and the exported script use the
same scaling.  numpy only: :func:`feature_columns` also takes torch tensors.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from playground.core.toy.datasets import DEFAULT_EXTENT

INPUT_RANGE = 6.0  # the plane is mapped onto [-INPUT_RANGE, INPUT_RANGE]^2 for the net


def input_scaling(
    extent: Sequence[float] | None = None,
) -> tuple[tuple[float, float], tuple[float, float]]:
    """``(centre, factor)`` such that the net's inputs are ``(x - centre) * factor``.

    The plane ``extent`` is mapped onto ``[-INPUT_RANGE, INPUT_RANGE]^2``; ``None`` is
    the default plane -6..6 (identity).
    """
    xmin, xmax, ymin, ymax = (float(v) for v in (extent or DEFAULT_EXTENT))
    centre = ((xmin + xmax) / 2, (ymin + ymax) / 2)
    factor = (2 * INPUT_RANGE / (xmax - xmin), 2 * INPUT_RANGE / (ymax - ymin))
    return centre, factor


def feature_columns(u: Any, names: Sequence[str], lib: Any) -> list[Any]:
    """The columns ``names`` of scaled coordinates ``u`` (n, 2); ``lib`` is np or torch."""
    x1, x2 = u[:, 0], u[:, 1]
    table = {
        "x1": lambda: x1,
        "x2": lambda: x2,
        "x1^2": lambda: x1 * x1,
        "x2^2": lambda: x2 * x2,
        "x1*x2": lambda: x1 * x2,
        "sin x1": lambda: lib.sin(x1),
        "sin x2": lambda: lib.sin(x2),
    }
    return [table[name]() for name in names]


def features(
    X: np.ndarray, names: Sequence[str] = ("x1", "x2"), extent: Sequence[float] | None = None
) -> np.ndarray:
    """The network's inputs for points ``X`` (n, 2): float32 ``(n, len(names))``.

    Points are first scaled from the plane ``extent`` (default -6..6) onto
    ``[-INPUT_RANGE, INPUT_RANGE]^2`` (see :func:`input_scaling`); names as in
    :data:`~playground.core.toy.config.FEATURES`, columns in the order given.
    """
    X = np.asarray(X, np.float32).reshape(-1, 2)
    (cx, cy), (fx, fy) = input_scaling(extent)
    u = np.stack([(X[:, 0] - cx) * fx, (X[:, 1] - cy) * fy], 1).astype(np.float32)
    cols = feature_columns(u, tuple(names), np)
    return np.stack(cols, 1).astype(np.float32) if cols else np.zeros((len(X), 0), np.float32)
