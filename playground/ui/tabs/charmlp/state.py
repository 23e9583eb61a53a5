"""The Character MLP tab's settings, each declared once (no Qt, no torch).

The fields are :class:`~playground.core.charmlp.CharMLPConfig`'s (their defaults are the
"lecture" preset: makemore part 2), plus the preset they started from and how samples
are drawn.  Roles: the fields of ``charmlp.shape_key`` change the model (``shape``); the
learning rate and the temperature reach a running job (``live``); the rest apply to the
next job (the tab restarts a running one so that the form stays true).

The core module imports torch, so nothing here imports it: the tab builds its state
(and restores saved settings) before torch has loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from playground.ui.state import State, setting

PRESET_NAMES = {
    "lecture": "Lecture: makemore part 2",
    "batchnorm": "BatchNorm: part 3",
    "tiny": "Tiny: 2-D embedding",
    "wavenet": "WaveNet: part 5",
}
ARCHITECTURE_NAMES = {"mlp": "Flat MLP (parts 2-3)", "wavenet": "WaveNet hierarchy (part 5)"}
INIT_NAMES = {"randn": "randn (part 2)", "kaiming": "Kaiming: gain/√fan_in (part 3)"}
LAST_LAYER_NAMES = {1.0: "× 1 (as drawn)", 0.1: "× 0.1", 0.01: "× 0.01"}
OPTIMIZER_NAMES = {"sgd": "SGD", "adam": "Adam"}
BACKWARD_NAMES = {"autograd": "autograd: loss.backward()", "manual": "by hand (part 4)"}
SEED_MAX = 2**31 - 1


@dataclass
class CharMLPState(State):
    """Everything the Character MLP tab's form shows."""

    # ---- the model (its shape and starting weights)
    block_size: int = setting(
        3, "Block size", lo=1, hi=32, shape=True, tip="How many previous characters the model sees."
    )
    emb_dim: int = setting(
        10,
        "Embedding size",
        lo=1,
        hi=512,
        shape=True,
        tip="Length of each character's learned vector in C.",
    )
    hidden: tuple = setting(
        (200,),
        "Hidden layers",
        item=int,
        lo=1,
        hi=1024,
        min_len=1,
        max_len=3,
        shape=True,
        tip="How many tanh hidden layers, and the units in each.",
    )
    batchnorm: bool = setting(
        False,
        "BatchNorm",
        shape=True,
        tip="Normalise each unit over the batch before tanh (part 3): keeps activations "
        "in the useful range of tanh.",
    )
    init: str = setting(
        "randn",
        "Init",
        choices=tuple(INIT_NAMES),
        shape=True,
        tip="How the weights start: straight from a standard normal, or scaled by "
        "(5/3)/√fan_in so tanh is not saturated from the start.",
    )
    last_layer_scale: float = setting(
        1.0,
        "Last layer",
        choices=tuple(LAST_LAYER_NAMES),
        shape=True,
        tip="Shrink the output layer's weights (and zero its bias) so the first predictions "
        "are nearly uniform: the first loss is then about 3.30 instead of far higher.",
    )
    architecture: str = setting(
        "mlp",
        "Architecture",
        choices=tuple(ARCHITECTURE_NAMES),
        shape=True,
        tip="Flat: all context characters are concatenated at once. WaveNet: neighbours are "
        "fused in pairs, layer by layer (block size must be 2^layers).",
    )
    # ---- how it trains (the next job takes them)
    optimizer: str = setting(
        "sgd",
        "Optimizer",
        choices=tuple(OPTIMIZER_NAMES),
        tip="Plain minibatch gradient descent as in the lectures, or Adam (use a smaller "
        "rate, about 0.003).",
    )
    backward: str = setting(
        "autograd",
        "Gradients",
        choices=tuple(BACKWARD_NAMES),
        tip="How the gradients are computed: torch's autograd, or every one written by hand "
        "as in makemore part 4 (flat MLP only; the same numbers, to about 1e-9).",
    )
    batch_size: int = setting(
        32, "Batch size", lo=1, hi=4096, tip="Examples per training step (a random minibatch)."
    )
    steps: int = setting(
        200_000,
        "Steps",
        lo=1,
        hi=2_000_000,
        tip="How many training steps one press of Play runs.",
    )
    lr: float = setting(
        0.1,
        "Learning rate",
        lo=0.0001,
        hi=10.0,
        live=True,
        tip="Learning rate: how far each step moves the weights. Changes apply at once, "
        "even while training.",
    )
    decay_step: int = setting(
        100_000,
        "Decay after step",
        lo=0,
        hi=2_000_000,
        tip="After this step the rate is multiplied by the decay.",
    )
    decay_factor: float = setting(
        0.1,
        "Decay ×",
        lo=0.001,
        hi=1.0,
        tip="The factor the rate is multiplied by after the decay step.",
    )
    seed: int = setting(
        2147483647,
        "Seed",
        lo=0,
        hi=SEED_MAX,
        tip="Random seed of the starting weights and of the minibatches.",
    )
    # ---- where the settings came from, and sampling
    preset: str = setting(
        "lecture",
        "Preset",
        choices=tuple(PRESET_NAMES),
        tip="Start from one of the lectures' models: picking one fills in every setting below.",
    )
    temperature: float = setting(
        1.0,
        "Temperature",
        lo=0.0,
        hi=3.0,
        live=True,
        tip="Temperature: below 1 picks likelier characters (safer names), above 1 takes "
        "more risks, 0 always takes the most likely one.",
    )
    sample_seed: int = setting(
        0, "Sample seed", lo=0, hi=SEED_MAX, tip="Seed of the names drawn by Draw samples."
    )


# CharMLPConfig's fields, in its order (a test checks them against the core).
CONFIG_FIELDS = (
    "block_size",
    "emb_dim",
    "hidden",
    "batchnorm",
    "init",
    "last_layer_scale",
    "architecture",
    "optimizer",
    "backward",
    "batch_size",
    "steps",
    "lr",
    "decay_step",
    "decay_factor",
    "seed",
)
SHAPE_FIELDS = tuple(CharMLPState().values("shape"))
TRAINING_FIELDS = tuple(
    f for f in CONFIG_FIELDS if f not in SHAPE_FIELDS and not CharMLPState.spec(f).live
)


def config_values(state: CharMLPState) -> dict[str, Any]:
    """The state as ``CharMLPConfig(**values)`` keyword arguments."""
    return {f: getattr(state, f) for f in CONFIG_FIELDS}


def values_of(config: Any) -> dict[str, Any]:
    """A CharMLPConfig (or anything with its fields) as state values."""
    return {f: getattr(config, f) for f in CONFIG_FIELDS}


def wavenet_block(hidden: tuple) -> int:
    """The block size the WaveNet hierarchy needs: it fuses pairs, once per hidden layer."""
    return 2 ** len(hidden)


# short names of the choices, for sentences ("gradients autograd → by hand")
SHORT_NAMES: dict[str, dict[Any, str]] = {
    "architecture": {"mlp": "flat MLP", "wavenet": "WaveNet"},
    "init": {"randn": "randn", "kaiming": "Kaiming"},
    "last_layer_scale": {k: v.split(" (")[0] for k, v in LAST_LAYER_NAMES.items()},
    "optimizer": OPTIMIZER_NAMES,
    "backward": {"autograd": "autograd", "manual": "by hand"},
    "preset": {k: v.split(":")[0] for k, v in PRESET_NAMES.items()},
}


def value_text(name: str, value: Any) -> str:
    """A setting's value as a sentence says it: 200,000; 0.1; 128-128-128; on; by hand."""
    if name in SHORT_NAMES:
        return SHORT_NAMES[name].get(value, str(value))
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, tuple):
        return "-".join(str(v) for v in value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """What differs from ``old`` in ``new``, in words: ["block size 3 → 8", ...]."""
    return [
        f"{CharMLPState.spec(k).label.lower()} {value_text(k, old[k])} → {value_text(k, v)}"
        for k, v in new.items()
        if k in old and old[k] != v
    ]
