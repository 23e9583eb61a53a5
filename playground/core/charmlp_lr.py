"""The learning-rate finder of makemore part 2 (section "finding a good initial learning rate").

The lecture sweeps ``lre = torch.linspace(-3, 0, 1000); lrs = 10**lre``, takes one
minibatch step at each rate ``lrs[i]``, and plots the loss against the exponent: the
valley before the loss blows up is a good rate.  :func:`lr_finder` is that sweep as a
generator the tab can watch; :func:`find_lr` runs it to the end; :func:`suggest_lr` reads a
rate off the curve.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from playground.core.charmlp import build_dataset, make_model, preset, vocabulary
from playground.core.charmlp_config import CharMLPConfig
from playground.core.training import Snapshot, torch_threads


def suggest_lr(exponents: np.ndarray, losses: np.ndarray) -> float:
    """A learning rate from a finder sweep: a step back (1/3 of a decade) from the lowest
    smoothed loss, before it starts to blow up."""
    exponents, losses = np.asarray(exponents, float), np.asarray(losses, float)
    ok = np.isfinite(losses)
    exponents, losses = exponents[ok], losses[ok]
    if len(losses) == 0:
        return 10**-3
    smooth = smoothed(losses, max(1, len(losses) // 20))
    best = float(exponents[int(np.argmin(smooth))])
    return float(10 ** max(best - 1 / 3, float(exponents[0])))


def smoothed(values: np.ndarray, window: int) -> np.ndarray:
    """Centered moving average (same length; shorter windows at the ends)."""
    values = np.asarray(values, float)
    if window <= 1 or len(values) < 3:
        return values.copy()
    kernel = np.ones(window)
    num = np.convolve(values, kernel, mode="same")
    den = np.convolve(np.ones_like(values), kernel, mode="same")
    return num / den


def lr_finder(
    words: Sequence[str],
    config: CharMLPConfig | None = None,
    steps: int = 1000,
    low: float = -3.0,
    high: float = 0.0,
    device: Any = "cpu",
) -> Iterator[Snapshot]:
    """Sweep the learning rate 10**low .. 10**high exponentially over ``steps`` steps.

    A fresh model takes one minibatch step at each rate; metrics per step are
    "loss", "lr" and "exponent".  detail() -> {"exponents", "losses",
    "suggested_lr"}.  Once the loss explodes (NaN or 4x its best) the sweep ends.
    """
    config = config if config is not None else preset("lecture")
    model = make_model(config, vocabulary(words), device)
    Xtr, Ytr = (t.to(model.device) for t in build_dataset(words, config.block_size)["train"])
    lre = np.linspace(low, high, steps)
    seen_e: list[float] = []
    seen_l: list[float] = []

    def detail() -> dict[str, Any]:
        e, losses = np.array(seen_e), np.array(seen_l)
        return {"exponents": e, "losses": losses, "suggested_lr": suggest_lr(e, losses)}

    g = torch.Generator(device=model.device).manual_seed(config.seed)
    optim = torch.optim.Adam if config.optimizer == "adam" else torch.optim.SGD
    opt = optim(model.parameters(), lr=10**low)
    model.train()
    best = math.inf
    with torch_threads(1, model.device):  # as in training: small batches, one thread
        for i, e in enumerate(lre):
            lr = float(10**e)  # lrs[i]
            ix = torch.randint(0, len(Ytr), (config.batch_size,), generator=g, device=model.device)
            loss = F.cross_entropy(model(Xtr[ix]), Ytr[ix])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.param_groups[0]["lr"] = lr
            opt.step()
            value = loss.item()
            if not math.isfinite(value):
                break
            seen_e.append(float(e))
            seen_l.append(value)
            yield Snapshot(i + 1, steps, {"loss": value, "lr": lr, "exponent": float(e)}, detail)
            best = min(best, value)
            if value > 4 * best and i > steps // 10:
                break
    yield Snapshot(len(seen_e), len(seen_e), {}, detail)


def find_lr(
    words: Sequence[str], config: CharMLPConfig | None = None, steps: int = 1000, **kw
) -> tuple[np.ndarray, np.ndarray, float]:
    """Run :func:`lr_finder` to the end: (exponents, losses, suggested learning rate)."""
    last = None
    for snap in lr_finder(words, config, steps, **kw):
        last = snap
    d = last.materialize()
    return d["exponents"], d["losses"], d["suggested_lr"]
