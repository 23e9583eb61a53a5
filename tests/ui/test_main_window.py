from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QComboBox, QTabWidget

from playground.ui.main_window import MainWindow


def make_window(qtbot, tmp_path, **kwargs):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)
    w = MainWindow(settings=settings, **kwargs)
    qtbot.addWidget(w)
    return w


def test_window_has_the_five_tabs(qtbot):
    w = MainWindow()
    qtbot.addWidget(w)
    tabs = w.findChild(QTabWidget)
    titles = [tabs.tabText(i) for i in range(tabs.count())]
    for word in ("Boundary", "Bigram", "MLP", "Digits", "Backprop"):
        assert any(word.lower() in t.lower() for t in titles), titles


def test_device_selector_lists_cpu_and_what_exists(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path)
    combo = w.device_combo
    assert isinstance(combo, QComboBox)
    qtbot.waitUntil(lambda: combo.findData("cpu") >= 0, timeout=10_000)
    import torch

    assert (combo.findData("cuda") >= 0) == torch.cuda.is_available()
    assert "CPU" in w.device_in_use.text() or torch.cuda.is_available()


def test_last_tab_and_geometry_persist(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path)
    w.show_tab("charmlp")
    w.resize(700, 500)
    w.close()
    w2 = make_window(qtbot, tmp_path)
    assert w2.current_tab().key == "charmlp"
    assert w2.size().width() == 700


def test_f1_shows_help_for_the_current_tab(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path, tab="boundary")
    w.show()
    w.show_help()
    box = w.findChild(object, "helpBox")
    assert box is not None and box.isVisible()
    assert w.current_tab().title in box.windowTitle()


def test_screenshot_command(tmp_path):
    """--screenshot draws the window and saves a PNG; it reads the saved settings but never
    writes them (the next real launch opens at the user's tab and size, not the shot's)."""
    out = tmp_path / "shot.png"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "cfg"))
    conf = tmp_path / "cfg" / "NeuralPlayground" / "playground.conf"
    saved = QSettings(str(conf), QSettings.IniFormat)
    saved.setValue("window/tab", "digits")
    saved.setValue("bigram/smoothing", "3")
    saved.sync()
    before = conf.read_bytes()
    r = subprocess.run(
        [sys.executable, "-m", "playground", "--tab", "boundary", "--screenshot", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert r.returncode == 0, r.stderr
    assert out.stat().st_size > 10_000
    from PySide6.QtGui import QImage

    img = QImage(str(out))
    assert img.width() > 800 and img.height() > 500
    assert conf.read_bytes() == before


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the checks are for Linux")
def test_no_screen_gets_a_message_not_a_qt_abort(tmp_path):
    """Without a display Qt aborts (exit 134) with a hint about the wrong library: the app
    says what is wrong instead, and exits 2."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("QT_QPA_PLATFORM", None)
    for display, words in ((None, "no display found"), (":987", "cannot reach the X display")):
        if display:
            env["DISPLAY"] = display
        r = subprocess.run(
            [sys.executable, "-m", "playground"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert r.returncode == 2, r.stderr
        assert words in r.stderr and "Traceback" not in r.stderr


def test_letter_keys_type_into_text_boxes_instead_of_running(qtbot, tmp_path):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QLineEdit, QStackedWidget

    w = make_window(qtbot, tmp_path, tab="bigram")
    w.show()
    w.activateWindow()
    qtbot.waitActive(w)  # shortcuts only reach the active window
    calls = []
    tab = w.current_tab()
    tab.step = lambda: calls.append("step")
    tab.reset = lambda: calls.append("reset")
    edit = tab.findChild(QLineEdit, "scoreEdit")
    page = edit
    while page is not tab:  # bring the score box's page to the front
        parent = page.parentWidget()
        if isinstance(parent, QStackedWidget):
            parent.setCurrentWidget(page)
        page = parent
    assert edit.isVisible()
    edit.setFocus()
    edit.clear()
    qtbot.keyClicks(edit, "rs")
    assert "rs" in edit.text() and calls == []
    edit.clearFocus()
    qtbot.keyClick(w, Qt.Key_S)
    assert calls == ["step"]


@pytest.mark.parametrize("key", ["boundary", "bigram", "charmlp", "digits", "backprop"])
def test_space_starts_and_pauses_training_in_each_tab(qtbot, tmp_path, key):
    from PySide6.QtCore import Qt

    w = make_window(qtbot, tmp_path, tab=key)
    w.show()
    tab = w.current_tab()
    qtbot.waitUntil(tab.is_ready, timeout=30_000)

    def states():
        return {wk.state for wk in tab.workers()}

    qtbot.keyClick(w, Qt.Key_Space)
    qtbot.waitUntil(lambda: "running" in states(), timeout=30_000)
    qtbot.keyClick(w, Qt.Key_Space)
    qtbot.waitUntil(lambda: "running" not in states(), timeout=10_000)
    assert "paused" in states()
    w.close()
    assert "running" not in states()


def test_explain_a_boundary_point_in_the_backprop_tab_and_step_it_back(qtbot, tmp_path):
    """Decision boundary -> Explain a point -> the Backprop tab shows that point's loss graph;
    its SGD step sends the weights back and the boundary's network takes them."""
    import numpy as np

    w = make_window(qtbot, tmp_path, tab="boundary")
    w.show()
    boundary, backprop = w.page("boundary"), w.page("backprop")
    boundary.set_hidden(())
    qtbot.waitUntil(
        lambda: boundary.is_ready() and boundary.session.state == "paused", timeout=30_000
    )
    qtbot.waitUntil(lambda: boundary.weights is not None, timeout=30_000)
    X = boundary.points()[0]
    payload = boundary.explain_point(float(X[0, 0]), float(X[0, 1]))
    assert payload is not None and w.current_tab() is backprop
    assert "Decision boundary" in backprop.message()
    before = [W.copy() for W, _ in boundary.weights]
    stepped = backprop.sgd_step()
    assert stepped is not None
    qtbot.waitUntil(lambda: not np.allclose(boundary.weights[0][0], before[0]), timeout=10_000)
    np.testing.assert_allclose(boundary.weights[0][0], stepped[0][0], rtol=1e-5, atol=1e-6)
    assert "Backprop" in boundary.message()
