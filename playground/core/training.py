"""The one training-loop shape shared by every tab.

A training job is a generator that yields one :class:`Snapshot` per unit of work
(an epoch, a step, a batch).  Snapshots are cheap: a step counter and a few
scalar metrics.  Anything expensive to show (a boundary grid, an embedding
table, activation histograms) goes in ``detail``, a function that is only
called when a view is actually going to draw it, while the generator is
suspended, so it sees a consistent model and returns detached numpy copies.

The ui worker drives such a generator in a thread; scripts and tests drive it
with :func:`run`.  Settings that keep the model's shape reach a running job
through a :class:`LiveSettings` object the job reads every step.
"""

from __future__ import annotations

import contextlib
import math
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Snapshot:
    """What a training job reports after one unit of work.

    step: units completed so far (1 after the first epoch/step).
    total: units planned, or None for "until stopped".
    metrics: scalars for this unit, e.g. {"loss": 0.7, "test_acc": 0.9}.
    detail: optional callable returning views (numpy arrays, detached copies);
        called at most a few dozen times per second by the ui, never per step.
    unit: "epoch", "step" or "batch", for labels.
    """

    step: int
    total: int | None = None
    metrics: dict[str, float] = field(default_factory=dict)
    detail: Callable[[], dict[str, Any]] | None = None
    unit: str = "step"

    def materialize(self) -> dict[str, Any]:
        """Compute the detail views now (call while the job is suspended)."""
        return self.detail() if self.detail is not None else {}


Job = Iterator[Snapshot]


class Diverged(ArithmeticError):
    """Raised by a job whose loss became NaN or infinite."""

    def __init__(self, step: int, unit: str = "step", value: float = math.nan):
        self.step, self.unit, self.value = step, unit, value
        super().__init__(
            f"Training diverged at {unit} {step} (loss = {value}): "
            "lower the learning rate and press reset."
        )


def check_finite(loss: float, step: int, unit: str = "step") -> float:
    """Return ``loss`` unchanged, or raise :class:`Diverged` if it is NaN/inf."""
    if not math.isfinite(loss):
        raise Diverged(step, unit, loss)
    return loss


class LiveSettings:
    """Hyperparameters a running job reads every step and the ui may change.

    Only settings that keep the model's shape belong here (learning rate,
    regularization, ...).  Reads and writes of single attributes are atomic
    under the GIL; ``update`` takes a lock so that several values change together.
    """

    def __init__(self, **values: Any):
        self._lock = threading.Lock()
        self.__dict__.update(values)

    def update(self, **values: Any) -> None:
        """Set several values at once."""
        with self._lock:
            self.__dict__.update(values)

    def as_dict(self) -> dict[str, Any]:
        """A plain copy of the current values."""
        with self._lock:
            return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}

    def __repr__(self) -> str:
        return f"LiveSettings({self.as_dict()})"


def run(job: Job, steps: int | None = None) -> Snapshot | None:
    """Drive ``job`` to completion (or for ``steps`` units) and return the last snapshot."""
    last = None
    for i, snap in enumerate(job):
        last = snap
        if steps is not None and i + 1 >= steps:
            break
    return last


@contextlib.contextmanager
def torch_threads(n: int | None, device: Any = "cpu") -> Iterator[None]:
    """Run torch's CPU kernels on ``n`` threads inside this block; restored after.

    Small models (the toy net, the character MLP on batches of 32) run fastest on one
    thread: torch's pool only adds waiting, and on a busy machine the waiting costs
    6-30x.  With OpenMP (the PyPI builds) the count belongs to the calling thread (and
    becomes the default of threads started later), so each job sets its own and puts it
    back in the same thread.  Nested blocks restore in order.  ``n=None`` or a GPU
    device changes nothing.
    """
    import torch

    if n is None or torch.device(device).type != "cpu":
        yield
        return
    before = torch.get_num_threads()
    if before != n:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        if before != n:
            torch.set_num_threads(before)
