"""What runs off the GUI thread: the neural net's training job and the name sampler.

Plain data in, plain data out: nothing here holds a Qt object.  The neural net trains in
the training process (ui/job_process.py): :class:`NeuralSpec` is what crosses to it, so
pressing Play never waits for torch to load in the window's process.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from playground.core import bigram as bg
from playground.core.training import Job, LiveSettings


@dataclass(frozen=True)
class NeuralSpec:
    """A neural bigram run, built in the training process: plain, picklable data."""

    words: tuple[str, ...]
    itos: tuple[str, ...]
    config: dict[str, Any]  # the state's values
    live: dict[str, float]  # the live settings at the start (lr, l2); then sent as they change
    device: str = "auto"

    def make(self, store: dict[str, Any]) -> Job:
        """The job, in the child: its LiveSettings go in ``store`` for the GUI to update."""
        live = store["live"] = LiveSettings(**self.live)
        return neural_job(self.words, self.itos, self.config, live, self.device)


def neural_job(
    words: Sequence[str],
    itos: Sequence[str],
    config: dict[str, Any],
    live: LiveSettings,
    device: str = "auto",
) -> Job:
    """The core's one-layer neural bigram, configured from the state's values (its guard
    raises ``Diverged`` before a non-finite or exploding step is shown).  Each snapshot's
    metrics also hold ``wall_s``: the seconds spent training so far (pauses excluded)."""
    return timed(
        bg.neural_job(
            words,
            itos=itos,
            steps=int(config["steps"]),
            settings=live,
            device=device,
            method=config["method"],
        )
    )


def timed(job: Job) -> Job:
    """``job``'s snapshots with ``wall_s`` added: the time spent inside it so far (the
    time between snapshots, e.g. a pause, is not counted; nor is importing torch)."""
    import torch  # noqa: F401 - imported before the clock starts (~2 s the first time)

    spent = 0.0
    try:
        while True:
            t0 = time.perf_counter()
            try:
                snap = next(job)
            except StopIteration:
                return
            spent += time.perf_counter() - t0
            yield replace(snap, metrics={**snap.metrics, "wall_s": spent})
    finally:
        job.close()


@dataclass(frozen=True)
class Sampled:
    """Names drawn from the table and as many from the uniform model, ready to show."""

    paths: list[list[int]]  # index paths, each ending in 0 ('.') unless cut
    names: list[str]
    nlls: list[float]  # nan where cut
    uniform: bg.BigramModel
    upaths: list[list[int]]
    unames: list[str]
    unlls: list[float]
    P: np.ndarray  # the sampling probabilities (temperature applied)

    def __len__(self) -> int:
        return len(self.paths)


def sample(model: bg.BigramModel, n: int, seed: int, temperature: float, sampler: str) -> Sampled:
    """In a background thread: ``n`` names from ``model`` and from the uniform model."""
    paths = model.sample_paths(n, seed=seed, temperature=temperature, method=sampler)
    uniform = bg.BigramModel.uniform(model.itos)
    upaths = uniform.sample_paths(n, seed=seed, method=sampler)

    def scored(m: bg.BigramModel, ps: list[list[int]]) -> tuple[list[str], list[float]]:
        names = [m.decode(p) for p in ps]
        ended = [p[-1] == 0 for p in ps]  # False: cut at the length limit, no NLL
        nlls = [m.score(s).nll if e else math.nan for s, e in zip(names, ended, strict=True)]
        return names, nlls

    names, nlls = scored(model, paths)
    unames, unlls = scored(uniform, upaths)
    P = model.sampling_probs(temperature)
    return Sampled(paths, names, nlls, uniform, upaths, unames, unlls, P)
