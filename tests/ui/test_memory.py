"""The window's process keeps its memory flat over many runs (benchmarks/soak.py measures
it): glibc's malloc is held to a few arenas, however many job threads come and go."""

from __future__ import annotations

import subprocess
import sys

import pytest

THREADS = r"""
import ctypes, sys, threading
import numpy as np
if sys.argv[1] == "ui":
    import playground.ui  # what the app imports first
barrier = threading.Barrier(6)
def work():
    barrier.wait()  # all six allocate at once: each would get an arena of its own
    for _ in range(200):
        np.ones(1000).sum()
threads = [threading.Thread(target=work) for _ in range(6)]
[t.start() for t in threads]
[t.join() for t in threads]
ctypes.CDLL("libc.so.6").malloc_stats()  # one "Arena N:" block per arena, on stderr
"""


def arenas(mode: str) -> int:
    env = {"PATH": "/usr/bin:/bin"}  # no MALLOC_ARENA_MAX from outside
    out = subprocess.run(
        [sys.executable, "-c", THREADS, mode], capture_output=True, text=True, env=env, timeout=120
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return sum(line.startswith("Arena ") for line in out.stderr.splitlines())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc")
def test_job_threads_share_two_malloc_arenas():
    assert arenas("plain") > 2  # what a thread-heavy process gets by default
    assert arenas("ui") <= 2
