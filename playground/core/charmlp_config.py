"""The Character MLP's settings, declared once: makemore parts 2-5 as one config.

Plain Python (no torch): the tab builds its form from these fields before torch has
loaded, and ``charmlp_checks`` reads a model file's header with them.  Every knob the
lectures turn is a field: the context (part 2's ``block_size``), the embedding size
(``n_embd``, here ``emb_dim``), the hidden layers (``n_hidden``), part 3's Kaiming init,
shrunken last layer and BatchNorm, part 4's hand-written backward, part 5's WaveNet
hierarchy, and the training loop's batch size, steps and step decay of the learning rate.

    config = preset("lecture")               # part 2: 11,897 parameters
    count_parameters(preset("wavenet"))       # 76,579, part 5's last model
    with_changes(config, emb_dim=2)           # checked: ValueError in words
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, replace
from typing import Any

from playground.core import schema
from playground.core.schema import option

PAD = "."  # the start/end token of every name (index 0 of the vocabulary)
FILE_FORMAT = "playground-charmlp-1"  # the "format" of a saved model's header


@dataclass(frozen=True)
class CharMLPConfig:
    """Everything that defines a model and how it trains (checked on construction).

    architecture "wavenet" needs block_size == 2 ** len(hidden) (pairs fused per level);
    backward "manual" (part 4) covers the flat MLP only.  The learning rate is lr for
    steps 1..decay_step, then lr * decay_factor.
    """

    # ---- the model: its shape and starting weights
    block_size: int = option(
        3, lo=1, hi=32, shape=True, doc="How many previous characters the model sees."
    )
    emb_dim: int = option(
        10, lo=1, hi=512, shape=True, doc="Length of each character's learned vector in C."
    )
    hidden: tuple = option(
        (200,),
        item=int,
        lo=1,
        hi=1024,
        min_len=1,
        max_len=3,
        shape=True,
        doc="How many tanh hidden layers, and the units in each.",
    )
    batchnorm: bool = option(
        False,
        shape=True,
        doc="Normalise each unit over the batch before tanh (part 3): keeps activations "
        "in the useful range of tanh.",
    )
    init: str = option(
        "randn",
        choices=("randn", "kaiming"),
        shape=True,
        doc="How the weights start: straight from a standard normal (part 2), or scaled by "
        "(5/3)/√fan_in so tanh is not saturated from the start (part 3).",
    )
    last_layer_scale: float = option(
        1.0,
        choices=(1.0, 0.1, 0.01),
        shape=True,
        doc="Shrink the output layer's weights (and zero its bias) so the first predictions "
        "are nearly uniform: the first loss is then about 3.30 instead of far higher.",
    )
    architecture: str = option(
        "mlp",
        choices=("mlp", "wavenet"),
        shape=True,
        doc="Flat: all context characters are concatenated at once (parts 2-3). WaveNet: "
        "neighbours are fused in pairs, layer by layer (part 5; block size must be 2^layers).",
    )
    # ---- how it trains
    optimizer: str = option(
        "sgd",
        choices=("sgd", "adam"),
        doc="Plain minibatch gradient descent as in the lectures, or Adam (use a smaller "
        "rate, about 0.003).",
    )
    backward: str = option(
        "autograd",
        choices=("autograd", "manual"),
        doc="How the gradients are computed: torch's autograd, or every one written by hand "
        "as in makemore part 4 (flat MLP only; the same numbers, to about 1e-9).",
    )
    batch_size: int = option(
        32, lo=1, hi=4096, doc="Examples per training step (a random minibatch)."
    )
    steps: int = option(200_000, lo=1, hi=2_000_000, doc="How many training steps one run takes.")
    lr: float = option(
        0.1, lo=0.0001, hi=10.0, doc="Learning rate: how far each step moves the weights."
    )
    decay_step: int = option(
        100_000, lo=0, hi=2_000_000, doc="After this step the rate is multiplied by the decay."
    )
    decay_factor: float = option(
        0.1, lo=0.001, hi=1.0, doc="The factor the rate is multiplied by after the decay step."
    )
    seed: int = option(
        2147483647,
        lo=0,
        hi=2**31 - 1,
        doc="Random seed of the starting weights and of the minibatches.",
    )

    def __post_init__(self) -> None:
        schema.validate(self, "Character MLP", rules=_rules)

    def to_json(self) -> str:
        """The config as a JSON object string."""
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str | dict) -> CharMLPConfig:
        """Inverse of :meth:`to_json`; unknown keys are ignored."""
        d = json.loads(text) if isinstance(text, str) else dict(text)
        known = schema.options(cls)
        return cls(**{k: v for k, v in d.items() if k in known})


def _rules(c: CharMLPConfig) -> list[str]:
    """The rules that tie fields together, in words."""
    problems = []
    if c.architecture == "wavenet" and c.block_size != 2 ** len(c.hidden):
        problems.append(
            f"the WaveNet hierarchy fuses pairs: {len(c.hidden)} hidden layers need "
            f"a block size of {2 ** len(c.hidden)}"
        )
    if c.backward == "manual" and c.architecture != "mlp":
        problems.append(
            "the hand-written backward (part 4) covers the flat MLP, with or without "
            "BatchNorm: use autograd for the WaveNet hierarchy"
        )
    return problems


PRESETS: dict[str, CharMLPConfig] = {
    # makemore part 2: 11,897 parameters; train 2.126, dev 2.170 in the lecture
    "lecture": CharMLPConfig(),
    # part 3: Kaiming init, shrunken output layer, BatchNorm; dev 2.106 in the lecture
    "batchnorm": CharMLPConfig(init="kaiming", last_layer_scale=0.01, batchnorm=True),
    # part 2's first model: a 2-D embedding you can see directly (3,481 parameters)
    "tiny": CharMLPConfig(
        emb_dim=2,
        hidden=(100,),
        init="kaiming",
        last_layer_scale=0.1,
        steps=30_000,
        decay_step=20_000,
    ),
    # part 5: context 8 fused in pairs, 3 levels of 128, BatchNorm; dev 1.993 in the lecture
    "wavenet": CharMLPConfig(
        block_size=8,
        emb_dim=24,
        hidden=(128, 128, 128),
        batchnorm=True,
        init="kaiming",
        last_layer_scale=0.1,
        architecture="wavenet",
        decay_step=150_000,
    ),
}


def preset(name: str) -> CharMLPConfig:
    """One of the named configs: "lecture", "batchnorm", "tiny", "wavenet"."""
    if name not in PRESETS:
        raise ValueError(f"Unknown preset {name!r}; choose one of {', '.join(PRESETS)}.")
    return PRESETS[name]


def with_changes(config: CharMLPConfig, **changes: Any) -> CharMLPConfig:
    """A copy of ``config`` with some fields changed (validated)."""
    return replace(config, **changes)


def shape_key(config: CharMLPConfig) -> tuple:
    """The fields that define a model's shape and starting weights (not how it trains):
    those declared ``shape=True``."""
    return tuple(getattr(config, k) for k, o in schema.options(CharMLPConfig).items() if o.shape)


def scheduled_lr(config: CharMLPConfig, step: int, base_lr: float | None = None) -> float:
    """The learning rate of (1-based) ``step``: base until decay_step, then times decay_factor
    (the lecture's ``lr = 0.1 if i < 100000 else 0.01``, with i = step - 1)."""
    lr = config.lr if base_lr is None else base_lr
    return lr * config.decay_factor if step > config.decay_step else lr


def layer_sizes(config: CharMLPConfig, vocab_size: int = 27) -> list[tuple[int, int]]:
    """(fan_in, fan_out) of every linear layer, the output layer last."""
    sizes = []
    if config.architecture == "mlp":
        fan_in = config.block_size * config.emb_dim
    else:
        fan_in = 2 * config.emb_dim
    for i, h in enumerate(config.hidden):
        sizes.append((fan_in, h))
        fan_in = h if config.architecture == "mlp" or i == len(config.hidden) - 1 else 2 * h
    sizes.append((fan_in, vocab_size))
    return sizes


def count_parameters(config: CharMLPConfig, vocab_size: int = 27) -> int:
    """Number of trainable numbers of the model ``config`` describes (no model built)."""
    n = vocab_size * config.emb_dim
    sizes = layer_sizes(config, vocab_size)
    for fan_in, fan_out in sizes[:-1]:
        n += fan_in * fan_out + (2 * fan_out if config.batchnorm else fan_out)
    fan_in, fan_out = sizes[-1]
    return n + fan_in * fan_out + fan_out


def expected_initial_loss(vocab_size: int = 27) -> float:
    """-ln(1/V): the loss of a model that has no idea yet (uniform over V symbols)."""
    return math.log(vocab_size)


def describe(config: CharMLPConfig, vocab_size: int = 27) -> str:
    """A one-line summary, e.g. "block 3 · emb 10 · hidden 200 · 11,897 parameters"."""
    hidden = "-".join(str(h) for h in config.hidden)
    bits = [f"block {config.block_size}", f"emb {config.emb_dim}", f"hidden {hidden}"]
    if config.batchnorm:
        bits.append("BatchNorm")
    if config.architecture == "wavenet":
        bits.append("WaveNet")
    return " · ".join(bits) + f" · {count_parameters(config, vocab_size):,} parameters"
