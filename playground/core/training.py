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
import os
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
    render: optional pure function of ``detail()``'s dict returning more views (e.g. a
        grid forward pass from copied weights).  It touches no model, so a job may pair
        its own ``detail`` with it; the ui's worker runs it right after ``detail()``.
    unit: "epoch", "step" or "batch", for labels.
    partial: a view from inside a unit (the weights so far, the last unit's metrics);
        not a step: it records no metrics and does not count towards ``step(n)``.
    """

    step: int
    total: int | None = None
    metrics: dict[str, float] = field(default_factory=dict)
    detail: Callable[[], dict[str, Any]] | None = None
    unit: str = "step"
    render: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    partial: bool = False

    def materialize(self) -> dict[str, Any]:
        """Compute the detail views now (call while the job is suspended), rendered."""
        d = self.detail() if self.detail is not None else {}
        return {**d, **self.render(d)} if self.render is not None else d


Job = Iterator[Snapshot]


DIVERGED_FACTOR = 2.0  # a loss this many times its starting level has diverged


class Diverged(ArithmeticError):
    """Raised by a job whose loss became NaN/inf, or rose far above where it started."""

    def __init__(
        self, step: int, unit: str = "step", value: float = math.nan, start: float | None = None
    ):
        self.step, self.unit, self.value, self.start = step, unit, value, start
        if not math.isfinite(value):
            what = f"the loss became {value}"
        elif start is not None:
            times = "twice" if DIVERGED_FACTOR == 2 else f"{DIVERGED_FACTOR:g} times"
            what = (
                f"the loss rose to {value:.3g}, more than {times} its starting level "
                f"({start:.3g}), so the steps overshoot"
            )
        else:
            what = f"the loss is {value:.3g}"
        super().__init__(
            f"Training diverged at {unit} {step}: {what}; lower the learning rate and press Reset."
        )


class Collapsed(Diverged):
    """Raised by a classifier's job whose loss went back to chance level and stays there:
    whatever it is shown, it gives about the same answer (a guess)."""

    def __init__(self, step: int, unit: str, value: float, chance: float):
        self.step, self.unit, self.value, self.start = step, unit, value, None
        self.chance = chance
        n = round(math.exp(chance))
        ArithmeticError.__init__(
            self,
            f"Training collapsed at {unit} {step}: the network now guesses (its loss stays at "
            f"{value:.2f}, near ln {n} = {chance:.2f}: a guess among {n} classes). The steps "
            "were too big: lower the learning rate and press Reset.",
        )


def check_finite(loss: float, step: int, unit: str = "step") -> float:
    """Return ``loss`` unchanged, or raise :class:`Diverged` if it is NaN/inf."""
    if not math.isfinite(loss):
        raise Diverged(step, unit, loss)
    return loss


CHANCE_MARGIN = 0.05  # a loss above (1 - this) x chance level is no better than guessing
LEARNT = 0.85  # a loss below this x chance level: the classifier had learnt something


class DivergenceGuard:
    """THE divergence rule, used by every training job.

    ``guard.check(loss, step)`` returns ``loss``, or raises :class:`Diverged` when it is
    NaN/inf, or when it has stayed above ``factor`` x the starting level for ``patience``
    checks in a row (one noisy minibatch is not a divergence).  The starting level is
    ``start`` if given, else the first loss checked; never below ``floor`` (e.g. chance
    level ln C, so a run that starts well is not stopped for reaching chance).
    :meth:`restart` measures from a new level (weights were set by hand).

    A classifier's job may also give ``chance``, the loss of guessing (ln C for C
    classes), for the "collapsed" signal: the loss left chance level (it fell below
    ``LEARNT`` x chance, so the network had learnt something, or it blew up above the
    limit), then came back and stayed no better than chance for ``stuck`` checks in a
    row: :class:`Collapsed`.  A run that never left chance (a tiny learning rate) is
    slow, not collapsed.
    """

    def __init__(
        self,
        unit: str = "step",
        patience: int = 1,
        start: float | None = None,
        floor: float = 0.0,
        factor: float = DIVERGED_FACTOR,
        chance: float | None = None,
        stuck: int = 10,
    ):
        self.unit, self.patience, self.floor, self.factor = unit, max(1, patience), floor, factor
        self.chance, self.stuck = chance, max(1, stuck)
        self.start: float | None = None
        self.above = 0
        self.left_chance = False  # the loss has been far from chance level
        self.at_chance = 0  # checks in a row no better than chance since then
        if start is not None:
            self.restart(start)

    def restart(self, start: float) -> None:
        """Measure from ``start`` (a non-finite start falls back to the floor)."""
        self.start = max(start if math.isfinite(start) else 0.0, self.floor)
        self.above = 0
        self.left_chance, self.at_chance = False, 0

    @property
    def limit(self) -> float:
        """The loss above which a run counts as diverging (inf before the first check)."""
        return math.inf if self.start is None else self.factor * self.start

    def check(self, loss: float, step: int) -> float:
        if not math.isfinite(loss):
            raise Diverged(step, self.unit, loss, self.start)
        if self.start is None:
            self.restart(loss)
        if loss > self.limit:
            self.above += 1
            if self.above >= self.patience:
                raise Diverged(step, self.unit, loss, self.start)
        else:
            self.above = 0
        if self.chance is not None:
            self._check_collapse(loss, step)
        return loss

    def _check_collapse(self, loss: float, step: int) -> None:
        """Raise :class:`Collapsed` once the loss came back to chance level and stays."""
        chance = self.chance
        if loss < LEARNT * chance or loss > self.limit:
            self.left_chance = True
        elif self.left_chance and loss >= (1 - CHANCE_MARGIN) * chance:
            self.at_chance += 1
            if self.at_chance >= self.stuck:
                raise Collapsed(step, self.unit, loss, chance)
            return
        self.at_chance = 0


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


def job_cores() -> int:
    """How many cores a training job may use: all but one, which the GUI thread keeps.

    On two cores a second BLAS or torch thread in the job takes the GUI's core while it
    paints (measured on the Digits tab: 25-35 ms repaints with numpy's OpenBLAS on two
    threads, under 22 ms on one, at the same images per second)."""
    return max(1, (os.cpu_count() or 1) - 1)


def limit_blas_threads(n: int) -> None:
    """numpy's BLAS (OpenBLAS, MKL) on at most ``n`` threads in this process (threadpoolctl:
    the limit is the library's own, for every thread)."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=n, user_api="blas")


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
