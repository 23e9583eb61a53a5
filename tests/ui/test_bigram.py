"""The Bigram tab: heatmap, smoothing, sampling, scoring, own words, the neural net."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt

from playground.ui.tabs import bigram as bigram_tab
from playground.ui.tabs.bigram import BigramTab


@pytest.fixture
def tab(qtbot):
    t = BigramTab()
    qtbot.addWidget(t)
    t.resize(1360, 800)
    t.show()
    qtbot.waitUntil(t.is_ready, timeout=20_000)
    yield t
    t.shutdown()


def test_heatmap_shows_the_counts(tab):
    assert "32,033 words" in tab.source_label.text()
    assert "228,146 bigrams" in tab.source_label.text()
    hm = tab.heatmap
    assert hm.V == 27 and hm.values.shape == (27, 27)
    assert hm.image.image is not None and hm.image.image.shape == (27, 27)
    # counts view with k = 1: the "em" cell shows 769 + 1
    em = 5 * 27 + 13
    assert hm.text.top[em] == "em" and hm.text.bottom[em] == "770"
    tab.mode_combo.setCurrentIndex(1)
    assert hm.text.bottom[em] == f"{tab.model.probs[5, 13]:.3f}".lstrip("0")
    tab.mode_combo.setCurrentIndex(2)
    assert hm.values.max() <= 0
    assert "logarithm" in tab.mode_help.text()


def test_smoothing_slider_changes_nll_live(tab):
    tab.smooth_slider.setValue(0)
    assert "2.4541" in tab.nll_label.text()
    tab.smooth_slider.setValue(1)
    assert "2.4544" in tab.nll_label.text()
    tab.smooth_slider.setValue(100)
    assert tab.nll > 2.46
    assert tab.heatmap.text.bottom[5 * 27 + 13] == "869"


def test_score_box_and_minus_infinity(tab):
    tab.panels.setCurrentIndex(2)
    tab.smooth_slider.setValue(0)
    tab.score_edit.setText("andrejq")
    assert tab.score_table.rowCount() == 8
    assert tab.score_table.item(6, 0).text() == "jq"
    assert tab.score_table.item(6, 2).text() == "−∞"
    assert "−∞" in tab.score_summary.text() and "'jq'" in tab.score_summary.text()
    tab.smooth_slider.setValue(1)
    assert "3.4834" in tab.score_summary.text()
    tab.score_edit.setText("emma")
    assert "is in names.txt" in tab.score_summary.text()
    tab.score_edit.setText("zoë")
    assert "not in this model's alphabet" in tab.score_summary.text()


def test_instant_sampling_gives_the_lecture_names(tab):
    tab.instant_check.setChecked(True)
    tab.n_spin.setValue(5)
    tab.sample()
    names = [tab.sample_table.item(r, 0).text() for r in range(5)]
    assert names == ["mor", "axx", "minaymoryles", "kondlaisah", "anchshizarie"]
    assert tab.uniform_table.rowCount() == 5
    assert "of 5 sampled names occur" in tab.sample_summary.text()
    tab.seed_spin.setValue(42)
    tab.sample()
    assert [tab.sample_table.item(r, 0).text() for r in range(5)] != names


def test_animated_sampling_highlights_the_path(qtbot, tab):
    tab.panels.setCurrentIndex(1)
    tab.instant_check.setChecked(False)
    tab.speed_slider.setValue(60)
    tab.n_spin.setValue(2)
    qtbot.mouseClick(tab.sample_button, Qt.LeftButton)
    assert tab.sample_button.text() == "Stop"
    qtbot.waitUntil(lambda: tab.heatmap.cell_box.isVisible(), timeout=5000)
    assert tab.heatmap.row_box.isVisible()
    assert "drew" in tab.draw_label.text()
    qtbot.waitUntil(lambda: tab.sample_table.rowCount() == 2, timeout=10_000)
    assert tab.sample_button.text() == "Sample"
    assert tab.sample_table.item(0, 0).text() == "mor"
    assert tab.current_label.text().endswith(".")


def test_click_and_hover_a_cell(qtbot, tab):
    hm = tab.heatmap
    pos = hm.cell_center(5, 13)  # row 'e', column 'm'
    qtbot.mouseMove(hm.viewport(), pos)
    qtbot.waitUntil(lambda: "'em'" in tab.hover_label.text(), timeout=3000)
    assert "769 times" in tab.hover_label.text()
    qtbot.mouseClick(hm.viewport(), Qt.LeftButton, pos=pos)
    qtbot.waitUntil(lambda: tab.pair_list.count() > 0, timeout=3000)
    assert "'em'" in tab.pair_label.text()
    assert all("em" in tab.pair_list.item(i).text() for i in range(tab.pair_list.count()))
    heights = tab.row_bars.opts["height"]
    np.testing.assert_allclose(heights, tab.model.probs[5], rtol=1e-6)


def test_own_words_and_bad_files(qtbot, tab, tmp_path, monkeypatch):
    warnings = []
    monkeypatch.setattr(bigram_tab.QMessageBox, "warning", lambda *a, **k: warnings.append(a[2]))
    binary = tmp_path / "picture.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200))
    tab.load_words_file(binary)
    qtbot.waitUntil(lambda: len(warnings) == 1, timeout=5000)
    assert "binary" in warnings[0]
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    tab.load_words_file(empty)
    qtbot.waitUntil(lambda: len(warnings) == 2, timeout=5000)
    assert "no words" in warnings[1]
    assert "names.txt" in tab.source_label.text()  # still usable, still the names
    good = tmp_path / "pokemon.txt"
    good.write_text("pikachu\neevee\nflabébé\nho-oh\nmew\n", encoding="utf-8")
    tab.load_words_file(good)
    qtbot.waitUntil(lambda: "pokemon.txt" in tab.source_label.text(), timeout=5000)
    V = len(set("pikachueeveeflabébého-ohmew")) + 1
    assert tab.heatmap.V == V and tab.model.vocab_size == V
    assert "5 words" in tab.source_label.text()
    tab.instant_check.setChecked(True)
    tab.sample()
    assert tab.sample_table.rowCount() == tab.n_spin.value()


def test_neural_training_starts_and_the_curve_grows(qtbot, tab):
    tab.panels.setCurrentIndex(3)
    tab.trick_check.setChecked(True)  # same maths, fast enough for a test
    tab.toggle_play()
    qtbot.waitUntil(lambda: tab.loss_plot.count("neural net") > 20, timeout=20_000)
    assert tab.worker.state in ("running", "finished")
    tab.l2_slider.setValue(0)
    assert tab.settings_live.l2 == 0
    qtbot.waitUntil(lambda: tab._neural_probs is not None, timeout=5000)
    assert tab._neural_probs.shape == (27, 27)
    assert "largest |softmax(W) − P|" in tab.neural_label.text()
    xs, ys = tab.loss_plot.data("neural net")
    assert ys[-1] < ys[0]
    tab.reset()
    assert tab.loss_plot.count("neural net") == 0


def test_settings_roundtrip(qtbot, tab, tmp_path):
    s = QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat)
    tab.smooth_slider.setValue(7)
    tab.mode_combo.setCurrentIndex(2)
    tab.seed_spin.setValue(123)
    tab.instant_check.setChecked(True)
    tab.save_settings(s)
    s.sync()
    other = BigramTab()
    qtbot.addWidget(other)
    other.restore_settings(QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat))
    assert other.smooth_slider.value() == 7
    assert other.mode_combo.currentData() == "logprobs"
    assert other.seed_spin.value() == 123 and other.instant_check.isChecked()
    qtbot.waitUntil(other.is_ready, timeout=20_000)
    other.shutdown()


def test_tab_is_ready_without_importing_torch():
    import subprocess
    import sys

    code = (
        "import sys, time\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "from playground.ui.tabs.bigram import BigramTab\n"
        "t = BigramTab()\n"
        "end = time.monotonic() + 20\n"
        "while not t.is_ready() and time.monotonic() < end:\n"
        "    app.processEvents()\n"
        "assert t.is_ready()\n"
        "assert 'torch' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
