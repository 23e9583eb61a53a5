"""A tab's state: one dataclass whose fields declare each setting once.

A field says its default, its label, its limits (``lo``/``hi`` or ``choices``) and its
role: ``shape`` (changing it means a new model), ``live`` (a running job follows it) or
neither (data, views).  A model's own settings are declared in the core, once, with their
limits (``playground/core/schema.py``); the state takes them with :func:`from_core` and adds
only a label, a tooltip and whether a running job follows it.  Everything else is derived
from the declaration: the widgets (``ui/binding.py``), the job's config and
:class:`LiveSettings`, QSettings persistence and the tab's files (:meth:`State.to_dict` /
:meth:`State.from_dict`).

Plain Python (no Qt): a state can be built, validated and saved in a notebook or a test.
Setting a field validates and coerces the value (``ValueError`` naming the field), then
tells every listener ``(name, value)`` if it changed.  Listeners run where the field was
set: the tabs set fields on the GUI thread only.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
from collections.abc import Callable, Iterator
from typing import Any, ClassVar, TypeVar

from playground.core import schema
from playground.core.schema import Option, coerce, make_option

Listener = Callable[[str, Any], None]
S = TypeVar("S", bound="State")


@dataclasses.dataclass(frozen=True)
class Spec(Option):
    """What a state field declares besides its default: the core's :class:`Option` (kind,
    limits, choices, shape role) plus what a screen needs."""

    label: str = ""
    live: bool = False  # a running job follows it
    persist: bool = True  # kept in QSettings and in files
    tip: str = ""


def setting(
    default: Any,
    label: str,
    *,
    live: bool = False,
    persist: bool = True,
    tip: str = "",
    **limits: Any,
) -> Any:
    """A field of the ui alone: ``page: str = setting("train", "Page", choices=PAGES)``.

    ``limits``: the core's :func:`~playground.core.schema.make_option` keywords (``lo``,
    ``hi``, ``choices``, ``item``, ``min_len``, ``max_len``, ``shape``).  A setting of a core
    model is taken with :func:`from_core` instead: its limits are declared there.
    """
    spec = make_option(
        default, cls=Spec, label=label, live=live, persist=persist, tip=tip, **limits
    )
    return dataclasses.field(default=schema.frozen(default), metadata={"spec": spec})


FROM_CORE = "from_core"


def from_core(
    label: str,
    *,
    live: bool = False,
    persist: bool = True,
    tip: str = "",
    default: Any = dataclasses.MISSING,
) -> Any:
    """A field that is the core config's field of the same name (``class S(State, core=C)``).

    Its kind, limits, choices, shape role and default (unless ``default`` is given) come
    from the core's :func:`~playground.core.schema.option`; the tooltip defaults to its doc.
    """
    ui = {"label": label, "live": live, "persist": persist, "tip": tip, "default": default}
    return dataclasses.field(default=None, metadata={FROM_CORE: ui})


def _core_spec(owner: type, core: type | None, name: str, ui: dict[str, Any]) -> Any:
    """The resolved field of a :func:`from_core` declaration ``name`` of ``owner``."""
    found = schema.options(core) if core is not None else {}
    if name not in found:
        raise TypeError(f"{owner.__name__}.{name}: {core!r} declares no option {name!r}")
    opt = found[name]
    spec = Spec(
        **{f.name: getattr(opt, f.name) for f in dataclasses.fields(Option)},
        label=ui["label"], live=ui["live"], persist=ui["persist"], tip=ui["tip"] or opt.doc,
    )  # fmt: skip
    value = schema.default(core, name) if ui["default"] is dataclasses.MISSING else ui["default"]
    return dataclasses.field(default=value, metadata={"spec": spec})


class State:
    """Base of every tab's state dataclass (decorate the subclass with ``@dataclass``).

    ``state.lr = 0.1`` validates, stores and tells the listeners; ``state.update(...)``
    sets several fields and tells the listeners once each, after all are set.
    """

    core: ClassVar[type | None] = None  # the core config whose fields ``from_core`` takes

    def __init_subclass__(cls, core: type | None = None, **kwargs: Any) -> None:
        """``class XState(State, core=XConfig)``: resolve its ``from_core`` fields."""
        super().__init_subclass__(**kwargs)
        if core is not None:
            cls.core = core
        for name, value in list(vars(cls).items()):
            if isinstance(value, dataclasses.Field) and FROM_CORE in value.metadata:
                setattr(cls, name, _core_spec(cls, cls.core, name, value.metadata[FROM_CORE]))

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

    @classmethod
    def core_fields(cls) -> tuple[str, ...]:
        """The fields that are the core config's (declared there, taken with ``from_core``)."""
        if cls.core is None:
            return ()
        return tuple(k for k in schema.options(cls.core) if k in cls.specs())

    def core_values(self) -> dict[str, Any]:
        """The core config's fields as keyword arguments: ``XConfig(**state.core_values())``."""
        return {k: getattr(self, k) for k in self.core_fields()}

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
