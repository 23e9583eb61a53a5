"""The Bigram tab's settings, each declared once (no Qt: usable in a notebook or a test).

The model's settings (smoothing, sampling, the neural net's) are the core's
(:class:`playground.core.bigram_config.BigramConfig`: default, limits, choices, role);
this state takes them with ``from_core`` and adds a label, a tooltip and whether the
running net follows it (``lr`` and ``l2``).  ``method`` and ``steps`` make a new run
(their shape role is the core's).  Views and the animation are the tab's own settings.
"""

from __future__ import annotations

from dataclasses import dataclass

from playground.core.bigram_config import BigramConfig
from playground.ui.state import State, from_core, setting

MODES = ("counts", "probs", "logprobs")
MODE_NAMES = {"counts": "Counts", "probs": "Probabilities", "logprobs": "Log-probabilities"}
SAMPLER_NAMES = {"lecture": "PyTorch 1.x (lecture)", "torch": "torch.multinomial"}
NEURAL_NAMES = {
    "onehot": "one-hot(x) @ W, as written (slow)",
    "rows": "row x of W (= one-hot(x) @ W)",
    "counts": "count trick (same maths)",
}
L2_CHOICES = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
PANELS = ("row", "sample", "score", "neural")


@dataclass
class BigramState(State, core=BigramConfig):
    """Everything the Bigram tab's form shows."""

    # ---- the table
    smoothing: int = from_core("Smoothing k", default=0)  # opens on the raw counts N
    mode: str = setting(
        "counts", "Show", choices=MODES, tip="What the heatmap shows: counts, P, or log P."
    )
    # ---- sampling
    n: int = setting(10, "Names", lo=1, hi=1000, tip="How many names to sample.")
    seed: int = from_core("Seed")
    temperature: float = from_core("Temperature")
    speed: int = setting(8, "Speed", lo=1, hi=60, tip="Animation speed: characters per second.")
    instant: bool = setting(False, "Instant", tip="Skip the animation and list the names at once.")
    sampler: str = from_core("Sampler")
    # ---- the neural net
    lr: float = from_core(
        "Learning rate", live=True, tip="The step size of gradient descent (lecture: 50)."
    )
    l2: float = from_core(
        "Regularization λ",
        live=True,
        tip="The weight of mean(W²) in the loss; 0 = none (lecture: 0.01). Like smoothing.",
    )
    steps: int = from_core("Steps", tip="How many gradient steps a run takes (full batch each).")
    method: str = from_core(
        "Computation",
        default="rows",  # the fast path: the same numbers, ~10x faster than as written
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
