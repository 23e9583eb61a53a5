"""The Decision boundary tab with qtbot: clicks, play/step/reset, the shape rule, live
settings, divergence, files (good and bad), the state round trip, closing."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtWidgets import QInputDialog

from playground.ui.tabs.boundary import BoundaryState, BoundaryTab

WAIT = 60_000  # generous: CI machines may be busy


def _settle(qtbot, tab: BoundaryTab) -> None:
    """Wait until the current job has shown its first view (paused)."""
    qtbot.waitUntil(lambda: tab.is_ready() and tab.worker.state == "paused", timeout=WAIT)
    qtbot.waitUntil(lambda: tab.weights is not None, timeout=WAIT)


def _new_tab(qtbot) -> BoundaryTab:
    t = BoundaryTab()
    qtbot.addWidget(t)
    t.resize(1360, 800)
    t.show()
    qtbot.waitUntil(t.is_ready, timeout=WAIT)
    t.state.update(points=80, batch_size=20)  # small and quick: 40 training points
    qtbot.waitUntil(lambda: t.points() is not None and len(t.points()[0]) == 40, timeout=WAIT)
    _settle(qtbot, t)
    return t


@pytest.fixture
def tab(qtbot):
    t = _new_tab(qtbot)
    yield t
    t.shutdown()


def _click(qtbot, tab: BoundaryTab, x: float, y: float, button=Qt.LeftButton, mods=Qt.NoModifier):
    pos = tab.plane.data_to_widget(x, y)
    qtbot.mouseClick(tab.plane.viewport(), button, mods, pos)


def _snapshot(tab: BoundaryTab):
    """What must not change when a file fails to load."""
    return (
        tab.state.to_dict(),
        [a.copy() for a in tab.points()],
        [(w.copy(), b.copy()) for w, b in tab.weights],
        tab.epoch,
    )


def _same(a, b) -> bool:
    (sa, pa, wa, ea), (sb, pb, wb, eb) = a, b
    return (
        sa == sb
        and ea == eb
        and all(np.array_equal(x, y) for x, y in zip(pa, pb, strict=True))
        and all(
            np.array_equal(w, v) and np.array_equal(c, d)
            for (w, c), (v, d) in zip(wa, wb, strict=True)
        )
    )


# ---------------------------------------------------------------------------- points, runs
def test_clicks_add_and_remove_points_at_the_right_place(qtbot, tab):
    n0 = len(tab.points()[0])
    _click(qtbot, tab, 3.0, 7.0)  # fruit plane is 0..10
    X, y, _, _ = tab.points()
    assert len(X) == n0 + 1
    assert np.allclose(X[-1], [3.0, 7.0], atol=0.1)
    assert y[-1] == 0  # the selected class
    _click(qtbot, tab, 6.0, 2.0, Qt.RightButton)  # right-click: the other class
    X, y, _, _ = tab.points()
    assert np.allclose(X[-1], [6.0, 2.0], atol=0.1) and y[-1] == 1
    _click(qtbot, tab, 8.0, 8.0, Qt.LeftButton, Qt.ShiftModifier)  # Shift+click too
    assert tab.points()[1][-1] == 1
    tab.data_panel.class_group.button(1).click()  # select "poisonous"
    _click(qtbot, tab, 1.0, 1.0)
    assert tab.points()[1][-1] == 1
    _click(qtbot, tab, 6.02, 2.03, Qt.LeftButton, Qt.ControlModifier)  # Ctrl+click removes
    X, _, _, _ = tab.points()
    assert len(X) == n0 + 3
    assert not np.any(np.all(np.isclose(X, [6.0, 2.0], atol=0.1), axis=1))
    # the new points reach the model: the job restarted on the new data
    _settle(qtbot, tab)
    assert len(tab.run.data[0]) == n0 + 3


def test_step_is_one_epoch_then_play_trains_and_the_curves_grow(qtbot, tab):
    assert tab.epoch == 0
    for k in (1, 2):
        tab.step()
        qtbot.waitUntil(lambda k=k: tab.epoch == k, timeout=WAIT)
        qtbot.wait(500)
        assert tab.epoch == k  # exactly one epoch per step
    xs, _ = tab.loss_plot.data("train")
    assert list(xs) == [0, 1, 2]
    tab.toggle_play()
    assert tab.session.running
    qtbot.waitUntil(lambda: tab.loss_plot.count("train") >= 6, timeout=WAIT)
    assert tab.acc_plot.count("test") >= 6
    tab.toggle_play()  # pause
    assert tab.worker.state == "paused"
    xs, ys = tab.loss_plot.data("train")
    assert np.all(np.diff(xs) == 1) and ys[-1] < ys[0]  # every epoch, and it learns
    (x0, x1), (y0, y1) = tab.loss_plot.viewRange()
    assert x0 <= 0 and x1 >= xs.max() and y0 <= 0 and y1 >= ys.max()
    (_, ax1), (ay0, ay1) = tab.acc_plot.viewRange()
    assert ax1 >= xs.max() and ay0 <= 0 and 100 <= ay1 < 110


def test_reset_gives_new_weights_at_epoch_zero(qtbot, tab):
    tab.step()
    qtbot.waitUntil(lambda: tab.epoch == 1, timeout=WAIT)
    before = [w.copy() for w, _ in tab.weights]
    tab.reset()
    qtbot.waitUntil(lambda: tab.epoch == 0 and tab.weights is not None, timeout=WAIT)
    _settle(qtbot, tab)
    after = [w for w, _ in tab.weights]
    assert any(not np.array_equal(a, b) for a, b in zip(before, after, strict=True))
    assert tab.loss_plot.count("train") == 1  # the curves start again (epoch 0 only)


@pytest.mark.parametrize("how", ["toolbar", "key R", "a new run"])
def test_a_divergence_message_goes_with_whatever_makes_it_untrue(qtbot, tab, how):
    tab.state.update(dataset="circle", activation="linear", lr=10.0)
    _settle(qtbot, tab)
    tab.toggle_play()
    qtbot.waitUntil(lambda: "diverged" in tab.message(), timeout=WAIT)
    tab.state.lr = 0.01
    if how == "toolbar":
        tab.controls.reset_button.click()
    elif how == "key R":
        tab.reset()  # what the main window's R calls
    else:
        tab.toggle_play()  # goes on from the last good weights with the lower rate
        qtbot.waitUntil(lambda: tab.session.running, timeout=WAIT)
    assert "diverged" not in tab.message()
    tab.show_message("Opened exp1.json.")  # a newer message of another kind stays
    tab.session.reset()
    assert tab.message() == "Opened exp1.json."


def test_divergence_message_agrees_with_the_screen_then_reset(qtbot, tab):
    tab.state.update(dataset="circle", activation="linear", lr=10.0)
    _settle(qtbot, tab)
    with qtbot.waitSignal(tab.session.failed, timeout=WAIT):
        tab.toggle_play()
    qtbot.waitUntil(lambda: "diverged" in tab.message(), timeout=WAIT)
    text = tab.message()
    assert "Lower the learning rate" in text and tab.message_bar.level == "error"
    assert tab.worker.state == "failed"
    # the epoch and the loss the message names are those on the screen
    shown = tab.top.epoch_label.text().split()[-1]
    assert f"weights of epoch {shown} are kept" in text
    loss = text.split("training loss ")[1][:5]
    assert loss in tab.views.metrics_label.text()
    assert np.isfinite(tab.plane.probs).all()
    tab.state.lr = 0.01
    tab.message_bar.action_button.click()  # Reset, one click away
    assert tab.message() == "" or "diverged" not in tab.message()
    _settle(qtbot, tab)
    assert tab.epoch == 0
    tab.toggle_play()
    qtbot.waitUntil(lambda: tab.epoch >= 2, timeout=WAIT)
    assert np.isfinite(tab.loss_plot.data("train")[1]).all()


# ---------------------------------------------------------------------------- the state
def test_a_live_setting_reaches_the_running_job(qtbot, tab):
    tab.toggle_play()
    qtbot.waitUntil(lambda: tab.epoch >= 2, timeout=WAIT)
    gen = tab.worker.generation
    tab.state.lr = 0.3
    tab.state.update(regularization="l2", reg_rate=0.001)
    assert tab.session.live.lr == pytest.approx(0.3) and tab.session.live.l2 == 0.001
    assert tab.top.lr_combo.currentText() == "0.3"
    e = tab.epoch
    qtbot.waitUntil(lambda: tab.epoch >= e + 2, timeout=WAIT)
    assert tab.worker.generation == gen  # same job, same weights: the counter went on
    tab.toggle_play()


def test_a_shape_change_while_running_starts_afresh_at_once(qtbot, tab):
    tab.toggle_play()
    qtbot.waitUntil(lambda: tab.epoch >= 3, timeout=WAIT)
    gen = tab.worker.generation
    tab.add_layer()  # (4, 2) -> (4, 2, 2)
    assert tab.worker.generation != gen and tab.session.running
    assert "afresh" in tab.message() and "hidden layers" in tab.message()
    qtbot.waitUntil(lambda: tab.weights is not None and len(tab.weights) == 4, timeout=WAIT)
    tab.toggle_play()


def test_a_shape_change_while_paused_shows_a_fresh_model_for_the_next_play(qtbot, tab):
    tab.step()
    qtbot.waitUntil(lambda: tab.epoch == 1, timeout=WAIT)
    tab.state.activation = "relu"
    assert "activation changed" in tab.message() and "Play trains it" in tab.message()
    assert tab.top.act_combo.currentData() == "relu"
    _settle(qtbot, tab)
    assert tab.epoch == 0 and not tab.session.running  # the model shown is the new one
    tab.toggle_play()
    qtbot.waitUntil(lambda: tab.epoch >= 2, timeout=WAIT)
    assert tab.run.config.activation == "relu"  # the training process's model
    assert "activation" not in tab.message()  # training it: the notice is gone
    tab.toggle_play()


def test_the_state_drives_the_widgets(qtbot, tab):
    tab.state.update(
        dataset="moons", noise=0.25, test_share=0.3, lr=0.003, decay=0.99, optimizer="adam"
    )
    tab.state.update(features=("x1", "x2", "x1*x2"), show_test=False, discretize=True)
    d, top = tab.data_panel, tab.top
    assert d.dataset_combo.currentData() == "moons"
    assert (d.noise_slider.value(), d.noise_label.text()) == (25, "0.25")
    assert (d.test_slider.value(), d.test_label.text()) == (30, "30%")
    assert d.feature_boxes["x1*x2"].isChecked() and not d.feature_boxes["x1^2"].isChecked()
    assert not d.show_test_box.isChecked() and d.discretize_box.isChecked()
    assert top.lr_combo.currentText() == "0.003" and top.decay_spin.value() == 0.99
    assert top.opt_combo.currentData() == "adam"
    # and the widgets drive the state
    d.feature_boxes["x1*x2"].click()
    d.classes_spin.setValue(3)
    top.batch_spin.setValue(33)
    assert tab.state.features == ("x1", "x2") and tab.state.classes == 3
    assert tab.state.batch_size == 33
    d.feature_boxes["x1"].click()
    d.feature_boxes["x2"].click()  # the last input stays on
    assert tab.state.features == ("x2",) and d.feature_boxes["x2"].isChecked()


def test_state_round_trip_widgets_file_state_widgets(qtbot, tab, tmp_path):
    d, top = tab.data_panel, tab.top
    d.dataset_combo.setCurrentIndex(d.dataset_combo.findData("gauss"))
    d.classes_spin.setValue(3)
    d.seed_spin.setValue(7)
    d.feature_boxes["x2^2"].click()
    top.act_combo.setCurrentIndex(top.act_combo.findData("sigmoid"))
    top.reg_combo.setCurrentIndex(top.reg_combo.findData("l1"))
    top.reg_rate_combo.setCurrentIndex(top.reg_rate_combo.findData(0.003))
    top.lr_combo.setEditText("0.07")
    top.lr_combo.lineEdit().editingFinished.emit()
    tab.set_hidden((5, 3))
    _settle(qtbot, tab)
    saved = tab.state.to_dict()
    assert saved["lr"] == 0.07 and saved["classes"] == 3 and saved["hidden"] == [5, 3]
    path = tmp_path / "exp.json"
    assert tab.save_experiment_to(str(path))
    assert json.loads(path.read_text())["ui"]["settings"] == saved
    tab.state.update(dataset="xor", classes=2, lr=0.5, hidden=(2,), activation="tanh")
    _settle(qtbot, tab)
    assert tab.load_experiment_from(str(path))
    assert tab.state.to_dict() == saved
    assert d.dataset_combo.currentData() == "gauss" and d.classes_spin.value() == 3
    assert top.lr_combo.currentText() == "0.07" and top.act_combo.currentData() == "sigmoid"
    assert top.reg_rate_combo.currentData() == 0.003 and d.feature_boxes["x2^2"].isChecked()
    _settle(qtbot, tab)
    assert [w.shape for w, _ in tab.weights] == [(5, 3), (3, 5), (3, 3)]


def test_settings_round_trip_through_qsettings(qtbot, tab, tmp_path):
    tab.state.update(dataset="moons", hidden=(5, 3, 2), optimizer="rmsprop", lr=0.003)
    tab.state.update(features=("x1", "x2", "x1*x2"), regularization="l2", discretize=True)
    s = QSettings(str(tmp_path / "t.ini"), QSettings.IniFormat)
    tab.save_settings(s)
    s.sync()
    other = BoundaryTab()
    qtbot.addWidget(other)
    other.restore_settings(QSettings(str(tmp_path / "t.ini"), QSettings.IniFormat))
    assert other.state == tab.state
    assert other.data_panel.dataset_combo.currentData() == "moons"
    assert other.data_panel.feature_boxes["x1*x2"].isChecked()
    assert other.top.opt_combo.currentData() == "rmsprop"
    other.shutdown()


# ---------------------------------------------------------------------------- hand edits
def test_hovering_a_neuron_shows_its_map_and_an_edge_its_weight(qtbot, tab, monkeypatch):
    net = tab.network
    node = net.node(1, 0)  # hidden layer 1, neuron 1
    qtbot.mouseMove(net.viewport(), net.mapFromScene(node.sceneBoundingRect().center()))
    qtbot.waitUntil(lambda: tab.plane.map_shown, timeout=5000)
    assert "layer 1 neuron 1" in tab.plane.caption.textItem.toPlainText()
    qtbot.mouseMove(net.viewport(), QPoint(3, 3))
    qtbot.waitUntil(lambda: not tab.plane.map_shown, timeout=5000)
    edge = net.edge(0, 0, 0)  # x1 -> layer 1 neuron 1
    qtbot.mouseMove(net.viewport(), net.mapFromScene(edge.path().pointAtPercent(0.5)))
    w = tab.weights[0][0][0, 0]
    qtbot.waitUntil(lambda: f"{w:+.3f}" in net.info_text(), timeout=5000)
    assert "weight from" in net.info_text()
    # a click on the edge sets that weight (like TF Playground); the model follows
    monkeypatch.setattr(QInputDialog, "getDouble", lambda *a, **k: (-2.5, True))
    qtbot.mouseClick(
        net.viewport(),
        Qt.LeftButton,
        Qt.NoModifier,
        net.mapFromScene(edge.path().pointAtPercent(0.5)),
    )
    qtbot.waitUntil(lambda: _model_weights(tab)[0][0][0, 0] == -2.5, timeout=WAIT)
    _settle(qtbot, tab)
    assert tab.weights[0][0][0, 0] == -2.5


def test_the_hover_readout_is_never_cut_off(qtbot, tab):
    plane = tab.plane
    qtbot.mouseMove(plane.viewport(), plane.data_to_widget(5.66, 5.66))
    readout = tab.views.readout
    qtbot.waitUntil(lambda: "sure)" in readout.text(), timeout=5000)
    assert "the network says" in readout.text()
    assert readout.heightForWidth(readout.width()) <= readout.height()


def test_the_hover_readout_stays_true_and_goes_when_the_data_changes(qtbot, tab):
    plane, readout = tab.plane, tab.views.readout
    qtbot.mouseMove(plane.viewport(), plane.data_to_widget(2.0, 8.0))
    qtbot.waitUntil(lambda: "sure)" in readout.text(), timeout=5000)
    assert readout.text().startswith("size of the orange spots = ")
    # weights that say 50% everywhere: the readout says so with the next frame
    tab.set_weights([(np.zeros_like(W), np.zeros_like(b)) for W, b in tab.weights])
    qtbot.waitUntil(lambda: "(50% sure)" in readout.text(), timeout=WAIT)
    # another dataset: the point and the network it described are gone
    tab.state.dataset = "circle"
    assert readout.text().strip() == ""
    _settle(qtbot, tab)
    qtbot.wait(200)  # the new model's frames do not bring the old text back
    assert readout.text().strip() == ""
    qtbot.mouseMove(plane.viewport(), plane.data_to_widget(1.0, -1.0))
    qtbot.waitUntil(lambda: readout.text().startswith("x1 = "), timeout=5000)
    # a new network (the shape rule) makes it old news too
    tab.state.hidden = (3,)
    assert readout.text().strip() == ""


def test_the_diagram_edits_the_architecture(qtbot, tab):
    from playground.ui.widgets.network import _Button

    net = tab.network
    assert tab.state.hidden == (4, 2)
    plus = [b for b in net.scene().items() if isinstance(b, _Button) and b.toolTip()[:3] == "One"]
    first_plus = min((b for b in plus if "more" in b.toolTip()), key=lambda b: b.scenePos().x())
    qtbot.mouseClick(
        net.viewport(),
        Qt.LeftButton,
        Qt.NoModifier,
        net.mapFromScene(first_plus.sceneBoundingRect().center()),
    )
    assert tab.state.hidden == (5, 2)
    _settle(qtbot, tab)
    assert tab.weights[0][0].shape == (5, 2) and tab.epoch == 0
    node = net.node(0, 2)  # the x1^2 input: a click switches it on
    qtbot.mouseClick(
        net.viewport(),
        Qt.LeftButton,
        Qt.NoModifier,
        net.mapFromScene(node.sceneBoundingRect().center()),
    )
    assert tab.data_panel.feature_boxes["x1^2"].isChecked()
    _settle(qtbot, tab)
    assert tab.weights[0][0].shape == (5, 3)
    tab.net.remove_layer_button.click()
    tab.net.remove_layer_button.click()
    _settle(qtbot, tab)
    assert tab.single_neuron() and tab.neuron_panel.isVisible()


def test_single_neuron_by_hand_and_its_equation_in_the_planes_units(qtbot, tab):
    tab.set_hidden(())
    _settle(qtbot, tab)
    assert tab.neuron_panel.isVisible() and len(tab.neuron_panel.weight_sliders) == 3
    tab.set_neuron_weights(np.array([[2.0, -1.5]]), np.array([0.5]))
    qtbot.waitUntil(lambda: np.allclose(_model_weights(tab)[0][0], [[2.0, -1.5]]), timeout=WAIT)
    assert tab.plane.line.isVisible()
    # fruit's plane is 0..10: the equation shown is in those units, the rescaled one beside it
    eq = tab.neuron_panel.equation_label.text()
    a1, a2, a0 = (float(v) for v in tab.presenter.neuron.plane_line([2.0, -1.5, 0.5]))
    assert f"{abs(a1):.2f}·x₁" in eq and f"{abs(a2):.2f}·x₂" in eq and f"{abs(a0):.2f}" in eq
    assert "2.00·x₁ − 1.50·x₂ + 0.50" in tab.neuron_panel.scaled_label.text()
    foot = tab.plane.handle_positions["move"]  # a point of the line on the plane
    assert abs(a1 * foot[0] + a2 * foot[1] + a0) < 1e-3
    p = _model(tab).predict_proba(np.array([foot], np.float32))[0, 1]
    assert p == pytest.approx(0.5, abs=1e-3)  # the axis values satisfy the equation
    loss_hand = tab.neuron_panel.hand_loss_label.text()
    tab.set_neuron_weights(np.array([[-2.0, 1.5]]), np.array([-0.5]))
    qtbot.waitUntil(lambda: tab.neuron_panel.hand_loss_label.text() != loss_hand, timeout=WAIT)
    tab.toggle_play()  # then gradient descent takes over from the hand-set weights
    qtbot.waitUntil(lambda: tab.epoch >= 2, timeout=WAIT)
    tab.toggle_play()


def _model_weights(tab: BoundaryTab) -> list:
    """The weights of the model in the training process, as its latest frame showed them."""
    return tab.presenter.last_frame.detail["weights"]


def _model(tab: BoundaryTab):
    """A model like the training process's: its config and its latest frame's weights."""
    from playground.core import toy

    model = toy.ToyModel(toy.ToyConfig.from_dict(tab.run.config.to_dict()))
    model.set_weights(_model_weights(tab))
    return model


def _line_through(tab: BoundaryTab) -> tuple[float, float, float]:
    """The single neuron's line a1*x + a2*y + a0 = 0 in plane coordinates, from the model."""
    W, b = _model_weights(tab)[0]
    return tab.presenter.neuron.plane_line([float(W[0, 0]), float(W[0, 1]), float(b[0])])


def test_drag_the_single_neurons_line_on_the_plane(qtbot, tab):
    tab.set_hidden(())
    _settle(qtbot, tab)
    tab.set_neuron_weights(np.array([[1.0, -1.0]]), np.array([0.0]))
    qtbot.waitUntil(lambda: np.allclose(_model_weights(tab)[0][0], [[1.0, -1.0]]), timeout=WAIT)
    plane = tab.plane
    assert plane.handles.isVisible() and set(plane.handle_positions) == {"move", "turn"}
    w_before = _model_weights(tab)[0][0].copy()
    foot = plane.handle_positions["move"]  # the dot: drag it to (7, 3)
    start, target = plane.data_to_widget(*foot), plane.data_to_widget(7.0, 3.0)
    qtbot.mousePress(plane.viewport(), Qt.LeftButton, pos=start)
    qtbot.mouseMove(plane.viewport(), target)
    qtbot.mouseRelease(plane.viewport(), Qt.LeftButton, pos=target)
    qtbot.waitUntil(
        lambda: abs(sum(np.multiply(_line_through(tab), (7, 3, 1)))) < 0.05, timeout=WAIT
    )
    assert np.allclose(_model_weights(tab)[0][0], w_before, atol=1e-5)
    n_points = sum(len(a) for a in tab.points()[::2])
    foot = plane.handle_positions["move"]  # the arrow's head: straight up from the dot
    start = plane.data_to_widget(*plane.handle_positions["turn"])
    target = plane.data_to_widget(float(foot[0]), float(foot[1]) + 2.0)
    qtbot.mousePress(plane.viewport(), Qt.LeftButton, pos=start)
    qtbot.mouseMove(plane.viewport(), target)
    qtbot.mouseRelease(plane.viewport(), Qt.LeftButton, pos=target)

    def turned() -> bool:
        a1, a2, _ = _line_through(tab)
        return a2 > 0 and abs(a1) < 0.1 * a2

    qtbot.waitUntil(turned, timeout=WAIT)
    assert sum(len(a) for a in tab.points()[::2]) == n_points  # a drag adds no points
    # w2 follows (a frame of the job computed before the drag may show the old value first)
    qtbot.waitUntil(
        lambda: tab.neuron_panel.weight_sliders[1][1].text().startswith("+"), timeout=WAIT
    )


def test_more_than_two_classes(qtbot, tab):
    tab.state.update(dataset="gauss", classes=3)
    _settle(qtbot, tab)
    qtbot.waitUntil(lambda: tab.plane.probs is not None and tab.plane.probs.shape[1] == 3)
    assert set(np.unique(tab.points()[1])) == {0, 1, 2}
    assert len(tab.data_panel.class_group.buttons()) == 3
    _click(qtbot, tab, 0.0, 0.0, Qt.RightButton)  # the next class after the selected one
    assert tab.points()[1][-1] == 1


# ---------------------------------------------------------------------------- files
def test_csv_bad_file_shows_a_message_and_good_file_loads(qtbot, tab, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("this is,not\na points file\n")
    before = _snapshot(tab)
    assert tab.load_points_csv_from(str(bad)) is False
    assert "bad.csv" in tab.message() and tab.message_bar.level == "error"
    assert _same(before, _snapshot(tab))
    good = tmp_path / "good.csv"
    assert tab.save_points_csv_to(str(good))
    n = sum(len(a) for a in tab.points()[::2])
    assert tab.message() == f"Saved {n} points as CSV to {good}."
    tab.clear_points()
    assert len(tab.points()[0]) == 0
    assert tab.load_points_csv_from(str(good))
    assert sum(len(a) for a in tab.points()[::2]) == n
    _settle(qtbot, tab)


def test_experiment_save_and_load_exactly(qtbot, tab, tmp_path):
    tab.step()
    tab.step()
    qtbot.waitUntil(lambda: tab.epoch == 2, timeout=WAIT)
    _settle(qtbot, tab)
    path = tmp_path / "exp.json"
    assert tab.save_experiment_to(str(path))
    assert tab.message() == f"Saved the experiment to {path}."
    saved = [(w.copy(), b.copy()) for w, b in tab.weights]
    points = [a.copy() for a in tab.points()]
    tab.reset()
    tab.state.points = 120
    _settle(qtbot, tab)
    assert tab.load_experiment_from(str(path))
    _settle(qtbot, tab)
    assert tab.epoch == 2 and tab.state.points == 80
    for (w, b), (w2, b2) in zip(saved, _model_weights(tab), strict=True):
        assert np.array_equal(w, w2) and np.array_equal(b, b2)
    for a, b in zip(points, tab.points(), strict=True):
        assert np.array_equal(a, b)
    assert tab.loss_plot.count("train") == 3  # epochs 0, 1, 2 came back too
    assert tab.message().startswith("Opened exp.json")
    # every export says where it wrote (the bar no longer says "Opened exp.json")
    png, script = tmp_path / "view.png", tmp_path / "train.py"
    assert tab.export_png_to(str(png)) and png.stat().st_size > 1000
    assert tab.message() == f"Saved the boundary as PNG to {png}."
    assert tab.export_script_to(str(script)) and "torch" in script.read_text()
    assert tab.message().startswith("Saved a PyTorch script") and str(script) in tab.message()
    compile(script.read_text(), str(script), "exec")  # valid Python
    tab.pin_run("one")
    tab.runs.export_csv_to(str(tmp_path / "runs.csv"))
    assert tab.message() == f"Saved the pinned runs as CSV to {tmp_path / 'runs.csv'}."


def test_an_experiment_of_the_first_format_still_loads(qtbot, tab, tmp_path):
    path = tmp_path / "old.json"
    assert tab.save_experiment_to(str(path))
    doc = json.loads(path.read_text())
    del doc["ui"]["settings"]  # what version 1 wrote: config, dataset, ui
    doc["config"]["lr"] = 0.1
    doc["ui"].update(regularization="l2", reg_rate=0.01, show_test=False)
    path.write_text(json.dumps(doc))
    assert tab.load_experiment_from(str(path))
    s = tab.state
    assert (s.lr, s.regularization, s.reg_rate, s.show_test, s.points) == (
        0.1,
        "l2",
        0.01,
        False,
        80,
    )


def _spoil(doc: dict, kind: str) -> None:
    if kind == "weight shape":
        W = doc["weights"][0]["W"]
        W["shape"], W["data"] = [4, 3], W["data"] + [0.0] * 4
    elif kind == "label too big":
        doc["y"]["data"][0] = 2  # two classes: 0 and 1
    elif kind == "NaN point":
        doc["X"]["data"][3] = float("nan")
    elif kind == "inf point":
        doc["X_test"]["data"][0] = float("inf")
    elif kind == "X/y lengths":
        doc["y"]["data"].append(1)
        doc["y"]["shape"] = [len(doc["y"]["data"])]
    elif kind == "not a number":
        doc["ui"]["settings"]["lr"] = "fast"
    elif kind == "y shorter than X":
        doc["y"]["data"].pop()
        doc["y"]["shape"] = [len(doc["y"]["data"])]
    elif kind == "dataset not a mapping":
        doc["dataset"] = 5
    elif kind == "settings of another network":
        doc["ui"]["settings"]["hidden"] = [3]


BAD_FILES = {  # kind -> what the message must name (core's loader checks the same)
    "weight shape": "weights: layer 1 has W (4, 3)",
    "label too big": "y: label 2",
    "NaN point": "X: every coordinate must be a finite number",
    "inf point": "X_test",
    "X/y lengths": "y: 41 labels for 40 points",
    "not a number": "lr",
    "not JSON": "not JSON",
    "y shorter than X": "y: 39 labels for 40 points",
    "dataset not a mapping": "dataset: expected a mapping, got int",
    "settings of another network": "ui.settings: the network 2 -> 3 -> 1",
}


@pytest.mark.parametrize("kind", list(BAD_FILES))
def test_a_bad_experiment_file_changes_nothing_and_says_why(qtbot, tab, tmp_path, kind):
    tab.step()
    qtbot.waitUntil(lambda: tab.epoch == 1, timeout=WAIT)
    _settle(qtbot, tab)
    path = tmp_path / "bad.json"
    assert tab.save_experiment_to(str(path))
    if kind == "not JSON":
        path.write_text("{ this is not json")
    else:
        doc = json.loads(path.read_text())
        _spoil(doc, kind)
        path.write_text(json.dumps(doc))
    before = _snapshot(tab)
    assert tab.load_experiment_from(str(path)) is False
    text = tab.message()
    assert "bad.json" in text and BAD_FILES[kind] in text, text
    assert tab.message_bar.level == "error"
    qtbot.wait(100)
    assert _same(before, _snapshot(tab)) and tab.worker.state == "paused"


# ---------------------------------------------------------------------------- the window
def test_closing_the_window_mid_training(qtbot, tmp_path):
    from playground.ui.main_window import MainWindow

    w = MainWindow(tab="boundary", settings=QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat))
    qtbot.addWidget(w)
    w.show()
    tab = w.current_tab()
    qtbot.waitUntil(tab.is_ready, timeout=WAIT)
    tab.state.hidden = (3,)
    qtbot.keyClick(w, Qt.Key_Space)  # Space plays, as in the whole app
    assert tab.session.running
    qtbot.waitUntil(lambda: tab.epoch >= 1, timeout=WAIT)
    w.close()
    assert tab.worker.state == "idle" and not tab.worker.has_job()
    # the settings were stored and come back
    state = BoundaryState()
    s = QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat)
    s.beginGroup("boundary")
    state.restore(s)
    assert state.hidden == (3,) and state.dataset == "fruit"


def test_the_state_module_imports_no_widgets():
    import ast
    from pathlib import Path

    import playground.ui.tabs.boundary.state as mod

    tree = ast.parse(Path(mod.__file__).read_text())
    names = [
        n.module if isinstance(n, ast.ImportFrom) else a.name
        for n in ast.walk(tree)
        if isinstance(n, (ast.Import, ast.ImportFrom))
        for a in (n.names if isinstance(n, ast.Import) else [n])
    ]
    assert not any("PySide6" in (m or "") or "pyqtgraph" in (m or "") for m in names)


# ---------------------------------------------------------------------------- compare runs
def _row_texts(tab: BoundaryTab, column: int) -> list[str]:
    t = tab.runs.table
    return [t.item(r, column).text() for r in range(t.rowCount())]


def test_pin_two_runs_table_highlights_overlays_thumbnails_restore(qtbot, tab, tmp_path):
    from PySide6.QtGui import QImage

    assert "Pin" in tab.runs.pin_button.text() and tab.runs.pin_button.isVisible()
    tab.step()
    tab.step()
    qtbot.waitUntil(lambda: tab.epoch == 2, timeout=WAIT)
    _settle(qtbot, tab)
    tab.runs.pin_button.click()  # run 1: lr 0.03
    tab.state.lr = 0.3
    tab.step()
    qtbot.waitUntil(lambda: tab.epoch == 3, timeout=WAIT)
    first = tab.pin_run("fast")
    table = tab.runs.table
    assert table.objectName() == "runsTable" and table.rowCount() == 2
    assert _row_texts(tab, 1) == ["run 1", "fast"]
    # the settings that differ from now (lr 0.3) are named and highlighted
    assert _row_texts(tab, 2) == ["learning rate 0.03", "same settings"]
    colours = [table.item(r, 2).background().color().name() for r in (0, 1)]
    assert colours[0] != colours[1]
    assert first.metrics["epoch"] == 3 and 0 < first.metrics["loss"] < 2
    # the pinned curves overlay both plots: each run's training loss and test accuracy
    assert len(tab.loss_plot.overlay_keys()) == 2 and len(tab.acc_plot.overlay_keys()) == 2
    assert set(first.curves) == {"loss/train", "acc/test"}
    xs, ys = first.curves["loss/train"]
    assert xs == [0, 1, 2, 3] and ys == tab.loss_plot.data("train")[1].tolist()
    assert all(tab.loss_plot.overlay_visible(k) for k in tab.loss_plot.overlay_keys())
    # each run keeps a small picture of its boundary, shown as a thumbnail in its colour
    image = QImage.fromData(first.image, "PNG")
    assert first.image[:4] == b"\x89PNG" and max(image.width(), image.height()) == 120
    cards = tab.compare.thumbnails.cards
    assert len(cards) == 2 and all(not c.pixmap().isNull() for c in cards)
    assert "(2)" in tab.middle.tabText(1)
    # restore run 1's settings from its row
    table.selectRow(0)
    tab.runs.restore_button.click()
    assert tab.state.lr == 0.03 and tab.top.lr_combo.currentText() == "0.03"
    assert _row_texts(tab, 2) == ["same settings", "learning rate 0.3"]
    # rename, export, remove
    table.item(0, 1).setText("slow")
    assert tab.runs.book.runs[0].name == "slow"
    tab.runs.export_csv_to(str(tmp_path / "runs.csv"))
    text = (tmp_path / "runs.csv").read_text()
    assert text.startswith("name,wall_s") and "slow" in text and "fast" in text
    tab.runs.remove(1)
    assert table.rowCount() == 1 and len(tab.loss_plot.overlay_keys()) == 1
    assert len(tab.compare.thumbnails.cards) == 1


def test_pinned_runs_persist_in_qsettings_and_experiment_files(qtbot, tab, tmp_path):
    tab.step()
    qtbot.waitUntil(lambda: tab.epoch == 1, timeout=WAIT)
    _settle(qtbot, tab)
    tab.pin_run("kept")
    s = QSettings(str(tmp_path / "t.ini"), QSettings.IniFormat)
    tab.save_settings(s)
    s.sync()
    other = BoundaryTab()
    qtbot.addWidget(other)
    other.restore_settings(QSettings(str(tmp_path / "t.ini"), QSettings.IniFormat))
    assert [r.name for r in other.runs.book.runs] == ["kept"]
    assert other.runs.table.rowCount() == 1 and len(other.compare.thumbnails.cards) == 1
    assert other.runs.book.runs[0].image == tab.runs.book.runs[0].image
    other.shutdown()
    # experiment files carry them too
    path = tmp_path / "exp.json"
    assert tab.save_experiment_to(str(path))
    doc = json.loads(path.read_text())
    assert [r["name"] for r in doc["ui"]["pinned_runs"]] == ["kept"]
    tab.runs.remove(0)
    assert tab.load_experiment_from(str(path))
    assert [r.name for r in tab.runs.book.runs] == ["kept"]
    assert len(tab.compare.thumbnails.cards) == 1
    _settle(qtbot, tab)
    # a bad pinned run: a clear message naming it, the tab as it was
    tab.pin_run("second")
    for spoil, named in (
        (lambda d: d["ui"]["pinned_runs"][0]["settings"].update(lr="fast"), "lr"),
        (lambda d: d["ui"]["pinned_runs"][0]["curves"]["loss/train"][1].append(1.0), "curve"),
        (lambda d: d["ui"].update(pinned_runs=[{"name": "no settings"}]), "settings"),
    ):
        bad = json.loads(path.read_text())
        spoil(bad)
        (tmp_path / "bad.json").write_text(json.dumps(bad))
        before = _snapshot(tab)
        assert tab.load_experiment_from(str(tmp_path / "bad.json")) is False
        assert "bad.json" in tab.message() and "pinned run 1" in tab.message(), tab.message()
        assert named in tab.message()
        assert _same(before, _snapshot(tab))
        assert [r.name for r in tab.runs.book.runs] == ["kept", "second"]


def test_a_ready_made_comparison_runs_to_the_end(qtbot, tab):
    before = tab.state.to_dict()
    comp = tab.compare_optimizers(until=1000, points=40)
    qtbot.waitUntil(lambda: "epoch" in tab.compare.progress_label.text(), timeout=WAIT)
    assert tab.compare.cancel_button.isVisible() and not tab.compare.race_button.isEnabled()
    with qtbot.waitSignal(comp.done, timeout=WAIT) as cancelled:
        tab.compare.cancel_button.click()
    assert cancelled.args == [False] and "cancelled" in tab.message()
    assert tab.state.to_dict() == before
    tab.runs.load([])
    comp = tab.compare_optimizers(until=3, points=40)
    blocker = qtbot.waitSignal(comp.done, timeout=WAIT)
    blocker.wait()
    assert blocker.args == [True]
    runs = tab.runs.book.runs
    assert [r.name for r in runs] == ["SGD", "SGD + momentum", "RMSprop", "AdaGrad", "Adam"]
    assert [r.settings["optimizer"] for r in runs] == [
        "sgd",
        "momentum",
        "rmsprop",
        "adagrad",
        "adam",
    ]
    assert all(r.settings["dataset"] == "spiral" and r.settings["points"] == 40 for r in runs)
    assert all(r.metrics["epoch"] == 3 and r.wall_s > 0 for r in runs)  # exactly 3
    # the same data and initial weights: every run starts from the same loss
    starts = {round(r.curves["loss/train"][1][0], 6) for r in runs}
    assert len(starts) == 1
    assert tab.runs.table.rowCount() == 5 and len(tab.compare.thumbnails.cards) == 5
    assert len(tab.loss_plot.overlay_keys()) == 5
    assert not tab.loss_plot.plotItem.legend.isVisible()  # five runs: keyed in the table
    assert tab.compare.progress_label.text() == "Comparison done."
    assert tab.compare.race_button.isEnabled() and not tab.compare.cancel_button.isVisible()
    assert tab.state.to_dict() == before  # the user's settings came back
    _settle(qtbot, tab)


def _race(qtbot, tab: BoundaryTab) -> list[tuple[str, dict]]:
    """A short "Optimizers on the spiral": each run's name and final numbers."""
    tab.runs.load([])
    comp = tab.compare_optimizers(until=3, points=40)
    with qtbot.waitSignal(comp.done, timeout=WAIT) as done:
        pass
    assert done.args == [True]
    return [(r.name, dict(r.metrics)) for r in tab.runs.book.runs]


def test_a_ready_made_comparison_is_the_same_from_any_state_and_shows_its_seed(qtbot, tab):
    for _ in range(3):  # each Reset takes the next seed of initial weights
        tab.reset()
        _settle(qtbot, tab)
    assert tab.weights_seed == 3
    tab.step()
    qtbot.waitUntil(lambda: tab.epoch == 1, timeout=WAIT)
    mine = tab.pin_run("mine")
    assert mine.metrics["init_seed"] == 3  # every pinned run keeps its seed...
    table = tab.runs.table
    header = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    column = header.index("init seed")
    assert table.item(0, column).text() == "3"  # ...and the table shows it
    tab.state.update(seed=7, noise=0.3, test_share=0.3)  # the user's own data, too
    after_resets = _race(qtbot, tab)
    assert [table.item(r, column).text() for r in range(5)] == ["0"] * 5
    assert "init seed 0" in tab.message()
    _settle(qtbot, tab)
    assert tab.weights_seed == 3  # the user's seed is theirs again
    fresh = _new_tab(qtbot)
    try:
        from_fresh = _race(qtbot, fresh)
    finally:
        fresh.shutdown()
    assert after_resets == from_fresh  # the same final numbers, to the bit
    assert {m["init_seed"] for _, m in after_resets} == {0}


# ---------------------------------------------------------------------------- explain a point
def _check_payload(tab: BoundaryTab, payload: dict, point, label: int) -> None:
    import torch

    from playground.core.point_loss import PointLoss

    model = _model(tab)
    assert payload["label"] == label and payload["activation"] == tab.state.activation
    assert payload["feature_names"] == list(model.feature_names)
    for (W, b), (W2, b2) in zip(payload["weights"], model.weights(), strict=True):
        assert np.array_equal(W, W2) and np.array_equal(b, b2)
    seen = model.inputs(np.array([point], np.float32))[0].numpy()  # what the network sees
    assert np.allclose(payload["features_values"], seen, atol=1e-6)
    # the point's loss graph, built from the payload, gives the model's loss for that point
    graph = PointLoss(
        [(W.tolist(), b.tolist()) for W, b in payload["weights"]],
        payload["features_values"],
        payload["label"],
        payload["activation"],
        payload["feature_names"],
    ).build()
    p1 = float(model.predict_proba(np.array([point], np.float32))[0, 1])
    loss = -np.log(p1 if label == 1 else 1 - p1)
    assert graph.root.data == pytest.approx(loss, abs=1e-5)
    assert torch.is_tensor(model.layers[0][0])


def test_explain_a_point_of_a_single_neuron_and_of_a_4_4_net(qtbot, tab):
    tab.set_hidden(())
    _settle(qtbot, tab)
    X, y = tab.points()[0], tab.points()[1]
    n = len(X)
    got = []
    tab.explain_requested.connect(got.append)
    tab.views.explain_button.click()  # then click a point of the plane
    assert tab.views.explain_button.isChecked() and "Click a point" in tab.message()
    _click(qtbot, tab, float(X[5, 0]) + 0.05, float(X[5, 1]))
    assert len(got) == 1 and not tab.views.explain_button.isChecked()
    assert len(tab.points()[0]) == n  # the click picked the point; it added none
    _check_payload(tab, got[0], X[5], int(y[5]))
    assert "Backprop" in tab.message()
    _click(qtbot, tab, 3.0, 3.0)  # and clicks add points again
    assert len(tab.points()[0]) == n + 1
    _settle(qtbot, tab)
    # a [4, 4] net on three inputs; a place with no point near: the class selected
    tab.set_hidden((4, 4))
    tab.state.features = ("x1", "x2", "x1^2")
    _settle(qtbot, tab)
    tab.clear_points()
    tab.data_panel.class_group.button(1).click()
    payload = tab.explain_point(2.5, 7.5)
    assert [w.shape for w, _ in payload["weights"]] == [(4, 3), (4, 4), (1, 4)]
    assert payload["feature_names"] == ["x1", "x2", "x1^2"]
    _check_payload(tab, payload, (2.5, 7.5), 1)
    assert len(got) == 2
    # too big a network, or more than two classes: said, not sent
    for change, words in (
        ({"hidden": (5, 4)}, "2 hidden layers of 4"),
        ({"hidden": (4, 4, 2)}, "2 hidden layers"),
        ({"hidden": (3,), "classes": 3}, "two classes"),
    ):
        tab.state.update(**change)
        _settle(qtbot, tab)
        assert tab.explain_point(5.0, 5.0) is None
        assert words in tab.message() and len(got) == 2
        tab.views.explain_button.click()
        assert not tab.views.explain_button.isChecked()


def test_explain_a_point_shows_the_planes_numbers_in_the_backprop_graph(qtbot, tmp_path):
    """Fruit, a single neuron: the point, its class and the plane's equation read the same
    in both tabs, and every weight of that equation is a leaf of the graph, rescaled."""
    import re

    from playground.ui.main_window import MainWindow

    settings = QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat)
    w = MainWindow(tab="boundary", settings=settings)
    qtbot.addWidget(w)
    w.resize(1360, 860)
    w.show()
    tab, backprop = w.page("boundary"), w.page("backprop")
    qtbot.waitUntil(tab.is_ready, timeout=WAIT)
    tab.state.update(points=80, batch_size=20, hidden=())
    _settle(qtbot, tab)
    tab.step()
    qtbot.waitUntil(lambda: tab.epoch == 1, timeout=WAIT)
    _settle(qtbot, tab)
    X, y = tab.points()[0], tab.points()[1]
    i = int(np.argmax(y == 1))  # a poisonous point
    tab.views.explain_button.click()
    _click(qtbot, tab, float(X[i, 0]), float(X[i, 1]))
    qtbot.waitUntil(lambda: w.current_tab() is backprop, timeout=5000)
    said = re.search(r"\((\S+), (\S+)\), (\w+)", tab.message())  # "(1.84, 8.60), poisonous"
    x1, x2, cls = said[1], said[2], said[3]
    assert cls == "poisonous" and float(x1) == pytest.approx(X[i, 0], abs=0.006)
    text = backprop.message()
    assert f"Point ({x1}, {x2}), poisonous (label 1) of the Decision boundary" in text, text
    # the graph starts from the point as the plane shows it
    table = backprop.graph.leaves
    leaves = {n: float(table.item(r, 1).text()) for r, n in enumerate(table.names)}
    assert leaves["x1"] == pytest.approx(float(x1), abs=0.006)
    assert leaves["x2"] == pytest.approx(float(x2), abs=0.006)
    # the plane's equation, as the Boundary writes it, is in the Backprop's words...
    equation = tab.neuron_panel.equation_label.text()  # p(poisonous) = σ(0.39·x₁ + ...)
    numbers = re.findall(r"−?\d+\.\d\d", equation)
    assert len(numbers) == 3 and equation.startswith("p(poisonous) = σ(")
    assert "p(poisonous) = σ(" in text and all(n in text for n in numbers), (equation, text)
    # ...each of its weights a leaf of the graph times the rescaling (the sliders' values)
    a1, a2 = (float(n.replace("−", "-")) for n in numbers[:2])
    assert a1 == pytest.approx(leaves["W1[0,0]"] * 1.2, abs=0.006)
    assert a2 == pytest.approx(leaves["W1[0,1]"] * 1.2, abs=0.006)
    slider = float(tab.neuron_panel.weight_sliders[0][1].text())
    assert slider == pytest.approx(leaves["W1[0,0]"], abs=0.006)
    assert f"point ({x1}, {x2}), poisonous" in backprop.graph.expression.edit.placeholderText()
    assert "u1" in {n.label for n in backprop.presenter.nodes()}  # the rescaling, as nodes
    w.close()


def test_apply_weights_shows_them(qtbot, tab):
    tab.set_hidden((4, 4))
    _settle(qtbot, tab)
    probs = tab.plane.probs.copy()
    new = [(W + 0.5, b - 0.25) for W, b in tab.weights]
    assert tab.apply_weights(new)

    def applied() -> bool:
        return all(
            np.allclose(W, W2) and np.allclose(b, b2)
            for (W, b), (W2, b2) in zip(_model_weights(tab), new, strict=True)
        )

    qtbot.waitUntil(applied, timeout=WAIT)
    _settle(qtbot, tab)
    qtbot.waitUntil(lambda: not np.allclose(tab.plane.probs, probs), timeout=WAIT)
    assert all(np.allclose(W, W2) for (W, _), (W2, _) in zip(tab.weights, new, strict=True))
    before = _snapshot(tab)
    assert tab.apply_weights([(np.zeros((3, 3)), np.zeros(3))]) is False
    assert "weights" in tab.message() and _same(before, _snapshot(tab))
    # a single neuron: its sliders follow
    tab.set_hidden(())
    _settle(qtbot, tab)
    assert tab.apply_weights([(np.array([[1.5, -0.5]]), np.array([0.25]))])
    qtbot.waitUntil(lambda: tab.neuron_panel.weight_sliders[0][1].text() == "+1.50", timeout=WAIT)


# ---------------------------------------------------------------------------- small windows
def test_the_tab_fits_a_1024x640_window(qtbot, tab, tmp_path):
    from PySide6.QtWidgets import QLabel

    hint = tab.minimumSizeHint()
    assert hint.width() <= 1024 and hint.height() <= 600, hint
    tab.resize(1024, 585)  # the window less its tab bar and status bar
    qtbot.waitUntil(lambda: tab.width() == 1024, timeout=5000)
    qtbot.wait(200)
    tab.grab().save(str(tmp_path / "boundary-1024.png"))
    # the top bar wraps: its widgets never overlap, and stay inside it
    top = tab.top
    boxes = [top.layout().itemAt(i).geometry() for i in range(top.layout().count())]
    assert all(top.rect().contains(b) for b in boxes)
    assert not any(a.intersects(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])

    # no label is cut: each is as wide as its text needs (the data column scrolls), or
    # as tall as its wrapped lines need
    def no_label_cut() -> None:
        for label in tab.findChildren(QLabel):
            if not label.isVisibleTo(tab) or not label.text().strip():
                continue
            if label.wordWrap():
                assert label.height() >= label.heightForWidth(label.width()), label.text()
            else:
                assert label.width() >= label.minimumSizeHint().width(), label.text()

    no_label_cut()
    for w, (width, height) in (
        (tab.plane, (380, 230)),
        (tab.loss_plot, (180, 140)),
        (tab.acc_plot, (180, 140)),
        (tab.network, (280, 250)),
    ):
        assert w.width() >= width and w.height() >= height, (w, w.size())
    # the single neuron's panel fits too: its equation wraps rather than being cut
    tab.set_hidden(())
    _settle(qtbot, tab)
    qtbot.waitUntil(lambda: "σ(" in tab.neuron_panel.equation_label.text(), timeout=WAIT)
    qtbot.wait(100)
    tab.grab().save(str(tmp_path / "boundary-1024-neuron.png"))
    no_label_cut()
    assert tab.network.height() >= 120
    assert tab.views.geometry().right() <= tab.width()


def test_long_pinned_curves_are_thinned():
    from playground.ui.tabs.boundary.runs import MAX_CURVE_POINTS, thin

    xs = list(range(5003))
    tx, ty = thin(xs, [2.0 * x for x in xs])
    assert len(tx) <= MAX_CURVE_POINTS and tx[0] == 0 and tx[-1] == 5002
    assert ty == [2.0 * x for x in tx] and thin([1, 2], [3, 4]) == ([1, 2], [3, 4])


def test_while_training_the_diagram_asks_for_thinned_maps_but_whole_hovered_ones(qtbot, tab):
    tab.state.update(hidden=(32, 32, 32))
    presenter = tab.presenter
    tab.session.play()
    qtbot.waitUntil(lambda: tab.session.running, timeout=30000)
    presenter.hover = (2, 0)
    presenter._ask_for_maps(True)
    view = tab.session.worker.view_options
    assert 2 in view["columns"] and 2 not in view["steps"]  # the plane shows it whole
    assert 4 not in view["steps"]  # the output column: whole
    assert all(s == tab.network.map_step(c, 100) > 1 for c, s in view["steps"].items())
    # a thinned map of the hovered neuron is never put on the plane (it waits for a whole one)
    presenter.maps = [None, None, np.zeros((32, 20 * 20), np.float32), None, None]
    tab.plane.restore_probs()
    presenter.show_hovered()
    assert not tab.plane.map_shown
    presenter.hover = None
    presenter._ask_for_maps(False)  # paused: every column, whole
    assert tab.session.worker.view_options == {}
