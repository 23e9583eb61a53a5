"""Python's cyclic garbage collector, run in small steps on the GUI thread only.

Left automatic, a collection can start in a job's thread and destroy Qt objects there (a
closed menu or window in a reference cycle): Qt then deadlocks with the GUI thread.  So
automatic collection is off and a GUI-thread timer collects instead, the way pyqtgraph's
``GarbageCollector`` does, but every 10 ms rather than every 100 ms: a training loop makes
~30,000 tracked objects in 0.1 s, and pyqtgraph's young-generation passes over that many
took 5-30 ms, its middle-generation ones 70 ms (measured on the Digits tab).  Objects of
modules imported since the last look (torch alone leaves ~200,000, all living as long as
the app) are frozen out of the collector's sight (``gc.freeze``), so that full
collections never walk them (~100 ms each, measured).
"""

from __future__ import annotations

import gc
import sys

from PySide6.QtCore import QTimer

INTERVAL_MS = 10
NEW_MODULES = 20  # imports since the last freeze that make the next look freeze

_timer: QTimer | None = None
_modules_frozen = 0


def freeze_long_lived_objects() -> None:
    """If modules were imported since the last time, move every object alive now into the
    permanent generation (``gc.freeze``): later collections skip them.  GUI thread only;
    every collection step looks first, so an import never meets a full collection."""
    global _modules_frozen
    if len(sys.modules) >= _modules_frozen + NEW_MODULES:
        _modules_frozen = len(sys.modules)
        gc.collect(1)  # what the young generations hold that is garbage already
        gc.freeze()


def _collect() -> None:
    """A step of what the automatic collector would do, by CPython's own thresholds."""
    t0, t1, t2 = gc.get_threshold()
    n0, n1, n2 = gc.get_count()
    if n0 <= t0:
        return
    freeze_long_lived_objects()
    gc.collect(2 if n1 >= t1 and n2 >= t2 else 1 if n1 >= t1 else 0)


def collect_garbage_on_gui_thread() -> None:
    """Turn automatic collection off and collect on a GUI-thread timer (idempotent; needs a
    QApplication)."""
    global _timer
    if _timer is None:
        gc.disable()
        _timer = QTimer()
        _timer.setInterval(INTERVAL_MS)
        _timer.timeout.connect(_collect)
        _timer.start()
