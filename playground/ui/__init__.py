"""Everything Qt.  Imports playground.core, never the reverse.

PySide6-Essentials 6.12.0 is excluded in pyproject.toml: its void methods (QPainter.setPen,
QLabel.setText, ...) drop a reference to None on every call, and on Python 3.11 a live
plot aborts the app within a minute ("Fatal Python error: none_dealloc").

Qt's raster engine hands large fills and image scaling to a private pool of helper
threads and waits for them.  Beside a training job that keeps a core busy, the helpers
waited for a core: on 2 cores the network diagram's repaints took 2-3x their CPU time
(up to 45 ms instead of 10).  ``QT_NO_GUI_THREADPOOL`` (read once, before the first
paint) keeps that work on the GUI thread (a value already in the environment is kept).
"""

import os

os.environ.setdefault("QT_NO_GUI_THREADPOOL", "1")
