"""The training job of the Digits tab: a core generator, run in the worker's thread.

It holds no Qt object (a thread that drops the last reference to one can deadlock
the GUI): only numpy arrays, the config, the LiveSettings and a plain :class:`Run`
where it leaves the model it trains.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from playground.core import digits
from playground.core.training import Job, LiveSettings


@dataclass
class Run:
    """One training run: what it trains and, once the job started, the model and device."""

    dataset: str
    config: digits.TrainConfig
    clf: digits.Classifier | None = None  # set in the job's thread, read on the GUI thread
    device: str = ""
    test_acc: float | None = None  # the latest epoch's test accuracy (set by the presenter)
    test_loss: float | None = None  # and its test loss
    rate: float = 0.0  # images per second (set by the presenter)
    elapsed: float = 0.0  # training seconds so far (set by the presenter)
    settings: dict[str, Any] = field(default_factory=dict)  # the state's run fields


def make_job(
    run: Run,
    sets: dict[str, tuple[np.ndarray, np.ndarray]],
    live: LiveSettings,
    device: str,
) -> Job:
    """A generator training a new model of ``run.config`` on ``sets`` ("train", "test")."""
    config, dataset = run.config, run.dataset
    from playground.core import devices

    torch_device = "cpu" if config.model == "scratch" else devices.resolve(device)
    run.device = "CPU (numpy)" if config.model == "scratch" else devices.describe(torch_device)
    run.clf = digits.new_model(dataset, config, torch_device)
    yield from digits.train_job(run.clf, sets["train"], sets["test"], config, live)
