"""The Character MLP tab: loads, trains while the views update, stops, lr finder, files."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from playground.core.training import torch_threads
from playground.ui.tabs.charmlp import CharMLPTab


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    with torch_threads(1):
        yield


@pytest.fixture
def tab(qtbot):
    t = CharMLPTab()
    qtbot.addWidget(t)
    t.resize(1360, 820)
    t.show()
    qtbot.waitUntil(t.is_ready, timeout=30_000)
    yield t
    t.shutdown()


def test_tab_shows_its_initial_state(tab):
    assert tab.cm is not None and len(tab.words) == 32_033
    assert "11,897 parameters" in tab.count_label.text()
    assert "3.30" in tab.init_label.text()
    assert tab.scatter.moves >= 1 and len(tab.scatter.labels) == 27
    # every control explains itself
    from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QComboBox

    for cls in (QAbstractButton, QAbstractSpinBox, QComboBox):
        for w in tab.findChildren(cls):
            if w.isVisible() or cls is not QAbstractButton:
                assert w.toolTip(), f"{cls.__name__} {w.text() if hasattr(w, 'text') else ''}"


def test_parameter_count_follows_the_form(tab):
    tab.apply_preset("wavenet")
    assert "76,579 parameters" in tab.count_label.text()
    assert tab.block_spin.value() == 8 and not tab.block_spin.isEnabled()
    tab.apply_preset("tiny")
    assert "3,481 parameters" in tab.count_label.text()
    assert tab.run.config.emb_dim == 2  # the shown model follows the new shape


def test_training_updates_the_plots_and_stops(tab, qtbot):
    tab.apply_preset("tiny")
    tab.steps_spin.setValue(100_000)
    moves = tab.scatter.moves
    tab.toggle_play()
    qtbot.waitUntil(lambda: tab.loss_plot.count("train, per step") > 300, timeout=30_000)
    n = tab.loss_plot.count("train, per step")
    qtbot.waitUntil(lambda: tab.loss_plot.count("train, per step") > n + 100, timeout=30_000)
    qtbot.waitUntil(lambda: tab.scatter.moves > moves + 2, timeout=30_000)
    assert tab._first_loss is not None and "first loss" in tab.init_label.text()
    assert tab.hist.saturated and tab.ratios.names == ["C", "W1", "W out"]
    qtbot.waitUntil(lambda: len(tab.samples.names) == 8, timeout=30_000)
    assert "of 100,000" in tab.controls.counter.text()
    with qtbot.waitSignal(tab.worker.finished, timeout=30_000):
        tab.stop_training()
    assert tab.worker.state == "finished"
    losses = [float(tab.table.item(r, 2).text()) for r in range(3)]
    assert all(2.0 < v < 3.3 for v in losses)
    steps = tab.run.model.steps_trained
    assert 300 < steps < 100_000
    # Play again continues the same model
    tab.steps_spin.setValue(50)
    with qtbot.waitSignal(tab.worker.finished, timeout=30_000):
        tab.toggle_play()
    assert tab.run.model.steps_trained == steps + 50


def test_lr_finder_button_and_use_it(tab, qtbot):
    tab.apply_preset("tiny")
    with qtbot.waitSignal(tab.finder_worker.finished, timeout=60_000):
        tab.finder_button.click()
    assert tab.finder_plot.points > 100
    assert tab.use_lr_button.isEnabled() and tab._suggested is not None
    tab.use_lr_button.click()
    assert tab.lr_spin.value() == pytest.approx(tab._suggested, abs=1e-4)


def test_save_load_and_a_corrupt_file(tab, qtbot, tmp_path, monkeypatch):
    tab.apply_preset("tiny")
    tab.steps_spin.setValue(200)
    with qtbot.waitSignal(tab.worker.finished, timeout=30_000):
        tab.toggle_play()
    path = tmp_path / "tiny.safetensors"
    tab.save_to(str(path))
    tab.reset()
    assert tab.run.model.steps_trained == 0
    with qtbot.waitSignal(tab.worker.finished, timeout=30_000):
        assert tab.load_from(str(path))
    assert tab.run.model.steps_trained == 200 and tab.emb_spin.value() == 2
    assert len(tab.samples.names) == 12
    assert tab.table.item(1, 2).text() != "–"
    warnings = []
    monkeypatch.setattr(
        "playground.ui.tabs.charmlp.QMessageBox.warning",
        lambda parent, title, text: warnings.append(text),
    )
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"\x00garbage")
    assert not tab.load_from(str(bad))
    assert warnings and "not a Character MLP model file" in warnings[0]
    assert tab.run.model.steps_trained == 200  # the app keeps what it had


def test_settings_persist(qtbot, tmp_path):
    s = QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat)
    a = CharMLPTab()
    qtbot.addWidget(a)
    a.emb_spin.setValue(7)
    a.layers_spin.setValue(2)
    a.lr_spin.setValue(0.05)
    a.save_settings(s)
    b = CharMLPTab()
    qtbot.addWidget(b)
    b.restore_settings(s)
    assert b.form() == a.form()


def test_closing_the_window_mid_training(qtbot, tmp_path):
    from playground.ui.main_window import MainWindow

    w = MainWindow(tab="charmlp", settings=QSettings(str(tmp_path / "w.ini"), QSettings.IniFormat))
    qtbot.addWidget(w)
    w.show()
    tab = w.current_tab()
    qtbot.waitUntil(tab.is_ready, timeout=30_000)
    tab.apply_preset("tiny")
    tab.toggle_play()
    qtbot.waitUntil(lambda: tab.loss_plot.count("train, per step") > 50, timeout=30_000)
    w.close()
    assert not tab.worker.has_job() and tab.worker.state == "idle"


def test_step_key_runs_one_step(tab, qtbot):
    tab.apply_preset("tiny")
    with qtbot.waitSignal(tab.worker.frame, timeout=30_000):
        tab.step()
    qtbot.waitUntil(lambda: tab.controls.counter.text().startswith("step 1 of"), timeout=10_000)
    assert tab.worker.state == "paused" and tab.run.model.steps_trained == 1
    assert tab._first_loss is not None


def test_missing_dataset_shows_a_message(qtbot):
    t = CharMLPTab()
    qtbot.addWidget(t)
    t._on_loaded("The names dataset is missing names.txt. Put the files in /somewhere.")
    assert t.is_ready() and "not available" in t.message.text()
    assert "/somewhere" in t.message.text()
    assert not t.controls.isEnabled() and t.retry_button.isVisibleTo(t)


def test_building_the_tab_does_not_import_torch():
    import subprocess
    import sys

    code = (
        "import os, sys\n"
        "os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "from playground.ui.tabs.charmlp import CharMLPTab\n"
        "CharMLPTab()\n"
        "assert 'torch' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
