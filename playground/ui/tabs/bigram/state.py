"""The Bigram tab's settings, each declared once (no Qt: usable in a notebook or a test).

Widgets, the neural net's job and live settings, QSettings and the help all read these
fields.  ``method`` and ``steps`` make a new run (shape role); ``lr`` and ``l2`` reach
the running net (live role).
"""

from __future__ import annotations

from dataclasses import dataclass

from playground.core.bigram import DEFAULT_SEED
from playground.ui.state import State, setting

MODES = ("counts", "probs", "logprobs")
MODE_NAMES = {"counts": "Counts", "probs": "Probabilities", "logprobs": "Log-probabilities"}
SAMPLERS = ("lecture", "torch")
SAMPLER_NAMES = {"lecture": "PyTorch 1.x (lecture)", "torch": "torch.multinomial"}
NEURAL_METHODS = ("rows", "onehot", "counts")
NEURAL_NAMES = {
    "rows": "row x of W (= one-hot(x) @ W)",
    "onehot": "one-hot(x) @ W, as written (slow)",
    "counts": "count trick (same maths)",
}
L2_CHOICES = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
PANELS = ("row", "sample", "score", "neural")


@dataclass
class BigramState(State):
    """Everything the Bigram tab's form shows."""

    # ---- the table
    smoothing: int = setting(
        0, "Smoothing k", lo=0, hi=100, tip="Fake counts added to every cell before normalizing."
    )
    mode: str = setting(
        "counts", "Show", choices=MODES, tip="What the heatmap shows: counts, P, or log P."
    )
    # ---- sampling
    n: int = setting(10, "Names", lo=1, hi=1000, tip="How many names to sample.")
    seed: int = setting(
        DEFAULT_SEED,
        "Seed",
        lo=0,
        hi=2**31 - 1,
        tip="Seed of the torch.Generator: the same seed gives the same names "
        "(2147483647 gives the lecture's).",
    )
    temperature: float = setting(
        1.0,
        "Temperature",
        lo=0.05,
        hi=5.0,
        tip="Below 1 favours the likeliest letters, above 1 flattens the rows.",
    )
    speed: int = setting(8, "Speed", lo=1, hi=60, tip="Animation speed: characters per second.")
    instant: bool = setting(False, "Instant", tip="Skip the animation and list the names at once.")
    sampler: str = setting(
        "lecture",
        "Sampler",
        choices=SAMPLERS,
        tip="How a letter is drawn from its row: as PyTorch 1.x's torch.multinomial did in "
        "the video (its names), or as today's torch.multinomial does.",
    )
    # ---- the neural net
    lr: float = setting(
        50.0,
        "Learning rate",
        lo=0.1,
        hi=500.0,
        live=True,
        tip="The step size of gradient descent (lecture: 50).",
    )
    l2: float = setting(
        0.01,
        "Regularization λ",
        lo=0.0,
        hi=1.0,
        live=True,
        tip="The weight of mean(W²) in the loss; 0 = none (lecture: 0.01). Like smoothing.",
    )
    steps: int = setting(
        500,
        "Steps",
        lo=10,
        hi=100_000,
        shape=True,
        tip="How many gradient steps a run takes (full batch each).",
    )
    method: str = setting(
        "rows",
        "Computation",
        choices=NEURAL_METHODS,
        shape=True,
        tip="one-hot(x) @ W just picks row x of W: taking that row gives the same numbers "
        "without the 228,146×27 product (fast); 'as written' builds the product (the "
        "lecture's code, ~10x slower). The count trick goes one step further: the mean over "
        "all bigrams is a sum over the V×V cells weighted by their counts.",
    )
    # ---- view
    panel: str = setting("row", "Panel", choices=PANELS)


def smoothing_label(k: int) -> str:
    """The text beside the smoothing slider."""
    return f"k = {k}"
