"""What the Character MLP tab watches while a model trains: a wrapper around the lecture's step.

The step itself is makemore's training loop, :meth:`playground.core.charmlp.Trainer.step`
(part 2's "for i in range(200000)" cell, part 5's "same optimization as last time").
:class:`Run` drives it and adds what a watching ui needs, around it and never inside it:
a :class:`~playground.core.training.Snapshot` per step, the learning rate read from
:class:`~playground.core.training.LiveSettings` every step, the dev loss every so often (the
lecture's ``split_loss('val')``), a divergence guard, and :meth:`Run.detail`, the views:
the embedding table as part 2 plots it ("visualize dimensions 0 and 1 of the embedding
matrix C"), part 3's tanh histograms and update-to-data ratios, and fresh samples.

    run = Run(words, preset("tiny"))
    for snap in run.train(1000):   # one Snapshot per step, a last one with the final losses
        ...
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import torch

from playground.core.charmlp import (
    SATURATED,
    CharMLP,
    Trainer,
    build_dataset,
    make_model,
    preset,
    sample,
    shape_key,
    split_loss,
    split_words,
    vocabulary,
)
from playground.core.charmlp_config import CharMLPConfig
from playground.core.training import DivergenceGuard, LiveSettings, Snapshot, torch_threads


def default_dev_every(steps: int) -> int:
    """How often a run of ``steps`` steps measures the dev loss: about 40 times, at most
    every 500 steps (a full dev pass costs about as much as 30 training steps)."""
    return max(500, steps // 40)


def embedding_2d(C: np.ndarray) -> tuple[np.ndarray, tuple[str, str]]:
    """The embedding table as 2-D points: itself when emb=2, else its top-2 principal components."""
    if C.shape[1] == 1:
        return np.column_stack([C[:, 0], np.zeros(len(C))]), ("dim 1", "")
    if C.shape[1] == 2:
        return C.copy(), ("dim 1", "dim 2")
    centered = C - C.mean(0)
    U, S, Vt = np.linalg.svd(centered, full_matrices=False)
    share = S**2 / max(float((S**2).sum()), 1e-12)
    xy = centered @ Vt[:2].T
    return xy, (f"PC 1 ({share[0]:.0%} of variance)", f"PC 2 ({share[1]:.0%})")


class Run:
    """One model and the data it trains on; :meth:`train` is the watchable generator.

    ``Run(words, config)`` builds a fresh model; ``Run(words, model=m)`` continues
    training ``m`` (e.g. one loaded from a file).  The dataset is built lazily,
    inside the generator, so creating a Run is cheap.
    """

    def __init__(
        self,
        words: Sequence[str],
        config: CharMLPConfig | None = None,
        device: Any = "cpu",
        model: CharMLP | None = None,
    ):
        self.words = list(words)
        if model is None:
            config = config if config is not None else preset("lecture")
            model = make_model(config, vocabulary(self.words), device)
        self.model = model
        self.config = model.config
        self.data: dict[str, tuple[torch.Tensor, torch.Tensor]] | None = None
        self.train_words: set[str] = set()
        self.final: dict[str, float] = {}
        self._probe: torch.Tensor | None = None
        self._samples: list[str] = []
        self._samples_at = -math.inf
        self._sample_seed = 0
        self.lr = self.config.lr
        self.step = self.model.steps_trained
        self.temperature = 1.0  # of the samples detail() draws
        self.detail_every_s = 0.0  # see detail()
        self._detail_at = -math.inf
        self._opt: torch.optim.Optimizer | None = None  # kept across train() calls (Adam)

    def retune(self, config: CharMLPConfig) -> None:
        """Take new training settings (batch, optimizer, steps, rates, seed) for the next
        :meth:`train`; the model's shape and initialisation must stay the same."""
        if shape_key(config) != shape_key(self.config):
            raise ValueError("A different architecture needs a new model: press Reset.")
        self.config = self.model.config = config

    def prepare(self) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
        """Build the split (on the model's device) if not done yet."""
        if self.data is None:
            ds = build_dataset(self.words, self.config.block_size, itos=self.model.itos)
            dev = self.model.device
            data = {k: (X.to(dev), Y.to(dev)) for k, (X, Y) in ds.items()}
            self.train_words = set(split_words(self.words)["train"])
            n = len(data["train"][1])
            g = torch.Generator().manual_seed(1234)
            self._probe = data["train"][0][torch.randint(0, n, (1024,), generator=g).to(dev)]
            self.data = data  # last: whoever sees the data sees the probe too
        return self.data

    def losses(self) -> dict[str, float]:
        """Mean loss on each split, evaluation mode."""
        data = self.prepare()
        return {k: split_loss(self.model, X, Y) for k, (X, Y) in data.items()}

    def train(
        self,
        steps: int | None = None,
        settings: LiveSettings | None = None,
        dev_every: int | None = None,
        sample_every_s: float = 1.0,
        threads: int | None = 1,
    ) -> Iterator[Snapshot]:
        """Train for ``steps`` more steps, yielding a Snapshot after each.

        metrics: "loss" (this minibatch), "lr"; "dev_loss" every ``dev_every``
        steps and at the end.  A last extra Snapshot carries "final_train",
        "final_dev", "final_test".  ``settings.lr`` (the base rate, before
        decay) is read every step; ``settings.stop = True`` ends the run early
        (the final losses are still computed).  ``threads``: torch threads while it
        trains (a batch of 32 through a small MLP runs fastest on one; None: torch's).
        """
        cfg, model = self.config, self.model
        settings = settings if settings is not None else LiveSettings(lr=cfg.lr, stop=False)
        steps = cfg.steps if steps is None else steps
        self._sample_every_s = sample_every_s
        Xtr, Ytr = self.prepare()["train"]
        start = model.steps_trained
        end = start + steps
        dev_every = dev_every or default_dev_every(steps)
        if cfg.optimizer == "adam" and self._opt is None:
            self._opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)  # its moments carry on
        trainer = Trainer(model, Xtr, Ytr, self._opt)
        model.train()
        guard = DivergenceGuard("step", patience=50)  # minibatches are noisy: 50 in a row
        with torch_threads(threads or None, model.device):  # see training.torch_threads
            for step in range(start + 1, end + 1):
                loss = trainer.step(settings.lr)  # the lecture's step
                self.step, self.lr = step, trainer.lr
                metrics = {"loss": guard.check(loss, step), "lr": trainer.lr}
                if step % dev_every == 0 or step == end:
                    metrics["dev_loss"] = split_loss(model, *self.data["dev"])
                yield Snapshot(step, end, metrics, self.detail, "step")
                if getattr(settings, "stop", False):
                    break
            self.final = self.losses()
        final = {f"final_{k}": v for k, v in self.final.items()}
        self._detail_at = self._samples_at = -math.inf  # the last views are always fresh
        yield Snapshot(model.steps_trained, end, final, self.detail, "step")

    @torch.no_grad()
    def detail(self) -> dict[str, Any]:
        """Embedding (table and 2-D view), tanh histograms, grad/data ratios, fresh samples.

        If ``detail_every_s`` is set and the last views are younger than that, only
        {"step": ...} comes back (the caller keeps what it drew): a view-rate limit
        that keeps the training thread training.
        """
        now = time.monotonic()
        if now - self._detail_at < self.detail_every_s:
            return {"step": self.step}
        self._detail_at = now
        model = self.model
        self.prepare()
        C = model.C.detach().cpu().numpy().copy()
        xy, axes = embedding_2d(C)
        return {
            "embedding": C,
            "embedding_2d": xy,
            "axes": axes,
            "itos": list(model.itos),
            "activations": self.activations(),
            "ratios": self.ratios(),
            "samples": [(s, s in self.train_words) for s in self.samples(now)],
            "step": self.step,
        }

    def activations(self) -> list[dict[str, Any]]:
        """Part 3's "visualize histograms": each Tanh's output on a fixed probe batch (batch
        statistics; no grad, so BatchNorm's running estimates stay as they are)."""
        model = self.model
        was_training = model.training
        model.train()
        model(self._probe)
        out = []
        for t in model.tanh_layers():
            a = t.out.detach().float()
            counts = torch.histc(a, bins=50, min=-1.0, max=1.0).cpu().numpy()
            saturated = float((a.abs() > SATURATED).float().mean())
            out.append({"counts": counts, "saturated": saturated})
        model.train(was_training)
        return out

    def ratios(self) -> list[dict[str, Any]]:
        """Part 3's grad:data ratio (std of p.grad / std of p) of each weight, and for SGD
        the update:data ratio lr * that."""
        out = []
        for name, w in self.model.weights():
            if w.grad is None:
                continue
            ratio = float(w.grad.std()) / max(float(w.std()), 1e-12)
            sgd = self.config.optimizer == "sgd"
            out.append(
                {"name": name, "grad_data": ratio, "update_data": self.lr * ratio if sgd else None}
            )
        return out

    def samples(self, now: float) -> list[str]:
        """8 names from the model, fresh at most every ``sample_every_s`` seconds."""
        fresh = now - self._samples_at >= getattr(self, "_sample_every_s", 1.0)
        if fresh or not self._samples:
            self._sample_seed += 1
            self._samples = sample(
                self.model, 8, seed=self._sample_seed, temperature=self.temperature
            )
            self._samples_at = now
        return self._samples
