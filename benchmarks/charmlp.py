"""Character MLP benchmark: the tab's trainer against the lectures' own loops, and each preset.

    python benchmarks/charmlp.py            # quick: speed + short preset runs (a few minutes)
    python benchmarks/charmlp.py --skip-presets --rounds 6 --steps 2000   # speed only
    python benchmarks/charmlp.py --full     # every preset at its full length (many minutes)
    python benchmarks/charmlp.py --full --preset wavenet --skip-speed

1. Speed, in one process, interleaved rounds in a rotating order (the CPU is shared): the
   best round of each, the median of the per-round ratios and the ratio of CPU time
   (``time.thread_time``, which other processes disturb less).
   - On the lecture preset (makemore part 2: block 3, emb 10, 200 hidden), the reference is
     the lecture's loop as a learner types it (:class:`LectureLoop`: raw tensors C, W1, b1,
     W2, b2; ``p.grad = None``; ``loss.backward()``; ``p.data += -lr * p.grad``), on one
     thread and on torch's default threads; against it the tab's training generator
     (``charmlp_run.Run.train`` around ``charmlp.Trainer.step``, dev loss every 5,000 steps
     as on a 200k run) with autograd, with the hand-written backward of part 4
     (``backward="manual"``), and with autograd while ``detail()`` is drawn 10 times a second.
   - On the WaveNet preset, the reference is part 5's own code (:class:`Part5Loop`: the
     notebook's plain classes ``Linear``, ``BatchNorm1d``, ``Tanh``, ``Embedding``,
     ``FlattenConsecutive``, ``Sequential`` and its loop), against the WaveNet trainer; a
     quarter of the steps per round (a step costs about four of part 2's).
   Targets: autograd >= 1.0x part 2's loop (it is that loop), manual >= 1.5x, WaveNet >= 1.0x
   part 5's loop.  The trainer is the lecture's step with one fast path (the SGD update in one
   op per parameter); the manual one adds part 4's reused buffers (``ninja.Workspace``,
   ``out=``), exercise 2 in three ops and ``C[Xb]`` as ``index_select``.
   It runs on the code before issue 19 too (``charmlp.Run``): copy this file and
   common.py next to that checkout's benchmarks to compare.
   December 2026, 2 cores, quiet (load ~1), ``--rounds 6 --steps 2000``, two runs each,
   alternating with c3183d1 (best round / median round):
   autograd 0.984-0.992 / 0.963-0.994 (c3183d1 1.109-1.111 / 1.094-1.098, with its flat
   buffer, _foreach_add_, addmm and batches drawn 1,000 at a time); manual 1.553-1.566 /
   1.548-1.582 (1.808-1.823 / 1.683-1.734); WaveNet 1.008-1.012 / 1.013-1.037 (1.198-1.201,
   with its two-pass variance).  What the lecture form costs: nn.Module attribute access
   and ``__setattr__`` (Tanh's ``out``, ``steps_trained``), a few microseconds a step;
   ``addmm`` for ``x @ W + b`` measured within noise (1.004 against 1.010), so it is gone.
2. Presets: wall time and final train/dev/test loss of the trainer.  Targets at full
   length: lecture dev <= 2.19 (autograd and manual), batchnorm <= 2.12, wavenet <= 2.03.
   December 2026 (``--full --skip-speed``, loaded machine): lecture dev 2.169 (train 2.1250)
   in 265 s, by hand 2.170 in 542 s (other jobs running); batchnorm 2.108 in 290 s; wavenet
   train 1.7695, dev 1.993 in 402 s: the lectures' numbers.

Prints one JSON line and a table (benchmarks/common.py).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.common import ensure_datasets, row  # noqa: E402 - after the path is set

TARGETS = {"lecture": 2.19, "batchnorm": 2.12, "wavenet": 2.03}
QUICK_STEPS = {"lecture": 5000, "batchnorm": 5000, "tiny": 5000, "wavenet": 2000}
SPEED_TARGETS = {"autograd": 1.0, "manual": 1.5, "wavenet": 1.0}


# --------------------------------------------------------------------------- 1. speed
class LectureLoop:
    """makemore part 2's training loop, as typed in the lecture (its parameters persist
    across :meth:`train` calls, like a notebook's)."""

    def __init__(self, Xtr, Ytr):
        import torch

        self.Xtr, self.Ytr = Xtr, Ytr
        g = torch.Generator().manual_seed(2147483647)  # for reproducibility
        C = torch.randn((27, 10), generator=g)
        W1 = torch.randn((30, 200), generator=g)
        b1 = torch.randn(200, generator=g)
        W2 = torch.randn((200, 27), generator=g)
        b2 = torch.randn(27, generator=g)
        self.parameters = [C, W1, b1, W2, b2]
        for p in self.parameters:
            p.requires_grad = True
        self.g, self.i, self.lossi = g, 0, []

    def train(self, steps: int, threads: int | None = 1) -> tuple[float, float]:
        """``steps`` steps on ``threads`` torch threads (None: torch's default):
        (wall seconds, CPU seconds of this thread)."""
        from playground.core.training import torch_threads

        with torch_threads(threads):
            return self._train(steps)

    def _train(self, steps: int) -> tuple[float, float]:
        import torch
        import torch.nn.functional as F

        Xtr, Ytr, g, lossi = self.Xtr, self.Ytr, self.g, self.lossi
        C, W1, b1, W2, b2 = parameters = self.parameters
        t0, c0 = time.perf_counter(), time.thread_time()
        for i in range(self.i, self.i + steps):
            # minibatch construct
            ix = torch.randint(0, Xtr.shape[0], (32,), generator=g)
            # forward pass
            emb = C[Xtr[ix]]  # (32, 3, 10)
            h = torch.tanh(emb.view(-1, 30) @ W1 + b1)  # (32, 200)
            logits = h @ W2 + b2  # (32, 27)
            loss = F.cross_entropy(logits, Ytr[ix])
            # backward pass
            for p in parameters:
                p.grad = None
            loss.backward()
            # update
            lr = 0.1 if i < 100000 else 0.01
            for p in parameters:
                p.data += -lr * p.grad
            # track stats
            lossi.append(loss.log10().item())
        self.i += steps
        return time.perf_counter() - t0, time.thread_time() - c0

    def dev_loss(self, Xdev, Ydev) -> float:
        import torch
        import torch.nn.functional as F

        C, W1, b1, W2, b2 = self.parameters
        with torch.no_grad():
            h = torch.tanh(C[Xdev].view(-1, 30) @ W1 + b1)
            return F.cross_entropy(h @ W2 + b2, Ydev).item()


class Part5Loop:
    """makemore part 5's WaveNet and its training loop, as typed in the lecture: the cell
    "Near copy paste of the layers we have developed in Part 3" (plain classes with
    ``__call__`` and ``parameters()``), the hierarchical network (n_embd 24, n_hidden 128,
    76,579 parameters) and "same optimization as last time".  A seeded generator instead of
    torch's global one; otherwise the lecture's code."""

    def __init__(self, Xtr, Ytr):
        import torch

        g = torch.Generator().manual_seed(42)

        class Linear:
            def __init__(self, fan_in, fan_out, bias=True):
                self.weight = torch.randn((fan_in, fan_out), generator=g) / fan_in**0.5
                self.bias = torch.zeros(fan_out) if bias else None

            def __call__(self, x):
                self.out = x @ self.weight
                if self.bias is not None:
                    self.out += self.bias
                return self.out

            def parameters(self):
                return [self.weight] + ([] if self.bias is None else [self.bias])

        class BatchNorm1d:
            def __init__(self, dim, eps=1e-5, momentum=0.1):
                self.eps = eps
                self.momentum = momentum
                self.training = True
                self.gamma = torch.ones(dim)
                self.beta = torch.zeros(dim)
                self.running_mean = torch.zeros(dim)
                self.running_var = torch.ones(dim)

            def __call__(self, x):
                if self.training:
                    if x.ndim == 2:
                        dim = 0
                    elif x.ndim == 3:
                        dim = (0, 1)
                    xmean = x.mean(dim, keepdim=True)  # batch mean
                    xvar = x.var(dim, keepdim=True)  # batch variance
                else:
                    xmean = self.running_mean
                    xvar = self.running_var
                xhat = (x - xmean) / torch.sqrt(xvar + self.eps)  # normalize to unit variance
                self.out = self.gamma * xhat + self.beta
                if self.training:
                    with torch.no_grad():
                        m = self.momentum
                        self.running_mean = (1 - m) * self.running_mean + m * xmean
                        self.running_var = (1 - m) * self.running_var + m * xvar
                return self.out

            def parameters(self):
                return [self.gamma, self.beta]

        class Tanh:
            def __call__(self, x):
                self.out = torch.tanh(x)
                return self.out

            def parameters(self):
                return []

        class Embedding:
            def __init__(self, num_embeddings, embedding_dim):
                self.weight = torch.randn((num_embeddings, embedding_dim), generator=g)

            def __call__(self, IX):
                self.out = self.weight[IX]
                return self.out

            def parameters(self):
                return [self.weight]

        class FlattenConsecutive:
            def __init__(self, n):
                self.n = n

            def __call__(self, x):
                B, T, C = x.shape
                x = x.view(B, T // self.n, C * self.n)
                if x.shape[1] == 1:
                    x = x.squeeze(1)
                self.out = x
                return self.out

            def parameters(self):
                return []

        class Sequential:
            def __init__(self, layers):
                self.layers = layers

            def __call__(self, x):
                for layer in self.layers:
                    x = layer(x)
                self.out = x
                return self.out

            def parameters(self):
                return [p for layer in self.layers for p in layer.parameters()]

        vocab_size, n_embd, n_hidden = 27, 24, 128
        # fmt: off
        model = Sequential([
            Embedding(vocab_size, n_embd),
            FlattenConsecutive(2), Linear(n_embd * 2, n_hidden, bias=False), BatchNorm1d(n_hidden), Tanh(),  # noqa: E501
            FlattenConsecutive(2), Linear(n_hidden*2, n_hidden, bias=False), BatchNorm1d(n_hidden), Tanh(),  # noqa: E501
            FlattenConsecutive(2), Linear(n_hidden*2, n_hidden, bias=False), BatchNorm1d(n_hidden), Tanh(),  # noqa: E501
            Linear(n_hidden, vocab_size),
        ])
        # fmt: on
        with torch.no_grad():
            model.layers[-1].weight *= 0.1  # last layer make less confident
        parameters = model.parameters()
        for p in parameters:
            p.requires_grad = True
        self.model, self.parameters, self.Xtr, self.Ytr = model, parameters, Xtr, Ytr
        self.g, self.i, self.lossi = g, 0, []

    def train(self, steps: int, threads: int | None = 1) -> tuple[float, float]:
        """``steps`` steps on ``threads`` torch threads: (wall seconds, CPU seconds)."""
        from playground.core.training import torch_threads

        with torch_threads(threads):
            return self._train(steps)

    def _train(self, steps: int) -> tuple[float, float]:
        import torch
        import torch.nn.functional as F

        model, parameters, Xtr, Ytr, g = self.model, self.parameters, self.Xtr, self.Ytr, self.g
        batch_size, lossi = 32, self.lossi
        t0, c0 = time.perf_counter(), time.thread_time()
        for i in range(self.i, self.i + steps):
            # minibatch construct
            ix = torch.randint(0, Xtr.shape[0], (batch_size,), generator=g)
            Xb, Yb = Xtr[ix], Ytr[ix]  # batch X,Y
            # forward pass
            logits = model(Xb)
            loss = F.cross_entropy(logits, Yb)  # loss function
            # backward pass
            for p in parameters:
                p.grad = None
            loss.backward()
            # update: simple SGD
            lr = 0.1 if i < 150000 else 0.01  # step learning rate decay
            for p in parameters:
                p.data += -lr * p.grad
            # track stats
            lossi.append(loss.log10().item())
        self.i += steps
        return time.perf_counter() - t0, time.thread_time() - c0

    def dev_loss(self, Xdev, Ydev) -> float:
        import torch
        import torch.nn.functional as F

        for layer in self.model.layers:
            layer.training = False
        with torch.no_grad():
            loss = F.cross_entropy(self.model(Xdev), Ydev).item()
        for layer in self.model.layers:
            layer.training = True
        return loss


def trainer_round(run, steps: int, with_detail: bool) -> tuple[float, float]:
    """``steps`` steps of the tab's generator, driven as the worker drives it: (wall s, CPU s).

    The dev loss is measured as often as on a full-length run of the preset (every 5,000
    steps for 200k); the last step's (every train() call measures it at its end) and the
    closing evaluation of the three splits are not timed: ``steps + 1`` steps run, the
    first ``steps`` are timed.
    """
    dev_every = max(500, run.config.steps // 40)  # charmlp_run.default_dev_every
    end = run.model.steps_trained + steps + 1
    t0, c0 = time.perf_counter(), time.thread_time()
    last_detail = t_end = t0
    c_end = c0
    for snap in run.train(steps + 1, dev_every=dev_every):
        if snap.step == end:
            break  # the last step (its dev loss) and the closing snapshot are not timed
        if with_detail and time.perf_counter() - last_detail > 1 / 10:  # the tab draws at 10 Hz
            snap.materialize()
            last_detail = time.perf_counter()
        t_end, c_end = time.perf_counter(), time.thread_time()
    return t_end - t0, c_end - c0


def new_run(words, config):
    """The tab's training generator's owner (``charmlp_run.Run``; ``charmlp.Run`` before)."""
    from playground.core import charmlp

    if hasattr(charmlp, "Run"):  # c3183d1, to measure the code before this one
        return charmlp.Run(words, config)
    from playground.core import charmlp_run

    return charmlp_run.Run(words, config)


def speed(words, steps: int, rounds: int, part5: bool = True) -> list[dict]:
    """Interleaved rounds of the lecture loops and the trainers: on the lecture preset
    (part 2's loop the reference) and on the WaveNet preset (part 5's loop the reference;
    a quarter of the steps, each costs about four of part 2's)."""
    from playground.core import charmlp

    cfg = charmlp.preset("lecture")
    ds = charmlp.build_dataset(words, cfg.block_size)
    Xtr, Ytr = ds["train"]
    loops = {"lecture": LectureLoop(Xtr, Ytr), "lecture, default threads": LectureLoop(Xtr, Ytr)}
    runs = {
        "autograd": new_run(words, cfg),
        "manual": new_run(words, charmlp.with_changes(cfg, backward="manual")),
        "autograd+detail": new_run(words, cfg),
    }
    ref_of = dict.fromkeys(runs, "lecture")
    count = dict.fromkeys([*loops, *runs], steps)
    if part5:
        wavenet = charmlp.preset("wavenet")
        ds8 = charmlp.build_dataset(words, wavenet.block_size)
        loops["part 5"] = Part5Loop(*ds8["train"])
        runs["wavenet"] = new_run(words, wavenet)
        ref_of["wavenet"] = "part 5"
        count["part 5"] = count["wavenet"] = max(steps // 4, 1)
    for run in runs.values():
        run.prepare()
    names = [*loops, *runs]
    wall: dict[str, list[float]] = {k: [] for k in names}
    cpu: dict[str, list[float]] = {k: [] for k in names}
    for i in range(rounds):
        for name in names[i % len(names) :] + names[: i % len(names)]:  # rotate the order
            if name in loops:
                w, c = loops[name].train(count[name], None if "default" in name else 1)
            else:
                w, c = trainer_round(runs[name], count[name], name.endswith("detail"))
            wall[name].append(w)
            cpu[name].append(c)
    rate = {k: count[k] / min(v) for k, v in wall.items()}  # best round
    dev = {k: loop.dev_loss(*ds["dev"]) for k, loop in loops.items() if k != "part 5"}
    if part5:
        dev["part 5"] = loops["part 5"].dev_loss(*ds8["dev"])
    dev.update({k: charmlp.split_loss(r.model, *r.prepare()["dev"]) for k, r in runs.items()})
    part2 = max(("lecture", "lecture, default threads"), key=rate.get)  # the faster setting
    rows = []
    for k in loops:
        label = (
            "lecture loop (part 5, WaveNet)"
            if k == "part 5"
            else f"lecture loop (part 2), {'1 thread' if k == 'lecture' else 'default threads'}"
        )
        rows.append(
            row(
                label,
                round(rate[k], 1),
                "steps/s",
                notes=f"best of {rounds} rounds of {count[k]:,}; dev {dev[k]:.4f} after "
                f"{rounds * count[k]:,} steps"
                + ("; the reference" if k in (part2, "part 5") else ""),
            )
        )
    for name in runs:
        ref = part2 if ref_of[name] == "lecture" else "part 5"
        ratio = rate[name] / rate[ref]
        median = statistics.median(lw / tw for lw, tw in zip(wall[ref], wall[name], strict=True))
        cpu_ratio = min(cpu[ref]) / min(cpu[name])
        target = SPEED_TARGETS.get(name)
        rows += [
            row(f"trainer ({name})", round(rate[name], 1), "steps/s"),
            row(
                f"trainer ({name}) / lecture loop ({'part 5' if ref == 'part 5' else 'part 2'})",
                round(ratio, 3),
                "x",
                f">= {target}" if target else "",
                ratio >= target if target else None,
                f"median round {median:.3f}, CPU time {cpu_ratio:.3f}; "
                f"dev {dev[name]:.4f} after {rounds * count[name]:,} steps",
            ),
        ]
    return rows


# --------------------------------------------------------------------------- 2. presets
def train_preset(words, name: str, steps: int | None, backward: str = "autograd") -> list[dict]:
    """Train one preset from scratch: rows for its wall time and its final losses."""
    from playground.core import charmlp

    cfg = charmlp.with_changes(charmlp.preset(name), backward=backward)
    steps = cfg.steps if steps is None else steps
    run = new_run(words, cfg)
    run.prepare()
    t0 = time.perf_counter()
    for snap in run.train(steps):
        if "dev_loss" in snap.metrics and snap.step % 10_000 == 0:  # progress, to stderr
            elapsed = time.perf_counter() - t0
            print(
                f"{name} ({backward}) step {snap.step:,} dev {snap.metrics['dev_loss']:.4f} "
                f"{elapsed:.0f} s",
                file=sys.stderr,
                flush=True,
            )
    wall = time.perf_counter() - t0
    f = run.final
    label = f"{name} ({backward}), {steps:,} steps"
    full = steps == charmlp.preset(name).steps and name in TARGETS
    target = f"<= {TARGETS[name]}" if full else ""
    return [
        row(f"{label}: wall", round(wall, 1), "s", notes=f"{steps / wall:.0f} steps/s"),
        row(
            f"{label}: dev loss",
            round(f["dev"], 4),
            "",
            target,
            f["dev"] <= TARGETS[name] if full else None,
            f"train {f['train']:.4f}, test {f['test']:.4f}; "
            f"{charmlp.count_parameters(cfg):,} parameters",
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--full", action="store_true", help="train every preset at its full length")
    p.add_argument("--preset", action="append", help="only these presets (repeatable)")
    p.add_argument("--skip-speed", action="store_true", help="skip the speed measurement")
    p.add_argument("--skip-presets", action="store_true", help="only the speed measurement")
    p.add_argument("--rounds", type=int, default=8, help="speed: interleaved rounds")
    p.add_argument("--steps", type=int, default=2500, help="speed: steps per round")
    p.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    args = p.parse_args(argv)
    ensure_datasets("names")
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    from benchmarks.common import report
    from playground.core import charmlp, data

    words = data.load_words()
    rows: list[dict] = []
    if not args.skip_speed:
        rows += speed(words, args.steps, args.rounds)
    if not args.skip_presets:
        for name in args.preset or list(charmlp.PRESETS):
            steps = None if args.full else QUICK_STEPS.get(name, 5000)
            rows += train_preset(words, name, steps)
            if name == "lecture":
                rows += train_preset(words, name, steps, backward="manual")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    report(
        "charmlp",
        rows,
        mode="full" if args.full else "quick",
        torch_threads=torch.get_num_threads(),
        load_average=round(load, 1),
        cpus=os.cpu_count(),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
