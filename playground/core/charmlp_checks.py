"""Character MLP model files, checked before any weight is read (plain Python, no torch).

A .safetensors header is plain JSON naming every tensor with its dtype, shape and byte
range, so a wrong file is refused at once and in words ("C is 3x3 in the file, but a model
with vocabulary 27 and embedding 10 needs 27x10"), by the tab on the GUI thread and by
``charmlp.load`` alike.  Kept apart from ``charmlp``: that module is the lecture's code.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from playground.core.charmlp_config import (
    FILE_FORMAT,
    PAD,
    CharMLPConfig,
    describe,
    layer_sizes,
)

MAX_HEADER = 16 * 2**20  # a model's header is a few kB; more means this is not one
# BatchNorm1d's tensors as makemore part 3 names them
BATCHNORM_NAMES = {
    "gamma": "bngain",
    "beta": "bnbias",
    "running_mean": "bnmean_running",
    "running_var": "bnvar_running",
}


def read_header(path: str | Path) -> tuple[dict[str, dict], dict[str, str], int]:
    """(tensors, metadata, bytes of data) of a .safetensors file, from its header alone.

    tensors: name -> {"dtype", "shape", "data_offsets"}; no torch, no weight is read.
    ``ValueError`` naming the file if it is missing, unreadable or not safetensors.
    """
    path = Path(path)
    what = f"{path.name} is not a Character MLP model file"
    if not path.is_file():
        raise ValueError(f"{path} does not exist.")
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            head = f.read(8)
            if len(head) < 8:
                raise ValueError("the file is too short")
            n = int.from_bytes(head, "little")
            if n > min(MAX_HEADER, size - 8):
                raise ValueError("its header length is impossible")
            header = json.loads(f.read(n).decode("utf-8"))
        if not isinstance(header, dict):
            raise ValueError("its header is not a JSON object")
    except OSError as exc:
        raise ValueError(f"Could not read {path.name}: {exc.strerror or exc}.") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"{what} (it could not be read as safetensors: {exc}).") from None
    meta = header.pop("__metadata__", None)
    return header, meta if isinstance(meta, dict) else {}, size - 8 - n


class Expected(NamedTuple):
    """A tensor a model stores: its shape, the settings that make it so, its lecture name."""

    shape: tuple[int, ...]
    why: str  # "vocabulary 27 and embedding 10"
    label: str  # "W1 (layers.0.weight)"


def expected_tensors(config: CharMLPConfig, vocab_size: int) -> dict[str, Expected]:
    """What a model of ``config`` stores, by state_dict name, without building one (the
    same layers as :class:`CharMLP`, in its order)."""
    c, V = config, vocab_size
    out = {"C": Expected((V, c.emb_dim), f"vocabulary {V} and embedding {c.emb_dim}", "C")}
    sizes = layer_sizes(config, V)
    pairs = " (pairs fused)" if c.architecture == "wavenet" else ""
    i, prev = 0, 0  # the index in CharMLP.layers; the units of the previous hidden layer
    for k, (fan_in, h) in enumerate(sizes[:-1], start=1):
        if pairs:
            i += 1  # FlattenConsecutive
        if k > 1:
            inputs = f"{prev} units in hidden layer {k - 1}{pairs}"
        elif pairs:
            inputs = f"embedding {c.emb_dim}{pairs}"
        else:
            inputs = f"block size {c.block_size} and embedding {c.emb_dim}"
        units = f"{h} units in hidden layer {k}"
        out[f"layers.{i}.weight"] = Expected((fan_in, h), f"{inputs} and {units}", f"W{k}")
        if c.batchnorm:
            i += 1
            for name, short in BATCHNORM_NAMES.items():
                out[f"layers.{i}.{name}"] = Expected((h,), f"BatchNorm over {units}", f"{short}{k}")
        else:
            out[f"layers.{i}.bias"] = Expected((h,), units, f"b{k}")
        i += 2  # the Linear (or BatchNorm) and its Tanh
        prev = h
    last = f"{prev} units in hidden layer {len(c.hidden)} and vocabulary {V}"
    out[f"layers.{i}.weight"] = Expected((sizes[-1][0], V), last, "W out")
    out[f"layers.{i}.bias"] = Expected((V,), f"vocabulary {V}", "b out")
    return {
        key: e._replace(label=e.label if key == "C" else f"{e.label} ({key})")
        for key, e in out.items()
    }


def _shape_text(shape: Sequence[int]) -> str:
    if len(shape) == 0:
        return "a single number"
    if len(shape) == 1:
        return f"a vector of {shape[0]:,}"
    return "x".join(str(d) for d in shape)


def check_tensors(
    tensors: dict[str, dict], config: CharMLPConfig, vocab_size: int, data_bytes: int, name: str
) -> None:
    """``ValueError`` in plain words unless ``tensors`` (a safetensors header) are exactly
    what a model of ``config`` stores, with their bytes all in the file (``data_bytes``)."""
    want = expected_tensors(config, vocab_size)
    settings = f"its settings ({describe(config, vocab_size)})"
    missing = [k for k in want if k not in tensors]
    extra = [k for k in tensors if k not in want]
    if missing:
        labels = ", ".join(want[k].label for k in missing[:3])
        more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        raise ValueError(f"{name} lacks {labels}{more}, which a model with {settings} needs.")
    if extra:
        more = f" and {len(extra) - 3} more" if len(extra) > 3 else ""
        raise ValueError(
            f"{name} holds {', '.join(extra[:3])}{more}, which a model with {settings} does "
            "not have: the file does not match its own settings."
        )
    spans = []
    for key, (shape, why, label) in want.items():
        info = tensors[key]
        try:
            dtype, got = info["dtype"], tuple(int(d) for d in info["shape"])
            begin, end = (int(x) for x in info["data_offsets"])
        except (KeyError, TypeError, ValueError):
            raise ValueError(f"{name}: its header is damaged (the entry of {label}).") from None
        if got != shape:
            raise ValueError(
                f"{name} does not match its own settings: {label} is {_shape_text(got)} in "
                f"the file, but a model with {why} needs {_shape_text(shape)}."
            )
        if dtype != "F32":
            raise ValueError(
                f"{name}: {label} is stored as {dtype} in the file, but the model keeps "
                "float32 (F32) numbers."
            )
        if end - begin != math.prod(shape) * 4 or begin < 0:
            raise ValueError(f"{name}: its header is damaged (the bytes of {label}).")
        spans.append((begin, end))
    spans.sort()
    if any(b != e for (_, e), (b, _) in zip([(0, 0), *spans], spans, strict=False)):
        raise ValueError(
            f"{name}: its header is damaged (the tensors' bytes overlap or leave gaps)."
        )
    need = spans[-1][1] if spans else 0
    if data_bytes < need:
        raise ValueError(
            f"{name} is cut short: its weights need {need:,} bytes after the header, but the "
            f"file holds only {max(data_bytes, 0):,} (an interrupted copy or download?)."
        )
    if data_bytes > need:
        raise ValueError(
            f"{name} has {data_bytes - need:,} bytes more than its weights: it was changed "
            "after it was saved."
        )


def check_file(path: str | Path) -> tuple[CharMLPConfig, list[str], int]:
    """(config, vocabulary, steps trained) of a model file written by :func:`save`, checked
    from its header alone (plain Python, only the header's bytes are read): its settings,
    its vocabulary, and every tensor's name, shape, dtype and bytes against those settings.
    ``ValueError`` naming the file and the problem in plain words."""
    path = Path(path)
    tensors, meta, data_bytes = read_header(path)
    name = path.name
    what = f"{name} is not a Character MLP model file"
    if meta.get("format") != FILE_FORMAT:
        raise ValueError(f"{what} (it has no Character MLP header).")
    try:
        settings = json.loads(meta["config"])
        itos = json.loads(meta["itos"])
        steps = int(meta.get("steps_trained", 0))
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{what} (its header is damaged: {exc}).") from None
    if not isinstance(settings, dict):
        raise ValueError(f"{name}: its settings are not a mapping.")
    try:
        config = CharMLPConfig.from_json(settings)
    except ValueError as exc:
        raise ValueError(f"{name}: its settings are not valid: {exc}") from None
    except TypeError as exc:
        raise ValueError(f"{name}: its settings are damaged ({exc}).") from None
    if (
        not isinstance(itos, list)
        or len(itos) < 2
        or not all(isinstance(s, str) and len(s) == 1 for s in itos)
        or len(set(itos)) != len(itos)
        or itos[0] != PAD
    ):
        raise ValueError(
            f"{name}: its vocabulary is not a list of distinct characters starting with '{PAD}'."
        )
    if steps < 0:
        raise ValueError(f"{name}: steps_trained is negative ({steps}).")
    check_tensors(tensors, config, len(itos), data_bytes, name)
    return config, itos, steps
