"""A tab's state: one dataclass whose fields declare each setting once.

A field says its default, its label, its limits (``lo``/``hi`` or ``choices``) and its
role: ``shape`` (changing it means a new model), ``live`` (a running job follows it) or
neither (data, views).  Everything else is derived from the declaration: the widgets
(``ui/binding.py``), the job's config and :class:`LiveSettings`, QSettings persistence and
the tab's files (:meth:`State.to_dict` / :meth:`State.from_dict`).

Plain Python (no Qt): a state can be built, validated and saved in a notebook or a test.
Setting a field validates and coerces the value (``ValueError`` naming the field), then
tells every listener ``(name, value)`` if it changed.  Listeners run where the field was
set: the tabs set fields on the GUI thread only.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import math
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

Listener = Callable[[str, Any], None]
S = TypeVar("S", bound="State")


@dataclasses.dataclass(frozen=True)
class Spec:
    """What a field declares besides its default."""

    label: str
    kind: type  # int, float, bool, str or tuple
    item: type | None = None  # for tuples: the type of each item
    lo: float | None = None
    hi: float | None = None
    choices: tuple | None = None  # allowed values (of the field, or of each item for tuples)
    min_len: int = 0
    max_len: int | None = None
    shape: bool = False  # changing it makes a new model
    live: bool = False  # a running job follows it
    persist: bool = True  # kept in QSettings and in files
    tip: str = ""


def setting(
    default: Any,
    label: str,
    *,
    lo: float | None = None,
    hi: float | None = None,
    choices: Sequence | None = None,
    item: type | None = None,
    min_len: int = 0,
    max_len: int | None = None,
    shape: bool = False,
    live: bool = False,
    persist: bool = True,
    tip: str = "",
) -> Any:
    """A state field: ``lr: float = setting(0.03, "Learning rate", lo=1e-5, hi=10, live=True)``.

    The kind is the default's type (tuples hold ``item``s: ``setting((4, 2), "Hidden",
    item=int, lo=1, hi=8)``).
    """
    kind = type(default)
    if kind is list:
        kind, default = tuple, tuple(default)
    if kind is tuple and item is None:
        item = type(default[0]) if default else str
    spec = Spec(
        label,
        kind,
        item,
        lo,
        hi,
        tuple(choices) if choices is not None else None,
        min_len,
        max_len,
        shape,
        live,
        persist,
        tip,
    )
    return dataclasses.field(default=default, metadata={"spec": spec})


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


def coerce(name: str, spec: Spec, value: Any) -> Any:
    """``value`` as the field's kind, within its limits, or ``ValueError`` naming ``name``."""
    if spec.kind is tuple:
        if isinstance(value, str):
            value = [v for v in value.split(",") if v.strip()]
        if not isinstance(value, (list, tuple)):
            raise ValueError(f"{name}: expected a list, got {value!r}")
        if len(value) < spec.min_len or (spec.max_len is not None and len(value) > spec.max_len):
            hi = "" if spec.max_len is None else f" to {spec.max_len}"
            raise ValueError(f"{name}: expected {spec.min_len}{hi} items, got {len(value)}")
        out = tuple(_check(name, spec, _coerce_scalar(name, spec.item, v)) for v in value)
        return out
    return _check(name, spec, _coerce_scalar(name, spec.kind, value))


def _check(name: str, spec: Spec, x: Any) -> Any:
    if spec.choices is not None and x not in spec.choices:
        allowed = ", ".join(str(c) for c in spec.choices)
        raise ValueError(f"{name}: {x!r} is not one of {allowed}")
    if spec.lo is not None and x < spec.lo:
        raise ValueError(f"{name}: {x!r} is below the minimum {spec.lo:g}")
    if spec.hi is not None and x > spec.hi:
        raise ValueError(f"{name}: {x!r} is above the maximum {spec.hi:g}")
    return x


class State:
    """Base of every tab's state dataclass (decorate the subclass with ``@dataclass``).

    ``state.lr = 0.1`` validates, stores and tells the listeners; ``state.update(...)``
    sets several fields and tells the listeners once each, after all are set.
    """

    def __post_init__(self) -> None:
        object.__setattr__(self, "_listeners", [])
        object.__setattr__(self, "_held", None)
        for f in dataclasses.fields(self):
            spec = f.metadata.get("spec")
            if spec is not None:
                object.__setattr__(self, f.name, coerce(f.name, spec, getattr(self, f.name)))

    # ------------------------------------------------------------ declaration
    @classmethod
    def specs(cls) -> dict[str, Spec]:
        """Every declared field's :class:`Spec`, in declaration order."""
        return {f.name: f.metadata["spec"] for f in dataclasses.fields(cls) if "spec" in f.metadata}

    @classmethod
    def spec(cls, name: str) -> Spec:
        return cls.specs()[name]

    @classmethod
    def default(cls, name: str) -> Any:
        return next(f.default for f in dataclasses.fields(cls) if f.name == name)

    # ------------------------------------------------------------ changes
    def __setattr__(self, name: str, value: Any) -> None:
        spec = self.specs().get(name) if hasattr(self, "_listeners") else None
        if spec is None:
            object.__setattr__(self, name, value)
            return
        value = coerce(name, spec, value)
        if getattr(self, name) == value:
            return
        object.__setattr__(self, name, value)
        self._notify(name, value)

    def _notify(self, name: str, value: Any) -> None:
        held = self._held
        if held is not None:
            held[name] = value
            return
        for listener in list(self._listeners):
            listener(name, value)

    def connect(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(name, value)`` after every change; returns a disconnect function."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    @contextlib.contextmanager
    def changes(self) -> Iterator[None]:
        """Set several fields; listeners hear of each change once, when the block ends."""
        if self._held is not None:  # nested: the outer block tells
            yield
            return
        object.__setattr__(self, "_held", {})
        try:
            yield
        finally:
            held = self._held
            object.__setattr__(self, "_held", None)
            for name, value in held.items():
                self._notify(name, value)

    def update(self, **values: Any) -> None:
        """Validate every value first (nothing changes if one is bad), then set them all."""
        specs = self.specs()
        unknown = [k for k in values if k not in specs]
        if unknown:
            raise ValueError(f"unknown setting {unknown[0]!r}")
        checked = {k: coerce(k, specs[k], v) for k, v in values.items()}
        with self.changes():
            for k, v in checked.items():
                setattr(self, k, v)

    # ------------------------------------------------------------ views of it
    def values(self, role: str | None = None) -> dict[str, Any]:
        """The fields' values: all, or only those whose spec has ``role`` ("shape", "live")."""
        return {
            k: getattr(self, k) for k, s in self.specs().items() if role is None or getattr(s, role)
        }

    def shape_key(self) -> tuple:
        """The values that decide the model's shape: equal keys, same model."""
        return tuple(self.values("shape").items())

    def to_dict(self) -> dict[str, Any]:
        """The persisted fields as JSON-ready values (tuples become lists)."""
        out = {}
        for k, s in self.specs().items():
            if s.persist:
                v = getattr(self, k)
                out[k] = list(v) if isinstance(v, tuple) else v
        return out

    @classmethod
    def from_dict(cls: type[S], data: Any, strict: bool = True) -> S:
        """A state from :meth:`to_dict`'s output; missing keys take their defaults.

        ``strict``: a bad value raises ``ValueError`` naming the field (files);
        otherwise it keeps the default (settings written by an older version).
        """
        if not isinstance(data, dict):
            raise ValueError(f"settings: expected a mapping, got {type(data).__name__}")
        state = cls()
        good = {}
        for k, s in cls.specs().items():
            if k not in data or not s.persist:
                continue
            try:
                good[k] = coerce(k, s, data[k])
            except ValueError:
                if strict:
                    raise
        state.update(**good)
        return state

    def assign(self, other: State) -> None:
        """Take every persisted value of ``other`` (listeners hear once per change)."""
        self.update(**{k: getattr(other, k) for k, s in self.specs().items() if s.persist})

    # ------------------------------------------------------------ QSettings
    def save(self, settings: Any) -> None:
        """Store the persisted fields in ``settings`` (a QSettings group), as JSON text."""
        for k, v in self.to_dict().items():
            settings.setValue(k, json.dumps(v))

    def restore(self, settings: Any) -> None:
        """Take what :meth:`save` stored; a missing or unreadable value keeps the current one."""
        good = {}
        for k, s in self.specs().items():
            raw = settings.value(k, None)
            if raw is None or not s.persist:
                continue
            if isinstance(raw, str):
                with contextlib.suppress(ValueError):  # older versions stored plain text
                    raw = json.loads(raw)
            with contextlib.suppress(ValueError, TypeError):
                good[k] = coerce(k, s, raw)
        self.update(**good)
