"""Benchmark: the longest GUI-thread stall while each tab trains (the budget: <= 25 ms).

    python benchmarks/stalls.py                       # bigram, charmlp, digits, backprop
    python benchmarks/stalls.py --tabs digits --seconds 8
    python benchmarks/stalls.py --tabs boundary --hidden 32,32,32,32,32,32

Each tab runs in a fresh process (offscreen, 1360x860): once it is ready, 1 s idle (the
machine's own noise), then Play (what Space does) and ``--seconds`` of training.  A 5 ms
QTimer on the GUI thread measures the gaps between its ticks; the longest is the stall.
Meanwhile a sampling thread looks at the GUI thread's Python stack whenever a gap has lasted
over 25 ms: the stacks seen most often say what runs there during the stalls ("Qt (native)"
when the thread is inside Qt: painting, layout).  Prints one JSON line and a table
(benchmarks/common.py); the rows have "measure" and "value".
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BUDGET_MS = 25.0
TABS = ("bigram", "charmlp", "digits", "backprop")

_CHILD = r"""
import collections, json, os, sys, threading, time
import pyqtgraph as pg
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

key, seconds, budget = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]) / 1000
app = QApplication(sys.argv[:1])
pg.setConfigOptions(antialias=True, imageAxisOrder="row-major")
from playground.ui.collector import collect_garbage_on_gui_thread
collect_garbage_on_gui_thread()  # as MainWindow does
import importlib
module = importlib.import_module(f"playground.ui.tabs.{key}")
cls = next(v for v in vars(module).values() if isinstance(v, type) and getattr(v, "key", "") == key)
tab = cls()
tab.resize(1360, 860)
tab.show()
if key == "backprop":
    tab.state.update(page="train")  # micrograd's moons demo
if key == "boundary":  # as benchmarks/boundary.py: 500 training points
    tab.state.update(points=1000, hidden=tuple(int(w) for w in sys.argv[4].split(",")))
deadline = time.monotonic() + 90
while not tab.is_ready() and time.monotonic() < deadline:
    app.processEvents()
    time.sleep(0.01)

last = [time.perf_counter()]
stop = [False]
stacks = collections.Counter()
main = threading.main_thread().ident


def where(frame) -> str:
    parts = []
    while frame is not None and len(parts) < 4:
        path = frame.f_code.co_filename
        if "playground" in path or "pyqtgraph" in path or "torch" in path:
            short = path.split("site-packages/")[-1].split("/main/")[-1]
            parts.append(f"{short}:{frame.f_lineno} {frame.f_code.co_name}")
        frame = frame.f_back
    return " < ".join(parts) or "Qt (native)"


def sample() -> None:
    while not stop[0]:
        time.sleep(0.002)
        if time.perf_counter() - last[0] > budget:
            frame = sys._current_frames().get(main)
            stacks[where(frame)] += 1


def run_loop(duration, first=None):
    # tick every 5 ms for `duration` s; `first` runs inside the loop, so its own time on the
    # GUI thread is a gap like any other (pressing Play is measured, not only after it)
    gaps = []

    def tick():
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
    if first is not None:
        QTimer.singleShot(0, first)
    loop.exec()
    timer.stop()
    return gaps


frames = [0]
tab.session.frame.connect(lambda f: frames.__setitem__(0, frames[0] + 1))
idle = run_loop(1.0)
threading.Thread(target=sample, daemon=True).start()
start = run_loop(1.0, first=tab.toggle_play)  # Space: what the user presses
f0 = frames[0]
gaps = run_loop(seconds)
fps = (frames[0] - f0) / seconds
state = tab.session.state
stop[0] = True
tab.shutdown()
print("RESULT", json.dumps({
    "ready": tab.is_ready(), "state": state, "fps": fps,
    "stall": 1000 * max(gaps, default=float("nan")),
    "start": 1000 * max(start + gaps, default=float("nan")),
    "idle": 1000 * max(idle, default=float("nan")),
    "over": sum(g > budget for g in gaps),
    "stacks": stacks.most_common(3),
}))
"""


def measure(key: str, seconds: float, hidden: str = "8,8") -> dict:
    from benchmarks.common import ensure_datasets

    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="stalls-")  # not the user's settings
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    ensure_datasets()  # found (or downloaded once) before the clock starts
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, key, str(seconds), str(BUDGET_MS), hidden],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    for line in out.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT ") :])
    raise RuntimeError(f"{key}: no result: {out.stderr[-2000:]}")


def rows_for(key: str, r: dict) -> list[dict]:
    from benchmarks.common import row

    top = "; ".join(f"{n}x {s}" for s, n in r["stacks"]) or "none sampled"
    return [
        row(
            f"longest GUI stall, {key}",
            r["stall"],
            "ms",
            f"<= {BUDGET_MS:g}",
            r["stall"] <= BUDGET_MS,
            f"{r['over']} gaps over {BUDGET_MS:g} ms; {r['fps']:.0f} frames/s; job {r['state']}",
        ),
        row(f"  incl. pressing Play, {key}", r["start"], "ms", notes="the first second too"),
        row(f"  idle, {key}", r["idle"], "ms", notes="before Play: the machine's own noise"),
        row(f"  on the GUI thread in stalls, {key}", len(r["stacks"]), notes=top),
    ]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--tabs", default=",".join(TABS), help="comma-separated tab keys (or boundary)")
    p.add_argument("--seconds", type=float, default=5.0, help="seconds of training measured")
    p.add_argument("--hidden", default="8,8", help="the boundary tab's layers (--tabs boundary)")
    args = p.parse_args(argv)
    rows: list[dict] = []
    for key in (k.strip() for k in args.tabs.split(",") if k.strip()):
        rows += rows_for(key, measure(key, args.seconds, args.hidden))
    from benchmarks.common import report

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    report("stalls", rows, load_average=round(load, 1), cpus=os.cpu_count())
    print(json.dumps({"all_targets_met": all(r.get("ok") is not False for r in rows)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
