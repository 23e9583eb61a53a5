"""How settings and the run controls reach the model: the shape rule, new data, a job
that goes on, the session's job factory."""

from __future__ import annotations

from typing import Any

from playground.core.toy_names import MULTICLASS
from playground.ui.tabs.boundary.job import RES, Run, boundary_job
from playground.ui.tabs.boundary.state import DATA_FIELDS, VIEW_FIELDS

SHAPE_WORDS = {
    "hidden": "the hidden layers",
    "activation": "the activation",
    "features": "the input features",
    "classes": "the number of classes",
}


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
        """The session's job factory: a new model (``fresh``) or go on with the current one."""
        from playground.core.training import LiveSettings

        model = None if fresh or self.run is None else self.run.model
        p = self.presenter
        epoch0 = self._next.pop("epoch", 0 if model is None else p.epoch)
        if model is None:
            p.clear_curves()
            p.epoch, p.weights = epoch0, None
        else:
            model.config.optimizer = self.state.optimizer
        self.run = Run(model, self.data, epoch0)
        self.run.give(self._next.pop("weights", None))
        self.session.live = LiveSettings(**self.state.live_values(epoch0))
        config = self.state.model_config(self.init_seed, self.device)
        return boundary_job(self.run, config, self.state.dataset_args(), self.session.live, RES)

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
        self.init_seed += 1
        self._show(fresh=True)

    def _no_points(self) -> bool:
        if self.data is not None and len(self.data[0]) == 0:
            self.plane.set_message("No training points: click on the plane to add some.")
            return True
        return False
