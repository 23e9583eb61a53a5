"""A drawing made like an MNIST digit: crop, scale to fit 20x20, centre by mass in 28x28.

MNIST's own recipe (LeCun, Cortes and Burges, "The MNIST database"): the digits were
"size normalized to fit in a 20x20 pixel box while preserving their aspect ratio" (grey
levels from anti-aliasing), then "centered in a 28x28 image by computing the center of
mass of the pixels".  :func:`preprocess` does that to the pad's drawing; Fashion-MNIST's
photos were trimmed, resized so the longer side is 28 and centred instead
(:func:`preprocess_for`).  numpy only.
"""

from __future__ import annotations

import numpy as np


def as_float(images: np.ndarray) -> np.ndarray:
    """uint8 images (0..255) -> float32 in [0,1]; float input is returned as float32."""
    if images.dtype == np.uint8:
        return images.astype(np.float32) / 255.0
    return np.asarray(images, dtype=np.float32)


def _resample_matrix(n_in: int, n_out: int) -> np.ndarray:
    """(n_out, n_in) weights of an anti-aliased (triangle filter) 1-D resize, rows sum to 1.

    Shrinking widens the filter to the input pixels each output pixel covers (like
    PIL's antialiased bilinear), so thin strokes turn grey instead of vanishing.
    """
    scale = n_in / n_out
    support = max(scale, 1.0)
    centres = (np.arange(n_out) + 0.5) * scale  # output pixel centres, in input coordinates
    x = np.arange(n_in) + 0.5
    w = np.maximum(0.0, 1.0 - np.abs(x[None, :] - centres[:, None]) / support)
    return (w / w.sum(axis=1, keepdims=True)).astype(np.float32)


def resize(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """Anti-aliased resize of a 2-D float image to (height, width)."""
    ry = _resample_matrix(image.shape[0], height)  # (height, H)
    rx = _resample_matrix(image.shape[1], width)  # (width, W)
    return ry @ image.astype(np.float32) @ rx.T


def ink_box(drawing: np.ndarray, threshold: float = 0.05) -> tuple[int, int, int, int] | None:
    """(top, left, bottom, right) (exclusive) of the ink in a drawing, or None if it is empty."""
    mask = np.asarray(drawing) > threshold
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if len(rows) == 0:
        return None
    return int(rows[0]), int(cols[0]), int(rows[-1]) + 1, int(cols[-1]) + 1


def centre_of_mass(image: np.ndarray) -> tuple[float, float]:
    """(row, column) centre of mass of a 2-D non-negative image, in pixel-index coordinates."""
    total = float(image.sum())
    if total <= 0:
        return (image.shape[0] - 1) / 2, (image.shape[1] - 1) / 2
    rows = float(image.sum(axis=1) @ np.arange(image.shape[0])) / total
    cols = float(image.sum(axis=0) @ np.arange(image.shape[1])) / total
    return rows, cols


def preprocess(
    drawing: np.ndarray, box: int = 20, size: int = 28, centre: str = "mass"
) -> np.ndarray:
    """Turn any HxW drawing (float ink in [0,1], 1 = ink) into a 28x28 MNIST-style image.

    As MNIST was made: crop to the ink's bounding box, scale it (anti-aliased) so its
    longer side is 20 pixels keeping the aspect ratio, then place it in the 28x28 field
    so that its centre of mass is at the field's centre (row, column 14, 14: where the
    real MNIST digits' centres of mass are on average).  Ink is rescaled so its
    darkest pixel is 1.  An empty drawing gives all zeros.  ``centre="box"`` centres
    the bounding box instead (Fashion-MNIST's way, see :func:`preprocess_for`).
    """
    a = np.clip(np.asarray(drawing, dtype=np.float32), 0.0, 1.0)
    out = np.zeros((size, size), dtype=np.float32)
    bounds = ink_box(a)
    if bounds is None:
        return out
    top, left, bottom, right = bounds
    crop = a[top:bottom, left:right]
    h, w = crop.shape
    scale = box / max(h, w)
    nh, nw = max(1, round(h * scale)), max(1, round(w * scale))
    digit = np.clip(resize(crop, nh, nw), 0.0, 1.0)
    if centre == "box":
        cy, cx = (nh - 1) / 2, (nw - 1) / 2
    else:
        cy, cx = centre_of_mass(digit)
    row = int(np.clip(round(size / 2 - cy), 0, size - nh))
    col = int(np.clip(round(size / 2 - cx), 0, size - nw))
    out[row : row + nh, col : col + nw] = digit
    peak = out.max()
    return out / peak if peak > 0 else out


def preprocess_for(dataset: str, drawing: np.ndarray) -> np.ndarray:
    """Preprocess a drawing the way ``dataset``'s images were made.

    MNIST: fit 20x20, centre by mass (:func:`preprocess`).  Fashion-MNIST's product
    photos were trimmed, resized so the longer side is 28 and centred: fit 28x28,
    centre the bounding box.
    """
    if dataset == "fashion-mnist":
        return preprocess(drawing, box=28, centre="box")
    return preprocess(drawing)
