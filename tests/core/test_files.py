"""Saves are atomic: a kill mid-save leaves the previous file whole (core/files.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from playground.core import files, toy


def test_atomic_write_replaces_whole_and_keeps_permissions(tmp_path):
    p = tmp_path / "points.csv"
    files.atomic_write_text(p, "old\n")
    os.chmod(p, 0o640)
    files.atomic_write_text(p, "new\n")
    assert p.read_text() == "new\n" and (p.stat().st_mode & 0o777) == 0o640
    assert [q.name for q in tmp_path.iterdir()] == ["points.csv"]  # no temp file left


def test_a_failing_writer_leaves_the_old_file_and_no_temp(tmp_path):
    p = tmp_path / "model.safetensors"
    files.atomic_write_bytes(p, b"good")

    def broken(tmp):
        tmp.write_bytes(b"half")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space"):
        files.atomic_write(p, broken)
    assert p.read_bytes() == b"good" and len(list(tmp_path.iterdir())) == 1


def _child(code: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)],
        stdout=subprocess.PIPE,
        text=True,
    )


def test_killed_in_the_middle_of_writing_the_old_file_survives(tmp_path):
    p = tmp_path / "points.csv"
    X0, y0 = np.array([[1.0, 2.0], [3.0, 4.0]], np.float32), np.array([0, 1])
    toy.save_points_csv(p, X0, y0)
    child = _child(
        f"""
        import time
        from playground.core import files

        def slow(tmp):
            with open(tmp, "w") as f:
                f.write("x1,x2,label\\n0.5,")  # half a row...
                f.flush()
                print("writing", flush=True)
                time.sleep(60)  # ...and killed here

        files.atomic_write({str(p)!r}, slow)
        """
    )
    assert child.stdout.readline().strip() == "writing"
    child.send_signal(signal.SIGKILL)
    child.wait(10)
    X, y = toy.load_points_csv(p)
    assert np.array_equal(X, X0) and np.array_equal(y, y0)


def test_killed_while_saving_points_again_and_again_the_file_always_loads(tmp_path):
    """The real saver, killed at an arbitrary moment: the file is one whole version."""
    p = tmp_path / "points.csv"
    child = _child(
        f"""
        import numpy as np
        from playground.core import toy

        X = np.random.default_rng(0).normal(size=(60_000, 2)).astype(np.float32)
        for i in range(10**6):
            toy.save_points_csv({str(p)!r}, X, np.full(len(X), i % 2))
            if i == 0:
                print("saved", flush=True)
        """
    )
    assert child.stdout.readline().strip() == "saved"
    time.sleep(0.7)
    child.send_signal(signal.SIGKILL)
    child.wait(10)
    X, y = toy.load_points_csv(p)
    assert X.shape == (60_000, 2) and len(set(y.tolist())) == 1
