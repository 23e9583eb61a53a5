"""Benchmark of the Backprop tab's engine: one step of micrograd's moons demo.

    python benchmarks/backprop.py              # ~3 minutes
    python benchmarks/backprop.py --rounds 5 --steps 3
    python benchmarks/backprop.py --base /tmp/base   # also the engine of another checkout

One step = forward (100 moons points through MLP(2, [16, 16, 1]), max-margin loss + 1e-4
L2: ~66,000 Values), zero_grad, backward, SGD update with micrograd's lr schedule.

1. Ours vs micrograd 0.1.0 as shipped (the PyPI package, ``pip install -e ".[bench]"``),
   all from the same weights (``random.seed(1337)`` before each MLP), in rounds that
   alternate between them in this process; every loss is compared (equal but for the
   order of sums: < 1e-12).  Ours is :func:`playground.core.micrograd_demo.demo_step`, the
   collector paused for the step (``gc_paused``); micrograd runs its ``demo.ipynb`` step
   verbatim, with Python's garbage collector on, as a learner runs it.  Also shown: each
   with the collector the other way (micrograd paused, its cyclic garbage collected after
   each step; ours on), and with ``--base`` the engine of another checkout (c3183d1's
   ``micrograd.py``, which holds its own ``demo_step``).
2. torch on the same network: the learner's raw-tensor code (float64, the same weights,
   ``p.data -= lr * p.grad``), 1 thread and the default threads; its loss must match.
3. What the Backprop tab states, measured as it measures it: the ratio of the two
   engines' MEDIAN step times over a run of its defaults (100 steps of MLP(2, [16, 16, 1])
   on 100 moons, torch beside it, one thread each).  Its engine runs the demo's own step
   (``micrograd_demo.demo_step``), and its torch step runs right after each of ours (cold
   caches: slower than in a loop of its own).  Run twice: in the
   tab itself (Play; the job in its child process at lower priority while the GUI draws,
   offscreen) and the same job in this process, to tell the machine's share from the code's.

Target: ours >= 5x faster than micrograd 0.1.0 as shipped.  Prints one JSON line and a
table (benchmarks/common.py).
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.common import row  # noqa: E402 - after the path is set

SEED = 1337
N_POINTS = 100
OURS, MICROGRAD = "ours", "micrograd 0.1.0"


def notebook_step(Value, model, X, y, k: int) -> float:
    """micrograd's demo.ipynb, verbatim but for the names: returns the loss."""
    inputs = [list(map(Value, xrow)) for xrow in X]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores, strict=True)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * sum(p * p for p in model.parameters())
    total_loss = data_loss + reg_loss
    model.zero_grad()
    total_loss.backward()
    learning_rate = 1.0 - 0.9 * k / 100
    for p in model.parameters():
        p.data -= learning_rate * p.grad
    return total_loss.data


def paused(Value) -> Callable:
    """:func:`notebook_step` with the collector paused, and the young garbage the step left
    collected after it (what the collector's next run does): a whole step's cost."""
    from playground.core.micrograd_demo import gc_paused

    def step(model, X, y, k: int) -> float:
        with gc_paused():
            loss = notebook_step(Value, model, X, y, k)
        gc.collect(0)
        return loss

    return step


def load_base(path: str):
    """``playground/core/micrograd.py`` of another checkout, as a module of its own."""
    where = Path(path) / "playground" / "core" / "micrograd.py"
    spec = importlib.util.spec_from_file_location("base_micrograd", where)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def contenders(base: str | None) -> dict[str, tuple[Callable, type]]:
    """name -> (step(model, X, y, k) -> loss, its MLP class)."""
    from playground.core import micrograd, micrograd_demo

    out: dict[str, tuple[Callable, type]] = {
        OURS: (lambda m, X, y, k: micrograd_demo.demo_step(m, X, y, k)[0], micrograd.MLP),
        f"{OURS}, collector on": (
            lambda m, X, y, k: notebook_step(micrograd.Value, m, X, y, k),
            micrograd.MLP,
        ),
    }
    if base:
        old = load_base(base)
        out[f"base ({base})"] = (lambda m, X, y, k: old.demo_step(m, X, y, k)[0], old.MLP)
    try:
        from micrograd import engine, nn
    except ImportError:
        print("micrograd is not installed: pip install -e '.[bench]'", file=sys.stderr)
    else:
        out[MICROGRAD] = (lambda m, X, y, k: notebook_step(engine.Value, m, X, y, k), nn.MLP)
        out[f"{MICROGRAD}, collector paused"] = (paused(engine.Value), nn.MLP)
    return out


def bench_engines(rounds: int, steps: int, base: str | None) -> tuple[dict, dict, object]:
    """Seconds per step of each contender (one list per contender, a median per round),
    the largest loss difference of each from ours, and our model after the rounds."""
    from playground.core.micrograd_demo import make_moons

    X, y = make_moons(N_POINTS, noise=0.1, seed=SEED)
    steps_of = contenders(base)
    models = {}
    for name, (_, MLP) in steps_of.items():
        random.seed(SEED)
        models[name] = MLP(2, [16, 16, 1])
    times: dict[str, list[float]] = {name: [] for name in models}
    losses: dict[str, list[float]] = {name: [] for name in models}
    assert gc.isenabled(), "the collector must be on, as a learner runs micrograd"
    names = list(steps_of)
    for r in range(rounds):  # alternate (and reverse every other round): load hits all alike
        for name in names if r % 2 == 0 else names[::-1]:
            step = steps_of[name][0]
            t0 = time.perf_counter()
            for s in range(steps):
                losses[name].append(step(models[name], X, y, r * steps + s))
            times[name].append((time.perf_counter() - t0) / steps)
            gc.collect()  # each contender starts its round with a clean heap
    diff = {
        name: max(abs(a - b) for a, b in zip(losses[OURS], got, strict=True))
        for name, got in losses.items()
    }
    return times, diff, models[OURS]


def torch_step(params, X, y, k: int) -> float:
    """The same step written with tensors, as a learner would after the lecture."""
    import torch

    h = X
    for i in range(0, len(params), 2):
        W, b = params[i], params[i + 1]
        h = h @ W.T + b
        if i + 2 < len(params):
            h = torch.relu(h)
    data_loss = torch.relu(1 - y * h[:, 0]).mean()
    loss = data_loss + 1e-4 * sum((p * p).sum() for p in params)
    for p in params:
        p.grad = None
    loss.backward()
    lr = 1.0 - 0.9 * k / 100
    with torch.no_grad():
        for p in params:
            p.data -= lr * p.grad
    return loss.item()


def torch_params(model):
    import torch

    params = []
    from playground.core.micrograd_demo import weights

    for W, b in weights(model):
        params.append(torch.tensor(W, dtype=torch.float64, requires_grad=True))
        params.append(torch.tensor(b, dtype=torch.float64, requires_grad=True))
    return params


def bench_torch(model, rounds: int, steps: int) -> tuple[dict, float]:
    """Seconds per torch step (1 thread, default threads) from ``model``'s weights, and the
    difference of the first loss from ours."""
    import torch

    from playground.core import micrograd_demo as demo

    X, y = demo.make_moons(N_POINTS, noise=0.1, seed=SEED)
    Xt = torch.tensor(X, dtype=torch.float64)
    yt = torch.tensor(y, dtype=torch.float64)
    ours_loss = demo.demo_loss(model, X, y)[0].data
    params = torch_params(model)
    diff = abs(torch_step(params, Xt, yt, 0) - ours_loss)
    default = torch.get_num_threads()
    times: dict[str, list[float]] = {"1 thread": [], f"{default} threads": []}
    for _ in range(rounds):
        for label, n in ((f"{default} threads", default), ("1 thread", 1)):
            torch.set_num_threads(n)
            params = torch_params(model)
            t0 = time.perf_counter()
            for s in range(steps * 10):
                torch_step(params, Xt, yt, s % 100)
            times[label].append((time.perf_counter() - t0) / (steps * 10))
    torch.set_num_threads(default)
    return {k: statistics.median(v) for k, v in times.items()}, diff


def _medians(steps: list[dict]) -> tuple[float, float, float]:
    """What the tab states: the median ms/step of each engine over a run, and their ratio."""
    ours = statistics.median(m["ours_ms"] for m in steps)
    theirs = statistics.median(m["torch_ms"] for m in steps)
    return ours, theirs, ours / theirs


def bench_tab_job(rounds: int) -> list[tuple[float, float, float]]:
    """The tab's own job with the tab's defaults, run in this process (no GUI)."""
    from playground.ui.tabs.backprop.job import demo_job
    from playground.ui.tabs.backprop.state import BackpropState

    return [
        _medians([snap.metrics for snap in demo_job(BackpropState().values())])
        for _ in range(rounds)
    ]


def bench_tab(rounds: int) -> list[tuple[float, float, float]]:
    """The figure the Backprop tab shows after a run of its defaults (Play, 100 steps): the
    tab trains in its child process (lower priority) while the GUI draws (offscreen)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from playground.ui.tabs.backprop import BackpropTab

    app = QApplication.instance() or QApplication([])
    out = []
    for _ in range(rounds):
        tab = BackpropTab()
        tab.resize(1360, 800)
        tab.show()
        steps: list[dict] = []
        tab.session.frame.connect(lambda f, steps=steps: steps.extend(m for _, m in f.history))
        tab.state.page = "train"
        tab.session.play()
        deadline = time.monotonic() + 600
        while tab.session.state != "finished" and time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.005)
        shown = tab.train.speed.text()
        tab.shutdown()
        ours, theirs, ratio = _medians(steps)
        assert f"torch {ratio:.0f}x faster" in shown, shown  # what the tab says
        out.append((ours, theirs, ratio))
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--rounds", type=int, default=7, help="alternating timing rounds")
    p.add_argument("--steps", type=int, default=3, help="demo steps per engine per round")
    p.add_argument("--base", help="another checkout whose micrograd.py has demo_step")
    p.add_argument("--engines-only", action="store_true", help="skip torch and the tab")
    args = p.parse_args(argv)
    what = f"MLP(2,[16,16,1]), {N_POINTS} points, fwd+bwd+SGD"
    rows = []
    times, diff, model = bench_engines(args.rounds, args.steps, args.base)
    ours = statistics.median(times[OURS])
    for name, t in times.items():
        notes = f"median (min-max) of {args.rounds} alternating rounds" if name == OURS else ""
        rows.append(row(name, 1000 * statistics.median(t), "ms/step", notes=notes or what))
        rows.append(row("  its range", _span([1000 * x for x in t]), "ms/step"))
        if name != OURS:
            same = diff[name] < 1e-12  # sums in another order: a few ulps
            rows.append(row("  loss - ours", diff[name], "", "< 1e-12", same, "every step"))
    for name, t in times.items():
        if name == OURS:
            continue
        ratio = statistics.median(t) / ours
        target, ok = (">= 5", ratio >= 5) if name == MICROGRAD else ("", None)
        per_round = [a / b for a, b in zip(t, times[OURS], strict=True)]
        notes = f"per round: {_span(per_round)}"
        rows.append(row(f"ours faster than {name}", ratio, "x", target, ok, notes))
    if not args.engines_only:
        rows += other_rows(args, model, ours)
    from benchmarks.common import report

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    report("backprop", rows, load_average=round(load, 1), cpus=os.cpu_count())
    ok = all(r.get("ok") is not False for r in rows)
    print(json.dumps({"all_targets_met": ok}))
    return 0


def other_rows(args, model, ours: float) -> list[dict]:
    """torch beside ours, and what the tab shows."""
    rows = []
    tt, tdiff = bench_torch(model, args.rounds, args.steps)
    for label, sec in tt.items():
        rows.append(row(f"torch, {label}", 1000 * sec, "ms/step", notes="raw tensors, float64"))
    best = min(tt.values())
    rows.append(row("torch speed-up over ours", ours / best, "x"))
    rows.append(row("torch loss - ours", tdiff, "", "< 1e-12", tdiff < 1e-12, "same weights"))
    n = max(1, args.rounds // 2)
    for where, runs in (("tab", bench_tab(n)), ("tab's job, no GUI", bench_tab_job(n))):
        what = f"medians of the demo's 100 steps; {len(runs)} runs, min-max"
        mine, theirs, ratios = ([r[i] for r in runs] for i in range(3))
        rows.append(row(f"{where}: ours, the demo's step", _mid(mine), "ms/step"))
        rows.append(row(f"{where}: torch after each of our steps", _mid(theirs), "ms/step"))
        rows.append(row(f"{where}: torch speed-up shown", _mid(ratios), "x", notes=what))
        rows.append(row(f"{where}: its range", _span(ratios), "x"))
    return rows


def _span(values: list[float]) -> str:
    return f"{min(values):.3g}-{max(values):.3g}"


def _mid(values: list[float]) -> float:
    return statistics.median(values)


if __name__ == "__main__":
    sys.exit(main())
