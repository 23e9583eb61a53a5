"""The Backprop tab: backward by hand, the numerical check, the = bug, typed expressions,
the moons demo, a Decision boundary point explained.

Through public names only: ``tab.state``, ``tab.graph`` (its panels: ``backward``,
``expression``, ``view``, ``leaves``), ``tab.train``, ``tab.session``, ``tab.message()``
and the tab's methods.
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt

from playground.core.expressions import EXAMPLES
from playground.ui.tabs.backprop import BackpropState, BackpropTab

LECTURE = EXAMPLES["L = (a*b + c) * f  (lecture 1)"]
NEURON = EXAMPLES["neuron: o = tanh(x1*w1 + x2*w2 + b)"]
TWICE = EXAMPLES["b = a + a  (a used twice)"]


@pytest.fixture
def tab(qtbot):
    t = BackpropTab()
    qtbot.addWidget(t)
    t.resize(1360, 800)
    t.show()
    qtbot.waitUntil(t.is_ready, timeout=10_000)
    yield t
    t.shutdown()


def click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.LeftButton)


def test_opens_on_the_lecture_expression_with_no_grads(tab):
    assert "Backprop" in tab.title and tab.key == "backprop"
    assert tab.state.expression == LECTURE
    assert "Backward" in tab.graph.backward.step_button.text()
    view = tab.graph.view
    root = len(view.nodes) - 1
    assert view.record_text(root) == "L | data -8.0000 | grad 0.0000"
    assert tab.leaf_grads() == {"a": 0.0, "b": 0.0, "c": 0.0, "f": 0.0}
    assert tab.mismatches() == []  # nothing is checked before a whole backward pass


def test_step_by_step_backward_writes_the_chain_rule(tab, qtbot):
    step = tab.graph.backward.step_button
    click(qtbot, step)
    assert tab.sentence().startswith("grad(L) = 1")
    click(qtbot, step)  # L = d*f
    assert "grad(d) += grad(L) * f = 1 * -2 = -2" in tab.sentence()
    assert "grad(f) += grad(L) * d = 1 * 4 = 4" in tab.sentence()
    click(qtbot, step)  # d = e + c
    assert "grad(e) += grad(d) * 1 = -2 * 1 = -2" in tab.sentence()
    click(qtbot, step)  # e = a*b
    assert "grad(a) += grad(e) * b = -2 * -3 = 6" in tab.sentence()
    assert tab.leaf_grads() == {"a": 6.0, "b": -4.0, "c": -2.0, "f": 4.0}
    assert "grad(a) += grad(e) * b" in tab.graph.log.toPlainText()
    assert tab.mismatches() == []
    assert tab.graph.view.record_text(0).endswith("grad 6.0000")  # a


def test_neuron_sentence_and_backward_all(tab, qtbot):
    assert tab.set_expression(NEURON)
    for _ in range(20):
        tab.backward_step()
        if "grad(x1) +=" in tab.sentence():
            break
    assert "grad(x1) += grad(x1*w1) * w1 = 0.5 * -3 = -1.5" in tab.sentence()
    tab.zero_grads()
    assert all(g == 0 for g in tab.leaf_grads().values())
    click(qtbot, tab.graph.backward.all_button)
    g = tab.leaf_grads()
    assert g["x1"] == pytest.approx(-1.5) and g["w1"] == pytest.approx(1.0)
    assert g["x2"] == pytest.approx(0.5) and g["w2"] == 0.0
    click(qtbot, tab.graph.backward.zero_button)
    assert all(v == 0 for v in tab.leaf_grads().values())


def test_numerical_check_and_the_overwrite_bug(tab, qtbot):
    tab.graph.expression.example_combo.setCurrentIndex(
        tab.graph.expression.example_combo.findData(TWICE)
    )
    tab.set_expression(TWICE)
    tab.backward_all()
    assert tab.leaf_grads()["a"] == 2.0
    assert tab.numerical()["a"] == pytest.approx(2.0, abs=1e-6)
    assert tab.mismatches() == []
    tab.graph.backward.accumulate_check.setChecked(False)  # the = bug
    assert tab.state.accumulate is False
    assert "=" in tab.message()
    tab.backward_all()
    assert tab.leaf_grads()["a"] == 1.0
    assert tab.mismatches() == ["a"]
    assert tab.graph.leaves.item(0, 4).text() != ""
    tab.state.accumulate = True
    assert tab.graph.backward.accumulate_check.isChecked()
    tab.backward_all()
    assert tab.mismatches() == []


def test_h_changes_the_numerical_check(tab):
    tab.set_expression("x = 3.0\ny = x**2")
    tab.graph.h_combo.setEditText("0.5")
    tab.graph.h_combo.lineEdit().editingFinished.emit()
    assert tab.state.h == 0.5
    assert tab.numerical()["x"] == pytest.approx(6.5)  # ((3.5)^2 - 9) / 0.5
    tab.backward_all()
    assert tab.mismatches() == ["x"]  # h too big: the slope is off
    tab.state.h = 1e-6
    assert tab.mismatches() == []


def test_backward_twice_without_zeroing_doubles(tab):
    tab.backward_all()
    tab.backward_all()
    assert tab.leaf_grads() == {"a": 12.0, "b": -8.0, "c": -4.0, "f": 8.0}
    assert "not zeroed" in tab.message()
    assert set(tab.mismatches()) == {"a", "b", "c", "f"}
    tab.zero_grads()
    tab.backward_all()
    assert tab.leaf_grads()["a"] == 6.0


def test_typed_expression(tab, qtbot):
    edit = tab.graph.expression.edit
    edit.setPlainText("a = 0.5; b = -1.0; c = 0.25\n(a*b + c).tanh()")
    click(qtbot, tab.graph.expression.build_button)
    assert tab.state.leaf_values == (0.5, -1.0, 0.25)
    assert tab.graph.expression.example_combo.currentText() == "Typed expression"
    tab.backward_all()
    assert tab.leaf_grads()["a"] == pytest.approx(-1.0 * (1 - np.tanh(-0.25) ** 2))


@pytest.mark.parametrize("bad", ["__import__('os').system('true')", "a.__class__", "a ** b"])
def test_rejected_expression_says_why_and_keeps_the_graph(tab, bad):
    before = tab.state.expression
    assert not tab.set_expression(bad)
    assert "not allowed" in tab.message()
    assert tab.state.expression == before
    assert tab.graph.view.record_text(len(tab.graph.view.nodes) - 1).startswith("L |")


def test_huge_numbers_are_compact_and_inf_is_named_with_a_note(tab, qtbot):
    from PySide6.QtGui import QFontMetricsF

    assert tab.set_expression("x = 1e308; y = x*x*x")
    view = tab.graph.view
    texts = {view.record_text(n.id).split(" |")[0]: view.record_text(n.id) for n in view.nodes}
    assert texts["x"] == "x | data 1.000e+308 | grad 0.0000"  # not 309 digits
    assert texts["x*x"] == "x*x | data inf | grad 0.0000" and texts["y"].startswith("y | data inf")
    box = next(iter(view.records.values()))
    metrics = QFontMetricsF(box.font)
    assert box.rect.width() >= metrics.horizontalAdvance("data 1.000e+308")  # fits its box
    note = tab.message()
    assert tab.message_bar.level == "warning"
    assert note.startswith("x*x = inf (too big for a float)") and "1.8e308" in note, note
    assert "every grad" in note and "Use smaller numbers" in note
    tab.backward_all()
    assert "inf" in view.record_text(view.nodes[0].id) or tab.leaf_grads()["x"] != 0
    assert tab.message().startswith("x*x = inf")
    assert tab.set_leaf("x", 2.0)  # numbers again: the note goes
    assert tab.message() == ""
    assert view.record_text(len(view.nodes) - 1).startswith("y | data 8.0000")
    # small ones: scientific below 1e-4, four significant digits
    assert tab.set_expression("a = 0.00001234; b = a*a")
    assert "data 1.234e-05" in view.record_text(0) or "data 1.234e-05" in view.record_text(1)
    # a grad that overflows is named too
    assert tab.set_expression("a = 1e-300; b = 1e200; c = 1e200; d = a*b; e = d*c")
    assert tab.message() == ""  # every value is a float: e = 1e100
    tab.backward_all()
    assert tab.message().startswith("grad(a) = inf (too big for a float)"), tab.message()


def test_what_cannot_be_computed_is_said_in_plain_words(tab):
    before = tab.state.expression
    assert not tab.set_expression("a = 1.0; b = 0.0; c = a/b")
    assert tab.message().startswith("Division by zero: a / b divides by b, which is 0")
    assert "not allowed" not in tab.message() and "cannot compute" not in tab.message()
    assert tab.state.expression == before
    assert tab.set_expression("a = 1.0; b = 2.0; c = a/b")
    assert not tab.set_leaf("b", 0.0)
    assert "Could not set b: Division by zero: a / b divides by b" in tab.message()


def test_the_graph_fills_its_view_when_built_shown_or_changed(qtbot):
    t = BackpropTab()  # built hidden, never laid out: the graph is drawn at a wrong size
    qtbot.addWidget(t)
    try:
        t.set_expression("x = 2.0; y = x*x*x")
        t.resize(1360, 800)
        t.show()
        view = t.graph.view

        def fitted() -> bool:
            scale = view.transform().m11()
            view.fit()  # what pressing Fit does: nothing left to do
            return abs(view.transform().m11() - scale) < 1e-6

        qtbot.waitUntil(fitted, timeout=5000)
        t.set_expression("a = 2.0; b = -3.0; c = 10.0; d = a*b + c; e = d*d; f = e.tanh()")
        qtbot.waitUntil(fitted, timeout=5000)
        shown = view.mapFromScene(view.sceneRect()).boundingRect()
        inside = view.viewport().rect().adjusted(-2, -2, 2, 2)
        assert inside.contains(shown)  # the whole graph...
        wide = shown.width() >= 0.9 * view.viewport().width()
        tall = shown.height() >= 0.9 * view.viewport().height()
        assert wide or tall or view.transform().m11() >= 1.2 - 1e-6  # ...as big as it goes
    finally:
        t.shutdown()


def test_setting_a_leaf_recomputes(tab, qtbot):
    tab.backward_all()
    assert tab.set_leaf("a", 3.0)
    assert tab.state.leaf_values == (3.0, -3.0, 10.0, -2.0)
    root = len(tab.graph.view.nodes) - 1
    assert tab.graph.view.record_text(root).startswith("L | data -2.0000")  # (9 - 9 ... )
    assert tab.leaf_grads()["b"] == -6.0  # backward ran again: d L/d b = a f
    # through the table, as a user does after clicking the leaf in the graph
    tab.graph.view.leaf_clicked.emit("c")
    table = tab.graph.leaves
    assert table.currentRow() == table.names.index("c")
    table.item(table.names.index("c"), 1).setText("4")
    assert tab.state.leaf_values[2] == 4.0
    assert tab.graph.view.record_text(root).startswith("L | data 10.0000")
    assert not tab.set_leaf("a", float("nan"))
    assert "number" in tab.message()


def test_clicking_a_leaf_in_the_graph_opens_it(tab, qtbot):
    view = tab.graph.view
    seen = []
    view.leaf_clicked.connect(seen.append)
    qtbot.mouseClick(view.viewport(), Qt.LeftButton, pos=view.record_center(0))
    assert seen == ["a"]


def test_state_round_trip(tab, qtbot):
    tab.set_expression(NEURON)
    tab.set_leaf("x1", 1.5)
    tab.state.update(h=1e-3, accumulate=False, hidden="8, 8", steps=20, page="train")
    assert tab.pages.currentIndex() == 1
    assert tab.train.steps_spin.value() == 20
    assert tab.train.hidden_combo.currentData() == "8, 8"
    d = tab.state.to_dict()
    again = BackpropState.from_dict(d)
    assert again.to_dict() == d
    other = BackpropTab()
    qtbot.addWidget(other)
    other.state.assign(again)
    qtbot.waitUntil(lambda: other.state.expression == NEURON)
    qtbot.waitUntil(lambda: other.presenter.values.get("x1") == 1.5)
    assert other.graph.backward.accumulate_check.isChecked() is False
    assert other.graph.h_combo.currentText() == "0.001"
    other.shutdown()


def test_state_persists_through_qsettings(tab, qtbot, tmp_path):
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat)
    tab.set_expression(TWICE)
    tab.set_leaf("a", -1.25)
    tab.save_settings(settings)
    other = BackpropTab()
    qtbot.addWidget(other)
    other.restore_settings(settings)
    qtbot.waitUntil(lambda: other.presenter.values.get("a") == -1.25)
    assert other.state.expression == TWICE
    assert other.graph.expression.edit.toPlainText() == TWICE
    other.shutdown()


def test_training_the_moons_demo(tab, qtbot):
    tab.state.update(steps=4, page="train")
    frames = []
    tab.session.frame.connect(frames.append)
    tab.session.step(2)
    qtbot.waitUntil(lambda: bool(frames) and frames[-1].step >= 2, timeout=60_000)
    m = frames[-1].metrics
    assert m["loss"] == pytest.approx(m["torch_loss"], rel=1e-9)
    assert "torch" in tab.train.speed.text() and "ms/step" in tab.train.speed.text()
    assert tab.train.curves.count("micrograd (ours)") >= 1
    assert tab.train.image.image is not None
    tab.session.play()
    qtbot.waitUntil(lambda: tab.session.state == "finished", timeout=60_000)
    assert tab.train.run_controls.progress.value() == 4
    # one figure: the ratio of each engine's median step time over the run, as stated
    import statistics

    steps = [m for f in frames for _, m in f.history]
    assert len(steps) == 4
    ours, theirs = (statistics.median(m[k] for m in steps) for k in ("ours_ms", "torch_ms"))
    text = tab.train.speed.text()
    assert f"{ours:.1f} ms/step" in text and f"{theirs:.2f} ms/step" in text, text
    assert text.endswith(f"torch {ours / theirs:.0f}x faster (median step times so far)")
    tab.state.seed = 7  # a shape setting: the next Play starts afresh, and says so
    assert "Play starts a new model" in tab.message()


def _boundary_weights(rng, hidden, n_out=1):
    sizes = [2, *hidden, n_out]
    return [
        (rng.uniform(-1, 1, (b, a)).astype(np.float32), rng.uniform(-1, 1, b).astype(np.float32))
        for a, b in zip(sizes, sizes[1:], strict=False)
    ]


@pytest.mark.parametrize("hidden, activation", [((), "tanh"), ((4, 4), "relu"), ((4,), "tanh")])
def test_explain_point_matches_torch_and_steps(tab, qtbot, hidden, activation):
    torch = pytest.importorskip("torch")
    weights = _boundary_weights(np.random.default_rng(0), hidden)
    x, label = [0.8, -1.2], 1
    assert tab.explain_point(weights, x, label, activation)
    assert tab.state.page == "graph"
    assert tab.graph.backward.sgd_button.isVisible()
    tab.backward_all()
    f64 = torch.float64
    params = [
        (
            torch.tensor(W, dtype=f64, requires_grad=True),
            torch.tensor(b, dtype=f64, requires_grad=True),
        )
        for W, b in weights
    ]
    h = torch.tensor(x, dtype=torch.float64)
    for i, (W, b) in enumerate(params):
        h = W @ h + b
        if i < len(params) - 1:
            h = getattr(torch, activation)(h)
    loss = torch.nn.functional.binary_cross_entropy_with_logits(
        h, torch.tensor([float(label)], dtype=torch.float64)
    )
    loss.backward()
    grads = tab.leaf_grads()
    for l, (W, b) in enumerate(params, start=1):
        assert np.allclose(
            [[grads[f"W{l}[{i},{j}]"] for j in range(W.shape[1])] for i in range(W.shape[0])],
            W.grad.numpy(),
            atol=1e-6,
        )
        assert np.allclose(
            [grads[f"b{l}[{i}]"] for i in range(b.shape[0])], b.grad.numpy(), atol=1e-6
        )
    assert tab.mismatches() == []
    got = []
    tab.weights_stepped.connect(got.append)
    tab.state.sgd_lr = 0.1
    click(qtbot, tab.graph.backward.sgd_button)
    assert len(got) == 1 and len(got[0]) == len(weights)
    W0 = got[0][0][0]
    assert W0.shape == weights[0][0].shape
    assert np.allclose(W0, weights[0][0] - 0.1 * params[0][0].grad.numpy(), atol=1e-6)
    assert "loss" in tab.message()
    # leaving the point: an example brings the expression back
    tab.set_expression(LECTURE)
    assert not tab.graph.backward.sgd_button.isVisible()


def test_explain_point_rejects_bad_weights(tab):
    assert not tab.explain_point([(np.ones((1, 3)), np.zeros(1))], [1.0, 2.0], 1, "tanh")
    assert "Cannot explain" in tab.message()


def test_keys_step_backward_on_the_graph_page(tab):
    tab.step()  # S
    assert tab.sentence().startswith("grad(L) = 1")
    tab.reset()  # R: zero grads here
    assert "All grads are 0" in tab.sentence()


def test_every_control_has_a_tooltip(tab):
    from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QComboBox, QTabBar

    def ours(w) -> bool:  # not Qt's own (tab bar arrows) nor the message's hidden action
        qt_own = isinstance(w.parent(), QTabBar) or w.objectName().startswith("qt_")
        return not qt_own and w is not tab.message_bar.action_button

    missing = [
        w.text() if isinstance(w, QAbstractButton) else type(w).__name__
        for kind in (QAbstractButton, QComboBox, QAbstractSpinBox)
        for w in tab.findChildren(kind)
        if not w.toolTip() and ours(w)
    ]
    assert missing == []


# ----------------------------------------------------------------------------- runs
SMALL = {"steps": 3, "points": 20, "hidden": "4", "page": "train"}


def _train(tab, qtbot, **settings) -> None:
    tab.state.update(**{**SMALL, **settings})
    tab.session.reset()
    tab.session.play()
    qtbot.waitUntil(lambda: tab.session.state == "finished", timeout=60_000)


def test_pin_two_runs_table_overlays_restore(tab, qtbot, tmp_path):
    from PySide6.QtGui import QColor

    from playground.ui.widgets.runs_table import HIGHLIGHT

    assert tab.pin_run() is None and "Nothing to pin" in tab.message()
    assert "Pin" in tab.train.runs.pin_button.text()
    _train(tab, qtbot)
    first = tab.pin_run("four")
    assert set(first.curves) == {"loss/train", "torch/train"}  # ours drawn, torch kept
    assert len(first.curves["loss/train"][0]) == 3 and first.curves["torch/train"][1]
    m = first.metrics
    assert m["loss"] == pytest.approx(m["torch_loss"], rel=1e-9)
    assert 0 <= m["acc"] <= 1 and m["ours_steps_s"] > 0 and m["torch_steps_s"] > 0
    assert first.wall_s > 0 and first.settings["hidden"] == "4"
    _train(tab, qtbot, hidden="8", lr=0.5)
    click(qtbot, tab.train.runs.pin_button)
    runs = tab.runs
    table = runs.table
    assert table.objectName() == "runsTable" and table.rowCount() == 2
    assert [r.name for r in runs.book.runs] == ["four", "run 2"]
    differs = table.item(0, 2)
    assert "Hidden layers 4" in differs.text() and "Learning rate 1" in differs.text()
    assert differs.background().color() == QColor(HIGHLIGHT)
    assert table.item(1, 2).text() == "same settings"
    keys = tab.train.curves.overlay_keys()
    assert len(keys) == 2 and all(tab.train.curves.overlay_visible(k) for k in keys)
    runs.rename(1, "eight")
    assert table.item(1, 1).text() == "eight"
    runs.export_csv_to(str(tmp_path / "runs.csv"))
    assert tab.message() == f"Saved the pinned runs as CSV to {tmp_path / 'runs.csv'}."
    text = (tmp_path / "runs.csv").read_text()
    assert "four" in text and "eight" in text and "torch_steps_s" in text
    runs.restore(0)  # the first run's settings back in the form
    assert tab.state.hidden == "4" and tab.state.lr == 1.0
    assert tab.train.hidden_combo.currentData() == "4"
    assert table.item(0, 2).text() == "same settings" and "Hidden" in table.item(1, 2).text()
    assert not tab.restore_run({"hidden": "7, 7"}) and "Cannot restore" in tab.message()
    runs.remove(1)
    assert table.rowCount() == 1 and len(tab.train.curves.overlay_keys()) == 1


def test_pinned_runs_persist(tab, qtbot, tmp_path):
    _train(tab, qtbot)
    tab.pin_run("kept")
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat)
    tab.save_settings(settings)
    other = BackpropTab()
    qtbot.addWidget(other)
    other.restore_settings(settings)
    run = other.runs.book.runs[0]
    assert run.name == "kept" and run.settings == tab.runs.book.runs[0].settings
    assert run.metrics == pytest.approx(tab.runs.book.runs[0].metrics)
    assert other.runs.table.rowCount() == 1 and len(other.train.curves.overlay_keys()) == 1
    other.shutdown()


@pytest.mark.parametrize("width", [1360, 1024])
def test_training_never_relays_the_page_out(tab, qtbot, width):
    """The numbers of each step change the speed line's text, never its height: a height
    that followed the text resized both plots, whose whole repaint stalled the GUI."""
    from PySide6.QtGui import QFontMetrics

    tab.resize(width, 800)
    tab.state.update(**{**SMALL, "steps": 6, "hidden": "16, 16"})
    qtbot.wait(50)
    sizes = (tab.train.curves.size(), tab.train.plane.size())
    frames = []
    tab.session.frame.connect(frames.append)
    tab.session.play()
    qtbot.waitUntil(lambda: tab.session.state == "finished", timeout=60_000)
    qtbot.wait(50)
    assert len(frames) >= 2 and (tab.train.curves.size(), tab.train.plane.size()) == sizes
    speed = tab.train.speed  # and the whole text is shown: two lines hold it
    lines = QFontMetrics(speed.font()).boundingRect(
        0, 0, speed.width(), 1000, int(Qt.TextWordWrap), speed.text()
    )
    assert lines.height() <= speed.height(), speed.text()


def test_ready_made_comparison_runs_to_the_end(tab, qtbot):
    tab.state.update(**SMALL)
    bar = tab.train.compare
    name = "Hidden layers [4] / [16] / [16, 16]"
    assert bar.combo.findText(name) >= 0
    cmp = tab.run_comparison(name)
    assert not bar.run_button.isEnabled() and bar.cancel_button.isEnabled()
    with qtbot.waitSignal(cmp.done, timeout=120_000) as done:
        pass
    assert done.args == [True]
    # named as the demo names its network (the demo is MLP(2, [16, 16, 1]))
    names = ["MLP(2, [4, 1])", "MLP(2, [16, 1])", "MLP(2, [16, 16, 1])"]
    assert [r.name for r in tab.runs.book.runs] == names
    assert [r.settings["hidden"] for r in tab.runs.book.runs] == ["4", "16", "16, 16"]
    assert all(len(r.curves["loss/train"][0]) == 3 for r in tab.runs.book.runs)
    assert tab.state.hidden == "4"  # the settings from before the comparison
    assert bar.progress.text() == "Comparison done." and bar.run_button.isEnabled()


def test_comparison_can_be_cancelled(tab, qtbot):
    tab.state.update(**{**SMALL, "steps": 200})
    cmp = tab.run_comparison("Learning rates 0.1 / 1 / 10")
    qtbot.waitUntil(lambda: "step" in tab.train.compare.progress.text(), timeout=60_000)
    with qtbot.waitSignal(cmp.done, timeout=10_000) as done:
        click(qtbot, tab.train.compare.cancel_button)
    assert done.args == [False]
    assert tab.train.compare.progress.text() == "Comparison cancelled."
    assert tab.state.lr == 1.0 and tab.session.state != "running"


def test_a_huge_learning_rate_stops_with_a_message(tab, qtbot):
    import math

    tab.state.update(**{**SMALL, "steps": 40, "lr": 100.0})
    tab.session.play()
    qtbot.waitUntil(lambda: tab.session.state == "failed", timeout=60_000)
    assert "diverged" in tab.message() and "learning rate" in tab.message()
    action = tab.message_bar.action_button
    assert action.isVisible() and action.text() == "Reset"
    for name in ("micrograd (ours)", "torch"):
        xs, ys = tab.train.curves.data(name)
        assert len(ys) and all(math.isfinite(v) for v in ys)
    text = tab.train.speed.text().lower()
    assert "nan" not in text and "inf" not in text
    assert tab.train.image.image is not None
    click(qtbot, action)
    assert tab.session.fresh_pending and tab.train.curves.count("micrograd (ours)") == 0
    assert tab.message() == ""
    tab.state.lr = 1.0  # and the next run trains
    tab.session.play()
    qtbot.waitUntil(lambda: tab.session.state == "finished", timeout=60_000)


def test_explain_point_from_the_boundary_payload(tab):
    weights = _boundary_weights(np.random.default_rng(1), (3,))
    payload = {
        "weights": weights,
        "features_values": [0.8, -1.2],
        "label": 1,
        "activation": "tanh",
        "feature_names": ["x1", "x2"],
    }
    assert tab.explain_point_from(payload)
    assert "Point (x1=0.8, x2=-1.2) of the Decision boundary, label 1" in tab.message()
    assert "Decision boundary" in tab.graph.expression.edit.placeholderText()
    assert tab.graph.backward.sgd_button.isVisible()
    assert "Decision boundary" in tab.graph.backward.sgd_button.toolTip()
    assert tab.explain_point_from({**payload, "feature_names": None})
    for bad, said in (
        ({k: v for k, v in payload.items() if k != "label"}, "missing label"),
        ({**payload, "feature_values": [1, 2]}, "unknown feature_values"),
    ):
        assert not tab.explain_point_from(bad)
        assert said in tab.message()


def test_train_page_fits_1024x640(tab, qtbot):
    tab.resize(1024, 560)  # what the window leaves a tab at 1024 x 640
    tab.state.page = "train"
    hint = tab.minimumSizeHint()
    assert hint.width() <= 1024 and hint.height() <= 560
    panel = tab.train
    for w in (panel.plane, panel.curves, panel.runs.table, panel.compare.run_button):
        assert w.isVisible() and w.height() > 20 and w.width() > 50
