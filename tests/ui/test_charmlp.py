"""The Character MLP tab: loads, trains while the views update, stops, lr finder, files,
its state (the one source of truth) and the shape rule."""

from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from PySide6.QtCore import QSettings

from playground.core.training import torch_threads
from playground.ui.tabs.charmlp import CharMLPTab
from playground.ui.tabs.charmlp.state import (
    CONFIG_FIELDS,
    FILE_FORMAT,
    SHAPE_FIELDS,
    CharMLPState,
    config_values,
)

STATE_MODULE = Path(__file__).resolve().parents[2] / "playground/ui/tabs/charmlp/state.py"


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
    qtbot.waitUntil(lambda: t.run is not None, timeout=10_000)
    yield t
    t.shutdown()


def n_params(model) -> int:
    return sum(p.numel() for p in model.parameters())


def form_count(tab) -> int:
    """The parameter count the form shows."""
    text = tab.settings_panel.count_label.text()
    return int(text.split("<b>")[1].split(" parameters")[0].replace(",", ""))


def fresh_tiny(tab, qtbot, steps: int | None = None) -> None:
    """Pick Tiny and wait until the fresh Tiny model is shown."""
    tab.apply_preset("tiny")
    if steps is not None:
        tab.state.steps = steps
    qtbot.waitUntil(lambda: tab.model.config.emb_dim == 2, timeout=10_000)


# ---------------------------------------------------------------- the state, without Qt
def test_state_defaults_are_the_lecture_preset_and_the_core_config():
    from playground.core import charmlp

    config = charmlp.preset("lecture")
    assert config_values(CharMLPState()) == {f: getattr(config, f) for f in CONFIG_FIELDS}
    assert tuple(f.name for f in dataclasses.fields(charmlp.CharMLPConfig)) == CONFIG_FIELDS
    assert FILE_FORMAT == charmlp.FILE_FORMAT
    # the shape fields are exactly those charmlp.shape_key reads
    base = config_values(CharMLPState())
    in_key = {
        f
        for f in CONFIG_FIELDS
        if charmlp.shape_key(SimpleNamespace(**{**base, f: object()}))
        != charmlp.shape_key(SimpleNamespace(**base))
    }
    assert set(SHAPE_FIELDS) == in_key
    assert set(CharMLPState().values("live")) == {"lr", "temperature"}


def test_state_module_imports_no_qt_widgets_nor_torch():
    tree = ast.parse(STATE_MODULE.read_text())
    names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    names += [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module]
    assert not [n for n in names if n.startswith(("PySide6", "torch", "playground.core"))]


# ---------------------------------------------------------------- the tab
def test_tab_shows_its_initial_state(tab):
    assert tab.cm is not None and len(tab.words) == 32_033
    assert "11,897 parameters" in tab.settings_panel.count_label.text()
    assert n_params(tab.model) == 11_897
    assert "3.30" in tab.views.init_label.text()
    assert tab.views.scatter.moves >= 1 and len(tab.views.scatter.labels) == 27
    assert "names loaded" in tab.message()
    # every control explains itself
    from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QComboBox

    for cls in (QAbstractButton, QAbstractSpinBox, QComboBox):
        for w in tab.findChildren(cls):
            if w.isVisible() or cls is not QAbstractButton:
                assert w.toolTip(), f"{cls.__name__} {w.text() if hasattr(w, 'text') else ''}"


def test_parameter_count_follows_the_form(tab, qtbot):
    tab.apply_preset("wavenet")
    assert "76,579 parameters" in tab.settings_panel.count_label.text()
    panel = tab.settings_panel
    assert panel.block_spin.value() == 8 and not panel.block_spin.isEnabled()
    tab.state.hidden = (64, 64)  # WaveNet: the block follows the layers
    assert tab.state.block_size == 4 and panel.layers_spin.value() == 2
    tab.state.backward = "manual"  # part 4's hand-written gradients cover the flat MLP only
    assert "flat MLP" in panel.count_label.text()
    tab.state.backward = "autograd"
    fresh_tiny(tab, qtbot)
    assert "3,481 parameters" in panel.count_label.text()
    assert n_params(tab.model) == 3_481  # the shown model follows the new shape


def test_state_changes_reach_the_widgets_and_back(tab):
    panel, views = tab.settings_panel, tab.views
    tab.state.update(emb_dim=7, hidden=(50, 40), lr=0.05, optimizer="adam", temperature=0.5)
    assert (panel.emb_spin.value(), panel.layers_spin.value()) == (7, 2)
    assert [s.value() for s in panel.hidden_spins[:2]] == [50, 40]
    assert not panel.hidden_spins[2].isEnabled()
    assert panel.lr_spin.value() == 0.05 and panel.opt_combo.currentData() == "adam"
    assert views.temp_spin.value() == 0.5
    panel.layers_spin.setValue(3)  # widget -> state
    panel.batch_spin.setValue(64)
    panel.bn_check.setChecked(True)
    assert tab.state.hidden == (50, 40, 200) and tab.state.batch_size == 64
    assert tab.state.batchnorm


def test_state_round_trip_widgets_file_widgets(tab, qtbot, tmp_path):
    panel = tab.settings_panel
    panel.emb_spin.setValue(7)
    panel.layers_spin.setValue(2)
    panel.lr_spin.setValue(0.05)
    panel.init_combo.setCurrentIndex(panel.init_combo.findData("kaiming"))
    tab.views.temp_spin.setValue(0.7)
    s = QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat)
    tab.save_settings(s)
    s.sync()
    d = tab.state.to_dict()
    assert CharMLPState.from_dict(d) == tab.state
    b = CharMLPTab()
    qtbot.addWidget(b)
    b.restore_settings(QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat))
    assert b.state == tab.state
    bp = b.settings_panel
    assert (bp.emb_spin.value(), bp.layers_spin.value(), bp.lr_spin.value()) == (7, 2, 0.05)
    assert bp.init_combo.currentData() == "kaiming" and b.views.temp_spin.value() == 0.7
    with pytest.raises(ValueError, match="emb_dim"):
        CharMLPState.from_dict({**d, "emb_dim": 0})
    # settings of the version before the state: one JSON "form"
    old = QSettings(str(tmp_path / "old.ini"), QSettings.IniFormat)
    old.setValue("form", '{"emb_dim": 5, "hidden": [30, 20], "lr": "fast"}')
    old.setValue("preset", "lecture")
    c = CharMLPTab()
    qtbot.addWidget(c)
    c.restore_settings(old)
    assert (c.state.emb_dim, c.state.hidden, c.state.lr) == (5, (30, 20), 0.1)


def test_preset_change_while_paused_trains_the_new_model(tab, qtbot):
    """The bug: Lecture playing, pause, pick Tiny, Play: the Lecture model trained on."""
    tab.toggle_play()
    qtbot.waitUntil(lambda: tab.model.steps_trained > 20, timeout=30_000)
    tab.toggle_play()  # pause
    assert tab.session.state == "paused"
    tab.apply_preset("tiny")
    assert "Play starts a new model" in tab.message()  # the screen says so before Play
    qtbot.waitUntil(lambda: tab.model.config.emb_dim == 2, timeout=10_000)  # shown fresh
    assert tab.model.steps_trained == 0 and n_params(tab.model) == form_count(tab) == 3_481
    tab.toggle_play()
    qtbot.waitUntil(lambda: tab.model.steps_trained > 5, timeout=30_000)
    assert n_params(tab.model) == form_count(tab) == 3_481
    assert "fresh model" in tab.message()
    qtbot.waitUntil(lambda: "of 30,000" in tab.views.controls.counter.text(), timeout=10_000)
    qtbot.waitUntil(
        lambda: "real axes" in tab.views.scatter.plotItem.titleLabel.text, timeout=10_000
    )


def test_shape_change_while_running_restarts_at_once(tab, qtbot):
    tab.toggle_play()
    qtbot.waitUntil(lambda: tab.model.steps_trained > 20, timeout=30_000)
    tab.apply_preset("tiny")
    assert tab.session.running and n_params(tab.model) == form_count(tab) == 3_481
    assert tab.model.steps_trained < 20 and "afresh" in tab.message()
    qtbot.waitUntil(lambda: "of 30,000" in tab.views.controls.counter.text(), timeout=10_000)
    tab.state.emb_dim = 3  # one field, while running
    assert tab.model.config.emb_dim == 3 and n_params(tab.model) == form_count(tab)
    tab.session.pause()
    tab.state.emb_dim = 4  # paused: the next Play is fresh, the screen says so
    assert "Play starts a new model" in tab.message()
    qtbot.waitUntil(lambda: tab.model.config.emb_dim == 4, timeout=10_000)


def test_live_learning_rate_reaches_the_running_job(tab, qtbot):
    tab.toggle_play()
    qtbot.waitUntil(
        lambda: tab.session.live is not None and tab.model.steps_trained > 5, timeout=30_000
    )
    tab.state.lr = 0.02
    assert tab.session.live.lr == 0.02 and tab.settings_panel.lr_spin.value() == 0.02
    qtbot.waitUntil(lambda: tab.run.lr == pytest.approx(0.02), timeout=10_000)
    tab.views.temp_spin.setValue(0.5)  # the samples' temperature is live too
    assert tab.state.temperature == 0.5 and tab.run.temperature == 0.5
    tab.state.steps = 1234  # a training setting: the job restarts at once, going on
    assert tab.session.running and "continuing" in tab.message()
    first, last = re.findall(r"[\d,]+", tab.message())[:2]
    assert int(last.replace(",", "")) - int(first.replace(",", "")) == 1233
    assert tab.session.live.lr == 0.02  # the new job kept the live rate


def test_training_updates_the_plots_and_stops(tab, qtbot):
    fresh_tiny(tab, qtbot, steps=100_000)
    v = tab.views
    moves = v.scatter.moves
    tab.toggle_play()
    qtbot.waitUntil(lambda: v.loss_plot.count("train, per step") > 300, timeout=30_000)
    n = v.loss_plot.count("train, per step")
    qtbot.waitUntil(lambda: v.loss_plot.count("train, per step") > n + 100, timeout=30_000)
    qtbot.waitUntil(lambda: v.scatter.moves > moves + 2, timeout=30_000)
    assert "first loss" in v.init_label.text()
    # the running mean has a point per step, like the raw loss (issue 9)
    xs, _ = v.loss_plot.data("train, running mean")
    assert len(xs) > 300 and (xs[1:] - xs[:-1]).max() == 1
    assert v.hist.saturated and v.ratios.names == ["C", "W1", "W out"]
    qtbot.waitUntil(lambda: len(v.samples.names) == 8, timeout=30_000)
    assert "of 100,000" in v.controls.counter.text()
    with qtbot.waitSignal(tab.session.finished, timeout=30_000):
        tab.stop_training()
    assert tab.session.state == "finished"
    losses = [float(v.table.item(r, 2).text()) for r in range(3)]
    assert all(2.0 < x < 3.3 for x in losses)
    steps = tab.model.steps_trained
    assert 300 < steps < 100_000
    assert "Done" in tab.message()
    tab.state.steps = 50  # Play again continues the same model
    with qtbot.waitSignal(tab.session.finished, timeout=30_000):
        tab.toggle_play()
    assert tab.model.steps_trained == steps + 50


def test_lr_finder_button_and_use_it(tab, qtbot):
    fresh_tiny(tab, qtbot)
    s = tab.settings_panel
    with qtbot.waitSignal(tab.finder_worker.finished, timeout=60_000):
        s.finder_button.click()
    assert tab.views.finder_plot.points > 100
    assert s.use_lr_button.isEnabled() and tab.presenter.suggested is not None
    s.use_lr_button.click()
    assert tab.state.lr == pytest.approx(tab.presenter.suggested, abs=1e-4)
    assert s.lr_spin.value() == pytest.approx(tab.state.lr)


def test_samples_are_drawn_in_the_background(tab, qtbot):
    tab.state.update(sample_seed=3, temperature=0.8)
    tab.draw_samples()
    qtbot.waitUntil(lambda: len(tab.views.samples.names) == 12, timeout=10_000)
    assert "seed 3" in tab.views.samples.title.text()


def test_save_load_and_bad_files(tab, qtbot, tmp_path):
    fresh_tiny(tab, qtbot, steps=200)
    with qtbot.waitSignal(tab.session.finished, timeout=30_000):
        tab.toggle_play()
    path = tmp_path / "tiny.safetensors"
    assert tab.save_to(str(path)) and "Saved" in tab.message()
    assert not list(tmp_path.glob(".*.tmp"))  # the temporary file was renamed
    tab.reset()
    tab.apply_preset("lecture")
    qtbot.waitUntil(lambda: tab.model.config.emb_dim == 10, timeout=10_000)
    assert tab.load_from(str(path))
    qtbot.waitUntil(lambda: not tab.loading_model, timeout=30_000)
    assert tab.model.steps_trained == 200 and tab.state.emb_dim == 2
    assert tab.settings_panel.emb_spin.value() == 2 and n_params(tab.model) == form_count(tab)
    assert len(tab.views.samples.names) == 12 and "Loaded" in tab.message()
    assert tab.views.table.item(1, 2).text() != "–"
    with qtbot.waitSignal(tab.session.finished, timeout=30_000):
        tab.toggle_play()  # Play continues the loaded model
    assert tab.model.steps_trained == 400
    # a file that is not a model: refused at once, the tab keeps what it had
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"\x00garbage")
    assert not tab.load_from(str(bad))
    assert "not a Character MLP model file" in tab.message()
    assert not tab.load_from(str(tmp_path / "missing.safetensors"))
    assert "does not exist" in tab.message()
    # a header that lies about the weights: the error arrives from the background load
    import json
    import struct

    header = json.loads(path.read_bytes()[8 : 8 + struct.unpack("<Q", path.read_bytes()[:8])[0]])
    meta = header["__metadata__"]
    meta["config"] = json.dumps({**json.loads(meta["config"]), "emb_dim": 5})
    data = path.read_bytes()
    n = struct.unpack("<Q", data[:8])[0]
    text = json.dumps(header).encode()
    lying = tmp_path / "lying.safetensors"
    lying.write_bytes(struct.pack("<Q", len(text)) + text + data[8 + n :])
    assert tab.load_from(str(lying))
    qtbot.waitUntil(lambda: not tab.loading_model, timeout=30_000)
    assert "don't match" in tab.message() and tab.model.steps_trained == 400
    assert tab.state.emb_dim == 2
    # a setting out of range in the header: named
    meta["config"] = json.dumps({**json.loads(meta["config"]), "emb_dim": 0})
    text = json.dumps(header).encode()
    lying.write_bytes(struct.pack("<Q", len(text)) + text + data[8 + n :])
    assert not tab.load_from(str(lying)) and "emb_dim" in tab.message()
    # saving where it can't: the message bar, not a dialog
    assert not tab.save_to(str(tmp_path / "no such dir" / "m.safetensors"))
    assert "Could not write" in tab.message()


def test_divergence_stops_with_a_message_and_reset(tab, qtbot):
    tab.state.lr = 10.0  # the lecture model at lr 10: 27 -> hundreds
    tab.toggle_play()
    qtbot.waitUntil(lambda: tab.session.state == "failed", timeout=60_000)
    assert "diverged" in tab.message() and "lower the learning rate" in tab.message()
    assert tab.message_bar.level == "error"
    assert tab.message_bar.action_button.text() == "Reset"
    _, ys = tab.views.loss_plot.data("train, per step")
    assert len(ys) and np.isfinite(ys).all()  # nothing non-finite is drawn
    tab.message_bar.action_button.click()
    qtbot.waitUntil(lambda: tab.model.steps_trained == 0, timeout=10_000)
    tab.state.lr = 0.1
    tab.step()  # Play or Step after a divergence trains a new model
    qtbot.waitUntil(lambda: tab.model.steps_trained == 1, timeout=10_000)


def test_closing_the_window_mid_training(qtbot, tmp_path):
    from playground.ui.main_window import MainWindow

    w = MainWindow(tab="charmlp", settings=QSettings(str(tmp_path / "w.ini"), QSettings.IniFormat))
    qtbot.addWidget(w)
    w.show()
    tab = w.current_tab()
    qtbot.waitUntil(tab.is_ready, timeout=30_000)
    fresh_tiny(tab, qtbot)
    tab.toggle_play()
    qtbot.waitUntil(lambda: tab.views.loss_plot.count("train, per step") > 50, timeout=30_000)
    w.close()
    assert not tab.session.worker.has_job() and tab.session.state == "idle"


def test_step_key_runs_one_step(tab, qtbot):
    fresh_tiny(tab, qtbot)
    tab.step()
    qtbot.waitUntil(
        lambda: tab.views.controls.counter.text().startswith("step 1 of"), timeout=10_000
    )
    assert tab.session.state == "paused" and tab.model.steps_trained == 1
    assert tab.presenter.first_loss is not None


def test_missing_dataset_shows_a_message(qtbot, monkeypatch):
    from playground.core import data

    def missing(*_a, **_k):
        raise data.DataMissing("The names dataset is missing names.txt. Put it in /somewhere.")

    monkeypatch.setattr(data, "locate", missing)
    t = CharMLPTab()
    qtbot.addWidget(t)
    t.show()
    qtbot.waitUntil(t.is_ready, timeout=10_000)
    assert "not available" in t.message() and "/somewhere" in t.message()
    assert not t.views.controls.isEnabled()
    assert t.message_bar.action_button.text() == "Try again"


def test_building_the_tab_does_not_import_torch():
    import subprocess
    import sys

    code = (
        "import os, sys\n"
        "os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "from playground.ui.tabs.charmlp import CharMLPTab\n"
        "t = CharMLPTab()\n"
        "t.state.emb_dim = 4\n"
        "t.apply_preset('tiny')\n"
        "assert 'torch' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
