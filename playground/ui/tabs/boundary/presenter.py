"""Frames -> views: the plane, the network diagram, the curves, the numbers, hover.

The plane draws every frame; the slower views ask ``session.due`` (one place decides how
often views draw).  Nothing here trains or evaluates: it only shows numpy arrays that the
job computed in its thread.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from playground.core.toy.config import FEATURE_LABELS, FEATURES
from playground.ui.style import OKABE_ITO, TEST_COLOR, TRAIN_COLOR, rgb
from playground.ui.tabs.boundary.job import RES
from playground.ui.tabs.boundary.neuron import NeuronPresenter
from playground.ui.tabs.boundary.panels import NetworkPanel, ViewsPanel
from playground.ui.tabs.boundary.state import BoundaryState
from playground.ui.worker import FAST_FRAME_MS, Frame

MAPS_HZ = 30.0  # columns of neuron maps drawn per second while training (one at a time)
MAPS_PER_FRAME = 8  # neuron maps redrawn per frame at most while training (a 6x32 column: 4)
FRUIT_EXTENT, PLAIN_EXTENT = (0.0, 10.0, 0.0, 10.0), (-6.0, 6.0, -6.0, 6.0)


def class_tint(probs_c: np.ndarray, res: int, color: str) -> np.ndarray:
    """A probability map (m,) as white -> class colour, (res, res, 4) uint8."""
    c = np.array(rgb(color), np.float32)
    a = np.clip(probs_c, 0, 1)[:, None] * 0.9
    img = np.empty((len(probs_c), 4), np.uint8)
    img[:, :3] = 255 - (255 - c) * a
    img[:, 3] = 255
    return img.reshape(res, res, 4)


def metrics_html(m: dict, lr: float | None) -> str:
    """The numbers above the plane; non-finite values show as a dash."""

    def pct(v: float) -> str:
        return f"{100 * v:.1f}%" if math.isfinite(v) else "–"

    def num(v: float) -> str:
        return f"{v:.3f}" if math.isfinite(v) else "–"

    text = (
        f"<span style='color:{TRAIN_COLOR}'>Training loss <b>{num(m.get('loss', math.nan))}</b>"
        f" ({pct(m.get('acc', math.nan))} right)</span> &nbsp; "
        f"<span style='color:{TEST_COLOR}'>Test loss <b>{num(m.get('test_loss', math.nan))}"
        f"</b> ({pct(m.get('test_acc', math.nan))} right)</span>"
    )
    if lr is not None and math.isfinite(lr):
        text += f" &nbsp; lr now {lr:.3g}"
    return text


class Presenter:
    """What is shown: the latest weights, neuron maps and epoch, drawn on the views."""

    def __init__(self, state: BoundaryState, session: Any, views: ViewsPanel, net: NetworkPanel):
        self.state, self.session, self.views, self.net = state, session, views, net
        # every view here costs about the same per frame at any size: ~60 frames a second
        session.worker.frame_ms = FAST_FRAME_MS
        self.plane, self.network = views.plane, net.network
        self.neuron = NeuronPresenter(state, net.neuron_panel, self.plane)
        self.toy: Any = None  # playground.core.toy once the first job has imported it
        self.epoch = 0
        self.weights: list | None = None
        self.maps: list | None = None
        self.feature_maps: np.ndarray | None = None  # (7, m): every input over the plane
        self.hover: tuple[int, int] | None = None  # the diagram's neuron under the mouse
        self.hover_point: tuple[float, float] | None = None  # the plane's point under it
        self.ready = False
        self.last_frame: Frame | None = None
        self._curve_epoch = -1
        self._pending: list[tuple[int, dict]] = []
        self._map_column = 0  # the diagram's column whose maps were drawn last

    # ------------------------------------------------------------ the plane's frame
    def extent(self) -> tuple[float, float, float, float]:
        if self.toy is not None:
            return self.toy.extent(self.state.dataset)
        return FRUIT_EXTENT if self.state.dataset == "fruit" else PLAIN_EXTENT

    def class_names(self) -> list[str]:
        name, n = self.state.dataset, self.state.classes
        if self.toy is not None:
            names = list(self.toy.class_names(name, n))
        else:
            names = ["safe", "poisonous"] if name == "fruit" else []
        return (names + [f"class {i}" for i in range(len(names), n)])[:n]

    def axis_labels(self) -> tuple[str, str]:
        return ("x1", "x2") if self.toy is None else self.toy.axis_labels(self.state.dataset)

    def sync_plane(self) -> None:
        """Extent, axis labels and the input features' thumbnails of the current dataset."""
        if self.toy is None:
            return
        ext = self.extent()
        self.plane.set_extent(ext, *self.axis_labels(), RES)
        grid = self.toy.make_grid(ext, RES)
        self.feature_maps = self.toy.features(grid, FEATURES, ext).T.copy()  # (7, m)
        self.network.show_maps(0, self.feature_maps, RES, per_node=True)
        self.neuron.toy = self.toy

    def show_points(self, data: tuple | None) -> None:
        if data is not None:
            self.plane.set_points(*data, self.state.classes)

    def rebuild_network(self) -> None:
        """The diagram and the single-neuron panel for the state's architecture."""
        s = self.state
        self.net.show_layers(len(s.hidden))
        names = self.class_names()
        outs = [names[1]] if s.classes == 2 else names
        self.network.set_architecture(
            [(k, FEATURE_LABELS[k]) for k in FEATURES], s.features, tuple(s.hidden), outs
        )
        self.weights = self.maps = self.hover = None
        self.clear_readouts()  # they described the data or the network there was
        if self.feature_maps is not None:
            self.network.show_maps(0, self.feature_maps, RES, per_node=True)
        self.neuron.rebuild()

    # ------------------------------------------------------------ frames
    epoch_label: Any = None  # set by the tab (the top bar's label)

    def on_frame(self, frame: Frame) -> None:
        """One frame of the running (or paused) job."""
        self.last_frame = frame
        self.epoch = frame.step
        self.epoch_label.setText(f"Epoch {frame.step:,}")
        for step, m in frame.history:  # curves: every epoch since the last frame
            if step > self._curve_epoch:
                self._curve_epoch = step
                self._pending.append((step, m))
        curves = bool(self._pending) and self.session.due("curves", "slow", frame)
        if curves:
            self.flush_curves()
        d = frame.detail
        metrics = d.get("now", frame.metrics)
        lr = frame.metrics.get("lr") if self.state.decay < 1 else None
        self.views.metrics_label.setText(metrics_html(metrics, lr))
        self.neuron.show_loss(metrics)
        if "probs" in d:
            self.show_detail(d, frame)
            self.plane.set_message("")
            self.ready = True
            if self.hover_point is not None:  # what the network says there now
                self.show_readout()

    def show_detail(self, d: dict, frame: Frame | None = None) -> None:
        """Weights, maps and probabilities of one frame.

        The plane draws every frame (its picture was made in the job's thread).  While
        training, the diagram's edges and maps take turns within a small budget per frame,
        so a frame's cost on the GUI thread stays about the same for any network."""
        self.weights = d["weights"]
        fresh = self._take_maps(d.get("maps"))
        probs = d["probs"]
        if not np.isfinite(probs).all():
            return  # never draw a non-finite frame
        if self.hover is None:
            self.plane.show_probs(probs, d.get("plane"))
        else:
            self.plane.keep_probs(probs, d.get("plane"))  # shown again when the hover ends
            self.show_hovered()
        self.neuron.show(self.weights)
        running = self.session.running and not (frame is not None and frame.final)
        if self.session.due("edges", "normal", frame):  # a few pictures at a time
            self.network.show_weights(self.weights)
        if running:  # the columns this frame brought, a few maps at a time
            self.show_neuron_maps(fresh, MAPS_PER_FRAME)
        else:
            self.show_neuron_maps()
        self._ask_for_maps(running)

    def _take_maps(self, maps: list | None) -> list[int]:
        """Keep the columns of neuron maps a frame brought (None: one it did not carry);
        returns the diagram columns that arrived."""
        if maps is None:
            return []
        if self.maps is None or len(self.maps) != len(maps):
            self.maps = [None] * len(maps)
        fresh = [i for i, m in enumerate(maps) if m is not None]
        for i in fresh:
            self.maps[i] = maps[i]
        return [i for i in fresh if i > 0]

    def _ask_for_maps(self, running: bool) -> None:
        """What the next frame should carry: while training, one column of maps in turn
        (MAPS_HZ a second) and the hovered neuron's; else every column."""
        if not running:
            self.session.worker.view_options = {}
            return
        columns = set()
        if self.hover is not None and self.hover[0] > 0:
            columns.add(self.hover[0])
        last = len(self.state.hidden) + 1
        if self.session.due("maps", MAPS_HZ):
            self._map_column = self._map_column % last + 1
            columns.add(self._map_column)
        # hidden maps thinned to what a node shows (1/49 of the data for 6x32's small
        # nodes); the hovered column and the outputs whole: the plane shows them
        hovered = self.hover[0] if self.hover is not None else None
        steps = {c: self.network.map_step(c, RES) for c in columns if c not in (last, hovered)}
        self.session.worker.view_options = {"columns": sorted(columns), "steps": steps}

    def show_neuron_maps(self, columns: list[int] | None = None, limit: int | None = None) -> None:
        """The maps of the diagram's hidden and output ``columns`` (None: all of them);
        at most ``limit`` redrawn per column (the others wait for their turn)."""
        if self.maps is None:
            return
        act = self.state.activation
        centre = 0.5 if act == "sigmoid" else 0.0
        scale = {"tanh": 1.0, "sigmoid": 0.5}.get(act)
        last = len(self.maps) - 1
        for layer in range(1, last + 1) if columns is None else columns:
            if self.maps[layer] is None:
                continue
            if layer < last:
                res = math.isqrt(self.maps[layer].shape[1])  # thinned in the job, or RES
                self.network.show_maps(layer, self.maps[layer], res, centre, scale, limit=limit)
            elif self.state.classes == 2:
                self.network.show_maps(last, self.maps[last], RES, 0.5, 0.5, limit=limit)
            else:
                out = self.maps[last]
                images = [class_tint(p, RES, OKABE_ITO[c])[::2, ::2] for c, p in enumerate(out)]
                self.network.show_images(last, images)

    # ------------------------------------------------------------ curves
    def flush_curves(self) -> None:
        """Draw every epoch that arrived since the last draw."""
        if not self._pending:
            return
        xs = [step for step, _ in self._pending]
        col = {
            k: np.array([m.get(k, math.nan) for _, m in self._pending], float)
            for k in ("loss", "test_loss", "acc", "test_acc")
        }
        self._pending = []
        self.views.loss_plot.append("train", xs, col["loss"])
        self.views.loss_plot.append("test", xs, col["test_loss"])
        self.views.acc_plot.append("train", xs, col["acc"] * 100)
        self.views.acc_plot.append("test", xs, col["test_acc"] * 100)

    def clear_curves(self) -> None:
        for plot in (self.views.loss_plot, self.views.acc_plot):
            plot.clear_curves()  # back to epochs 0..10
        self._curve_epoch = -1
        self._pending = []

    def curves(self) -> dict[str, list]:
        """The curves as drawn: {"loss/train": [xs, ys], ...} (for experiment files)."""
        self.flush_curves()
        out = {}
        for name, plot in (("loss", self.views.loss_plot), ("acc", self.views.acc_plot)):
            for series in ("train", "test"):
                x, y = plot.data(series)
                out[f"{name}/{series}"] = [x.tolist(), y.tolist()]
        return out

    def load_curves(self, curves: dict) -> None:
        """Draw curves saved by :meth:`curves` (already checked)."""
        self.clear_curves()
        for key, (xs, ys) in curves.items():
            name, series = key.split("/")
            plot = self.views.loss_plot if name == "loss" else self.views.acc_plot
            plot.append(series, xs, ys)
            if len(xs):
                self._curve_epoch = max(self._curve_epoch, int(max(xs)))

    # ------------------------------------------------------------ hover
    def neuron_hovered(self, layer: int, index: int) -> None:
        self.hover = (layer, index)
        self.show_hovered()

    def neuron_left(self) -> None:
        self.hover = None
        self.plane.set_caption("")
        self.plane.restore_probs()

    def show_hovered(self) -> None:
        if self.hover is None:
            return
        layer, index = self.hover
        self.plane.set_caption(
            self.network.describe_node(layer, index).split(":")[0].split(" (")[0]
        )
        if layer == 0:
            if self.feature_maps is not None:
                self.plane.show_map(self.feature_maps[index])
            return
        if self.maps is None or layer >= len(self.maps) or self.maps[layer] is None:
            return
        values = self.maps[layer][index]
        if values.size != RES * RES:
            return  # a thinned map: the hovered column comes whole with the next frame
        if layer == len(self.maps) - 1:
            if self.state.classes == 2:
                self.plane.restore_probs()
            else:
                self.plane.show_map(values, 0.0)
        else:
            self.plane.show_map(values, 0.5 if self.state.activation == "sigmoid" else 0.0)

    def plane_hovered(self, x: float, y: float) -> None:
        """The mouse is over the plane at (x, y): the readout says what the network says."""
        self.hover_point = (x, y)
        self.show_readout()

    def plane_left(self) -> None:
        self.hover_point = None
        self.views.readout.setText(" ")

    def show_readout(self) -> None:
        """The readout under the plane: where the mouse is and what the network says there
        (kept true: every new frame says it again)."""
        if self.hover_point is None:
            self.views.readout.setText(" ")
            return
        x, y = self.hover_point
        xl, yl = self.axis_labels()
        text = f"{xl} = {x:.2f}, {yl} = {y:.2f}"
        p = self.plane.probs_at(x, y)
        if p is not None:
            names = self.class_names()
            k = int(p.argmax())
            text += f": the network says {names[k]} ({100 * p[k]:.0f}% sure)"
        self.views.readout.setText(text)

    def clear_readouts(self) -> None:
        """The data or the network changed: what the hover readouts said is old news (the
        next move of the mouse says it again)."""
        self.hover_point = None
        self.views.readout.setText(" ")
        self.plane.set_caption("")
