"""Settings declared once: a model's config fields, with their limits, in the core.

A model's config is a frozen dataclass whose fields are :func:`option`\\s::

    @dataclass(frozen=True)
    class MLPConfig:
        block_size: int = option(3, lo=1, hi=32, shape=True, doc="characters of context")
        lr: float = option(0.1, lo=1e-4, hi=10.0, doc="learning rate")

        def __post_init__(self) -> None:
            validate(self, "MLP", rules=lambda c: [])  # cross-field rules, in words

Everything else reads the declaration: :func:`validate` checks and coerces a config (one
``ValueError`` listing every problem), :func:`options` lists the fields, and the ui's
state (``playground/ui/state.py``) builds its fields from them with ``from_core``, adding
only what a screen needs (a label, a tooltip, whether a running job follows it).  So a
limit or a choice is written in one place.  Plain Python: no torch, no Qt.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
from collections.abc import Callable, Sequence
from typing import Any


@dataclasses.dataclass(frozen=True)
class Option:
    """What a config field declares besides its default."""

    kind: type  # int, float, bool, str or tuple
    item: type | None = None  # for tuples: the type of each item
    lo: float | None = None
    hi: float | None = None
    choices: tuple | None = None  # allowed values (of the field, or of each item for tuples)
    min_len: int = 0
    max_len: int | None = None
    shape: bool = False  # changing it makes a new model
    doc: str = ""


def option(default: Any, **limits: Any) -> Any:
    """A config field: ``hidden: tuple = option((200,), item=int, lo=1, max_len=3, shape=True)``.

    ``limits``: :func:`make_option`'s keywords (``lo``, ``hi``, ``choices``, ``item``,
    ``min_len``, ``max_len``, ``shape``, ``doc``).  The kind is the default's type (a list
    default becomes a tuple of ``item``\\s).
    """
    opt = make_option(default, **limits)
    return dataclasses.field(default=frozen(default), metadata={"option": opt})


def make_option(
    default: Any,
    *,
    lo: float | None = None,
    hi: float | None = None,
    choices: Sequence | None = None,
    item: type | None = None,
    min_len: int = 0,
    max_len: int | None = None,
    shape: bool = False,
    doc: str = "",
    cls: type[Option] = Option,
    **more: Any,
) -> Option:
    """The :class:`Option` (or subclass ``cls``) that :func:`option` attaches to a field."""
    default = frozen(default)
    kind = type(default)
    if kind is tuple and item is None:
        item = type(default[0]) if default else str
    choices = tuple(choices) if choices is not None else None
    return cls(kind, item, lo, hi, choices, min_len, max_len, shape, doc, **more)


def frozen(default: Any) -> Any:
    """A default as a field holds it: a list becomes a tuple."""
    return tuple(default) if isinstance(default, list) else default


def options(config: Any) -> dict[str, Option]:
    """Every :func:`option` field of a config class (or instance), in declaration order."""
    return {
        f.name: f.metadata["option"]
        for f in dataclasses.fields(config)
        if isinstance(f.metadata.get("option"), Option)
    }


def default(config: Any, name: str) -> Any:
    """The declared default of field ``name`` of a config class."""
    return next(f.default for f in dataclasses.fields(config) if f.name == name)


# --------------------------------------------------------------------------- checking
def validate(config: Any, what: str, rules: Callable[[Any], list[str]] | None = None) -> None:
    """Coerce every option field of a frozen ``config`` in place, then apply ``rules``.

    Call it from the config's ``__post_init__``.  Raises one ``ValueError``
    ("Invalid <what> settings: ...; ...") listing every problem, in words.
    """
    problems = []
    for name, opt in options(config).items():
        try:  # a frozen dataclass sets its own fields in __post_init__ this way
            object.__setattr__(config, name, coerce(name, opt, getattr(config, name)))
        except ValueError as e:
            problems.append(str(e))
    if not problems and rules is not None:
        problems = rules(config)
    if problems:
        raise ValueError(f"Invalid {what} settings: " + "; ".join(problems) + ".")


def coerce(name: str, opt: Option, value: Any) -> Any:
    """``value`` as the field's kind, within its limits, or ``ValueError`` naming ``name``."""
    if opt.kind is tuple:
        if isinstance(value, str):
            value = [v for v in value.split(",") if v.strip()]
        if not isinstance(value, (list, tuple)):
            raise ValueError(f"{name}: expected a list, got {value!r}")
        if len(value) < opt.min_len or (opt.max_len is not None and len(value) > opt.max_len):
            hi = "" if opt.max_len is None else f" to {opt.max_len}"
            raise ValueError(f"{name}: expected {opt.min_len}{hi} items, got {len(value)}")
        return tuple(_check(name, opt, _coerce_scalar(name, opt.item, v)) for v in value)
    return _check(name, opt, _coerce_scalar(name, opt.kind, value))


def _coerce_scalar(name: str, kind: type, value: Any) -> Any:
    if kind is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, (int, float)) and value in (0, 1):
            return bool(value)
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise ValueError(f"{name}: expected true or false, got {value!r}")
    if kind is int:
        if isinstance(value, bool):
            raise ValueError(f"{name}: expected a whole number, got {value!r}")
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, int):
            return int(value)
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                return int(value.strip())
        raise ValueError(f"{name}: expected a whole number, got {value!r}")
    if kind is float:
        if isinstance(value, bool):
            raise ValueError(f"{name}: expected a number, got {value!r}")
        try:
            x = float(value)
        except (TypeError, ValueError, OverflowError):
            raise ValueError(f"{name}: expected a number, got {value!r}") from None
        if not math.isfinite(x):
            raise ValueError(f"{name}: expected a finite number, got {value!r}")
        return x
    if kind is str:
        if not isinstance(value, str):
            raise ValueError(f"{name}: expected text, got {value!r}")
        return value
    raise TypeError(f"{name}: unsupported kind {kind}")


def _check(name: str, opt: Option, x: Any) -> Any:
    if opt.choices is not None and x not in opt.choices:
        allowed = ", ".join(str(c) for c in opt.choices)
        raise ValueError(f"{name}: {x!r} is not one of {allowed}")
    if opt.lo is not None and x < opt.lo:
        raise ValueError(f"{name}: {x!r} is below the minimum {opt.lo:g}")
    if opt.hi is not None and x > opt.hi:
        raise ValueError(f"{name}: {x!r} is above the maximum {opt.hi:g}")
    return x
