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

from playground.core.micrograd import EXAMPLES
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
