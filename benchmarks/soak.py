"""Benchmark: memory over many start/stop cycles (the target: flat after warm-up).

    python benchmarks/soak.py                    # every tab that trains, 100 cycles
    python benchmarks/soak.py --tabs bigram --cycles 40 --trace

The whole window (offscreen, 1360x860), as a user would use it: in each cycle every tab
that trains plays for ``--run`` seconds, is stopped, and is reset.  The window's process's
resident memory (RSS) is read after cycle 10 and after the last; ``--trace`` also lists
the Python allocation sites that grew most between them (tracemalloc).  Training processes
are separate: their memory is reported apart.  Prints one JSON line and a table.
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

TABS = ("boundary", "bigram", "charmlp", "digits", "backprop")

_CHILD = r"""
import gc, json, multiprocessing, sys, time, tracemalloc
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

tabs, cycles, run_s = sys.argv[1].split(","), int(sys.argv[2]), float(sys.argv[3])
trace = sys.argv[4] == "1"
app = QApplication(sys.argv[:1])
from playground.ui.main_window import MainWindow

window = MainWindow(persist=False)
window.resize(1360, 860)
window.show()


def wait(seconds, ok=lambda: False):
    end = time.monotonic() + seconds
    while time.monotonic() < end and not ok():
        loop = QEventLoop()
        QTimer.singleShot(20, loop.quit)
        loop.exec()


def rss_mb(pid="self"):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


pages = {key: window.page(key) for key in tabs}
for key, tab in pages.items():
    window.show_tab(key)
    wait(90, tab.is_ready)
if "backprop" in pages:
    pages["backprop"].state.update(page="train")
marks, snap10 = {}, None
for cycle in range(1, cycles + 1):
    for key, tab in pages.items():
        window.show_tab(key)
        tab.toggle_play()
        wait(run_s)
        tab.session.stop()
        tab.reset()
        wait(0.05)
    gc.collect()
    if cycle in (10, cycles):
        marks[cycle] = rss_mb()
        children = [p.pid for p in multiprocessing.active_children()]
        marks[f"children {cycle}"] = sum(rss_mb(pid) for pid in children)
    if cycle == 10 and trace:
        tracemalloc.start(12)
        snap10 = tracemalloc.take_snapshot()
top = []
if snap10 is not None:
    stats = tracemalloc.take_snapshot().compare_to(snap10, "traceback")
    for s in stats[:8]:
        short = lambda f: f.filename.split("site-packages/")[-1].split("/main/")[-1]
        frames = [f"{short(f)}:{f.lineno}" for f in s.traceback[-4:]]
        top.append([round(s.size_diff / 1e6, 2), s.count_diff, " < ".join(reversed(frames))])
window.close()
print("RESULT", json.dumps({"marks": marks, "top": top}), flush=True)
"""


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tabs", default=",".join(TABS))
    p.add_argument("--cycles", type=int, default=100)
    p.add_argument("--run", type=float, default=0.3, help="seconds of training per cycle")
    p.add_argument("--trace", action="store_true", help="where Python memory grew")
    args = p.parse_args(argv)
    from benchmarks.common import ensure_datasets, report, row

    ensure_datasets()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="soak-")  # not the user's settings
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    cmd = [sys.executable, "-c", _CHILD, args.tabs, str(args.cycles), str(args.run)]
    out = subprocess.run(
        cmd + ["1" if args.trace else "0"], capture_output=True, text=True, env=env
    )
    lines = [x for x in out.stdout.splitlines() if x.startswith("RESULT ")]
    if not lines:
        print(out.stdout[-3000:], out.stderr[-3000:], file=sys.stderr)
        return 1
    r = json.loads(lines[0][len("RESULT ") :])
    m, n = r["marks"], str(args.cycles)
    grew = m[n] - m["10"]
    rows = [
        row(f"window process RSS, cycle 10 -> {n}", f"{m['10']:.0f} -> {m[n]:.0f}", "MB"),
        row(f"growth, cycle 10 -> {n}", round(grew, 1), "MB", "<= 10", grew <= 10, args.tabs),
        row(
            f"training processes RSS, cycle 10 -> {n}",
            f"{m['children 10']:.0f} -> {m['children ' + n]:.0f}",
            "MB",
        ),
    ]
    rows += [row(f"  grew {mb} MB in {count} blocks", where) for mb, count, where in r["top"]]
    report("soak", rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
