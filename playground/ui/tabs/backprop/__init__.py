"""The Backprop tab: micrograd, the chain rule stepped by hand, on the networks you train.

Graph page: an expression (the lecture's two open first, or one you type) drawn as
micrograd's graph; Backward step walks it node by node and writes each chain rule with
its numbers; the leaves are checked numerically; a switch shows the ``=`` bug.  A point
of the Decision boundary can be explained here (``explain_point_from(payload)``, in
``point.py``).  Train page: micrograd's moons demo trained by our engine, torch beside
it; a diverging run stops with a message and Reset; runs are pinned and compared
(``runs.py``).

Put together as every tab is: :class:`BackpropState` -> panels (widgets bound to it) ->
:class:`Session` (the demo's runs) -> presenters (what is drawn).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from playground.core.backprop_steps import Step
from playground.core.expressions import ComputeError, ExpressionError, parse
from playground.core.point_loss import PointLoss
from playground.core.training import LiveSettings
from playground.ui.session import Session
from playground.ui.tabs.backprop.job import DemoSpec
from playground.ui.tabs.backprop.panels import HELP, GraphPanel, TrainPanel
from playground.ui.tabs.backprop.point import PointMixin
from playground.ui.tabs.backprop.presenter import GraphPresenter, TrainPresenter
from playground.ui.tabs.backprop.runs import RunsMixin
from playground.ui.tabs.backprop.state import FIRST_EXAMPLE, PAGES, BackpropState, train_settings
from playground.ui.tabs.base import Tab

__all__ = ["BackpropState", "BackpropTab"]

SHAPE_WHAT = {
    "hidden": "the hidden layers",
    "steps": "the number of steps",
    "points": "the number of points",
    "noise": "the noise",
    "seed": "the seed",
    "torch": "the torch comparison",
}


class BackpropTab(PointMixin, RunsMixin, Tab):
    """Backpropagation by hand on a micrograd graph, and micrograd's demo trained."""

    key = "backprop"
    title = "Backprop"
    help_html = HELP

    weights_stepped = Signal(list)  # [(W (out, in), b (out,)), ...] after an SGD step

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.state = BackpropState()
        self.graph = GraphPanel(self.state)
        self.train = TrainPanel(self.state)
        self.pages = QTabWidget()
        self.pages.addTab(self.graph, "Backward, by hand")
        self.pages.addTab(self.train, "Train with your own engine")
        self.pages.setTabToolTip(0, "Step backward through a graph and check every grad.")
        self.pages.setTabToolTip(1, "micrograd's moons demo, trained by this engine and torch.")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.message_bar)
        layout.addWidget(self.pages, 1)
        self.presenter = GraphPresenter(self.graph)
        self.trainer = TrainPresenter(self.train)
        self.point: PointLoss | None = None  # a Boundary point shown, else None
        self._shown: tuple = ()  # (expression, leaf values) on screen
        self.session = Session(  # the demo in a training process: it never holds our GIL
            self,
            self._start_job,
            on_reset=self.trainer.clear,
            controls=self.train.run_controls,
            process=True,
        )
        self.session.frame.connect(self.trainer.show)
        self.watch_session(self.session)
        self.session.follow_live(self.state)
        self._wire()
        self._wire_runs()
        self.state.connect(self._on_state)
        self.load_expression(force=True)

    def _wire(self) -> None:
        g, bar = self.graph, self.graph.backward
        g.expression.build_clicked.connect(
            lambda: self.set_expression(g.expression.edit.toPlainText())
        )
        g.expression.example_chosen.connect(self.set_expression)
        bar.step_button.clicked.connect(self.backward_step)
        bar.all_button.clicked.connect(self.backward_all)
        bar.zero_button.clicked.connect(self.zero_grads)
        bar.sgd_button.clicked.connect(self.sgd_step)
        bar.fit_button.clicked.connect(g.view.fit)
        g.view.leaf_clicked.connect(g.leaves.edit_leaf)
        g.leaves.value_edited.connect(self.set_leaf)
        g.view.set_collapsing(self.state.collapse)
        self.presenter.accumulate, self.presenter.h = self.state.accumulate, self.state.h
        self.pages.currentChanged.connect(lambda i: setattr(self.state, "page", PAGES[i]))

    # ================================================================ state
    def _on_state(self, name: str, value: Any) -> None:
        self._runs_on_state(name, value)
        if name in ("expression", "leaf_values"):
            QTimer.singleShot(0, self.load_expression)  # once, after both fields changed
        elif name == "accumulate":
            self.presenter.accumulate = value
            self.presenter.zero()
            how = "+= (each use adds)" if value else "= (the bug: each use overwrites)"
            self.show_message(f"Grads zeroed; backward now updates them with {how}.")
        elif name == "h":
            self.presenter.h = value
            self.presenter.check()
        elif name == "collapse":
            self.graph.view.set_collapsing(value)
        elif name == "page":
            self.pages.setCurrentIndex(PAGES.index(value))
        elif name in SHAPE_WHAT:
            self.session.shape_changed(SHAPE_WHAT[name])

    # ================================================================ the graph
    def load_expression(self, force: bool = False) -> bool:
        """Draw the state's expression with the state's leaf values (leaves a point);
        nothing to do when that is what is shown (unless ``force``)."""
        s = self.state
        if not force and self.point is None and self._shown == (s.expression, s.leaf_values):
            return True
        try:
            expr = parse(s.expression)
            values = dict(expr.defaults)
            if len(s.leaf_values) == len(expr.names):
                values.update(zip(expr.names, s.leaf_values, strict=True))
            self.presenter.load(expr, values)
        except ExpressionError as exc:
            self.show_message(f"Could not use the saved expression: {exc}", "error")
            if s.expression != FIRST_EXAMPLE:
                s.update(expression=FIRST_EXAMPLE, leaf_values=())
            return False
        self.point = None
        self._shown = (s.expression, tuple(self.presenter.values[n] for n in expr.names))
        self.graph.backward.show_sgd(False)
        self.graph.expression.show_source(s.expression)
        self.check_numbers()
        return True

    def check_numbers(self) -> None:
        """Say in the message bar where a value or a grad overflowed (inf) or is not a
        number (NaN), and why it matters; the note goes when every number is finite."""
        note = self.presenter.numbers_note()
        if note:
            self.show_message(note, "warning", topic="numbers")
        else:
            self.clear_message("numbers")

    def set_expression(self, text: str) -> bool:
        """Parse ``text`` and draw it; a rejected text leaves the graph and says why."""
        try:
            expr = parse(text)
            expr.build()
        except ComputeError as exc:  # allowed, but not computable: say what and where
            self.show_message(str(exc), "error")
            return False
        except ExpressionError as exc:
            self.show_message(f"That expression is not allowed: {exc}", "error")
            return False
        self.clear_message()
        defaults = tuple(expr.defaults.get(n, 1.0) for n in expr.names)
        self.state.update(expression=text, leaf_values=defaults)
        return self.load_expression(force=True)

    def set_leaf(self, name: str, value: float) -> bool:
        """Give leaf ``name`` a new value: everything recomputes."""
        values = {**self.presenter.values, name: value}
        try:
            if not np.isfinite(value):
                raise ExpressionError(f"{name}: type a number")
            self.presenter.set_values(values)
        except ExpressionError as exc:
            self.show_message(f"Could not set {name}: {exc}", "error")
            self.presenter.load(self.presenter.problem, self.presenter.values)
            return False
        if self.point is None:
            names = self.presenter.problem.names
            self._shown = (self.state.expression, tuple(self.presenter.values[n] for n in names))
            self.state.leaf_values = self._shown[1]
        self.check_numbers()
        return True

    def backward_step(self) -> Step:
        """One node of backward; warns when a new pass starts on grads not zeroed."""
        if self.presenter.stepper is None or self.presenter.stepper.done:
            self._warn_if_not_zeroed()
        step = self.presenter.step()
        self.check_numbers()
        return step

    def backward_all(self) -> None:
        if self.presenter.stepper is None or self.presenter.stepper.done:
            self._warn_if_not_zeroed()
        self.presenter.run_all()
        self.check_numbers()

    def _warn_if_not_zeroed(self) -> None:
        if self.presenter.grads_not_zeroed():
            self.show_message(
                "The grads were not zeroed: this backward pass adds to them (+=), so they "
                "grow (x2 after two passes). Press Zero grads first, as training does.",
                "warning",
            )

    def zero_grads(self) -> None:
        self.presenter.zero()
        self.clear_message()
        self.check_numbers()

    def sentence(self) -> str:
        """The chain rule shown now."""
        return self.presenter.sentence()

    def leaf_grads(self) -> dict[str, float]:
        return self.presenter.grads()

    def numerical(self) -> dict[str, float]:
        return dict(self.presenter.numeric)

    def mismatches(self) -> list[str]:
        return self.presenter.mismatches()

    # ================================================================ training
    def _start_job(self, fresh: bool) -> DemoSpec:
        self.trainer.clear()
        self.session.live = LiveSettings(**self.state.values("live"))
        self._run_settings = train_settings(self.state)
        return DemoSpec(self.state.values(), self.state.values("live"))

    def toggle_play(self) -> None:
        self.session.toggle()

    def step(self) -> None:
        """S: a backward step on the graph page, a training step on the other."""
        if self.state.page == "graph":
            self.backward_step()
        else:
            self.session.step()

    def reset(self) -> None:
        if self.state.page == "graph":
            self.zero_grads()
        else:
            self.session.reset()

    def is_ready(self) -> bool:
        return self.presenter.built is not None
