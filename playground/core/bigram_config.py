"""The bigram model's settings, declared once (no torch): makemore part 1's numbers.

:class:`BigramConfig` declares every setting of :mod:`playground.core.bigram` with its
default (the lecture's value), its limits and its role; the Bigram tab's state takes its
fields from it (``from_core``), and the core's functions take their defaults from
:data:`LECTURE`.  See :mod:`playground.core.schema`.
"""

from __future__ import annotations

from dataclasses import dataclass

from playground.core import schema
from playground.core.schema import option

DEFAULT_SEED = 2147483647  # the lecture's torch.Generator().manual_seed(2147483647)
SAMPLERS = ("lecture", "torch")  # multinomial as PyTorch 1.x drew it (the video's names), today's
NEURAL_METHODS = ("onehot", "rows", "counts")  # the lecture's forward pass, then two fast paths


@dataclass(frozen=True)
class BigramConfig:
    """The counting model's smoothing, how names are sampled, and the neural net's training."""

    # ---- counting: P = (N + k).float(), rows normalized (the lecture's N+1 is k = 1)
    smoothing: int = option(
        1, lo=0, hi=100, doc="Fake counts added to every cell before normalizing."
    )
    # ---- sampling: g = torch.Generator().manual_seed(seed); torch.multinomial(p, ...)
    seed: int = option(
        DEFAULT_SEED,
        lo=0,
        hi=2**31 - 1,
        doc="Seed of the torch.Generator: the same seed gives the same names "
        "(2147483647 gives the lecture's).",
    )
    temperature: float = option(
        1.0,
        lo=0.05,
        hi=5.0,
        doc="Below 1 favours the likeliest letters, above 1 flattens the rows.",
    )
    sampler: str = option(
        "lecture",
        choices=SAMPLERS,
        doc="How a letter is drawn from its row: as PyTorch 1.x's torch.multinomial did in "
        "the video (its names), or as today's torch.multinomial does.",
    )
    # ---- the neural net: loss = nll + l2 * (W**2).mean(); W.data += -lr * W.grad
    lr: float = option(50.0, lo=0.1, hi=500.0, doc="The step size of gradient descent.")
    l2: float = option(
        0.01, lo=0.0, hi=1.0, doc="The weight of mean(W²) in the loss; 0 = none. Like smoothing."
    )
    steps: int = option(
        500, lo=10, hi=100_000, shape=True, doc="How many gradient steps a run takes."
    )
    method: str = option(
        "onehot",
        choices=NEURAL_METHODS,
        shape=True,
        doc="How the forward pass computes one-hot(x) @ W: as written, as the row x of W "
        "it picks, or as a sum over the V×V cells weighted by their counts.",
    )

    def __post_init__(self) -> None:
        schema.validate(self, "bigram")


LECTURE = BigramConfig()  # the lecture's settings: the defaults of bigram.py's functions
