"""Benchmark of the Decision boundary tab: trainer speed, live view, GUI stalls, start-up.

    python benchmarks/boundary.py            # everything (~1 minute)
    python benchmarks/boundary.py --parts speed,launch --seconds 3

1. speed:  epochs/s of ``toy.train`` (the tab's trainer, with its per-epoch train/test
           metrics) vs a plain torch loop (same ToyModel, data, optimizer, batch size; no
           metrics at all), [8,8] tanh, 500 training points, batch 10, SGD.  Rounds alternate
           between the two; the ratio of medians is measured in the same run.  The plain loop
           is timed both with torch's default threads and with 1 thread (the trainer uses
           1 thread on the CPU because the matrices are tiny); the ratio is against the faster.
           The plain loop uses torch.optim.SGD; the trainer toy.Optimizer (the update rules
           written out, tested to take torch.optim's steps).
           Also: seconds to import torch + toy and to the first epoch in a fresh process.
   --against DIR: epochs/s of ``toy.train`` here and in another checkout DIR (e.g.
           ``git worktree add /tmp/base c3183d1``), one long-lived process each, taking
           turns round by round (so load changes hit both alike), for each optimizer of
           ``--optimizers``; reports both medians, their ratio and its range over rounds.
2. frames: frames/s of the boundary view while the real tab trains a net (``--hidden``,
           default 8,8) on 500 points with a 100x100 grid (counting ``worker.frame``
           signals in an offscreen app; every frame redraws the plane's heatmap, boundary
           and numbers, the curves take a frame's new epochs ~10 times a second, the
           diagram's neuron maps and edges are redrawn in turns within a small budget).
           A frame needs a new epoch: frames/s <= epochs/s.
3. stall:  the longest gap between ticks of a 5 ms QTimer on the GUI thread meanwhile; also
           from pressing Play, and over 4 architecture changes mid-run (a new model each).
4. launch: a fresh ``python`` process that builds ``MainWindow(tab="boundary")`` and shows
           it: seconds from spawning the process until the window's first paint.

Targets: ratio >= 0.9, >= 60 frames/s (the tab's worker caps frames at 1000/FAST_FRAME_MS),
stall <= 25 ms, window <= 1.5 s.  Prints one JSON line and a table (benchmarks/common.py).

    python benchmarks/boundary.py --parts frames --hidden 32,32,32,32,32,32
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.common import ensure_datasets, row  # noqa: E402 - after the path is set

N_TRAIN = 500
HIDDEN = (8, 8)
BATCH = 10


# ------------------------------------------------------------------------- 1. speed
def _data():
    from playground.core import toy

    X, y = toy.make_dataset("spiral", n=2 * N_TRAIN, noise=0.1, seed=0)
    return toy.split(X, y, test_fraction=0.5, seed=0)  # 500 train, 500 test


def _config():
    from playground.core import toy

    return toy.ToyConfig(
        hidden=HIDDEN, activation="tanh", optimizer="sgd", lr=0.03, batch_size=BATCH
    )


def plain_loop(epochs: int, threads: int | None) -> float:
    """Seconds for ``epochs`` of the textbook torch loop on the same model and data."""
    import torch

    from playground.core import toy

    Xtr, ytr, _, _ = _data()
    model = toy.ToyModel(_config())
    F = model.inputs(Xtr)  # the same features the trainer computes once
    Y = torch.as_tensor(ytr).float()
    opt = torch.optim.SGD(model.parameters(), lr=0.03)
    lossf = torch.nn.functional.binary_cross_entropy_with_logits
    before = torch.get_num_threads()
    if threads:
        torch.set_num_threads(threads)
    try:
        t0 = time.perf_counter()
        for _ in range(epochs):
            perm = torch.randperm(len(F))
            for i in range(0, len(F), BATCH):
                idx = perm[i : i + BATCH]
                loss = lossf(model(F[idx])[:, 0], Y[idx])
                opt.zero_grad()
                loss.backward()
                opt.step()
        return time.perf_counter() - t0
    finally:
        torch.set_num_threads(before)


def toy_trainer(epochs: int) -> float:
    """Seconds for ``epochs`` of ``toy.train`` (metrics on train and test every epoch)."""
    from playground.core import toy

    Xtr, ytr, Xte, yte = _data()
    model = toy.ToyModel(_config())
    t0 = time.perf_counter()
    for _ in toy.train(model, Xtr, ytr, Xte, yte, epochs=epochs):
        pass
    return time.perf_counter() - t0


_TRAINER = r"""
import sys, time
sys.path.insert(0, sys.argv[1])
from playground.core import toy
X, y = toy.make_dataset("spiral", n=N, noise=0.1, seed=0)
Xtr, ytr, Xte, yte = toy.split(X, y, test_fraction=0.5, seed=0)
for line in sys.stdin:  # "optimizer epochs": time that many epochs of toy.train
    name, epochs = line.split()
    cfg = toy.ToyConfig(
        hidden=HIDDEN, activation="tanh", optimizer=name, lr=0.003, batch_size=BATCH
    )
    model = toy.ToyModel(cfg)
    t0 = time.perf_counter()
    for _ in toy.train(model, Xtr, ytr, Xte, yte, epochs=int(epochs)):
        pass
    print(time.perf_counter() - t0, flush=True)
"""


def bench_against(other: str, rounds: int, epochs: int, optimizers: list[str]) -> list[dict]:
    """epochs/s of toy.train in this checkout and in ``other``, alternating round by round."""
    trees = {"this": str(ROOT), "other": str(Path(other).resolve())}
    procs = {
        k: subprocess.Popen(
            [
                sys.executable,
                "-c",
                f"N, HIDDEN, BATCH = {2 * N_TRAIN}, {HIDDEN}, {BATCH}\n{_TRAINER}",
                tree,
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=tree,
        )
        for k, tree in trees.items()
    }

    def timed(k: str, name: str, n: int) -> float:
        procs[k].stdin.write(f"{name} {n}\n")
        procs[k].stdin.flush()
        return float(procs[k].stdout.readline())

    rows = []
    try:
        for name in optimizers:
            for k in procs:
                timed(k, name, 3)  # warm up
            times: dict[str, list[float]] = {"this": [], "other": []}
            for r in range(rounds):
                order = ("this", "other") if r % 2 == 0 else ("other", "this")
                for k in order:
                    times[k].append(timed(k, name, epochs))
            ratios = sorted(o / t for t, o in zip(times["this"], times["other"], strict=True))
            rate = {k: epochs / statistics.median(v) for k, v in times.items()}
            ratio = rate["this"] / rate["other"]
            span = f"rounds {ratios[0]:.2f}..{ratios[-1]:.2f}, {rounds} alternating"
            rows += [
                row(f"{name}: toy.train here", rate["this"], "epochs/s"),
                row(f"{name}: toy.train in {other}", rate["other"], "epochs/s"),
                row(f"{name}: ratio here / there", ratio, "", ">= 0.9", ratio >= 0.9, span),
            ]
    finally:
        for proc in procs.values():
            proc.stdin.close()
            proc.wait(timeout=30)
    return rows


def bench_speed(rounds: int, epochs: int) -> list[dict]:
    import torch

    default_threads = torch.get_num_threads()
    toy_trainer(3), plain_loop(3, None), plain_loop(3, 1)  # warm up
    times: dict[str, list[float]] = {"toy": [], "plain": [], "plain1": []}
    for _ in range(rounds):  # alternate, so load changes hit both alike
        times["toy"].append(toy_trainer(epochs))
        times["plain"].append(plain_loop(epochs, None))
        times["plain1"].append(plain_loop(epochs, 1))
    rate = {k: epochs / statistics.median(v) for k, v in times.items()}
    best_plain = max(rate["plain"], rate["plain1"])
    ratio = rate["toy"] / best_plain
    what = f"[8,8] tanh, {N_TRAIN} points, batch {BATCH}, SGD"
    return [
        row("toy.train (the tab's trainer)", rate["toy"], "epochs/s", notes=what + ", metrics"),
        row(
            f"plain loop, {default_threads} threads", rate["plain"], "epochs/s", notes="no metrics"
        ),
        row("plain loop, 1 thread", rate["plain1"], "epochs/s", notes="no metrics"),
        row("ratio trainer / best plain", ratio, "", ">= 0.9", ratio >= 0.9, f"median of {rounds}"),
    ]


# ------------------------------------------------------------------ 2-3. frames, stall
def bench_ui(seconds: float, hidden: tuple[int, ...] = HIDDEN) -> list[dict]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    tmp = tempfile.mkdtemp(prefix="boundary-bench-")
    os.environ["XDG_CONFIG_HOME"] = tmp  # keep the user's settings out of it
    ensure_datasets()
    import pyqtgraph as pg
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    pg.setConfigOptions(antialias=True, imageAxisOrder="row-major")
    from playground.ui.tabs.boundary import RES, BoundaryTab

    tab = BoundaryTab()
    frame_ms = tab.session.worker.frame_ms
    tab.resize(1360, 860)
    tab.show()
    tab.state.update(points=2 * N_TRAIN, hidden=hidden)  # 50% held out: 500 training points
    deadline = time.monotonic() + 60
    while not tab.is_ready() and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)
    for _ in range(20):
        app.processEvents()
        time.sleep(0.01)
    n_train = len(tab.points()[0]) if tab.points() is not None else -1

    frames: list[float] = []
    epochs = [0]

    def on_frame(frame) -> None:
        frames.append(time.perf_counter())
        epochs[0] = frame.step

    tab.session.frame.connect(on_frame)

    def run_loop(duration: float) -> list[float]:
        """Run the Qt event loop for ``duration`` s; gaps between 5 ms timer ticks."""
        gaps: list[float] = []
        last = [time.perf_counter()]

        def tick() -> None:
            now = time.perf_counter()
            gaps.append(now - last[0])
            last[0] = now

        timer = QTimer()
        timer.setInterval(5)
        timer.timeout.connect(tick)
        loop = QEventLoop()
        QTimer.singleShot(int(duration * 1000), loop.quit)
        last[0] = time.perf_counter()
        timer.start()
        loop.exec()
        timer.stop()
        return gaps

    idle = run_loop(2.0)  # the machine's own noise: the tab shown, nothing training
    tab.toggle_play()  # what Space does
    start_gaps = run_loop(1.0)  # warm-up: first frames, allocations
    epoch0, frames0 = epochs[0], len(frames)
    t0, cpu0 = time.perf_counter(), time.process_time()
    gaps = run_loop(seconds)
    t1, cpu1 = time.perf_counter(), time.process_time()
    epoch1, frames1 = epochs[0], len(frames)
    state = tab.session.state
    arch_gaps: list[float] = []  # changing the architecture mid-run: a fresh model at once
    for k in range(4):
        widths = list(hidden)
        widths[0] += -1 if k % 2 == 0 else 0
        # inside the measured loop: the click's own work (a new diagram, a new job) counts
        QTimer.singleShot(50, lambda w=tuple(widths): tab.state.update(hidden=w))
        arch_gaps += run_loop(1.0)
    tab.shutdown()
    app.processEvents()
    fps = (frames1 - frames0) / (t1 - t0)
    eps = (epoch1 - epoch0) / (t1 - t0)
    stall_ms = 1000 * max(gaps, default=float("nan"))
    all_stall_ms = 1000 * max(start_gaps + gaps, default=float("nan"))
    idle_ms = 1000 * max(idle, default=float("nan"))
    arch_ms = 1000 * max(arch_gaps, default=float("nan"))
    cpu_share = (cpu1 - cpu0) / (t1 - t0)
    net = "[" + ",".join(str(w) for w in hidden) + "]"
    what = f"{net} tanh, {n_train} training points, {RES}x{RES} grid"
    return [
        row(
            "boundary view",
            fps,
            "frames/s",
            ">= 60",
            fps >= 60,
            what + f" (worker caps {1000 / frame_ms:.0f})",
        ),
        row("training while drawing", eps, "epochs/s", notes=f"job state at the end: {state}"),
        row(
            "longest GUI stall",
            stall_ms,
            "ms",
            "<= 25",
            stall_ms <= 25,
            f"5 ms QTimer, {seconds:g} s",
        ),
        row("longest GUI stall incl. start", all_stall_ms, "ms", notes="from pressing play"),
        row(
            "longest GUI stall, new architecture",
            arch_ms,
            "ms",
            notes="first layer one neuron narrower and back, mid-run, 4 times",
        ),
        row("longest stall, idle tab", idle_ms, "ms", notes="no training: the machine's own noise"),
        row("CPU used while training", cpu_share, "cores", notes=f"of {os.cpu_count()} cores"),
    ]


# ----------------------------------------------------------------------- 4. launch
_CHILD = r"""
import sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
app.setApplicationName("Neural Playground")
app.setOrganizationName("NeuralPlayground")
from playground.ui.main_window import MainWindow

class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Paint and not hasattr(self, "t"):
            self.t = time.time()
            self.torch = "torch" in sys.modules
            QTimer.singleShot(0, app.quit)
        return False

w = MainWindow(tab="boundary")
spy = FirstPaint()
w.installEventFilter(spy)
w.show()
QTimer.singleShot(20000, app.quit)
app.exec()
print("PAINTED", getattr(spy, "t", float("nan")), int(getattr(spy, "torch", True)))
w.close()
"""


def launch_once() -> tuple[float, bool]:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="boundary-launch-")
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    ensure_datasets()  # found (or downloaded once) before the clock starts
    t0 = time.time()
    out = subprocess.run(
        [sys.executable, "-c", _CHILD], capture_output=True, text=True, env=env, timeout=120
    )
    for line in out.stdout.splitlines():
        if line.startswith("PAINTED"):
            _, t, torch_loaded = line.split()
            return float(t) - t0, torch_loaded == "1"
    raise RuntimeError(f"the app did not start: {out.stderr[-2000:]}")


_FIRST_EPOCH = r"""
import time
t0 = time.perf_counter()
from playground.core import toy
toy.train  # toy's torch modules load on first use
t1 = time.perf_counter()
X, y = toy.make_dataset("fruit", n=1000)
job = toy.train(toy.ToyModel(toy.ToyConfig(hidden=(8, 8))), *toy.split(X, y))
next(job)
t2 = time.perf_counter()
print("FIRST", t1 - t0, t2 - t1)
"""


def bench_first_epoch(repeats: int) -> list[dict]:
    """Seconds to import torch + toy, and from there to the first epoch, in fresh processes."""
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    runs = []
    for _ in range(repeats + 1):  # the first run fills the file cache
        out = subprocess.run(
            [sys.executable, "-c", _FIRST_EPOCH], capture_output=True, text=True, env=env
        )
        line = next(x for x in out.stdout.splitlines() if x.startswith("FIRST"))
        runs.append(tuple(float(v) for v in line.split()[1:]))
    imp = statistics.median(r[0] for r in runs[1:])
    first = statistics.median(r[1] for r in runs[1:])
    return [
        row("import torch + toy (fresh process)", imp, "s", notes="in the job's thread in the app"),
        row("then the first epoch", first, "s", notes="no torch.optim: no torch._dynamo import"),
    ]


def bench_launch(repeats: int) -> list[dict]:
    launch_once()  # the first start fills the OS file cache
    runs = [launch_once() for _ in range(repeats)]
    times = sorted(t for t, _ in runs)
    median = statistics.median(times)
    torch_first = any(torch_loaded for _, torch_loaded in runs)
    notes = f"{repeats} fresh processes, spawn to first paint; best {times[0]:.2f} s"
    return [
        row("launch to window (median)", median, "s", "<= 1.5", median <= 1.5, notes),
        row("torch imported before the paint", torch_first, notes="ideally after the window"),
    ]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--parts", default="speed,frames,launch", help="speed, frames, launch")
    p.add_argument("--seconds", type=float, default=5.0, help="how long the tab trains (2-3)")
    p.add_argument("--rounds", type=int, default=5, help="timing rounds for 1")
    p.add_argument("--epochs", type=int, default=20, help="epochs per timing round for 1")
    p.add_argument(
        "--hidden", default="8,8", help="hidden layer widths for 2-3, e.g. 32,32,32,32,32,32"
    )
    p.add_argument("--launches", type=int, default=3, help="fresh processes for 4")
    p.add_argument("--against", help="another checkout: compare toy.train's epochs/s with it")
    p.add_argument("--optimizers", default="sgd,adam", help="optimizers for --against")
    args = p.parse_args(argv)
    parts = {s.strip() for s in args.parts.split(",")}
    rows: list[dict] = []
    if args.against:
        optimizers = [s.strip() for s in args.optimizers.split(",") if s.strip()]
        rows += bench_against(args.against, args.rounds, args.epochs, optimizers)
    if "speed" in parts:
        rows += bench_speed(args.rounds, args.epochs)
        rows += bench_first_epoch(args.launches)
    if "launch" in parts:  # before the Qt app of part 2-3 exists in this process
        rows += bench_launch(args.launches)
    if "frames" in parts:
        hidden = tuple(int(w) for w in args.hidden.split(",") if w.strip())
        rows += bench_ui(args.seconds, hidden)
    from benchmarks.common import report

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    report("boundary", rows, load_average=round(load, 1), cpus=os.cpu_count())
    ok = all(r.get("ok") is not False for r in rows)
    print(json.dumps({"all_targets_met": ok}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
