"""The Digits tab: drawing gives a live prediction, Delete clears, bad files get a message."""

from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtWidgets import QFileDialog, QLabel, QMessageBox

from playground.core import digits
from playground.ui.tabs.digits import DigitsTab
from playground.ui.widgets.drawpad import DrawPad


@pytest.fixture
def tab(qtbot):
    t = DigitsTab()
    qtbot.addWidget(t)
    t.resize(1300, 800)
    t.show()
    qtbot.waitUntil(t.is_ready, timeout=20_000)
    yield t
    t.shutdown()


def label(tab: DigitsTab) -> str:
    return tab.findChild(QLabel, "predictionLabel").text()


def draw_seven(qtbot, pad: DrawPad) -> None:
    """A 7 with the mouse: press, drag through the corners, release."""
    r = pad._paper()
    x0, y0, s = r.x(), r.y(), r.width()
    points = [(0.3, 0.25), (0.5, 0.25), (0.7, 0.25), (0.6, 0.45), (0.5, 0.65), (0.42, 0.8)]
    pts = [QPoint(int(x0 + u * s), int(y0 + v * s)) for u, v in points]
    qtbot.mousePress(pad, Qt.LeftButton, pos=pts[0])
    for p in pts[1:]:
        qtbot.mouseMove(pad, p)
    qtbot.mouseRelease(pad, Qt.LeftButton, pos=pts[-1])


def test_empty_pad_shows_a_hint_and_no_digit(tab):
    pad = tab.findChild(DrawPad, "drawPad")
    assert pad is not None and pad.is_empty()
    text = label(tab)
    assert "draw" in text.lower()
    assert not re.search(r"\d", text)


def test_drawing_gives_a_prediction_and_delete_clears(tab, qtbot):
    pad = tab.findChild(DrawPad, "drawPad")
    draw_seven(qtbot, pad)
    assert len(pad.strokes) == 1 and len(pad.strokes[0][0]) >= 4  # the drag reached the pad
    qtbot.waitUntil(lambda: re.match(r"\d", label(tab)) is not None, timeout=5_000)
    assert label(tab).startswith("7")
    assert tab._last_probs.sum() == pytest.approx(1.0, abs=1e-4)
    assert tab.input_view.image.image.max() > 0.5  # the 28x28 input the network sees
    assert tab.latency_ms > 0
    pad.setFocus()
    qtbot.keyClick(pad, Qt.Key_Delete)
    qtbot.waitUntil(lambda: not re.search(r"\d", label(tab)), timeout=5_000)
    assert pad.is_empty()
    # right-click clears too; undo removes the last stroke
    draw_seven(qtbot, pad)
    draw_seven(qtbot, pad)
    pad.undo()
    assert len(pad.strokes) == 1
    qtbot.mouseClick(pad, Qt.RightButton, pos=QPoint(10, 10))
    qtbot.waitUntil(lambda: not re.search(r"\d", label(tab)), timeout=5_000)


def test_a_corrupt_model_file_gets_a_message(tab, qtbot, tmp_path, monkeypatch):
    bad = tmp_path / "broken.safetensors"
    bad.write_bytes(b"this is not a model" * 10)
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(a[1:3]))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(bad), ""))
    before = tab.clf
    tab.open()
    assert len(shown) == 1
    title, message = shown[0]
    assert "broken.safetensors" in message and "not a readable model file" in message
    assert tab.clf is before  # nothing lost: the pad keeps its model
    draw_seven(qtbot, tab.pad)
    qtbot.waitUntil(lambda: re.match(r"\d", label(tab)) is not None, timeout=5_000)


def test_save_then_open_a_model(tab, tmp_path, monkeypatch):
    path = tmp_path / "mine.safetensors"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), ""))
    tab.save()
    assert path.is_file()
    assert tab.open_path(str(path))
    assert "opened" in tab.model_label.text()


def test_training_in_the_tab_drives_the_pad(tab, qtbot, monkeypatch):
    real = digits.config_for
    monkeypatch.setattr(
        digits,
        "config_for",
        lambda model, **kw: real(model, **{**kw, "train_limit": 1500, "test_limit": 500}),
    )
    tab.model_combo.setCurrentIndex(tab.model_combo.findData("scratch"))
    tab.epochs_spin.setValue(1)
    qtbot.waitUntil(lambda: "mnist" in tab.sets, timeout=30_000)
    tab.toggle_play()
    qtbot.waitUntil(lambda: tab.worker.state == "finished", timeout=60_000)
    assert tab.loss_plot.count("train (batches)") >= 10
    assert tab.acc_plot.count("test") == 1
    assert "trained here" in tab.model_label.text()
    assert "epoch 1/1" in tab.controls.progress.format()
    draw_seven(qtbot, tab.pad)
    qtbot.waitUntil(lambda: re.match(r"\d", label(tab)) is not None, timeout=5_000)
    # results of the new model on the whole test set; a confusion cell opens its images
    qtbot.waitUntil(lambda: tab.evaluation is not None, timeout=30_000)
    ev = tab.evaluation
    assert ev.confusion.sum() == 10_000
    assert "Test accuracy" in tab.results_label.text()
    tab.confusion.cell_clicked.emit(4, 9)
    assert tab.mistakes.count() == min(80, int(ev.confusion[4, 9]))
    tab.pages.setCurrentIndex(2)
    assert tab.browser.count() == 48


def test_fashion_uses_class_names(tab, qtbot):
    tab.dataset_combo.setCurrentIndex(tab.dataset_combo.findData("fashion-mnist"))
    qtbot.waitUntil(tab.is_ready, timeout=20_000)
    assert "clothing" in label(tab)
    draw_seven(qtbot, tab.pad)
    names = digits.class_names("fashion-mnist")
    qtbot.waitUntil(lambda: any(label(tab).startswith(n) for n in names), timeout=5_000)


def test_settings_round_trip(tab, qtbot, tmp_path):
    s = QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat)
    tab.model_combo.setCurrentIndex(tab.model_combo.findData("cnn"))
    tab.epochs_spin.setValue(3)
    tab.lr_spin.setValue(0.002)
    tab.brush_slider.setValue(25)
    tab.save_settings(s)
    other = DigitsTab()
    qtbot.addWidget(other)
    other.restore_settings(s)
    assert other.model_kind == "cnn" and other.epochs_spin.value() == 3
    assert other.lr_spin.value() == pytest.approx(0.002) and other.pad.brush == 25


def test_the_tab_is_built_without_importing_torch():
    code = (
        "import sys, time\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "from playground.ui.tabs.digits import DigitsTab\n"
        "t = DigitsTab(); t.show()\n"
        "assert 'torch' not in sys.modules, 'torch imported by the constructor'\n"
        "end = time.time() + 20\n"
        "while not t.is_ready() and time.time() < end:\n"
        "    app.processEvents(); time.sleep(0.01)\n"
        "assert t.is_ready()\n"
        "assert 'torch' not in sys.modules, 'torch imported to load the shipped model'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_pad_ink_is_what_was_drawn(qtbot):
    pad = DrawPad()
    qtbot.addWidget(pad)
    pad.resize(300, 300)
    assert not pad.ink().any()
    draw_seven(qtbot, pad)
    ink = pad.ink()
    assert ink.shape == (140, 140) and 0.5 < ink.max() <= 1.0
    x = digits.preprocess(ink)
    assert np.abs(np.array(digits.centre_of_mass(x)) - 14).max() <= 0.5
