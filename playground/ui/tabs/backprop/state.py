"""The Backprop tab's settings, each declared once (no Qt: usable in a notebook or a test).

The graph page: the expression (its text, as typed or chosen), the leaves' values, the
``+=`` / ``=`` switch, the numerical check's ``h`` and the SGD step's learning rate.  The
training page: micrograd's moons demo (every field there makes a new run: shape role).
"""

from __future__ import annotations

from dataclasses import dataclass

from playground.core.expressions import EXAMPLES
from playground.core.micrograd_demo import SCHEDULES
from playground.ui.state import State, setting

FIRST_EXAMPLE = next(iter(EXAMPLES.values()))
HIDDEN_CHOICES = ("4", "8", "16", "32", "8, 8", "16, 16", "32, 32", "16, 16, 16")
H_CHOICES = (1e-1, 1e-2, 1e-3, 1e-4, 1e-6, 1e-8, 1e-10, 1e-12)
PAGES = ("graph", "train")
MISMATCH_TOL = 1e-3  # |grad - numerical| above this (x max(1, |numerical|)) is flagged


@dataclass
class BackpropState(State):
    """Everything the Backprop tab's form shows."""

    # ---- the graph
    expression: str = setting(
        FIRST_EXAMPLE,
        "Expression",
        tip="Statements separated by ; or new lines: a = 2.0 makes a leaf, e = a*b names a "
        "node, the last line is the output. Allowed: numbers, names, + - * / ** (number "
        "exponent), tanh exp log relu sigmoid, as x.tanh() or tanh(x).",
    )
    leaf_values: tuple = setting(
        (), "Leaf values", item=float, tip="The value of each leaf, in order of first use."
    )
    accumulate: bool = setting(
        True,
        "Accumulate with +=",
        tip="On: each use of a node adds its share to the gradient (grad += ...), as it must. "
        "Off: the classic bug, grad = ..., so a value used twice keeps only one share.",
    )
    h: float = setting(
        1e-4,
        "h",
        lo=1e-12,
        hi=1.0,
        tip="The nudge of the numerical check (f(x + h) - f(x)) / h: too big and the slope "
        "is off (the curve bends), too small and rounding errors win.",
    )
    collapse: bool = setting(
        True, "Collapse neurons", tip="Show each neuron of a big graph as one box."
    )
    sgd_lr: float = setting(
        0.5,
        "SGD learning rate",
        lo=1e-4,
        hi=10.0,
        tip="The step 'SGD step' takes: every weight moves by -lr * grad.",
    )
    page: str = setting("graph", "Page", choices=PAGES)
    # ---- train with your own engine (micrograd's demo)
    hidden: str = setting(
        "16, 16",
        "Hidden layers",
        choices=HIDDEN_CHOICES,
        shape=True,
        tip="Neurons per hidden layer (ReLU); the output neuron is linear. The demo: 16, 16.",
    )
    steps: int = setting(
        100, "Steps", lo=1, hi=1000, shape=True, tip="SGD steps of the run (the demo: 100)."
    )
    lr: float = setting(
        1.0,
        "Learning rate",
        lo=1e-3,
        hi=100.0,
        live=True,
        tip="The step size at the start (the demo: 1). Try 10: the loss explodes and the "
        "run stops. Changes reach a running run at its next step.",
    )
    schedule: str = setting(
        "decay",
        "Schedule",
        choices=SCHEDULES,
        live=True,
        tip="decay: micrograd's lr x (1 - 0.9 k / steps), big steps first, small at the end; "
        "constant: the same lr every step.",
    )
    points: int = setting(
        100, "Points", lo=10, hi=400, shape=True, tip="Moons points (the demo: 100)."
    )
    noise: float = setting(
        0.1, "Noise", lo=0.0, hi=0.5, shape=True, tip="Jitter of the moons (the demo: 0.1)."
    )
    seed: int = setting(
        1337,
        "Seed",
        lo=0,
        hi=2**31 - 1,
        shape=True,
        tip="Seeds the points and the initial weights (the demo: 1337).",
    )
    torch: bool = setting(
        True,
        "Train torch beside it",
        shape=True,
        tip="Train the same network (same initial weights, float64) with torch tensors too, "
        "to compare losses and speed.",
    )


TRAIN_FIELDS = ("hidden", "steps", "lr", "schedule", "points", "noise", "seed", "torch")


def hidden_sizes(text: str) -> list[int]:
    """ "16, 16" -> [16, 16]."""
    return [int(t) for t in text.split(",") if t.strip()]


def mlp_name(hidden: str) -> str:
    """The demo's network as micrograd writes it: "16, 16" -> "MLP(2, [16, 16, 1])"."""
    return f"MLP(2, [{', '.join(map(str, hidden_sizes(hidden)))}, 1])"


# ready-made comparisons: name -> variants (run one after another from the same seed);
# networks named as the demo names its own, MLP(2, [16, 16, 1]): one hidden layer of 16
# is not the demo's two
COMPARISONS: dict[str, list[tuple[str, dict]]] = {
    "Hidden layers [4] / [16] / [16, 16]": [
        (mlp_name(h), {"hidden": h}) for h in ("4", "16", "16, 16")
    ],
    "Schedules: decay / constant": [
        ("decay", {"schedule": "decay"}),
        ("constant", {"schedule": "constant"}),
    ],
    # lr 10 diverges (at the demo's sizes): the comparison pins how far it got
    "Learning rates 0.1 / 1 / 10": [(f"lr {v:g}", {"lr": v}) for v in (0.1, 1.0, 10.0)],
}


def train_settings(state: BackpropState) -> dict:
    """The settings a run of the demo depends on (what a pinned run keeps)."""
    return {name: getattr(state, name) for name in TRAIN_FIELDS}


def mismatch(grad: float, numerical: float) -> bool:
    """Whether a gradient and its numerical estimate disagree."""
    return abs(grad - numerical) > MISMATCH_TOL * max(1.0, abs(numerical))
