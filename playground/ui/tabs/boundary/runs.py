"""How settings and the run controls reach the model: the shape rule, new data, a job
that goes on, the session's job factory; and comparing runs: Pin (settings, curves,
final numbers, time and a picture of the boundary), restore, ready-made comparisons."""

from __future__ import annotations

import math
import time
from typing import Any

from PySide6.QtCore import QBuffer, QIODevice, Qt

from playground.core.toy.config import MULTICLASS, OPTIMIZER_LABELS, OPTIMIZERS
from playground.ui.runs import PinnedRun
from playground.ui.tabs.boundary.job import BoundarySpec, RunInfo
from playground.ui.tabs.boundary.state import DATA_FIELDS, VIEW_FIELDS, BoundaryState
from playground.ui.widgets.runs_table import curves_of

SHAPE_WORDS = {
    "hidden": "the hidden layers",
    "activation": "the activation",
    "features": "the input features",
    "classes": "the number of classes",
}

# the runs table: final numbers, and the settings' names as the form shows them
RUN_METRICS = [
    ("loss", "train loss", "{:.3f}"),
    ("test_loss", "test loss", "{:.3f}"),
    ("test_acc", "test acc", "{:.1%}"),
    ("epoch", "epochs", "{:.0f}"),
    ("init_seed", "init seed", "{:.0f}"),  # the seed of the initial weights: Reset's next
]
RUN_LABELS = {k: spec.label.lower() for k, spec in BoundaryState.specs().items()}
IMAGE_PX = 120  # a pinned run's boundary picture, a side
# the curves a pinned run keeps and overlays: how fast it learns (training loss) and how
# well that carries to new points (test accuracy); one legend line per run and plot
PINNED_CURVES = ("loss/train", "acc/test")
MAX_CURVE_POINTS = 1000  # a long run's pinned curve is thinned to this many points


def thin(xs: list[float], ys: list[float], most: int = MAX_CURVE_POINTS) -> tuple[list, list]:
    """Every k-th point of a curve (and its last), at most ``most``: light to keep."""
    if len(xs) <= most:
        return xs, ys
    k = -(-len(xs) // (most - 1))
    keep = list(range(0, len(xs) - 1, k)) + [len(xs) - 1]
    return [xs[i] for i in keep], [ys[i] for i in keep]


# "Optimizers on the spiral": the same network from the same initial weights, one change.
# Everything it depends on is fixed here (the data and the initial weights' seed), so it
# gives the same results from any state of the tab, however often Reset was pressed.
OPTIMIZER_RACE = [(OPTIMIZER_LABELS[k], {"optimizer": k}) for k in OPTIMIZERS]
RACE_SEED = 0  # the initial weights of every ready-made comparison (as a fresh launch)
RACE_BASE = {
    "dataset": "spiral",
    "points": 400,
    "noise": 0.1,
    "test_share": 0.5,
    "seed": 0,
    "classes": 2,
    "hidden": (8, 8),
    "activation": "tanh",
    "features": ("x1", "x2"),
    "lr": 0.03,
    "decay": 1.0,
    "batch_size": 10,
    "regularization": "none",
    "reg_rate": 0.0,
}
RACE_EPOCHS = 200


class RunsMixin:
    """Part of :class:`BoundaryTab` (uses its state, session, presenter and views)."""

    # ================================================================ settings -> model
    def _on_setting(self, name: str, value: Any) -> None:
        spec = self.state.spec(name)
        if name == "show_test":
            self.plane.set_show_test(value)
        elif name == "discretize":
            self.plane.set_discretize(value)
        elif name in VIEW_FIELDS or spec.live:
            return  # the session hands live settings to the running job
        elif name == "optimizer":
            self._go_on()  # a new optimizer, the same weights
        elif name in DATA_FIELDS:
            self._regenerate()
            self._new_model("the data")
        elif name == "classes" and self.state.dataset not in MULTICLASS and self.data is not None:
            n = self.state.classes  # keep the points; those of classes now gone go
            Xtr, ytr, Xte, yte = self.data
            self.data = (Xtr[ytr < n], ytr[ytr < n], Xte[yte < n], yte[yte < n])
            self._rebuild()
            self.presenter.show_points(self.data)
            self._new_model(SHAPE_WORDS[name])
        elif name == "classes":
            self._regenerate()
            self._new_model(SHAPE_WORDS[name])
        elif spec.shape:
            self._rebuild()
            self._new_model(SHAPE_WORDS[name])

    def _regenerate(self) -> None:
        """New points from the data settings (the job makes them before torch is here)."""
        toy = self.presenter.toy
        if toy is None:
            self.data = None
        else:
            d = self.state.dataset_args()
            X, y = toy.make_dataset(d["name"], d["n"], d["noise"], d["seed"], d["n_classes"])
            self.data = toy.split(X, y, d["test_fraction"], seed=d["seed"])
            self.presenter.sync_plane()
        self._rebuild()
        self.presenter.show_points(self.data)

    def _new_model(self, what: str) -> None:
        """The shape rule: running -> a fresh model trains at once; else a fresh model is
        shown now (epoch 0) and the next Play trains it.  The message bar says so."""
        if self.run is None:
            return  # the first job will use the state as it is then
        if self.session.running:
            self.session.shape_changed(what)
            return
        self.session.shape_changed(what)
        self._show(fresh=True)
        self.session.set_notice(
            f"{what[0].upper()}{what[1:]} changed: a new model with fresh weights "
            "(epoch 0); Play trains it."
        )

    def _go_on(self) -> None:
        """A new job on the same model (new data, new optimizer), playing if it was."""
        if self.run is None:
            return
        play = self.session.running
        self.session.begin(fresh=False, play=play)
        if not play:
            self.worker.step(1)

    def _show(self, fresh: bool) -> None:
        """A paused job that shows its first view (epoch 0 of a fresh model)."""
        if self.session.begin(fresh=fresh, play=False):
            self.worker.step(1)

    def _start(self, fresh: bool) -> Any:
        """The session's job factory: a new model (``fresh``) or go on with the current one
        (it lives in the training process: see job.BoundarySpec)."""
        from playground.core.training import LiveSettings

        self.load_toy()
        fresh = fresh or self.run is None or self.run.device is None
        if fresh:  # a comparison's runs all start from its own seed, the user's stays
            seed = self._compare_seed if self.comparing() else self.init_seed
        else:
            seed = self.run.seed
        p = self.presenter
        epoch0 = self._next.pop("epoch", 0 if fresh else p.epoch)
        if fresh:
            p.clear_curves()
            p.epoch, p.weights = epoch0, None
            self._trained_s, self._clock_t0 = 0.0, None
        device = None if fresh or self.run is None else self.run.device
        self.run = RunInfo(epoch0, self.data, device, seed=seed)
        live = self.state.live_values(epoch0)
        self.session.live = LiveSettings(**live)
        until = self.comparison.until if self.comparing() else None  # ends exactly there
        return BoundarySpec(
            fresh,
            self.state.model_config(seed, self.device),
            self.state.dataset_args(),
            self.data,
            live,
            epoch0,
            self._next.pop("weights", None),
            epochs=None if until is None else max(until - epoch0, 0),
        )

    # ================================================================ run controls
    def toggle_play(self) -> None:
        """Play or pause; after a divergence or Stop, go on from the weights shown."""
        if self.session.running:
            self.session.pause()
        elif self._no_points():
            return
        else:
            self.session.play()

    def step(self) -> None:
        """Train exactly one epoch, then pause."""
        if self._no_points():
            return
        if not self.worker.has_job() or self.session.fresh_pending:
            self._show(fresh=self.session.fresh_pending)
        self.worker.step(1)

    def reset(self) -> None:
        """New initial weights, same data; paused at epoch 0."""
        self.session.reset()

    def _on_reset(self) -> None:
        if not self.comparing():  # a comparison's variants all start from its seed
            self.init_seed += 1
        self._show(fresh=True)

    @property
    def weights_seed(self) -> int:
        """The seed of the initial weights of the model shown (Reset: the next seed)."""
        return self.run.seed if self.run is not None else self.init_seed

    def _no_points(self) -> bool:
        if self.data is not None and len(self.data[0]) == 0:
            self.plane.set_message("No training points: click on the plane to add some.")
            return True
        return False

    # ================================================================ comparing runs
    def wire_runs(self) -> None:
        self.comparison: Any = None
        self._compare_seed = 0
        self._trained_s, self._clock_t0 = 0.0, None  # training time of the model shown
        runs = self.runs
        runs.pin_clicked.connect(self.pin_run)
        runs.restore_requested.connect(self.restore_run_settings)
        runs.failed.connect(lambda text: self.show_message(text, "error"))
        runs.exported.connect(lambda path: self.saved("the pinned runs as CSV", path))
        runs.changed.connect(self.show_pinned)
        self.compare.race_clicked.connect(self.compare_optimizers)
        self.compare.cancel_clicked.connect(self.cancel_comparison)
        self.state.connect(lambda *_: runs.set_current(self.run_settings()))
        runs.set_current(self.run_settings())

    def run_settings(self) -> dict[str, Any]:
        """What a pinned run keeps of the state: everything but how it is shown."""
        return {k: v for k, v in self.state.to_dict().items() if k not in VIEW_FIELDS}

    def clock(self, state: str) -> None:
        """Count the seconds spent training the model shown (for the runs table)."""
        now = time.perf_counter()
        if self._clock_t0 is not None:
            self._trained_s += now - self._clock_t0
        self._clock_t0 = now if state == "running" else None

    def trained_seconds(self) -> float:
        extra = time.perf_counter() - self._clock_t0 if self._clock_t0 is not None else 0.0
        return self._trained_s + extra

    def pin_run(self, name: str = "") -> PinnedRun | None:
        """Keep the run shown: its settings, curves, final numbers, time and boundary."""
        p = self.presenter
        frame = p.last_frame
        if frame is None or p.weights is None:
            self.show_message("Nothing to pin yet: wait for the network to load.", "warning")
            return None
        p.flush_curves()
        shown = frame.detail.get("now") or frame.metrics
        metrics = {
            k: float(shown[k])
            for k in ("loss", "acc", "test_loss", "test_acc")
            if k in shown and math.isfinite(shown[k])
        }
        metrics["epoch"] = float(p.epoch)
        metrics["init_seed"] = float(self.weights_seed)
        curves = curves_of({"loss": self.loss_plot, "acc": self.acc_plot})
        run = PinnedRun(
            name,
            self.run_settings(),
            {k: thin(*v) for k, v in curves.items() if k in PINNED_CURVES},
            metrics,
            wall_s=self.trained_seconds(),
            image=self.boundary_png(),
        )
        self.runs.pin(run)
        return run

    def boundary_png(self) -> bytes | None:
        """The plane's picture (heatmap, boundary, points; no axes), ~IMAGE_PX a side."""
        plane = self.plane
        hovered = plane.map_shown  # a neuron's map is shown: picture the classes
        if hovered:
            plane.restore_probs()
        rect = plane.mapFromScene(plane.plotItem.vb.sceneBoundingRect()).boundingRect()
        image = plane.grab(rect.intersected(plane.viewport().rect()))
        if hovered:
            self.presenter.show_hovered()
        if image.isNull():
            return None
        image = image.scaled(IMAGE_PX, IMAGE_PX, Qt.KeepAspectRatio, Qt.SmoothTransformation)
        buffer = QBuffer()
        buffer.open(QIODevice.WriteOnly)
        image.save(buffer, "PNG")
        return bytes(buffer.data())

    def show_pinned(self) -> None:
        """The thumbnails, the page's title and the plots' legends follow the pinned runs."""
        runs = self.runs.book.runs
        self.compare.thumbnails.show_runs(runs)
        self.middle.setTabText(1, f"Compare runs ({len(runs)})" if runs else "Compare runs")
        # more than one pinned run: a legend would cover the small plots; the runs' colours
        # are keyed in the table and the thumbnails, train/test in the numbers above the plane
        shown = sum(r.visible for r in runs)
        for plot in (self.loss_plot, self.acc_plot):
            plot.plotItem.legend.setVisible(shown <= 1)

    def restore_run_settings(self, settings: dict) -> bool:
        """A pinned run's settings back in the form (checked first: a bad one changes
        nothing and says why)."""
        try:
            checked = BoundaryState.from_dict(settings, strict=True)
        except ValueError as exc:
            self.show_message(f"Cannot restore those settings: {exc}", "error")
            return False
        specs = BoundaryState.specs()
        self.state.update(**{k: getattr(checked, k) for k in settings if k in specs})
        self.show_message("The pinned run's settings are back: press Play to train them again.")
        return True

    # ---------------------------------------------------------------- ready-made
    def comparing(self) -> bool:
        return self.comparison is not None and self.comparison.running

    def compare_optimizers(self, until: int = RACE_EPOCHS, **base: Any) -> Any:
        """ "Optimizers on the spiral": SGD, momentum, RMSprop, AdaGrad and Adam, each
        ``until`` epochs on the same data from the same initial weights (seed RACE_SEED);
        ``base`` overrides RACE_BASE (e.g. ``points=40`` in a test).  Returns the
        Comparison (None if one runs)."""
        return self.start_comparison(OPTIMIZER_RACE, until, {**RACE_BASE, **base})

    def start_comparison(
        self,
        variants: list[tuple[str, dict]],
        until: int | None,
        base: dict | None = None,
        seed: int = RACE_SEED,
    ) -> Any:
        """Run each variant from a reset to initial weights of ``seed`` (not the tab's:
        the same results however often Reset was pressed), exactly ``until`` epochs, and
        pin it (see playground/ui/compare.py)."""
        from playground.ui.compare import Comparison

        if self.comparing():
            return None
        comp = Comparison(self, variants, until=until, base=base)
        comp.progress.connect(self.compare.show_progress)
        comp.done.connect(self._comparison_done)
        self.comparison, self._compare_seed = comp, int(seed)
        self.compare.set_running(True)
        self.middle.setCurrentWidget(self.compare)
        comp.start()
        return comp

    def cancel_comparison(self) -> None:
        if self.comparison is not None:
            self.comparison.cancel()

    def _comparison_done(self, complete: bool) -> None:
        self.compare.set_running(False)
        n = len(self.comparison.variants) if self.comparison is not None else 0
        if complete:
            self.show_message(
                f"Comparison done: {n} runs pinned, same data and initial weights (init seed "
                f"{self._compare_seed}, whatever Reset did before). Their curves are on the "
                "plots, their boundaries under the table."
            )
        else:
            self.show_message("Comparison cancelled: the runs pinned so far stay.")
