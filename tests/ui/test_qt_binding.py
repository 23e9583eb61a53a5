"""The Qt binding must not leak references to None (PySide6 6.12.0 did: the app aborted)."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QLabel


def test_void_methods_keep_none_alive(qtbot):
    label = QLabel("x")
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(2000):
        label.setText("a")
    assert sys.getrefcount(None) - before > -100
