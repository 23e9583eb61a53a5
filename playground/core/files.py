"""Saving without losing: every file the app writes goes through :func:`atomic_write`.

The new content is written to a temporary file in the same folder, flushed to disk, and
then renamed over the target with ``os.replace`` (atomic on POSIX and Windows).  A crash,
a kill or a full disk mid-save leaves the previous file as it was; only a hidden
``.name.*.tmp.ext`` file may stay behind.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def atomic_write(path: str | Path, write: Callable[[Path], object]) -> None:
    """Make ``path`` hold what ``write(tmp_path)`` writes, all or nothing.

    ``write`` gets a temporary path in the same folder (with the same extension, so
    writers that pick a format by extension work) and must write the whole file there.
    The target keeps its permissions if it exists.
    """
    path = Path(path)
    fd, name = tempfile.mkstemp(
        prefix=f".{path.stem}.", suffix=f".tmp{path.suffix}", dir=path.parent or "."
    )
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        with open(tmp, "rb+") as f:  # the bytes are on disk before the name points at them
            os.fsync(f.fileno())
        try:
            mode = path.stat().st_mode & 0o777
        except OSError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def atomic_write_text(path: str | Path, text: str, encoding: str = "utf-8") -> None:
    """:func:`atomic_write` of a text (newlines written as given)."""
    atomic_write(path, lambda tmp: tmp.write_bytes(text.encode(encoding)))


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """:func:`atomic_write` of bytes."""
    atomic_write(path, lambda tmp: tmp.write_bytes(data))
