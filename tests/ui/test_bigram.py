"""The Bigram tab: heatmap, smoothing, sampling, scoring, own words, the neural net.

Through public names only: ``tab.state`` (the settings), the panels' widgets
(``tab.bar``, ``tab.table``, ``tab.row``, ``tab.sampling``, ``tab.score``, ``tab.neural``),
``tab.session`` and ``tab.message()``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPointF, QSettings, Qt
from PySide6.QtGui import QFont, QFontMetrics

from playground.ui.tabs.bigram import BigramState, BigramTab
from playground.ui.widgets.runs_table import HIGHLIGHT

LECTURE_NAMES = ["mor", "axx", "minaymoryles", "kondlaisah", "anchshizarie"]
EM = 5 * 27 + 13  # the cell of the bigram "em"


@pytest.fixture
def tab(qtbot):
    t = BigramTab()
    qtbot.addWidget(t)
    t.resize(1360, 800)
    t.show()
    qtbot.waitUntil(t.is_ready, timeout=20_000)
    yield t
    t.shutdown()


def sampled(tab) -> list[str]:
    t = tab.sampling.sample_table
    return [t.item(r, 0).text() for r in range(t.rowCount())]


def test_heatmap_shows_the_counts(tab):
    assert "32,033 words" in tab.bar.source_label.full_text()
    assert "228,146 bigrams" in tab.bar.source_label.full_text()
    tab.state.smoothing = 1
    hm = tab.table.heatmap
    assert hm.V == 27 and hm.values.shape == (27, 27)
    assert hm.image.image is not None and hm.image.image.shape == (27, 27)
    assert hm.text.top[EM] == "em" and hm.text.bottom[EM] == "770"  # 769 + 1
    tab.state.mode = "probs"
    assert tab.bar.mode_combo.currentData() == "probs"
    assert hm.text.bottom[EM] == f"{tab.model.probs[5, 13]:.3f}".lstrip("0")
    tab.bar.mode_combo.setCurrentIndex(2)  # the widget drives the state too
    assert tab.state.mode == "logprobs"
    assert hm.values.max() <= 0
    assert "logarithm" in tab.table.mode_help.text()


def test_opens_at_the_lecture_table(tab):
    """k = 0: the lecture's N (".a" 4410, ".." 0), its NLL 2.4541, and andrejq is impossible."""
    assert tab.state.smoothing == 0 and tab.bar.smooth_slider.value() == 0
    text = tab.table.heatmap.text
    assert (text.top[1], text.bottom[1]) == (".a", "4410")
    assert (text.top[0], text.bottom[0]) == ("..", "0")
    assert "2.4541" in tab.bar.nll_label.text()
    tab.score.score_edit.setText("andrejq")
    assert "−∞" in tab.score.score_summary.text()


def test_axis_letters_have_room_for_dots_and_descenders(tab):
    """pyqtgraph sizes a horizontal axis to 0.8 of the text and clips the rest."""
    from PySide6.QtGui import QFont, QFontMetrics

    line = QFontMetrics(QFont()).height()
    assert tab.table.heatmap.plot.getAxis("top").height() >= line
    assert tab.row.row_plot.getAxis("bottom").height() >= line


def test_smoothing_changes_the_nll_live(tab):
    tab.bar.smooth_slider.setValue(0)
    assert tab.state.smoothing == 0
    assert "2.4541" in tab.bar.nll_label.text()
    assert tab.table.heatmap.text.bottom[1] == "4410"  # ".a" as the lecture prints it
    tab.state.smoothing = 1
    assert tab.bar.smooth_slider.value() == 1 and tab.bar.smooth_label.text() == "k = 1"
    assert "2.4544" in tab.bar.nll_label.text()
    tab.state.smoothing = 100
    assert tab.nll > 2.46
    assert tab.table.heatmap.text.bottom[EM] == "869"
    with pytest.raises(ValueError, match="smoothing"):
        tab.state.smoothing = -1


def test_score_box_and_minus_infinity(tab):
    tab.state.panel = "score"
    assert tab.panels.currentWidget() is tab.score
    score = tab.score
    tab.state.smoothing = 0
    score.score_edit.setText("andrejq")
    assert score.score_table.rowCount() == 8
    assert score.score_table.item(6, 0).text() == "jq"
    assert score.score_table.item(6, 2).text() == "−∞"
    assert "−∞" in score.score_summary.text() and "'jq'" in score.score_summary.text()
    tab.state.smoothing = 1
    assert "3.4834" in score.score_summary.text()
    score.score_edit.setText("emma")
    assert "is in names.txt" in score.score_summary.text()
    score.score_edit.setText("zoë")
    assert "not in this model's alphabet" in score.score_summary.text()


def test_instant_sampling_gives_the_lecture_names(qtbot, tab):
    tab.state.update(instant=True, n=5)
    assert tab.sampling.instant_check.isChecked() and tab.sampling.n_spin.value() == 5
    tab.sample()  # drawn in the background, listed at once
    qtbot.waitUntil(lambda: len(sampled(tab)) == 5, timeout=10_000)
    assert sampled(tab) == LECTURE_NAMES
    assert tab.sampling.uniform_table.rowCount() == 5
    assert "of 5 sampled names occur" in tab.sampling.sample_summary.text()
    tab.state.seed = 42
    tab.sample()
    qtbot.waitUntil(lambda: len(sampled(tab)) == 5 and sampled(tab) != LECTURE_NAMES)
    tab.state.update(seed=2147483647, sampler="torch")  # today's torch.multinomial
    tab.sample()
    qtbot.waitUntil(lambda: len(sampled(tab)) == 5 and sampled(tab) != LECTURE_NAMES)


def test_animated_sampling_highlights_the_path(qtbot, tab):
    tab.state.update(panel="sample", instant=False, speed=60, n=2)
    s = tab.sampling
    qtbot.mouseClick(s.sample_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: s.sample_button.text() == "Stop", timeout=10_000)
    qtbot.waitUntil(lambda: tab.table.heatmap.cell_box.isVisible(), timeout=5000)
    assert tab.table.heatmap.row_box.isVisible()
    assert "drew" in s.draw_label.text()
    qtbot.waitUntil(lambda: s.sample_table.rowCount() == 2, timeout=10_000)
    assert s.sample_button.text() == "Sample"
    assert s.sample_table.item(0, 0).text() == "mor"
    assert s.current_label.text().endswith(".")


def test_stop_lists_the_names_still_to_come(qtbot, tab):
    tab.state.update(instant=False, speed=1, n=4)
    tab.sample()
    qtbot.waitUntil(tab.sampler.running, timeout=10_000)
    tab.stop_sampling()
    assert not tab.sampler.running() and tab.sampling.sample_table.rowCount() == 4


def test_click_and_hover_a_cell(qtbot, tab):
    hm = tab.table.heatmap
    pos = hm.cell_center(5, 13)  # row 'e', column 'm'
    qtbot.mouseMove(hm.viewport(), pos)
    qtbot.waitUntil(lambda: "'em'" in tab.table.hover_label.text(), timeout=3000)
    assert "769 times" in tab.table.hover_label.text()
    tab.state.panel = "score"
    qtbot.mouseClick(hm.viewport(), Qt.LeftButton, pos=pos)
    row = tab.row
    qtbot.waitUntil(lambda: row.pair_list.count() > 0, timeout=3000)
    assert tab.state.panel == "row" and tab.panels.currentWidget() is row
    assert "'em'" in row.pair_label.text()
    assert all("em" in row.pair_list.item(i).text() for i in range(row.pair_list.count()))
    np.testing.assert_allclose(row.row_bars.opts["height"], tab.model.probs[5], rtol=1e-6)


def test_bad_word_files_say_why_and_keep_the_words(tab, tmp_path):
    before = tab.bar.source_label.full_text()
    binary = tmp_path / "picture.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200))
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("zoë\nchloé\n".encode("latin-1"))
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n")
    numbers = tmp_path / "numbers.txt"
    numbers.write_text("emma\n12345\n")
    cases = [
        (binary, "binary"),
        (latin1, "not UTF-8"),
        (empty, "no words"),
        (numbers, "not a letter"),
        (tmp_path / "missing.txt", "Could not read"),
    ]
    for path, words in cases:
        assert tab.load_words_file(path) is False
        assert words in tab.message() and path.name in tab.message()
        assert tab.message_bar.level == "error"
        assert "Still showing names.txt" in tab.message()
        assert tab.bar.source_label.full_text() == before and tab.source == "names.txt"
        assert tab.model.vocab_size == 27


def test_own_words_replace_the_names(qtbot, tab, tmp_path):
    good = tmp_path / "pokemon.txt"
    good.write_text("pikachu\neevee\nflabébé\nho-oh\nmew\n", encoding="utf-8")
    tab.load_words_file(tmp_path / "missing.txt")
    assert tab.message()
    assert tab.load_words_file(good) is True
    assert tab.message() == ""  # the old error went with the old words
    assert (
        "pokemon.txt" in tab.bar.source_label.full_text()
        and "5 words" in tab.bar.source_label.full_text()
    )
    V = len(set("pikachueeveeflabébého-ohmew")) + 1
    assert tab.table.heatmap.V == V and tab.model.vocab_size == V
    tab.state.instant = True
    tab.sample()
    qtbot.waitUntil(lambda: len(sampled(tab)) == tab.state.n, timeout=10_000)


def test_the_heatmap_saves_as_a_png(tab, tmp_path):
    out = tmp_path / "bigram.png"
    assert tab.save_heatmap_file(out) is True
    assert out.read_bytes().startswith(b"\x89PNG")
    assert tab.message() == f"Saved the heatmap as PNG to {out}."
    assert not list(tmp_path.glob(".*.tmp"))
    assert tab.save_heatmap_file(tmp_path / "no such folder" / "x.png") is False
    assert "Could not save" in tab.message() and tab.message_bar.level == "error"


def test_neural_training_follows_live_settings(qtbot, tab):
    tab.state.update(panel="neural", method="counts", steps=100_000)  # same maths, fast
    tab.toggle_play()
    neural = tab.neural
    qtbot.waitUntil(lambda: neural.loss_plot.count("neural net") > 20, timeout=20_000)
    assert tab.session.state == "running"
    tab.state.l2 = 0.0  # live: the running job reads it at its next step
    assert tab.session.live.l2 == 0.0 and neural.l2_combo.currentText() == "0"
    neural.lr_spin.setValue(20.0)  # from the widget, through the state, to the job
    assert tab.state.lr == 20.0 and tab.session.live.lr == 20.0
    qtbot.waitUntil(lambda: tab.presenter.probs is not None, timeout=5000)
    assert tab.presenter.probs.shape == (27, 27)
    assert "largest |softmax(W) − P|" in neural.neural_label.text()
    xs, ys = neural.loss_plot.data("neural net")
    assert ys[-1] < ys[0]
    assert "step" in neural.run_controls.text()
    tab.reset()
    assert tab.session.state == "idle" and neural.loss_plot.count("neural net") == 0


def test_a_new_computation_while_running_restarts_at_once(qtbot, tab):
    tab.state.update(method="counts", steps=100_000)
    tab.toggle_play()
    qtbot.waitUntil(lambda: tab.neural.loss_plot.count("neural net") > 5, timeout=20_000)
    gen = tab.session.worker.generation
    tab.state.steps = 50_000  # shape: a new run now
    assert tab.session.running and tab.session.worker.generation != gen
    assert "afresh" in tab.message()
    qtbot.waitUntil(lambda: tab.neural.run_controls.progress.maximum() == 50_000, timeout=5000)


def test_a_new_computation_while_paused_waits_for_play(qtbot, tab):
    tab.state.method = "counts"
    tab.step()
    qtbot.waitUntil(lambda: tab.neural.loss_plot.count("neural net") >= 1, timeout=20_000)
    assert tab.session.state == "paused"
    tab.neural.method_combo.setCurrentIndex(0)  # one-hot @ W as written, from the widget
    assert tab.state.method == "onehot"
    assert tab.session.fresh_pending and "Play starts a new model" in tab.message()
    assert tab.session.state == "idle"
    tab.state.method = "counts"
    tab.toggle_play()
    assert tab.session.running and tab.message() == ""


def test_defaults_reach_the_counting_nll(qtbot, tab):
    """With its defaults the net ends within 0.01 of the counting model (lecture: lr 50)."""
    assert (tab.state.method, tab.state.lr, tab.state.l2) == ("rows", 50.0, 0.01)
    tab.toggle_play()
    qtbot.waitUntil(lambda: tab.session.state == "finished", timeout=60_000)
    _, ys = tab.neural.loss_plot.data("neural net")
    assert len(ys) == tab.state.steps and ys[-1] - tab.nll < 0.01
    assert abs(ys[0] - 3.7590) < 1e-3  # the lecture's random W and first loss
    assert "vs counting 2.4541" in tab.neural.neural_label.text()


def test_divergence_pauses_and_offers_reset(qtbot, tab):
    tab.state.update(lr=500.0, panel="neural")
    tab.toggle_play()
    qtbot.waitUntil(lambda: "diverged" in tab.message(), timeout=20_000)
    assert tab.message_bar.level == "error" and "learning rate" in tab.message()
    assert not tab.session.running
    button = tab.message_bar.action_button
    assert button.isVisible() and button.text() == "Reset"
    _, ys = tab.neural.loss_plot.data("neural net")
    assert np.isfinite(ys).all() and (ys < 2 * 3.76).all()  # the diverged step is not drawn
    probs = tab.presenter.probs
    assert probs is None or np.isfinite(probs).all()
    assert np.isfinite(tab.neural.neural_map.image.image).all()
    qtbot.mouseClick(button, Qt.LeftButton)
    assert tab.message() == "" and tab.session.fresh_pending
    assert tab.neural.loss_plot.count("neural net") == 0


def test_state_round_trip_widgets_dict_qsettings(qtbot, tab, tmp_path):
    # widgets -> state
    tab.bar.smooth_slider.setValue(7)
    tab.bar.mode_combo.setCurrentIndex(2)
    tab.sampling.seed_spin.setValue(123)
    tab.sampling.instant_check.setChecked(True)
    tab.sampling.sampler_combo.setCurrentIndex(1)
    tab.neural.l2_combo.setEditText("0.1")
    tab.neural.l2_combo.lineEdit().editingFinished.emit()
    tab.panels.setCurrentIndex(3)
    s = tab.state
    assert (s.smoothing, s.mode, s.seed, s.instant, s.sampler, s.l2, s.panel) == (
        7,
        "logprobs",
        123,
        True,
        "torch",
        0.1,
        "neural",
    )
    # state -> dict -> state
    copy = BigramState.from_dict(s.to_dict())
    assert copy == s
    # state -> QSettings -> another tab's state -> its widgets
    qs = QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat)
    tab.save_settings(qs)
    qs.sync()
    other = BigramTab()
    qtbot.addWidget(other)
    other.restore_settings(QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat))
    assert other.state == s
    assert other.bar.smooth_slider.value() == 7
    assert other.bar.mode_combo.currentData() == "logprobs"
    assert other.sampling.seed_spin.value() == 123 and other.sampling.instant_check.isChecked()
    assert other.neural.l2_combo.currentText() == "0.1"
    assert other.panels.currentWidget() is other.neural
    qtbot.waitUntil(other.is_ready, timeout=20_000)
    assert other.nll == tab.nll and other.model.smoothing == 7
    other.shutdown()


def test_old_plain_text_settings_and_bad_values(tab, tmp_path):
    qs = QSettings(str(tmp_path / "old.ini"), QSettings.IniFormat)
    qs.setValue("smoothing", "3")  # older versions stored plain text
    qs.setValue("lr", "fast")  # unreadable: keeps the default
    qs.sync()
    tab.restore_settings(QSettings(str(tmp_path / "old.ini"), QSettings.IniFormat))
    assert tab.state.smoothing == 3 and tab.bar.smooth_slider.value() == 3
    assert tab.state.lr == BigramState.default("lr")
    with pytest.raises(ValueError, match="mode"):
        BigramState.from_dict({"mode": "sideways"})


def test_the_state_module_imports_no_qt():
    import ast

    from playground.ui.tabs.bigram import state

    tree = ast.parse(Path(state.__file__).read_text(encoding="utf-8"))
    names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    names += [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module]
    assert not [m for m in names if m.startswith(("PySide6", "pyqtgraph"))]
    assert {m for m in names if m.startswith("playground.ui")} <= {"playground.ui.state"}


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


# ---------------------------------------------------------------- pinned runs (issue 12)
def train(qtbot, tab, **settings) -> None:
    """A fresh run with ``settings``, to the end."""
    tab.state.update(**settings)
    tab.reset()
    tab.toggle_play()
    qtbot.waitUntil(lambda: tab.session.state == "finished", timeout=30_000)


def pin_two(qtbot, tab):
    """Two short runs that differ only in λ, pinned; the form is left at the second's."""
    tab.state.panel = "neural"
    train(qtbot, tab, steps=20, l2=0.01)
    first = tab.pin_run()
    train(qtbot, tab, l2=0.1)
    second = tab.pin_run("strong λ")
    return first, second


def test_pin_two_runs_table_and_overlays(qtbot, tab):
    assert "Pin" in tab.runs.pin_button.text() and tab.runs.table.objectName() == "runsTable"
    assert tab.pin_run() is None and "Nothing to pin" in tab.message()  # no run yet
    first, second = pin_two(qtbot, tab)
    t = tab.runs.table
    assert t.rowCount() == 2 and [t.item(r, 1).text() for r in (0, 1)] == ["run 1", "strong λ"]
    assert first.settings == {"lr": 50.0, "l2": 0.01, "steps": 20, "method": "rows"} | {
        "words": "names.txt"
    }
    assert first.metrics["trained_steps"] == 20 and first.wall_s > 0
    loss = first.metrics["loss"]
    assert loss == pytest.approx(tab.neural.loss_plot.data("neural net")[1][-1], abs=0.05)
    assert first.metrics["gap"] == pytest.approx(loss - 2.45401, abs=1e-4)
    assert second.metrics["like_k"] > first.metrics["like_k"] > 0
    # what differs from the current settings (λ = 0.1) is highlighted
    assert t.item(0, 2).text() == "λ 0.01" and t.item(0, 2).background().color() == HIGHLIGHT
    assert t.item(1, 2).text() == "same settings"
    tab.state.l2 = 0.01  # now the first run is the same, the second differs
    assert t.item(0, 2).text() == "same settings" and t.item(1, 2).text() == "λ 0.1"
    assert t.item(0, 3).text() == f"{loss:.4f}"
    # overlays: one dashed curve per run on the loss plot, toggled from the table
    plot = tab.neural.loss_plot
    keys = plot.overlay_keys()
    assert len(keys) == 2 and all(plot.overlay_visible(k) for k in keys)
    t.item(0, 0).setCheckState(Qt.Unchecked)
    assert not plot.overlay_visible(keys[0]) and plot.overlay_visible(keys[1])
    t.item(1, 1).setText("λ = 0.1")  # rename from the table
    assert tab.runs.book.runs[1].name == "λ = 0.1"
    assert "Pinned runs (2)" in tab.neural.views.tabText(1)
    t.selectRow(0)
    tab.runs.remove_button.click()
    assert t.rowCount() == 1 and len(plot.overlay_keys()) == 1
    assert "Pinned runs (1)" in tab.neural.views.tabText(1)


def test_restore_settings_from_a_row(qtbot, tab):
    pin_two(qtbot, tab)
    tab.state.update(lr=20.0, method="counts")
    tab.runs.table.selectRow(0)
    tab.runs.restore_button.click()
    assert (tab.state.lr, tab.state.l2, tab.state.steps, tab.state.method) == (
        50.0,
        0.01,
        20,
        "rows",
    )
    assert tab.neural.l2_combo.currentText() == "0.01" and "Restored" in tab.message()
    assert tab.runs.table.item(0, 2).text() == "same settings"
    tab.runs.restore_requested.emit({"lr": "fast", "words": "names.txt"})  # damaged
    assert "Could not restore" in tab.message() and tab.state.lr == 50.0


def test_pinned_runs_persist_and_export(qtbot, tab, tmp_path):
    pin_two(qtbot, tab)
    qs = QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat)
    tab.save_settings(qs)
    qs.sync()
    other = BigramTab()
    qtbot.addWidget(other)
    other.restore_settings(QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat))
    t = other.runs.table
    assert t.rowCount() == 2 and t.item(1, 1).text() == "strong λ"
    assert len(other.neural.loss_plot.overlay_keys()) == 2
    assert other.runs.book.to_list() == tab.runs.book.to_list()
    assert "Pinned runs (2)" in other.neural.views.tabText(1)
    qtbot.waitUntil(other.is_ready, timeout=20_000)
    assert t.item(1, 2).text() == "same settings"  # its settings came back too
    other.shutdown()
    out = tmp_path / "runs.csv"
    tab.runs.export_csv_to(str(out))
    assert tab.message() == f"Saved the pinned runs as CSV to {out}."
    lines = out.read_text().splitlines()
    assert len(lines) == 3 and lines[0].startswith("name,wall_s,")
    assert {"l2", "loss", "gap", "like_k", "total"} <= set(lines[0].split(","))
    assert lines[2].startswith("strong λ,")


def test_comparisons_run_to_the_end(qtbot, tab):
    """λ = 0 .. 1 from the same W, then the three computations: the same curve thrice."""
    before = tab.state.to_dict() | {"panel": "neural"}  # where the comparison is shown
    c = tab.compare("smoothing", steps=10)
    page = tab.neural.runs_page
    assert page.cancel_button.isVisible() and not page.compare_button.isEnabled()
    with qtbot.waitSignal(c.done, timeout=60_000) as done:
        pass
    assert done.args == [True] and "done" in page.progress_label.text()
    runs = tab.runs.book.runs
    assert [r.name for r in runs] == ["λ = 0", "λ = 0.01", "λ = 0.1", "λ = 1"]
    assert [r.settings["l2"] for r in runs] == [0.0, 0.01, 0.1, 1.0]
    assert all(r.metrics["trained_steps"] == 10 for r in runs)
    assert runs[3].metrics["total"] > runs[0].metrics["total"]
    assert tab.state.to_dict() == before and page.compare_button.isEnabled()
    c = tab.compare("computations", steps=10)
    with qtbot.waitSignal(c.done, timeout=60_000) as done:
        pass
    assert done.args == [True]
    methods = tab.runs.book.runs[4:]
    assert [r.settings["method"] for r in methods] == ["onehot", "rows", "counts"]
    curves = [r.curves["loss/train"][1] for r in methods]
    np.testing.assert_allclose(curves[0], curves[1], rtol=1e-4)
    np.testing.assert_allclose(curves[0], curves[2], rtol=1e-4)
    assert len(tab.neural.loss_plot.overlay_keys()) == 7


def test_a_comparison_can_be_cancelled(qtbot, tab):
    c = tab.compare("smoothing", steps=100_000)
    page = tab.neural.runs_page
    qtbot.waitUntil(lambda: "step" in page.progress_label.text(), timeout=20_000)
    with qtbot.waitSignal(c.done, timeout=10_000) as done:
        page.cancel_button.click()
    assert done.args == [False] and "cancelled" in page.progress_label.text()
    assert not tab.session.running and tab.state.steps == 500
    assert not page.cancel_button.isVisible() and page.compare_button.isEnabled()


# ---------------------------------------------------------------- small windows (issue 9.5)
def no_overlaps(widgets) -> bool:
    spans = sorted((w.x(), w.x() + w.width()) for w in widgets if w.isVisible())
    return all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))


def test_usable_at_1024x640(qtbot, tab):
    """The tab fits a 1024x640 window (its top bar reflows; the neural page scrolls at
    worst); small cells keep their bigram and drop their numbers."""
    tab.state.panel = "neural"
    train(qtbot, tab, steps=30)  # the counter's text and a message must not widen it
    tab.pin_run()
    tab.show_message("A long message " * 20, "info")
    hint = tab.minimumSizeHint()
    assert hint.width() <= 1024 and hint.height() <= 600
    tab.resize(1024, 592)  # what a 1024x640 window leaves for the tab
    qtbot.waitUntil(lambda: tab.width() == 1024)
    bar = tab.bar
    parts = [bar.source_label, bar.open_button, bar.names_button, bar.mode_combo]
    parts += [bar.smooth_slider, bar.smooth_label, bar.nll_label]
    assert no_overlaps(parts) and max(w.x() + w.width() for w in parts) <= bar.width()
    assert bar.source_label.text().startswith("<b>names.txt</b>")
    assert tab.neural.widget().width() <= tab.neural.viewport().width()  # no sideways scroll
    hm = tab.table.heatmap
    w, h = hm.cell_size()
    assert 12 <= min(w, h) < 20 and hm.text_shown() == "top"  # "4410" can't fit 16 px
    tab.resize(1360, 800)
    qtbot.waitUntil(lambda: hm.cell_size()[0] >= 22)
    assert hm.text_shown() == "both"


def test_cell_text_hides_numbers_that_would_not_fit(tab):
    text = tab.table.heatmap.text
    assert text.layout_for(26, 26)[0] == "both"
    assert text.layout_for(14, 14)[0] == "top"  # "4410" needs ~4 digits at >= 7 px
    assert text.layout_for(5, 5)[0] == "none"
    for size in (18, 22, 26, 40):
        what, px = text.layout_for(size, size)
        if what == "both":
            font = QFont()
            font.setPixelSize(px)
            assert QFontMetrics(font).horizontalAdvance("4410") <= size - 3


def test_heatmap_is_drawn_row_major(tab):
    """Cell (row 'n', column '.') = 6763 is the darkest: the image is not transposed
    (whatever pyqtgraph's global image order)."""
    hm = tab.table.heatmap
    image = hm.grab().toImage()

    def shade(row: int, col: int) -> int:
        p = hm.mapFromScene(hm.plot.vb.mapViewToScene(QPointF(col + 0.15, row + 0.15)))
        return image.pixelColor(p).lightness()

    assert shade(14, 0) < shade(0, 14) and shade(14, 0) < shade(1, 1)


@pytest.mark.parametrize("width", [1360, 1024])
def test_the_run_line_is_never_cut_mid_word(qtbot, tab, width):
    """At 1360 wide the counter read "step 500 of 50(": the line's first part is the progress
    bar's own text, its other parts (rate, time left) go where they do not fit, and the run
    controls never make the page wider than the window."""
    from playground.ui.widgets.run_controls import SEP

    tab.state.panel = "neural"
    tab.resize(width, 800 if width > 1024 else 592)
    qtbot.waitUntil(lambda: tab.width() == width)
    controls = tab.neural.run_controls
    bar, counter = controls.progress, controls.counter

    def short(first: str) -> str:  # "step 418 of 100,000" -> "418 / 100,000"
        return " / ".join(controls.text().split(SEP)[0].split()[1::2])

    def whole_and_fits(first: str) -> None:
        shown = bar.text()  # what the bar draws: the line's first part, or a shorter form
        assert shown in (controls.text().split(SEP)[0], short(first)) and SEP not in shown
        assert controls.text().startswith(first)
        assert bar.fontMetrics().horizontalAdvance(shown) < bar.width()
        shown = counter.text()
        assert controls.text().endswith(counter.whole_text())
        assert counter.whole_text().startswith(shown)  # whole parts, from the first
        assert counter.fontMetrics().horizontalAdvance(shown) <= counter.contentsRect().width()
        assert tab.neural.widget().width() <= tab.neural.viewport().width()  # no sideways

    tab.state.update(steps=100_000)
    tab.reset()
    tab.toggle_play()
    qtbot.waitUntil(lambda: "steps/s" in controls.text(), timeout=30_000)
    whole_and_fits("step ")
    assert "100,000" in bar.text() and bar.toolTip() == controls.text()
    train(qtbot, tab, steps=500)
    whole_and_fits("step 500 of 500")
