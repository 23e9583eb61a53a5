"""The Decision boundary tab with qtbot: clicks, play/step/reset, divergence, files, closing."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QInputDialog, QMessageBox

from playground.ui.tabs.boundary import BoundaryTab

WAIT = 60_000  # generous: CI machines may be busy


def _settle(qtbot, tab: BoundaryTab) -> None:
    """Wait until the current job has shown its first view (paused)."""
    qtbot.waitUntil(lambda: tab.is_ready() and tab.worker.state == "paused", timeout=WAIT)
    qtbot.waitUntil(lambda: tab._weights is not None, timeout=WAIT)


@pytest.fixture
def tab(qtbot):
    t = BoundaryTab()
    qtbot.addWidget(t)
    t.resize(1360, 800)
    t.show()
    qtbot.waitUntil(t.is_ready, timeout=WAIT)
    t.points_spin.setValue(80)  # small and quick: 40 training points
    t.batch_spin.setValue(20)
    qtbot.waitUntil(lambda: t.points() is not None and len(t.points()[0]) == 40, timeout=WAIT)
    _settle(qtbot, t)
    yield t
    t.shutdown()


def _click(qtbot, tab: BoundaryTab, x: float, y: float, button=Qt.LeftButton, mods=Qt.NoModifier):
    pos = tab.plane.data_to_widget(x, y)
    qtbot.mouseClick(tab.plane.viewport(), button, mods, pos)


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
    tab.class_group.button(1).click()  # select "poisonous"
    _click(qtbot, tab, 1.0, 1.0)
    assert tab.points()[1][-1] == 1
    _click(qtbot, tab, 6.02, 2.03, Qt.LeftButton, Qt.ControlModifier)  # Ctrl+click removes
    X, _, _, _ = tab.points()
    assert len(X) == n0 + 3
    assert not np.any(np.all(np.isclose(X, [6.0, 2.0], atol=0.1), axis=1))
    # the new points reach the running model: the job restarted on the new data
    _settle(qtbot, tab)
    assert len(tab._run.data[0]) == n0 + 3


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
    assert tab.worker.state == "running"
    qtbot.waitUntil(lambda: tab.loss_plot.count("train") >= 6, timeout=WAIT)
    assert tab.acc_plot.count("test") >= 6
    tab.toggle_play()  # pause
    assert tab.worker.state == "paused"
    xs, ys = tab.loss_plot.data("train")
    assert np.all(np.diff(xs) == 1) and ys[-1] < ys[0]  # every epoch, and it learns
    # the plots keep their own ranges (nice steps): every point is in view, losses from 0
    (x0, x1), (y0, y1) = tab.loss_plot.viewRange()
    assert x0 <= 0 and x1 >= xs.max() and y0 <= 0 and y1 >= ys.max()
    (_, ax1), (ay0, ay1) = tab.acc_plot.viewRange()
    assert ax1 >= xs.max() and ay0 <= 0 and 100 <= ay1 < 110


def test_reset_gives_new_weights_at_epoch_zero(qtbot, tab):
    tab.step()
    qtbot.waitUntil(lambda: tab.epoch == 1, timeout=WAIT)
    before = [w.copy() for w, _ in tab._weights]
    tab.reset()
    qtbot.waitUntil(lambda: tab.epoch == 0 and tab._weights is not None, timeout=WAIT)
    _settle(qtbot, tab)
    after = [w for w, _ in tab._weights]
    assert any(not np.array_equal(a, b) for a, b in zip(before, after, strict=True))
    assert tab.loss_plot.count("train") == 1  # the curves start again (epoch 0 only)


def test_divergence_message_then_reset_and_go_on(qtbot, tab):
    tab.dataset_combo.setCurrentIndex(tab.dataset_combo.findData("circle"))
    tab.act_combo.setCurrentIndex(tab.act_combo.findData("linear"))
    tab.set_learning_rate(10)
    _settle(qtbot, tab)
    with qtbot.waitSignal(tab.worker.failed, timeout=WAIT):
        tab.toggle_play()
    qtbot.waitUntil(lambda: tab.banner.isVisible(), timeout=WAIT)
    text = tab.banner_label.text()
    assert "diverged at epoch" in text and "lower the learning rate" in text
    assert tab.worker.state == "failed"
    tab.set_learning_rate(0.01)
    tab.banner_reset.click()
    assert not tab.banner.isVisible()
    _settle(qtbot, tab)
    assert tab.epoch == 0
    tab.toggle_play()
    qtbot.waitUntil(lambda: tab.epoch >= 2, timeout=WAIT)
    assert np.isfinite(tab.loss_plot.data("train")[1]).all()


def test_changing_the_learning_rate_mid_run_keeps_training(qtbot, tab):
    tab.toggle_play()
    qtbot.waitUntil(lambda: tab.epoch >= 2, timeout=WAIT)
    gen = tab.worker.generation
    tab.set_learning_rate(0.3)
    e = tab.epoch
    qtbot.waitUntil(lambda: tab.epoch >= e + 2, timeout=WAIT)
    assert tab.worker.generation == gen  # same job, same weights: the counter went on
    assert tab._settings.lr == pytest.approx(0.3)
    tab.toggle_play()
    # an architecture change starts again
    tab.add_layer()
    _settle(qtbot, tab)
    assert tab.epoch == 0 and len(tab._weights) == 4


def test_hovering_a_neuron_shows_its_map_and_an_edge_its_weight(qtbot, tab, monkeypatch):
    from PySide6.QtCore import QPoint

    net = tab.network
    node = net.node(1, 0)  # hidden layer 1, neuron 1
    qtbot.mouseMove(net.viewport(), net.mapFromScene(node.sceneBoundingRect().center()))
    qtbot.waitUntil(lambda: tab._hover == (1, 0), timeout=5000)
    assert tab.plane._map_shown and "layer 1 neuron 1" in tab.plane.caption.textItem.toPlainText()
    qtbot.mouseMove(net.viewport(), QPoint(3, 3))
    qtbot.waitUntil(lambda: tab._hover is None, timeout=5000)
    assert not tab.plane._map_shown
    edge = net.edge(0, 0, 0)  # x1 -> layer 1 neuron 1
    qtbot.mouseMove(net.viewport(), net.mapFromScene(edge.path().pointAtPercent(0.5)))
    w = tab._weights[0][0][0, 0]
    qtbot.waitUntil(lambda: f"{w:+.3f}" in net._info.text(), timeout=5000)
    assert "weight from" in net._info.text()
    # a click on the edge sets that weight (like TF Playground); the model follows
    monkeypatch.setattr(QInputDialog, "getDouble", lambda *a, **k: (-2.5, True))
    qtbot.mouseClick(
        net.viewport(),
        Qt.LeftButton,
        Qt.NoModifier,
        net.mapFromScene(edge.path().pointAtPercent(0.5)),
    )
    qtbot.waitUntil(lambda: tab._run.model.weights()[0][0][0, 0] == -2.5, timeout=WAIT)
    _settle(qtbot, tab)
    assert tab._weights[0][0][0, 0] == -2.5


def test_the_diagram_edits_the_architecture(qtbot, tab):
    from playground.ui.widgets.network import _Button

    net = tab.network
    assert tab._hidden == [4, 2]
    plus = [b for b in net.scene().items() if isinstance(b, _Button) and b.toolTip()[:3] == "One"]
    first_plus = min(
        (b for b in plus if "more" in b.toolTip()), key=lambda b: b.scenePos().x()
    )  # above hidden layer 1
    qtbot.mouseClick(
        net.viewport(),
        Qt.LeftButton,
        Qt.NoModifier,
        net.mapFromScene(first_plus.sceneBoundingRect().center()),
    )
    assert tab._hidden == [5, 2]
    _settle(qtbot, tab)
    assert tab._weights[0][0].shape == (5, 2) and tab.epoch == 0
    node = net.node(0, 2)  # the x1^2 input: click switches it on
    qtbot.mouseClick(
        net.viewport(),
        Qt.LeftButton,
        Qt.NoModifier,
        net.mapFromScene(node.sceneBoundingRect().center()),
    )
    assert tab.feature_boxes["x1^2"].isChecked()
    _settle(qtbot, tab)
    assert tab._weights[0][0].shape == (5, 3)
    tab.remove_layer()
    tab.remove_layer()
    _settle(qtbot, tab)
    assert tab.single_neuron() and tab.neuron_panel.isVisible()


def test_single_neuron_mode_by_hand(qtbot, tab):
    tab.set_hidden(())
    _settle(qtbot, tab)
    assert tab.neuron_panel.isVisible() and len(tab.weight_sliders) == 3
    tab.set_neuron_weights(np.array([[2.0, -1.5]]), np.array([0.5]))
    qtbot.waitUntil(
        lambda: np.allclose(tab._run.model.weights()[0][0], [[2.0, -1.5]]), timeout=WAIT
    )
    qtbot.waitUntil(lambda: "2.00" in tab.equation_label.text(), timeout=WAIT)
    assert tab.plane.line.isVisible()
    loss_hand = tab.hand_loss_label.text()
    tab.set_neuron_weights(np.array([[-2.0, 1.5]]), np.array([-0.5]))
    qtbot.waitUntil(lambda: tab.hand_loss_label.text() != loss_hand, timeout=WAIT)
    # then gradient descent takes over from the hand-set weights
    tab.toggle_play()
    qtbot.waitUntil(lambda: tab.epoch >= 2, timeout=WAIT)
    tab.toggle_play()


def _line_through(tab: BoundaryTab) -> tuple[float, float, float]:
    """The single neuron's line a1*x + a2*y + a0 = 0 in plane coordinates, from its weights."""
    W, b = tab._run.model.weights()[0]
    (cx, cy), (fx, fy) = tab._toy.input_scaling(tab._extent())
    a1, a2 = float(W[0, 0]) * fx, float(W[0, 1]) * fy
    return a1, a2, float(b[0]) - a1 * cx - a2 * cy


def test_drag_the_single_neurons_line_on_the_plane(qtbot, tab):
    tab.set_hidden(())
    _settle(qtbot, tab)
    tab.set_neuron_weights(np.array([[1.0, -1.0]]), np.array([0.0]))
    qtbot.waitUntil(
        lambda: np.allclose(tab._run.model.weights()[0][0], [[1.0, -1.0]]), timeout=WAIT
    )
    plane = tab.plane
    assert plane.handles.isVisible() and set(plane._handle_pos) == {"move", "turn"}
    w_before = tab._run.model.weights()[0][0].copy()

    # the dot: drag it to (7, 3); the line now passes there, with the same weights
    foot = plane._handle_pos["move"]
    start = plane.data_to_widget(*foot)
    target = plane.data_to_widget(7.0, 3.0)
    qtbot.mousePress(plane.viewport(), Qt.LeftButton, pos=start)
    qtbot.mouseMove(plane.viewport(), target)
    qtbot.mouseRelease(plane.viewport(), Qt.LeftButton, pos=target)
    qtbot.waitUntil(
        lambda: abs(sum(np.multiply(_line_through(tab), (7, 3, 1)))) < 0.05, timeout=WAIT
    )
    assert np.allclose(tab._run.model.weights()[0][0], w_before, atol=1e-5)
    n_points = sum(len(a) for a in tab.points()[::2])

    # the arrow's head: drag it straight up from the dot; the weight vector turns to +x2
    foot = plane._handle_pos["move"]
    start = plane.data_to_widget(*plane._handle_pos["turn"])
    target = plane.data_to_widget(float(foot[0]), float(foot[1]) + 2.0)
    qtbot.mousePress(plane.viewport(), Qt.LeftButton, pos=start)
    qtbot.mouseMove(plane.viewport(), target)
    qtbot.mouseRelease(plane.viewport(), Qt.LeftButton, pos=target)

    def turned() -> bool:
        a1, a2, _ = _line_through(tab)
        return a2 > 0 and abs(a1) < 0.1 * a2

    qtbot.waitUntil(turned, timeout=WAIT)
    assert sum(len(a) for a in tab.points()[::2]) == n_points  # a drag adds no points
    assert tab.weight_sliders[1][1].text().startswith("+")  # the w2 slider follows


def test_more_than_two_classes(qtbot, tab):
    tab.dataset_combo.setCurrentIndex(tab.dataset_combo.findData("gauss"))
    tab.classes_spin.setValue(3)
    _settle(qtbot, tab)
    qtbot.waitUntil(lambda: tab.plane._probs is not None and tab.plane._probs.shape[1] == 3)
    assert set(np.unique(tab.points()[1])) == {0, 1, 2}
    assert len(tab.class_group.buttons()) == 3
    _click(qtbot, tab, 0.0, 0.0, Qt.RightButton)  # the next class after the selected one
    assert tab.points()[1][-1] == 1


def test_csv_bad_file_shows_a_message_and_good_file_loads(qtbot, tab, tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(a[2]))
    bad = tmp_path / "bad.csv"
    bad.write_text("this is,not\na points file\n")
    assert tab.load_points_csv_from(str(bad)) is False
    assert shown and "bad.csv" in shown[0]
    good = tmp_path / "good.csv"
    assert tab.save_points_csv_to(str(good))
    n = sum(len(a) for a in tab.points()[::2])
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
    saved = [(w.copy(), b.copy()) for w, b in tab._weights]
    points = [a.copy() for a in tab.points()]
    tab.reset()
    tab.points_spin.setValue(120)
    _settle(qtbot, tab)
    assert tab.load_experiment_from(str(path))
    _settle(qtbot, tab)
    assert tab.epoch == 2
    for (w, b), (w2, b2) in zip(saved, tab._run.model.weights(), strict=True):
        assert np.array_equal(w, w2) and np.array_equal(b, b2)
    for a, b in zip(points, tab.points(), strict=True):
        assert np.array_equal(a, b)
    assert tab.loss_plot.count("train") == 3  # epochs 0, 1, 2 came back too
    png, script = tmp_path / "view.png", tmp_path / "train.py"
    assert tab.export_png_to(str(png)) and png.stat().st_size > 1000
    assert tab.export_script_to(str(script)) and "torch" in script.read_text()
    compile(script.read_text(), str(script), "exec")  # valid Python


def test_closing_the_window_mid_training(qtbot, tmp_path):
    from playground.ui.main_window import MainWindow

    w = MainWindow(tab="boundary", settings=QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat))
    qtbot.addWidget(w)
    w.show()
    tab = w.current_tab()
    qtbot.waitUntil(tab.is_ready, timeout=WAIT)
    qtbot.keyClick(w, Qt.Key_Space)  # Space plays, as in the whole app
    assert tab.worker.state == "running"
    qtbot.waitUntil(lambda: tab.epoch >= 1, timeout=WAIT)
    w.close()
    assert tab.worker.state == "idle" and tab.worker._thread is None
    # the settings were stored and come back
    s = QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat)
    assert s.value("boundary/dataset") == "fruit"


def test_settings_round_trip(qtbot, tab, tmp_path):
    tab.dataset_combo.setCurrentIndex(tab.dataset_combo.findData("moons"))
    tab.set_hidden((5, 3, 2))
    tab.feature_boxes["x1*x2"].setChecked(True)
    tab.opt_combo.setCurrentIndex(tab.opt_combo.findData("rmsprop"))
    tab.set_learning_rate(0.003)
    tab.reg_combo.setCurrentIndex(tab.reg_combo.findData("l2"))
    tab.discretize_box.setChecked(True)
    s = QSettings(str(tmp_path / "t.ini"), QSettings.IniFormat)
    tab.save_settings(s)
    s.sync()
    other = BoundaryTab()
    qtbot.addWidget(other)
    other.restore_settings(QSettings(str(tmp_path / "t.ini"), QSettings.IniFormat))
    assert other.dataset_combo.currentData() == "moons"
    assert other._hidden == [5, 3, 2] and other.feature_boxes["x1*x2"].isChecked()
    assert other.opt_combo.currentData() == "rmsprop"
    assert other.learning_rate() == pytest.approx(0.003)
    assert other.reg_combo.currentData() == "l2" and other.discretize_box.isChecked()
    other.shutdown()
