"""What the user edits by hand: points on the plane, the architecture in the diagram,
the weights (single-neuron sliders, its line's handles, a click on a weight, weights sent
back by the Backprop tab); and a point of the plane to explain in the Backprop tab."""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QInputDialog

from playground.core.toy.checks import check_weights
from playground.core.toy.config import FEATURES, MAX_LAYERS, MAX_WIDTH

EXPLAIN_LAYERS, EXPLAIN_WIDTH = 2, 4  # the largest net whose point-loss graph stays legible


class EditingMixin:
    """Part of :class:`BoundaryTab` (uses its state, session, presenter and views)."""

    def wire_editing(self) -> None:
        net = self.net
        net.add_layer_button.clicked.connect(self.add_layer)
        net.remove_layer_button.clicked.connect(self.remove_layer)
        self.network.width_changed.connect(self.change_width)
        self.network.feature_toggled.connect(self.toggle_feature)
        self.network.edge_clicked.connect(self._edit_weight)
        self.neuron_panel.moved.connect(self._sliders_moved)
        self.plane.clicked.connect(self._plane_clicked)
        self.plane.line_dragged.connect(self._line_dragged)
        self.data_panel.class_picked.connect(self._class_picked)
        self.data_panel.clear_clicked.connect(self.clear_points)
        self._swallow_mouse = False  # the rest of the press that picked a point to explain
        self.plane.viewport().installEventFilter(self)
        self.views.explain_button.toggled.connect(self._explain_toggled)

    # ------------------------------------------------------------ architecture
    def add_layer(self) -> None:
        """One more hidden layer (as wide as the last one, or 4)."""
        hidden = self.state.hidden
        if len(hidden) < MAX_LAYERS:
            self.state.hidden = (*hidden, hidden[-1] if hidden else 4)

    def remove_layer(self) -> None:
        """Drop the last hidden layer (down to none: a single neuron)."""
        if self.state.hidden:
            self.state.hidden = self.state.hidden[:-1]

    def change_width(self, layer: int, delta: int) -> None:
        """Add ``delta`` neurons to hidden layer ``layer`` (0-based), within 1..32."""
        hidden = list(self.state.hidden)
        if 0 <= layer < len(hidden):
            hidden[layer] = min(max(hidden[layer] + delta, 1), MAX_WIDTH)
            self.state.hidden = tuple(hidden)

    def set_hidden(self, hidden: tuple[int, ...] | list[int]) -> None:
        """Set every hidden layer's width at once (() = a single neuron)."""
        self.state.hidden = tuple(min(max(int(h), 1), MAX_WIDTH) for h in hidden)[:MAX_LAYERS]

    def toggle_feature(self, key: str) -> None:
        """Switch an input feature on or off (at least one stays on)."""
        chosen = set(self.state.features) ^ {key}
        if chosen:
            self.state.features = tuple(k for k in FEATURES if k in chosen)

    # ------------------------------------------------------------ points
    def _class_picked(self, i: int) -> None:
        self.selected_class = i

    def _plane_clicked(self, x: float, y: float, button: Any, modifiers: Any) -> None:
        if self.data is None:
            return
        mods = Qt.KeyboardModifiers(modifiers)
        if self.data_panel.eraser.isChecked() or mods & Qt.ControlModifier:
            self.remove_nearest(x, y)
            return
        label = self.selected_class
        if button == Qt.RightButton or mods & Qt.ShiftModifier:
            label = (label + 1) % self.state.classes
        self.add_point(x, y, label)

    def add_point(self, x: float, y: float, label: int) -> None:
        """Add a training point of class ``label`` at plane coordinates (x, y)."""
        if self.data is None:
            return
        Xtr, ytr, Xte, yte = self.data
        Xtr = np.concatenate([Xtr, np.array([[x, y]], np.float32)])
        ytr = np.concatenate([ytr, np.array([label], np.int64)])
        self.data = (Xtr, ytr, Xte, yte)
        self._points_changed()

    def nearest_point(self, x: float, y: float) -> tuple[int, int] | None:
        """(0 training / 1 test, index) of the point nearest (x, y), if one is close enough."""
        if self.data is None:
            return None
        xmin, xmax, ymin, ymax = self.presenter.extent()
        reach = 0.06 * max(xmax - xmin, ymax - ymin)
        best = None
        for which, X in ((0, self.data[0]), (1, self.data[2])):
            if len(X):
                d = np.hypot(X[:, 0] - x, X[:, 1] - y)
                i = int(d.argmin())
                if d[i] <= reach and (best is None or d[i] < best[0]):
                    best = (d[i], which, i)
        return None if best is None else (best[1], best[2])

    def remove_nearest(self, x: float, y: float) -> bool:
        """Remove the point (training or test) nearest (x, y), if one is close enough."""
        found = self.nearest_point(x, y)
        if found is None:
            return False
        Xtr, ytr, Xte, yte = self.data
        which, i = found
        if which == 0:
            self.data = (np.delete(Xtr, i, 0), np.delete(ytr, i), Xte, yte)
        else:
            self.data = (Xtr, ytr, np.delete(Xte, i, 0), np.delete(yte, i))
        self._points_changed()
        return True

    def clear_points(self) -> None:
        """Remove every point (then click to add your own)."""
        e2, e1 = np.zeros((0, 2), np.float32), np.zeros(0, np.int64)
        self.data = (e2, e1, e2.copy(), e1.copy())
        self._points_changed()

    def points(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
        """(X_train, y_train, X_test, y_test) as shown, or None before the first data."""
        return self.data

    def _points_changed(self) -> None:
        self.presenter.show_points(self.data)
        if self._no_points():
            self.session.stop()
            return
        self.plane.set_message("")
        self._go_on()  # same weights, new data: watch the boundary adapt

    # ------------------------------------------------------------ weights by hand
    def _sliders_moved(self, values: list[float]) -> None:
        if self.presenter.weights is None or self.run is None:
            return
        self.set_neuron_weights(np.array([values[:-1]], np.float32), np.array([values[-1]]))

    def _line_dragged(self, a1: float, a2: float, a0: float) -> None:
        """A handle on the plane moved the line a1*x + a2*y + a0 = 0: back to w1, w2, b."""
        wb = self.presenter.neuron.weights_from_line(a1, a2, a0)
        if wb is None or self.presenter.weights is None:
            return
        W, b = wb
        self.neuron_panel.show_values([*W[0].tolist(), float(b[0])])
        self.set_neuron_weights(W, b)

    def set_neuron_weights(self, W: np.ndarray, b: np.ndarray) -> None:
        """Set the single neuron's weights by hand; the view and the loss follow."""
        weights = [(np.asarray(W, np.float32), np.asarray(b, np.float32))]
        self.presenter.neuron.draw([*weights[0][0][0].tolist(), float(weights[0][1][0])])
        self.set_weights(weights)

    def set_weight(self, layer: int, out: int, inp: int, value: float) -> None:
        """Set one weight (layer ``layer``, from input ``inp`` to neuron ``out``) by hand."""
        if self.presenter.weights is None:
            return
        weights = [(W.copy(), b.copy()) for W, b in self.presenter.weights]
        weights[layer][0][out, inp] = value
        self.set_weights(weights)

    def set_weights(self, weights: list) -> None:
        """Load weights by hand (training pauses); the views and the loss follow."""
        self.presenter.weights = weights
        worker = self.worker
        if worker.state == "running":
            worker.pause()
        if worker.has_job():
            worker.give(weights)  # frames made before them are dropped
            worker.refresh()
        elif self.run is not None and self.run.device is not None:
            self._next["weights"] = weights
            self._show(fresh=False)

    def _edit_weight(self, layer: int, out: int, inp: int) -> None:
        if self.presenter.weights is None:
            return
        if self.worker.state == "running":
            self.worker.pause()
        old = float(self.presenter.weights[layer][0][out, inp])
        value, ok = QInputDialog.getDouble(
            self,
            "Set a weight",
            self.network.describe_edge(layer, out, inp).split(":")[0] + ":",
            old,
            -100.0,
            100.0,
            3,
        )
        if ok:
            self.set_weight(layer, out, inp, value)

    def apply_weights(self, weights: Any) -> bool:
        """Set the model's weights ``[(W (out, in), b (out,)), ...]`` (e.g. after the Backprop
        tab's SGD step); training pauses and the boundary and the diagram show them.  Weights
        that do not fit the network change nothing and say why."""
        if self.run is None or self.run.device is None or self.presenter.weights is None:
            self.show_message("No network yet to take those weights: wait for it to load.")
            return False
        try:
            checked = check_weights(weights, self.state.layer_sizes())
        except ValueError as exc:
            self.show_message(f"Cannot use those weights: {exc}", "error")
            return False
        if self.state.single_neuron():
            self.presenter.neuron.draw([*checked[0][0][0].tolist(), float(checked[0][1][0])])
        self.set_weights(checked)
        self.show_message(
            "New weights from the Backprop tab: the boundary shows them; Play trains on from here."
        )
        return True

    # ------------------------------------------------------------ a point to explain
    def explain_problem(self) -> str:
        """Why a point of this network cannot be explained now ("" when it can)."""
        s = self.state
        if self.presenter.toy is None or self.presenter.weights is None:
            return "Wait for the network to load, then pick a point to explain."
        if s.classes != 2:
            return (
                f"Explain a point works with two classes; this network has {s.classes} "
                "(set Classes to 2)."
            )
        if len(s.hidden) > EXPLAIN_LAYERS or any(h > EXPLAIN_WIDTH for h in s.hidden):
            shape = " + ".join(map(str, s.hidden))
            return (
                f"Explain a point works on a small network: up to {EXPLAIN_LAYERS} hidden "
                f"layers of {EXPLAIN_WIDTH} neurons (this one has {shape}); remove neurons "
                "with the − buttons to see its graph."
            )
        return ""

    def explain_point(self, x: float, y: float, label: int | None = None) -> dict | None:
        """Emit :attr:`explain_requested` for the plane point (x, y) of class ``label``
        (None: the nearest data point's class, else the class selected under Your points);
        the payload, or None after saying in the message bar why not."""
        problem = self.explain_problem()
        if problem:
            self.show_message(problem, "warning")
            return None
        if label is None:
            found = self.nearest_point(x, y)
            label = self.selected_class
            if found is not None:
                which, i = found
                x, y = (float(v) for v in self.data[2 * which][i])
                label = int(self.data[2 * which + 1][i])
        if self.session.running:
            self.session.pause()  # the weights sent are those shown
        names = list(self.state.model_config()["features"])  # the model's input order
        toy, extent = self.presenter.toy, self.presenter.extent()
        point = np.array([[x, y]], np.float32)
        values = toy.features(point, names, extent)[0]
        centre, factor = toy.input_scaling(extent)
        payload = {
            "weights": [(W.copy(), b.copy()) for W, b in self.presenter.weights],
            "features_values": [float(v) for v in values],
            "label": int(label),
            "activation": self.state.activation,
            "feature_names": names,
            # the point as the plane shows it, and how the network rescales the plane
            "plane": {"point": [float(x), float(y)], "centre": centre, "factor": factor},
            "class_names": self.presenter.class_names(),
        }
        self.explain_requested.emit(payload)
        cls = self.presenter.class_names()[int(label)]
        self.show_message(
            f"The point ({x:.2f}, {y:.2f}), {cls}: its loss with the current weights is "
            "in the Backprop tab."
        )
        return payload

    def _explain_toggled(self, on: bool) -> None:
        if on:
            problem = self.explain_problem()
            if problem:
                self.views.explain_button.setChecked(False)
                self.show_message(problem, "warning")
                return
            self.plane.viewport().setCursor(Qt.CrossCursor)
            self.show_message("Click a point of the plane to explain (right-click: cancel).")
        else:
            self.plane.viewport().unsetCursor()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt name
        """While "Explain a point" is on, a press on the plane picks the point (it adds
        none); the rest of that press (drag, release) is swallowed too."""
        if obj is not self.plane.viewport():
            return super().eventFilter(obj, event)
        kind = event.type()
        if self._swallow_mouse and kind in (QEvent.MouseMove, QEvent.MouseButtonRelease):
            self._swallow_mouse = kind != QEvent.MouseButtonRelease
            return True
        if kind == QEvent.MouseButtonPress and self.views.explain_button.isChecked():
            self._swallow_mouse = True
            self.views.explain_button.setChecked(False)
            if event.button() == Qt.LeftButton:
                vb = self.plane.plotItem.vb
                scene = self.plane.mapToScene(event.position().toPoint())
                if vb.sceneBoundingRect().contains(scene):
                    p = vb.mapSceneToView(scene)
                    self.explain_point(p.x(), p.y())
            else:
                self.clear_message()
            return True
        return super().eventFilter(obj, event)
