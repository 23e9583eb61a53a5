"""The Character MLP tab: loads, trains while the views update, stops, lr finder, files,
its state (the one source of truth) and the shape rule."""

from __future__ import annotations

import ast
import dataclasses
import inspect
import json
import re
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QSettings

from playground.core.training import torch_threads
from playground.ui.tabs.charmlp import CharMLPTab
from playground.ui.tabs.charmlp.part4 import rate_text
from playground.ui.tabs.charmlp.state import CharMLPState

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
def test_the_state_takes_the_core_configs_fields():
    """Every CharMLPConfig field is a form field (from_core), with the core's defaults: the
    lecture preset; the learning rate and the temperature reach a running job."""
    from playground.core import charmlp_config

    assert CharMLPState().core_values() == dataclasses.asdict(charmlp_config.preset("lecture"))
    assert set(CharMLPState().values("live")) == {"lr", "temperature"}


def test_state_module_imports_no_qt_widgets_nor_torch():
    tree = ast.parse(STATE_MODULE.read_text())
    names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    names += [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module]
    core = [n for n in names if n.startswith("playground.core")]
    assert core == ["playground.core.charmlp_config"]  # plain Python: no torch
    assert not [n for n in names if n.startswith(("PySide6", "torch"))]


# ---------------------------------------------------------------- the tab
def test_tab_shows_its_initial_state(tab):
    assert tab.cm is not None and len(tab.words) == 32_033
    assert "11,897 parameters" in tab.settings_panel.count_label.text()
    assert n_params(tab.model) == 11_897
    assert "3.30" in tab.views.init_label.text()
    assert tab.views.scatter.moves >= 1 and len(tab.views.scatter.itos) == 27
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
    qtbot.waitUntil(lambda: "of 30,000" in tab.views.controls.text(), timeout=10_000)
    qtbot.waitUntil(
        lambda: "real axes" in tab.views.scatter.plotItem.titleLabel.text, timeout=10_000
    )


def test_shape_change_while_running_restarts_at_once(tab, qtbot):
    tab.toggle_play()
    qtbot.waitUntil(lambda: tab.model.steps_trained > 20, timeout=30_000)
    tab.apply_preset("tiny")
    assert tab.session.running and n_params(tab.model) == form_count(tab) == 3_481
    assert tab.model.steps_trained < 20 and "afresh" in tab.message()
    qtbot.waitUntil(lambda: "of 30,000" in tab.views.controls.text(), timeout=10_000)
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
    assert "of 100,000" in v.controls.text()
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
    assert tab.save_to(str(path))
    assert tab.message() == f"Saved the model (200 steps trained) to {path}."
    assert not list(tmp_path.glob(".*.tmp"))  # the temporary file was renamed
    tab.reset()
    tab.apply_preset("lecture")
    qtbot.waitUntil(lambda: tab.model.config.emb_dim == 10, timeout=10_000)
    assert tab.load_from(str(path))
    qtbot.waitUntil(lambda: not tab.loading_model, timeout=30_000)
    assert tab.model.steps_trained == 200 and tab.state.emb_dim == 2
    assert tab.settings_panel.emb_spin.value() == 2 and n_params(tab.model) == form_count(tab)
    assert len(tab.views.samples.names) == 12 and "Opened tiny.safetensors" in tab.message()
    assert "embedding size 10 → 2" in tab.message()  # what the file changed in the form
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
    # saving where it can't: the message bar, not a dialog
    assert not tab.save_to(str(tmp_path / "no such dir" / "m.safetensors"))
    assert "Could not write" in tab.message()


def rewrite_header(path: Path, to: Path, **config) -> None:
    """Copy a model file with settings in its header changed (its weights as they were)."""
    raw = path.read_bytes()
    n = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8 : 8 + n])
    meta = header["__metadata__"]
    meta["config"] = json.dumps({**json.loads(meta["config"]), **config})
    text = json.dumps(header).encode()
    to.write_bytes(len(text).to_bytes(8, "little") + text + raw[8 + n :])


def test_a_wrong_model_file_is_refused_at_once_in_words(tab, qtbot, tmp_path):
    import torch
    from safetensors.torch import save_file

    from playground.core import charmlp

    itos = charmlp.vocabulary(tab.words)
    good = tmp_path / "good.safetensors"
    charmlp.save(charmlp.make_model(charmlp.preset("lecture"), itos), good)
    model, steps = tab.model, tab.model.steps_trained
    raw = good.read_bytes()

    def refused(path: Path, *words: str) -> None:
        assert tab.load_from(str(path)) is False
        assert not tab.loading_model and tab.message_bar.level == "error"
        assert all(w in tab.message() for w in words), tab.message()
        assert path.name in tab.message()  # the file is named
        qtbot.wait(50)  # nothing arrives later: the tab keeps its model
        assert tab.model is model and tab.model.steps_trained == steps
        assert tab.message_bar.level == "error"

    cut = tmp_path / "cut.safetensors"
    cut.write_bytes(raw[:-4000])
    refused(cut, "cut short", "an interrupted copy")
    shapes = tmp_path / "shapes.safetensors"
    weights = charmlp.make_model(charmlp.preset("lecture"), itos).state_dict()
    meta = {
        "format": charmlp.FILE_FORMAT,
        "config": charmlp.preset("lecture").to_json(),
        "itos": json.dumps(itos),
        "steps_trained": "5",
    }
    save_file({**weights, "C": torch.zeros(3, 3)}, str(shapes), metadata=meta)
    refused(
        shapes,
        "C is 3x3 in the file, but a model with vocabulary 27 and embedding 10 needs 27x10.",
    )
    assert "torch.Size" not in tab.message() and "size mismatch" not in tab.message()
    edited = tmp_path / "edited.safetensors"
    rewrite_header(good, edited, emb_dim=5)
    refused(edited, "C is 27x10 in the file", "vocabulary 27 and embedding 5 needs 27x5")
    rewrite_header(good, edited, emb_dim=0)
    refused(edited, "settings are not valid", "emb_dim: 0 is below the minimum 1")
    rewrite_header(good, edited, batch_size=100_000)  # the core's limits are the form's
    refused(edited, "settings are not valid", "batch_size")
    text = tmp_path / "notes.safetensors"
    text.write_text("these are my notes, not a model\n" * 10)
    refused(text, "not a Character MLP model file")
    other = tmp_path / "other.safetensors"
    save_file({"w": torch.zeros(2)}, str(other))
    refused(other, "no Character MLP header")
    # the sound file still opens
    assert tab.load_from(str(good))
    qtbot.waitUntil(lambda: not tab.loading_model, timeout=30_000)
    assert tab.model is not model and "Opened good.safetensors" in tab.message()


def test_opening_a_model_says_which_settings_it_changed(tab, qtbot, tmp_path):
    from playground.core import charmlp

    config = charmlp.CharMLPConfig(block_size=8, emb_dim=10, hidden=(20,), backward="manual")
    path = tmp_path / "m.safetensors"
    charmlp.save(charmlp.make_model(config, charmlp.vocabulary(tab.words)), path)
    assert tab.state.backward == "autograd" and tab.state.block_size == 3
    assert tab.load_from(str(path))
    qtbot.waitUntil(lambda: not tab.loading_model, timeout=30_000)
    assert tab.state.backward == "manual" and tab.state.block_size == 8
    message = tab.message()
    assert message.startswith("Opened m.safetensors (0 steps trained); the form changed: ")
    assert "block size 3 → 8" in message and "gradients autograd → by hand" in message
    assert "hidden layers 200 → 20" in message and "embedding" not in message  # unchanged
    # the same file again: nothing changes, and it says so
    assert tab.load_from(str(path))
    qtbot.waitUntil(lambda: not tab.loading_model, timeout=30_000)
    assert "the form already had its settings" in tab.message()


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
    qtbot.waitUntil(lambda: tab.views.controls.text().startswith("step 1 of"), timeout=10_000)
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


# ---------------------------------------------------------------- part 4: the backprop ninja
def ninja_rows(tab, qtbot, n: int) -> list[dict]:
    view = tab.views.ninja
    qtbot.waitUntil(
        lambda: len(view.rows) == n and "Checking" not in view.status.text(), timeout=30_000
    )
    return view.rows


def test_formulas_are_the_code_that_runs():
    from playground.core import ninja
    from playground.ui.tabs.charmlp.formulas import formulas

    f = formulas()
    assert set(ninja.ORDER) <= set(f)
    assert f["bnvar"] == "dbnvar = (-0.5 * (bnvar + 1e-5) ** -1.5) * dbnvar_inv"
    assert f["counts"].splitlines() == [
        "dcounts = counts_sum_inv * dprobs",
        "dcounts += torch.ones_like(counts) * dcounts_sum",
    ]
    assert f["C"].startswith("dC = torch.zeros_like(C)\nfor k in range(Xb.shape[0]):")
    assert "dhprebn = dhpreact" not in f["hprebn"]  # part 2's shortcut is not part 4's formula
    source = inspect.getsource(ninja.backprop_ninja)
    for name in ninja.ORDER:
        for line in f[name].splitlines():
            assert line.strip() in source, (name, line)
    assert "softmax" in f["logits (exercise 2)"]
    assert "n / (n - 1)" in f["hprebn (exercise 3)"]


def test_backprop_ninja_table_and_formulas(tab, qtbot):
    view = tab.views.ninja
    tab.views.show_page(view)  # shown: it checks the current model (part 2's: no BatchNorm)
    rows = ninja_rows(tab, qtbot, 17)
    assert [r["name"] for r in rows][:3] == ["logprobs", "probs", "counts_sum_inv"]
    assert all(r["exact"] or r["approx"] for r in rows) and not view.failing()
    assert "step 0" in view.status.text() and "all 17 match" in view.status.text()
    names = [view.table.item(i, 0).text() for i in range(view.table.rowCount())]
    assert names == [r["name"] for r in rows] and names[-1] == "C"
    tip = view.table.item(names.index("C"), 3).toolTip()
    assert "dC[ix] += demb[k, j]" in tip.replace("&lt;", "<")
    # part 4's own network: the lecture's 26 rows, every one exact or approximate
    view.network_combo.setCurrentIndex(view.network_combo.findData("lecture"))
    view.network_changed.emit("lecture")
    rows = ninja_rows(tab, qtbot, 26)
    assert all(r["exact"] or r["approx"] for r in rows) and rows[-1]["name"] == "C"
    assert all(r["maxdiff"] < 1e-6 for r in rows)
    names = [view.table.item(i, 0).text() for i in range(26)]
    assert "dbnvar = (-0.5 * (bnvar + 1e-5) ** -1.5) * dbnvar_inv" in (
        view.table.item(names.index("bnvar"), 0).toolTip()
    )
    assert "exercise 2" in view.table.item(names.index("logits"), 1).toolTip()
    from playground.ui.widgets.charmlp_views import FAIL_BACKGROUND

    assert all(view.table.item(i, 0).background().color() != FAIL_BACKGROUND for i in range(26))
    # a model part 4 does not cover: said plainly, no table
    view.network_combo.setCurrentIndex(view.network_combo.findData("current"))
    tab.apply_preset("wavenet")
    qtbot.waitUntil(lambda: tab.model.config.architecture == "wavenet", timeout=10_000)
    view.refresh_button.click()
    assert view.unsupported.isVisible() and not view.table.isVisible()
    assert "WaveNet" in view.unsupported.text() and "part 4's network" in view.unsupported.text()


def test_backprop_ninja_shows_a_failing_row_in_red(tab, qtbot, monkeypatch):
    from playground.core import charmlp
    from playground.ui.widgets.charmlp_views import FAIL_BACKGROUND

    def one_wrong(words, seed=42, model=None):
        rows = [{"name": n, "exact": True, "approx": True, "maxdiff": 0.0} for n in ("h", "W2")]
        return rows + [{"name": "b2", "exact": False, "approx": False, "maxdiff": 0.25}]

    monkeypatch.setattr(charmlp, "backprop_ninja", one_wrong)
    view = tab.views.ninja
    tab.views.show_page(view)
    view.refresh_button.click()
    ninja_rows(tab, qtbot, 3)
    assert view.failing() == ["b2"]
    assert view.table.item(2, 0).background().color() == FAIL_BACKGROUND
    assert view.table.item(0, 0).background().color() != FAIL_BACKGROUND
    assert view.table.item(2, 3).text() == "2.5e-01"
    assert "1 of 3 do not match" in view.status.text() and "b2" in view.status.text()


def test_training_with_the_hand_written_backward(tab, qtbot):
    fresh_tiny(tab, qtbot, steps=100_000)
    tab.state.backward = "manual"
    tab.views.show_page(tab.views.ninja)
    ninja_rows(tab, qtbot, 17)
    tab.toggle_play()
    qtbot.waitUntil(lambda: "manual" in tab.speeds, timeout=30_000)  # after 1 s of training
    label = tab.settings_panel.speed_label.text()
    assert "this run" in label and "(by hand)" in label and "last measured" in label
    with qtbot.waitSignal(tab.session.finished, timeout=30_000):
        tab.stop_training()
    steps = tab.model.steps_trained
    assert 0 < steps < 100_000 and tab.run.config.backward == "manual"
    losses = [float(tab.views.table.item(r, 2).text()) for r in range(3)]
    assert all(2.0 < x < 3.5 for x in losses)
    label = tab.settings_panel.speed_label.text()
    assert "this run" not in label and f"by hand {rate_text(tab.speeds['manual'])}" in label
    # the table followed the model where training ended
    qtbot.waitUntil(lambda: f"step {steps:,}" in tab.views.ninja.status.text(), timeout=30_000)
    assert not tab.views.ninja.failing()


def test_speed_meter_counts_only_stretches_of_training():
    from playground.ui.tabs.charmlp.part4 import MIN_SECONDS, SpeedMeter

    meter = SpeedMeter()
    meter.step_seen(5, 10.0)  # the first frame: start-up before it is not counted
    meter.step_seen(505, 10.5)
    assert meter.totals() == (500, 0.5) and meter.rate() is None  # too short to say
    meter.pause()
    meter.step_seen(510, 50.0)  # 39.5 s paused: not training time
    meter.step_seen(2010, 51.5)
    assert meter.totals() == (2000, 2.0) and meter.rate() == pytest.approx(1000.0)
    meter.pause()
    meter.pause()  # twice: nothing more
    assert meter.totals() == (2000, 2.0) and MIN_SECONDS <= 2.0


def slow_final_losses(monkeypatch, seconds: float = 0.7) -> None:
    """The final train/dev/test losses take ``seconds`` longer (as on a big model)."""
    import time

    from playground.core import charmlp_run

    losses = charmlp_run.Run.losses

    def slow(self):
        time.sleep(seconds)
        return losses(self)

    monkeypatch.setattr(charmlp_run.Run, "losses", slow)


def test_a_short_run_shows_no_speed(tab, qtbot, monkeypatch):
    slow_final_losses(monkeypatch)
    fresh_tiny(tab, qtbot, steps=200)
    with qtbot.waitSignal(tab.session.finished, timeout=30_000):
        tab.toggle_play()
    assert tab.model.steps_trained == 200
    assert "autograd" not in tab.speeds  # 200 steps (0.1 s) and a slow end: no rate to tell
    assert "last measured: autograd –, by hand – steps/s" in tab.settings_panel.speed_label.text()


def test_the_speed_leaves_out_pauses_and_the_final_losses(tab, qtbot, monkeypatch):
    import time

    slow_final_losses(monkeypatch)
    fresh_tiny(tab, qtbot, steps=1_000_000)
    t0 = time.perf_counter()
    tab.toggle_play()
    qtbot.waitUntil(lambda: tab.model.steps_trained > 100, timeout=30_000)
    assert "this run: measuring…" in tab.settings_panel.speed_label.text()
    tab.toggle_play()  # pause for a second
    assert tab.session.state == "paused"
    qtbot.wait(1_000)
    tab.toggle_play()
    qtbot.waitUntil(lambda: "autograd" in tab.speeds, timeout=60_000)  # 1 s of training
    assert "this run: " in tab.settings_panel.speed_label.text()
    with qtbot.waitSignal(tab.session.finished, timeout=30_000):
        tab.stop_training()
    wall = time.perf_counter() - t0
    steps, seconds = tab.speed_meter.totals()
    assert 0 < steps <= tab.model.steps_trained
    assert seconds < wall - 1.7  # the second paused and the 0.7 s of final losses are out
    assert tab.speeds["autograd"] == pytest.approx(steps / seconds)
    assert tab.speeds["autograd"] > tab.model.steps_trained / wall
    label = tab.settings_panel.speed_label.text()
    assert f"autograd {rate_text(steps / seconds)}" in label and "this run" not in label


def test_the_views_fit_1024x640_titles_points_and_letters(tab, qtbot):
    tab.resize(1024, 592)  # the tab in a 1024x640 window
    fresh_tiny(tab, qtbot, steps=300)
    with qtbot.waitSignal(tab.session.finished, timeout=30_000):
        tab.toggle_play()
    v = tab.views
    v.show_page(v.pages.widget(0))
    qtbot.wait(100)  # laid out
    plots = (v.loss_plot, v.scatter, v.hist, v.ratios, v.finder_plot)
    for plot in plots:
        item, label = plot.plotItem, plot.plotItem.titleLabel
        assert plot.isVisible() and plot.width() < 420  # narrow: 1024 wide
        # the plot is laid out in its widget, not wider (its right part cut off)
        assert item.sceneBoundingRect().right() <= plot.width() + 0.5, type(plot).__name__
        # and its title's text fits the title's width
        assert label.itemRect().width() <= label.width() + 0.5, label.text
    assert v.ratios.plotItem.vb.viewRange()[0][1] >= len(v.ratios.names) - 0.5  # every bar
    # every point in view, with a margin; the letters shown don't overlap, and fit the view
    scatter = v.scatter
    (x0, x1), (y0, y1) = scatter.plotItem.vb.viewRange()
    xs, ys = (scatter.xy[:, 0] - x0) / (x1 - x0), (scatter.xy[:, 1] - y0) / (y1 - y0)
    assert xs.min() > 0.01 and xs.max() < 0.99 and ys.min() > 0.01 and ys.max() < 0.99
    rects = scatter.letter_rects()
    view = scatter.plotItem.vb.sceneBoundingRect()
    assert len(rects) >= 9  # of 27: the crowded ones may be left out
    assert all(view.contains(r) for r in rects)
    for i, a in enumerate(rects):
        assert not any(a.intersects(b) for b in rects[i + 1 :])


def test_a_shown_model_has_its_views_ready_before_play(tab, qtbot):
    """What Play would otherwise do on the GUI's time: name the ratio bars' layers (a new
    axis).  (The data split is numpy's work now, ~30 ms at Play: core.contexts.)"""
    tab.apply_preset("wavenet")
    qtbot.waitUntil(lambda: tab.model.config.block_size == 8, timeout=10_000)
    assert tab.session.state != "running"
    assert tab.views.ratios.names == ["C", "W1", "W2", "W3", "W out"]


def test_letters_are_placed_apart_or_left_out():
    from playground.ui.widgets.charmlp_views import LABEL_SPOTS, letter_boxes, place_labels

    # five points in one spot, three alone
    points = np.array([[100, 100]] * 5 + [[20, 20], [180, 30], [100, 170]], float)
    boxes = np.full((8, 2), (9.0, 12.0))
    spots = place_labels(points, boxes, (200, 200), [0] * 8)
    assert spots[5:] == [0, 0, 0]  # alone: right of its point
    shown = [i for i in range(5) if spots[i] >= 0]
    assert 1 <= len(shown) < 5 and len({spots[i] for i in shown}) == len(shown)
    rects = letter_boxes(points, boxes)
    drawn = [rects[i, spots[i]] for i in range(8) if spots[i] >= 0]
    for i, a in enumerate(drawn):  # no two letters overlap
        for b in drawn[i + 1 :]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]
    # near the right edge: the letter goes left of its point, inside the view
    spots = place_labels(np.array([[195.0, 100.0]]), boxes[:1], (200, 200), [0])
    assert LABEL_SPOTS[spots[0]][2] < 0
    # a label keeps its spot while its first choice is taken, and goes back when it frees
    pair = np.array([[100, 100], [112, 100]], float)
    first = place_labels(pair, boxes[:2], (200, 200), [0, 0])
    assert first[0] != 0 and first[1] == 0
    assert place_labels(pair + 0.5, boxes[:2], (200, 200), first) == first
    apart = np.array([[100, 100], [100, 190]], float)
    assert place_labels(apart, boxes[:2], (200, 200), first) == [0, 0]


# ---------------------------------------------------------------- pinned runs
def train(tab, qtbot, steps: int) -> None:
    tab.state.steps = steps
    with qtbot.waitSignal(tab.session.finished, timeout=60_000):
        tab.toggle_play()


def test_pin_two_runs_restore_and_persist(tab, qtbot, tmp_path):
    assert tab.pin_run() is None and "Nothing to pin" in tab.message()
    fresh_tiny(tab, qtbot)
    train(tab, qtbot, 1_200)
    first = tab.pin_run("kaiming")
    assert first.metrics["steps"] == 1_200 and 2.0 < first.metrics["dev"] < 3.5
    assert set(first.curves) == {"loss/train", "loss/dev"} and first.wall_s > 0
    assert len(first.curves["loss/train"][0]) == 1_000  # thinned from 1,200 points
    assert first.curves["loss/train"][0][-1] == 1_200 and len(first.samples) == 8
    tab.state.init = "randn"  # a shape setting: a new model
    qtbot.waitUntil(lambda: tab.model.config.init == "randn", timeout=10_000)
    train(tab, qtbot, 200)
    second = tab.pin_run()
    assert second.name == "run 2" and len(second.curves["loss/train"][0]) == 200
    table = tab.runs.table
    assert table.objectName() == "runsTable" and table.rowCount() == 2
    assert "Compare runs (2)" in tab.views.pages.tabText(tab.views.pages.currentIndex())
    differs = table.item(0, 2)
    assert "Init kaiming" in differs.text() and "Steps 1200" in differs.text()
    assert differs.background().color().name() == "#fff1c2"  # highlighted
    assert table.item(1, 2).text() == "same settings"
    assert "samples:" in table.item(0, 1).toolTip()
    assert len(tab.views.loss_plot.overlay_keys()) == 4  # train and dev of each
    # restore the first run's settings: the form (and a fresh model) follow
    table.selectRow(0)
    tab.runs.restore_button.click()
    assert tab.state.init == "kaiming" and tab.state.steps == 1_200
    assert "settings are back" in tab.message()
    assert table.item(0, 2).text() == "same settings"
    # CSV export and persistence across launches
    path = tmp_path / "runs.csv"
    tab.runs.export_csv_to(str(path))
    assert tab.message() == f"Saved the pinned runs as CSV to {path}."  # where it wrote
    lines = path.read_text().splitlines()
    assert len(lines) == 3 and "init" in lines[0] and lines[1].startswith("kaiming,")
    s = QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat)
    tab.save_settings(s)
    s.sync()
    b = CharMLPTab()
    qtbot.addWidget(b)
    b.restore_settings(QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat))
    assert b.runs.table.rowCount() == 2 and len(b.views.loss_plot.overlay_keys()) == 4
    assert b.runs.book.runs[0].samples == first.samples
    assert "Compare runs (2)" in b.views.pages.tabText(2)
    b.runs.rename(1, "randn, 200 steps")
    assert b.runs.table.item(1, 1).text() == "randn, 200 steps"
    b.runs.remove(0)
    assert b.runs.table.rowCount() == 1 and len(b.views.loss_plot.overlay_keys()) == 2
    assert b.runs.book.runs[0].name == "randn, 200 steps"


def test_the_initialisation_lesson_runs_to_the_end(tab, qtbot):
    before = tab.state.to_dict()
    comp = tab.compare_init(steps=40, hidden=(30,))
    page = tab.views.runs_page
    assert page.cancel_button.isVisible() and not page.compare_button.isEnabled()
    with qtbot.waitSignal(comp.done, timeout=180_000) as done:
        pass
    assert done.args == [True]
    runs = tab.runs.book.runs
    assert [r.name for r in runs] == ["randn init", "Kaiming", "Kaiming, last ×0.01", "BatchNorm"]
    assert all(r.metrics["steps"] == 40 and "test" in r.metrics for r in runs)
    assert all(r.settings["seed"] == 2147483647 and r.settings["hidden"] == [30] for r in runs)
    # part 3's story: randn starts confidently wrong, the small last layer near ln 27 = 3.30
    first = [r.curves["loss/train"][1][0] for r in runs]
    assert first[0] > first[2] and 10 ** first[2] < 4.0
    assert tab.state.to_dict() == before and "initialisation lesson" in tab.message()
    assert page.compare_button.isEnabled() and not page.cancel_button.isVisible()
    # Cancel: it stops, what was pinned stays
    comp = tab.compare_init(steps=20_000, hidden=(30,))
    qtbot.waitUntil(lambda: tab.session.state == "running", timeout=30_000)
    with qtbot.waitSignal(comp.done, timeout=30_000) as done:
        page.cancel_button.click()
    assert done.args == [False] and tab.session.state != "running"
    assert tab.runs.table.rowCount() == 4 and "cancelled" in tab.message()


def test_the_tab_fits_a_1024x640_window(tab, qtbot, tmp_path):
    from PySide6.QtCore import QPoint, QRect

    from playground.ui.runs import PinnedRun
    from playground.ui.tabs.charmlp.runs import run_settings

    xs = list(range(1, 101))
    for name, init in (("randn", "randn"), ("Kaiming", "kaiming"), ("third", "kaiming")):
        settings = {**run_settings(tab.state), "init": init}
        curves = {"loss/train": (xs, [1 / x for x in xs])}
        tab.runs.pin(PinnedRun(name, settings, curves, {"dev": 2.2}, 3.0, samples=["ana"]))
    tab.resize(1024, 585)  # the window less its tab bar and status bar
    qtbot.waitUntil(lambda: tab.width() == 1024, timeout=5_000)
    hint = tab.minimumSizeHint()
    assert hint.width() <= 1024 and hint.height() <= 585, hint
    v = tab.views
    heights = set()
    for page in range(v.pages.count()):
        v.pages.setCurrentIndex(page)
        qtbot.wait(50)
        heights.add((v.loss_plot.height(), v.pages.height()))
        tab.grab().save(str(tmp_path / f"charmlp-1024-{page}.png"))
    assert len(heights) == 1  # the plots keep their size whatever page is shown
    assert v.loss_plot.height() >= 170 and v.pages.height() >= 210
    v.show_page(v.runs_page)
    qtbot.wait(50)
    table = tab.runs.table
    assert table.height() >= 4 * table.verticalHeader().defaultSectionSize()
    for w in (v.runs_page.compare_button, tab.runs.export_button, tab.runs.pin_button):
        box = QRect(w.mapTo(tab, QPoint(0, 0)), w.size())
        assert tab.rect().contains(box), w.text()
    v.show_page(v.ninja)
    qtbot.wait(50)
    assert v.ninja.table.height() >= 4 * v.ninja.table.verticalHeader().defaultSectionSize()
    box = QRect(v.ninja.refresh_button.mapTo(tab, QPoint(0, 0)), v.ninja.refresh_button.size())
    assert tab.rect().contains(box)
