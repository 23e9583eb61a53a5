"""Everything Qt.  Imports playground.core, never the reverse.

PySide6-Essentials 6.12.0 is excluded in pyproject.toml: its void methods (QPainter.setPen,
QLabel.setText, ...) drop a reference to None on every call, and on Python 3.11 a live
plot aborts the app within a minute ("Fatal Python error: none_dealloc").

Qt's raster engine hands large fills and image scaling to a private pool of helper
threads and waits for them.  Beside a training job that keeps a core busy, the helpers
waited for a core: on 2 cores the network diagram's repaints took 2-3x their CPU time
(up to 45 ms instead of 10).  ``QT_NO_GUI_THREADPOOL`` (read once, before the first
paint) keeps that work on the GUI thread (a value already in the environment is kept).

glibc's malloc gives every thread that allocates its own arena (up to 8 per core), and a
job thread's torch and numpy buffers, freed at its end, leave its arena's pages scattered:
over 100 start/stop cycles of every tab the window's process grew by ~100 MB
(benchmarks/soak.py).  Two arenas for the whole process keep it flat (0 MB from cycle 10 to
40, and 145 MB less to begin with); ``MALLOC_ARENA_MAX`` in the environment still wins.
"""

import ctypes
import ctypes.util
import os
import sys

os.environ.setdefault("QT_NO_GUI_THREADPOOL", "1")

MALLOC_ARENAS = 2
M_ARENA_MAX = -8  # glibc's mallopt parameter (malloc.h)


def limit_malloc_arenas(arenas: int = MALLOC_ARENAS) -> bool:
    """At most ``arenas`` malloc arenas in this process (glibc only; elsewhere nothing)."""
    if not sys.platform.startswith("linux") or "MALLOC_ARENA_MAX" in os.environ:
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(M_ARENA_MAX, arenas))
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False


limit_malloc_arenas()  # before any job thread allocates
