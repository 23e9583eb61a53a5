"""The two-dimensional toy datasets of the Decision boundary tab, and their planes.

The datasets of TensorFlow Playground (circle, XOR, Gaussian blobs, spiral) plus two
moons and the fruit story of the single-neuron lesson ("is this fruit poisonous?",
Karpathy's micrograd demo: a neuron draws one line through the plane).  Everything is
numpy: points ``X`` float32 ``(n, 2)``, labels ``y`` int64 ``(n,)``.  :func:`split` holds
out a test set, as makemore part 2 splits its words into train/dev/test.
"""

from __future__ import annotations

import numpy as np

from playground.core.toy.config import DATASETS, MAX_CLASSES, MULTICLASS

DEFAULT_EXTENT = (-6.0, 6.0, -6.0, 6.0)
FRUIT_EXTENT = (0.0, 10.0, 0.0, 10.0)


def make_dataset(
    name: str, n: int = 400, noise: float = 0.1, seed: int = 0, n_classes: int = 2
) -> tuple[np.ndarray, np.ndarray]:
    """Generate ``n`` labelled points of dataset ``name`` (one of :data:`DATASETS`).

    Returns ``X`` float32 ``(n, 2)`` in the plane of :func:`extent` and ``y`` int64 ``(n,)``.
    ``noise`` (0 = clean, ~0.5 = very noisy) jitters the points (fruit: blurs the labels
    near the boundary).  ``n_classes`` (2..5) is used by gauss (blobs) and spiral (arms);
    the other datasets always have 2 classes.  Same arguments, same points.
    """
    if name not in DATASETS:
        raise ValueError(f"Unknown dataset {name!r}; choose one of {', '.join(DATASETS)}.")
    if not 2 <= n_classes <= MAX_CLASSES:
        raise ValueError(f"n_classes must be between 2 and {MAX_CLASSES}, not {n_classes}.")
    if n < 0:
        raise ValueError(f"The number of points must be >= 0, not {n}.")
    noise = max(float(noise), 0.0)
    rng = np.random.default_rng(seed)
    k = n_classes if name in MULTICLASS else 2
    y = np.arange(n) % k  # balanced classes
    rng.shuffle(y)
    X = _GENERATORS[name](y, k, noise, rng)
    return X.astype(np.float32), y.astype(np.int64)


def fruit_boundary(size: np.ndarray) -> np.ndarray:
    """Spike length above which a fruit of this spot size is poisonous: a gentle curve."""
    return 8.2 - 1.05 * size + 0.06 * size**2


def _fruit(y, k, noise, rng):
    # x = size of the orange spots, y = length of the spikes, both 0..10.
    # Poisonous when the spikes are longer than a slightly curved function of the spot
    # size, so a straight line nearly (not quite) separates the classes; ``noise`` makes
    # the labels of fruit near the boundary a coin toss (width ~ 3 * noise).
    n = len(y)
    X = rng.uniform(0.3, 9.7, size=(n, 2))
    margin = X[:, 1] - fruit_boundary(X[:, 0])
    p = 0.5 * (1 + np.tanh(margin / max(6 * noise, 1e-9)))  # = sigmoid(margin / (3 noise))
    labels = (rng.random(n) < p).astype(np.int64)
    # keep the classes balanced-ish by returning the drawn labels in place of y
    y[:] = labels
    return X


def _circle(y, k, noise, rng):
    n = len(y)
    r = np.where(y == 0, rng.uniform(0, 2.5, n), rng.uniform(3.5, 5.0, n))
    t = rng.uniform(0, 2 * np.pi, n)
    X = np.stack([r * np.cos(t), r * np.sin(t)], 1)
    return X + rng.normal(0, noise * 1.5, (n, 2))


def _xor(y, k, noise, rng):
    n = len(y)
    a = rng.uniform(0.3, 5.0, (n, 2)) * rng.choice([-1, 1], (n, 2))
    same = np.sign(a[:, 0]) == np.sign(a[:, 1])
    a[:, 1] *= np.where(same == (y == 0), 1, -1)  # class 0: quadrants 1 and 3
    return a + rng.normal(0, noise * 1.5, (n, 2))


def _gauss(y, k, noise, rng):
    n = len(y)
    if k == 2:
        centres = np.array([[2.5, 2.5], [-2.5, -2.5]])
    else:
        angle = 2 * np.pi * np.arange(k) / k + np.pi / 4
        centres = 3.5 * np.stack([np.cos(angle), np.sin(angle)], 1)
    return centres[y] + rng.normal(0, 0.6 + 3 * noise, (n, 2))


def _spiral(y, k, noise, rng):
    n = len(y)
    t = rng.uniform(0, 1, n)
    r = 0.3 + 5.2 * t
    angle = 1.75 * 2 * np.pi * t + 2 * np.pi * y / k
    X = np.stack([r * np.cos(angle), r * np.sin(angle)], 1)
    return X + rng.normal(0, noise, (n, 2))


def _moons(y, k, noise, rng):
    n = len(y)
    t = rng.uniform(0, np.pi, n)
    upper = np.stack([np.cos(t), np.sin(t)], 1)
    lower = np.stack([1 - np.cos(t), 0.5 - np.sin(t)], 1)
    X = np.where((y == 0)[:, None], upper, lower)
    X = (X - [0.5, 0.25]) * 2.6
    return X + rng.normal(0, noise * 2.6, (n, 2))


_GENERATORS = {
    "fruit": _fruit,
    "circle": _circle,
    "xor": _xor,
    "gauss": _gauss,
    "spiral": _spiral,
    "moons": _moons,
}


def extent(name: str) -> tuple[float, float, float, float]:
    """The plane shown for dataset ``name``: ``(xmin, xmax, ymin, ymax)``."""
    return FRUIT_EXTENT if name == "fruit" else DEFAULT_EXTENT


def axis_labels(name: str) -> tuple[str, str]:
    """Axis titles: the fruit story's words, else x1 and x2."""
    if name == "fruit":
        return ("size of the orange spots", "length of the spikes")
    return ("x1", "x2")


def class_names(name: str, n_classes: int = 2) -> list[str]:
    """Names of the classes: fruit is safe (0) or poisonous (1); else "class 0", ..."""
    if name == "fruit":
        return ["safe", "poisonous"]
    return [f"class {i}" for i in range(n_classes)]


def split(
    X: np.ndarray, y: np.ndarray, test_fraction: float = 0.5, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle with ``seed`` and hold out ``test_fraction`` of the points.

    Returns ``(X_train, y_train, X_test, y_test)``.  At least one point stays in the
    training set when there is any.
    """
    X, y = np.asarray(X, np.float32), np.asarray(y, np.int64)
    n = len(X)
    if not 0.0 <= test_fraction <= 1.0:
        raise ValueError(f"test_fraction must be between 0 and 1, not {test_fraction}.")
    n_test = min(int(round(n * test_fraction)), max(n - 1, 0))
    order = np.random.default_rng(seed).permutation(n)
    test, train_ = order[:n_test], order[n_test:]
    return X[train_], y[train_], X[test], y[test]
