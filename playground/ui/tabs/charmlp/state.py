"""The Character MLP tab's settings (no Qt, no torch).

The model's settings are :class:`~playground.core.charmlp_config.CharMLPConfig`'s, declared
there once with their defaults (the "lecture" preset: makemore part 2), limits, choices and
shape role; the state takes them with ``from_core`` and adds a label, a tooltip and whether
a running job follows it (the learning rate does).  Its own fields: the preset they started
from and how samples are drawn.  Roles: the ``shape`` fields change the model; ``live`` ones
reach a running job; the rest apply to the next job (the tab restarts a running one so that
the form stays true).

``charmlp_config`` is plain Python: the tab builds its state (and restores saved settings)
before torch has loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from playground.core.charmlp_config import CharMLPConfig
from playground.ui.state import State, from_core, setting

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
class CharMLPState(State, core=CharMLPConfig):
    """Everything the Character MLP tab's form shows."""

    # ---- the model (its shape and starting weights); tooltips: the core's docs
    block_size: int = from_core("Block size")
    emb_dim: int = from_core("Embedding size")
    hidden: tuple = from_core("Hidden layers")
    batchnorm: bool = from_core("BatchNorm")
    init: str = from_core(
        "Init",
        tip="How the weights start: straight from a standard normal, or scaled by "
        "(5/3)/√fan_in so tanh is not saturated from the start.",
    )
    last_layer_scale: float = from_core("Last layer")
    architecture: str = from_core(
        "Architecture",
        tip="Flat: all context characters are concatenated at once. WaveNet: neighbours are "
        "fused in pairs, layer by layer (block size must be 2^layers).",
    )
    # ---- how it trains (the next job takes them)
    optimizer: str = from_core("Optimizer")
    backward: str = from_core("Gradients")
    batch_size: int = from_core("Batch size")
    steps: int = from_core("Steps", tip="How many training steps one press of Play runs.")
    lr: float = from_core(
        "Learning rate",
        live=True,
        tip="Learning rate: how far each step moves the weights. Changes apply at once, "
        "even while training.",
    )
    decay_step: int = from_core("Decay after step")
    decay_factor: float = from_core("Decay ×")
    seed: int = from_core("Seed")
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


SHAPE_FIELDS = tuple(CharMLPState().values("shape"))
TRAINING_FIELDS = tuple(
    f for f in CharMLPState.core_fields() if f not in SHAPE_FIELDS and not CharMLPState.spec(f).live
)


def values_of(config: Any) -> dict[str, Any]:
    """A CharMLPConfig (or anything with its fields) as state values."""
    return {f: getattr(config, f) for f in CharMLPState.core_fields()}


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
