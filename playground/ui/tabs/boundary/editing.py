"""What the user edits by hand: points on the plane, the architecture in the diagram,
the weights (single-neuron sliders, its line's handles, a click on a weight)."""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog

from playground.core.toy_names import FEATURES, MAX_LAYERS, MAX_WIDTH


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

    def remove_nearest(self, x: float, y: float) -> bool:
        """Remove the point (training or test) nearest (x, y), if one is close enough."""
        if self.data is None:
            return False
        Xtr, ytr, Xte, yte = self.data
        xmin, xmax, ymin, ymax = self.presenter.extent()
        reach = 0.06 * max(xmax - xmin, ymax - ymin)
        best = None
        for which, X in ((0, Xtr), (1, Xte)):
            if len(X):
                d = np.hypot(X[:, 0] - x, X[:, 1] - y)
                i = int(d.argmin())
                if d[i] <= reach and (best is None or d[i] < best[0]):
                    best = (d[i], which, i)
        if best is None:
            return False
        _, which, i = best
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
            self.run.give(weights)
            worker.refresh()
        elif self.run is not None and self.run.model is not None:
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
