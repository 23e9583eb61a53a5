"""Everything Qt.  Imports playground.core, never the reverse.

PySide6-Essentials 6.12.0 is excluded in pyproject.toml: its void methods (QPainter.setPen,
QLabel.setText, ...) drop a reference to None on every call, and on Python 3.11 a live
plot aborts the app within a minute ("Fatal Python error: none_dealloc").
"""
