"""What the Decision boundary's plane shows, as plain numpy: colours, the boundary lines,
the plane's picture.  No Qt: the training job's thread makes a frame's picture with
:func:`plane_picture` while the GUI thread only hands it to Qt (widgets/plane.py).
"""

from __future__ import annotations

import numpy as np

from playground.ui.style import OKABE_ITO, rgb

# colour of negative / positive values in neuron maps and weights (like TF Playground)
NEGATIVE = OKABE_ITO[0]  # orange
POSITIVE = OKABE_ITO[1]  # blue


def class_colors(n_classes: int) -> list[str]:
    """Colour-blind-safe colours of classes 0..n-1 (Okabe-Ito)."""
    return OKABE_ITO[:n_classes]


def probs_to_rgba(probs: np.ndarray, res: int, discretize: bool = False) -> np.ndarray:
    """(res*res, C) class probabilities -> (res, res, 4) uint8: hue = class, tint = confidence."""
    n_classes = probs.shape[1]
    cols = np.array([rgb(c) for c in class_colors(n_classes)], dtype=np.float32)  # (C, 3)
    k = probs.argmax(1)  # (m,)
    if discretize:
        a = np.full(len(k), 0.55, dtype=np.float32)
    else:
        top = probs.max(1)
        a = 0.7 * np.clip((top - 1 / n_classes) / (1 - 1 / n_classes), 0, 1)  # 0 at a tie
    img = np.empty((len(k), 4), dtype=np.uint8)
    img[:, :3] = 255 - (255 - cols[k]) * a[:, None]
    img[:, 3] = 255
    return img.reshape(res, res, 4)


def diverging_colors(values: np.ndarray, center: float = 0.0, scale=None) -> np.ndarray:
    """Values of any shape -> uint8 RGBA (..., 4): orange below ``center``, blue above.

    White at ``center``; full colour at ``center +- scale`` (default: the largest deviation).
    """
    v = np.asarray(values, dtype=np.float32) - center
    s = float(np.abs(v).max(initial=0.0)) if scale is None else float(scale)
    t = np.clip(v * (1.0 / max(s, 1e-6)), -1, 1)
    a = np.abs(t) * 0.85
    neg, pos = np.array(rgb(NEGATIVE), np.float32), np.array(rgb(POSITIVE), np.float32)
    out = np.empty((*t.shape, 4), dtype=np.uint8)
    out[..., :3] = 255 - np.where(t[..., None] < 0, 255 - neg, 255 - pos) * a[..., None]
    out[..., 3] = 255
    return out


def diverging_rgba(values: np.ndarray, res: int, center: float = 0.0, scale=None) -> np.ndarray:
    """(res*res,) values -> (res, res, 4) uint8 image (see :func:`diverging_colors`)."""
    return diverging_colors(np.asarray(values).reshape(res, res), center, scale)


def contour_segments(field: np.ndarray, xs: np.ndarray, ys: np.ndarray):
    """Line segments where ``field`` (ny, nx; row i = ys[i]) crosses 0 (marching squares).

    Returns x, y arrays of even length: points 2k and 2k+1 are the ends of segment k.
    Only the cells the zero line passes through are looked at (a few percent of them).
    """
    f = np.where(field == 0, 1e-9, field)
    pos = f > 0
    iy, ix = np.nonzero(
        (pos[:-1, :-1] != pos[:-1, 1:])
        | (pos[:-1, 1:] != pos[1:, 1:])
        | (pos[1:, 1:] != pos[1:, :-1])
        | (pos[:-1, :-1] != pos[1:, :-1])
    )
    if not len(iy):
        return np.empty(0), np.empty(0)
    a, b, c, d = f[iy, ix], f[iy, ix + 1], f[iy + 1, ix + 1], f[iy + 1, ix]  # BL, BR, TR, TL
    x0, x1, y0, y1 = xs[ix], xs[ix + 1], ys[iy], ys[iy + 1]

    def cross(p, q):  # where the line p -> q crosses 0, as a fraction of the way
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.clip(p / (p - q), 0, 1)

    # edges: 0 bottom (a-b), 1 right (b-c), 2 top (d-c), 3 left (a-d)
    mask = np.stack(
        [(a > 0) != (b > 0), (b > 0) != (c > 0), (d > 0) != (c > 0), (a > 0) != (d > 0)]
    )
    t = [cross(a, b), cross(b, c), cross(d, c), cross(a, d)]
    px = np.stack([x0 + t[0] * (x1 - x0), x1, x0 + t[2] * (x1 - x0), x0])  # (4, k)
    py = np.stack([y0, y0 + t[1] * (y1 - y0), y1, y0 + t[3] * (y1 - y0)])
    count = mask.sum(0)
    pairs = []
    two = count == 2
    if two.any():
        m = mask[:, two]  # (4, k)
        first = m.argmax(0)
        second = 3 - m[::-1].argmax(0)
        pairs.append((first, second, two))
    four = count == 4
    if four.any():  # a saddle: the centre's sign says which corners the lines cut off
        center = (a + b + c + d)[four] / 4
        same = (center > 0) == (a[four] > 0)
        e1 = np.where(same, 0, 0), np.where(same, 1, 3)
        e2 = np.where(same, 2, 1), np.where(same, 3, 2)
        pairs.append((e1[0], e1[1], four))
        pairs.append((e2[0], e2[1], four))
    if not pairs:
        return np.empty(0), np.empty(0)
    out_x, out_y = [], []
    for e_a, e_b, where in pairs:
        cx, cy = px[:, where], py[:, where]  # (4, k)
        i = np.arange(cx.shape[1])
        out_x.append(np.stack([cx[e_a, i], cx[e_b, i]], 1).ravel())
        out_y.append(np.stack([cy[e_a, i], cy[e_b, i]], 1).ravel())
    return np.concatenate(out_x), np.concatenate(out_y)


def boundary_field(probs: np.ndarray) -> list[np.ndarray]:
    """Fields whose zero sets are the decision boundary: p1 - 0.5, or p_c - max(others)."""
    if probs.shape[1] == 2:
        return [probs[:, 1] - 0.5]
    fields = []
    for c in range(probs.shape[1]):
        others = np.delete(probs, c, axis=1).max(1)
        fields.append(probs[:, c] - others)
    return fields


def grid_axes(extent, res: int) -> tuple[np.ndarray, np.ndarray]:
    """The x and y of the grid's columns and rows: pixel centres (like toy.make_grid)."""
    xmin, xmax, ymin, ymax = (float(v) for v in extent)
    xs = xmin + (np.arange(res) + 0.5) * (xmax - xmin) / res
    ys = ymin + (np.arange(res) + 0.5) * (ymax - ymin) / res
    return xs, ys


def plane_picture(probs: np.ndarray, extent, res: int, discretize: bool = False) -> dict:
    """What the plane draws for class probabilities (res*res, C): the RGBA image and the
    boundary's segments.  Plain numpy: the training job computes it in its thread."""
    xs, ys = grid_axes(extent, res)
    seg_x, seg_y = [], []
    for f in boundary_field(probs):
        sx, sy = contour_segments(f.reshape(res, res), xs, ys)
        seg_x.append(sx)
        seg_y.append(sy)
    return {
        "image": probs_to_rgba(probs, res, discretize),
        "discretize": discretize,
        "boundary": (np.concatenate(seg_x), np.concatenate(seg_y)),
        "extent": tuple(float(v) for v in extent),
        "res": res,
    }
