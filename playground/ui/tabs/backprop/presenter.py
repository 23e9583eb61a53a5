"""The Backprop tab's presenters: a graph and its backward pass -> the graph page; the
demo's frames -> the training page.

A *problem* is anything with ``names``, ``defaults`` and ``build(values) -> Built``: a
typed :class:`~playground.core.expressions.Expression` or a point's
:class:`~playground.core.point_loss.PointLoss`.
"""

from __future__ import annotations

import math
import statistics
from typing import Any

import numpy as np
import pyqtgraph as pg

from playground.core import backprop_steps as steps
from playground.core.expressions import ExpressionError
from playground.core.micrograd import build_topo
from playground.ui.tabs.backprop.panels import OURS, TORCH, GraphPanel, TrainPanel
from playground.ui.tabs.backprop.state import mismatch
from playground.ui.worker import Frame

MAX_LOG_LINES = 400
POSITIVE, NEGATIVE = "#0072B2", "#D55E00"  # the moons' two classes (blue, orange)


class GraphPresenter:
    """One graph on the graph page: build, step backward, zero, check numerically."""

    def __init__(self, panel: GraphPanel):
        self.panel = panel
        self.problem: Any = None
        self.built: steps.Built | None = None
        self.values: dict[str, float] = {}
        self.stepper: steps.BackwardStepper | None = None
        self.accumulate = True
        self.h = 1e-4
        self.complete = False  # a whole backward pass is done: grads can be checked
        self.numeric: dict[str, float] = {}
        self.last: steps.Step | None = None
        self._index: dict[int, int] = {}

    # ---- what is shown
    def load(self, problem: Any, values: dict[str, float] | None = None) -> None:
        """Build ``problem``'s graph (raises ExpressionError) and draw it, no grads yet."""
        values = {**problem.defaults, **(values or {})}
        values = {n: values.get(n, 1.0) for n in problem.names}
        built = problem.build(values)  # raises before anything changes
        self.problem, self.values, self.built = problem, values, built
        self._index = {id(v): i for i, v in enumerate(build_topo(built.root))}
        self.stepper, self.complete, self.last = None, False, None
        self.panel.view.set_graph(self.nodes())
        self.panel.leaves.set_leaves(problem.names, [values[n] for n in problem.names])
        self.panel.log.clear()
        self.say("Forward done: the grads are 0 until backward runs. Press Backward step.")
        self.check()

    def nodes(self) -> list[steps.Node]:
        assert self.built is not None
        return steps.trace(self.built.root, self.built.groups)

    def say(self, text: str) -> None:
        self.panel.sentence.setText(text)

    def sentence(self) -> str:
        return self.panel.sentence.text()

    def refresh(self, highlight: steps.Step | None = None) -> None:
        """Redraw numbers and colours (same items), the highlight and the leaf table."""
        self.panel.view.update_values(self.nodes())
        bad = [self._index[id(self.built.leaves[n])] for n in self.mismatches()]
        if highlight is not None:
            targets = [self._index[id(t.child)] for t in highlight.terms]
            self.panel.view.highlight(self._index[id(highlight.node)], targets, bad)
        else:
            self.panel.view.highlight(None, (), bad)
        self._show_table()

    def _show_table(self) -> None:
        names = self.problem.names
        grads = [self.built.leaves[n].grad for n in names]
        numeric = [self.numeric.get(n, math.nan) for n in names]
        flags = [mismatch(g, x) for g, x in zip(grads, numeric, strict=True)]
        self.panel.leaves.show_numbers(grads, numeric, flags if self.complete else None)

    # ---- backward
    def step(self) -> steps.Step:
        """One node of the backward pass (a finished pass starts a new one)."""
        if self.stepper is None or self.stepper.done:
            self._new_pass()
        step = self.stepper.step()
        self.complete = self.stepper.done
        self._record(step)
        self.refresh(step)
        return step

    def run_all(self) -> list[steps.Step]:
        """Every remaining step of this pass (or a whole new pass)."""
        if self.stepper is None or self.stepper.done:
            self._new_pass()
        steps = self.stepper.run()
        self.complete = True
        for s in steps:
            self._record(s, show=False)
        if steps:
            self.say(steps[-1].sentence)
        self.last = steps[-1] if steps else self.last
        self.refresh(None)
        return steps

    def _new_pass(self) -> None:
        self.stepper = steps.BackwardStepper(self.built.root, self.accumulate)
        self.complete = False
        self.panel.log.appendPlainText("— backward pass" + ("" if self.accumulate else " (=)"))

    def _record(self, step: steps.Step, show: bool = True) -> None:
        self.last = step
        if show:
            self.say(step.sentence)
        doc = self.panel.log.document()
        if doc.blockCount() < MAX_LOG_LINES:
            self.panel.log.appendPlainText(step.sentence)

    def grads_not_zeroed(self) -> bool:
        """Whether the leaves hold grads (a new pass would add to them)."""
        return self.built is not None and any(v.grad for v in self.built.leaves.values())

    def zero(self) -> None:
        """Every grad to 0, and the next step starts a new pass."""
        for v in build_topo(self.built.root):
            v.grad = 0.0
        self.stepper, self.complete, self.last = None, False, None
        self.say("All grads are 0. Backward step starts a new pass.")
        self.panel.log.appendPlainText("— zero grads")
        self.refresh(None)

    # ---- numbers
    def set_values(self, values: dict[str, float]) -> None:
        """New leaf values: forward again (raises ExpressionError); a graph that had its
        grads gets a fresh backward too, so what is shown stays true."""
        had = self.complete
        self.load(self.problem, values)
        if had:
            self.run_all()
            self.say("Changed a leaf: forward and backward again.")

    def check(self) -> None:
        """The numerical check of every leaf, with the current h."""
        try:
            self.numeric = steps.numerical_grads(self.problem.value_of, self.values, self.h)
        except ExpressionError:
            self.numeric = {n: math.nan for n in self.values}  # x + h left the domain
        self.refresh(self.last if self.stepper and not self.stepper.done else None)

    def mismatches(self) -> list[str]:
        """Leaves whose grad disagrees with the numerical check (after a whole pass)."""
        if not self.complete or self.built is None:
            return []
        return [
            n
            for n in self.problem.names
            if n in self.numeric and mismatch(self.built.leaves[n].grad, self.numeric[n])
        ]

    def grads(self) -> dict[str, float]:
        return {n: v.grad for n, v in self.built.leaves.items()} if self.built else {}

    def numbers_note(self) -> str:
        """Where the graph's numbers stopped being numbers, and why it matters ("" when
        every value and grad is finite): the first value that overflowed from finite
        inputs, else the first grad (from the output back) that did."""
        if self.built is None:
            return ""
        topo = build_topo(self.built.root)
        for v in topo:  # inputs before what is made of them
            if not math.isfinite(v.data) and all(math.isfinite(c.data) for c in v._prev):
                what = f"{steps.name_of(v)} = {number_word(v.data)}"
                return (
                    f"{what}: the result is beyond the largest float (about 1.8e308) or not a "
                    "number at all, so every value computed from it, and every grad that flows "
                    "through it, is inf or NaN too: none of them is a real result. Use smaller "
                    "numbers."
                )
        for v in reversed(topo):  # from the output back, as backward goes
            if not math.isfinite(v.grad):
                return (
                    f"grad({steps.name_of(v)}) = {number_word(v.grad)}: the chain rule's products "
                    "grew beyond the largest float (about 1.8e308), so this grad and every grad "
                    "computed from it mean nothing. Use smaller numbers."
                )
        return ""


# ----------------------------------------------------------------------------- training page
class TrainPresenter:
    """Frames of the demo job -> the boundary, both loss curves and both speeds; keeps
    what a pinned run needs (:meth:`summary`).  Nothing non-finite is drawn."""

    def __init__(self, panel: TrainPanel):
        self.panel = panel
        self.last: dict[str, float] = {}
        self.ms: dict[str, list[float]] = {"ours_ms": [], "torch_ms": []}  # every step's
        # made once: brushes made per point per frame re-render the scatter's symbols
        self._brushes = (pg.mkBrush(POSITIVE), pg.mkBrush(NEGATIVE))
        self._points: tuple[np.ndarray, np.ndarray] | None = None  # the points drawn
        self._rect: tuple[float, float, float, float] | None = None

    def clear(self) -> None:
        self.panel.curves.clear_curves()
        self.last = {}
        self.ms = {"ours_ms": [], "torch_ms": []}
        self.panel.image.clear()
        self.panel.points.setData([], [])
        self._points = self._rect = None

    def show(self, frame: Frame) -> None:
        steps = [s for s, _ in frame.history]
        for name, key in ((OURS, "loss"), (TORCH, "torch_loss")):
            ys = [m.get(key, math.nan) for _, m in frame.history]
            if steps and any(math.isfinite(y) for y in ys):
                self.panel.curves.append(name, steps, ys)  # drops non-finite points
        for _, m in frame.history:
            for key, times in self.ms.items():
                if key in m and math.isfinite(m[key]):
                    times.append(m[key])
        self.last = frame.metrics
        medians = {k: self.median_ms(k) for k in self.ms}
        self.panel.speed.setText(speed_text(frame.step, frame.metrics, medians))
        if frame.detail:
            self.show_boundary(frame.detail)

    def show_boundary(self, detail: dict[str, Any]) -> None:
        """The boundary image every frame; the points (the same for a whole run) and the
        image's place only when they change."""
        scores, (x0, x1, y0, y1) = detail["scores"], detail["extent"]
        if scores is not None and np.isfinite(scores).all():  # a diverged net's: keep the last
            self.panel.image.setImage(boundary_rgba(scores), autoLevels=False)
            rect = (float(x0), float(y0), float(x1 - x0), float(y1 - y0))
            if rect != self._rect:
                self._rect = rect
                self.panel.image.setRect(*rect)
        X = np.asarray(detail["X"], float).reshape(-1, 2)
        y = np.asarray(detail["y"], float).ravel()
        old = self._points
        if old is not None and np.array_equal(old[0], X) and np.array_equal(old[1], y):
            return
        self._points = (X, y)
        positive, negative = self._brushes
        brushes = [positive if label > 0 else negative for label in y]
        self.panel.points.setData(X[:, 0], X[:, 1], brush=brushes)

    def median_ms(self, key: str) -> float | None:
        """The median time of a step so far ("ours_ms", "torch_ms"): what the tab states (one
        step's time swings 2-10x on a busy machine; the median of many does not)."""
        times = self.ms[key]
        return statistics.median(times) if times else None

    def steps_per_s(self, key: str) -> float | None:
        ms = self.median_ms(key)
        return 1000.0 / ms if ms else None

    def summary(self) -> tuple[dict, dict[str, float], float] | None:
        """(curves, final metrics, training seconds) of the run shown; None before a step."""
        if not self.last or not self.panel.curves.count(OURS):
            return None
        curves = {}
        # ours is drawn when pinned (dashed, labelled with the run's name); torch's, the
        # same numbers to 1e-9, is kept but not drawn twice
        for key, name in (("loss/train", OURS), ("torch/train", TORCH)):
            xs, ys = self.panel.curves.data(name)
            if len(xs):
                curves[key] = (xs.tolist(), ys.tolist())
        m = self.last
        metrics = {k: float(m[k]) for k in ("loss", "acc", "torch_loss", "torch_acc") if k in m}
        for key, name in (("ours_ms", "ours_steps_s"), ("torch_ms", "torch_steps_s")):
            rate = self.steps_per_s(key)
            if rate is not None:
                metrics[name] = rate
        metrics["steps"] = float(self.panel.curves.data(OURS)[0][-1])
        return curves, metrics, float(m.get("elapsed_s", 0.0))


def number_word(v: float) -> str:
    """inf, -inf and NaN as a reader should see them: "inf (too big for a float)"."""
    if math.isnan(v):
        return "NaN (not a number)"
    return ("inf" if v > 0 else "−inf") + " (too big for a float)"


def _loss(v: float) -> str:
    if not math.isfinite(v):
        return "—"
    return f"{v:.4f}" if abs(v) < 1e4 else f"{v:.3g}"


def speed_text(step: int, m: dict[str, float], medians: dict[str, float | None]) -> str:
    """ "step 12 · ours: loss 0.31, 92% right, 48 ms/step · torch: ..., 0.45 ms/step · torch
    107x faster": each engine's MEDIAN step time over the run so far, and their ratio, as
    benchmarks/backprop.py measures it (one thread each, float64; ours builds one point's
    graph at a time)."""
    ours_ms = medians.get("ours_ms") or m["ours_ms"]
    ours = f"ours: loss {_loss(m['loss'])}, {100 * m['acc']:.0f}% right, {ours_ms:.1f} ms/step"
    head = f"step {step}" + (f" (lr {m['lr']:.3g})" if "lr" in m else "")
    if "torch_loss" not in m:
        return f"{head} · {ours} (median so far)"
    torch_ms = medians.get("torch_ms") or m["torch_ms"]
    theirs = (
        f"torch: loss {_loss(m['torch_loss'])}, {100 * m['torch_acc']:.0f}% right, "
        f"{torch_ms:.2f} ms/step"
    )
    ratio = ours_ms / max(torch_ms, 1e-9)
    return f"{head} · {ours} · {theirs} · torch {ratio:.0f}x faster (median step times so far)"


def boundary_rgba(scores: np.ndarray) -> np.ndarray:
    """Scores -> RGBA: blue where > 0, orange where < 0, paler near the boundary."""
    blue = np.array([0, 114, 178], float)
    orange = np.array([213, 94, 0], float)
    t = np.tanh(np.abs(scores))[..., None] * 0.55 + 0.15
    base = np.where((scores > 0)[..., None], blue, orange)
    rgb = 255 - t * (255 - base)
    alpha = np.full(scores.shape + (1,), 255.0)
    return np.concatenate([rgb, alpha], -1).astype(np.uint8)
