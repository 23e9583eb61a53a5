"""State field <-> widget, both ways (napari's control classes, in one function).

``bind(state, "lr", spin)`` makes the widget show the field and the field follow the
widget.  Widget -> state goes through a slot that validates (a rejected value puts the
widget back); state -> widget runs with the widget's signals blocked, so setting a field
never echoes back and no ``_loading`` flags are needed.  Limits, tooltip and choices come
from the field's :class:`~playground.ui.state.Spec` when the widget has none of its own.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QSignalBlocker
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDoubleSpinBox,
    QLineEdit,
    QSlider,
    QSpinBox,
    QWidget,
)

from playground.ui.state import State


class Binding(QObject):
    """One field bound to one widget; lives (and dies) with the widget."""

    def __init__(
        self,
        state: State,
        name: str,
        widget: QWidget,
        get: Callable[[], Any],
        put: Callable[[Any], None],
        signal: Any,
    ):
        super().__init__(widget)
        self.state, self.name, self.widget = state, name, widget
        self._get, self._put = get, put
        signal.connect(self._from_widget)
        self._disconnect = state.connect(self._from_state)
        widget.destroyed.connect(lambda *_: self._disconnect())
        self.show(getattr(state, name))

    def show(self, value: Any) -> None:
        """Put ``value`` on the widget without echoing it back."""
        with QSignalBlocker(self.widget):
            self._put(value)

    def _from_state(self, name: str, value: Any) -> None:
        if name == self.name:
            self.show(value)

    def _from_widget(self, *_: Any) -> None:
        with contextlib.suppress(ValueError):
            setattr(self.state, self.name, self._get())
        self.show(getattr(self.state, self.name))  # rejected or clamped: show what holds


def bind(state: State, name: str, widget: QWidget, scale: float = 1.0) -> Binding:
    """Bind ``state.<name>`` to ``widget`` (spin boxes, combo boxes, check boxes, sliders,
    line edits).  ``scale``: a slider shows ``value * scale`` (noise 0.1 -> slider 10).

    A combo box's items carry the values as item data (text is taken when they have
    none); an editable combo box reads its text as the field's kind.
    """
    spec = type(state).spec(name)
    if spec.tip and not widget.toolTip():
        widget.setToolTip(spec.tip)
    if isinstance(widget, (QSpinBox, QDoubleSpinBox)):
        if spec.lo is not None and spec.hi is not None:
            widget.setRange(spec.lo, spec.hi)
        return Binding(state, name, widget, widget.value, widget.setValue, widget.valueChanged)
    if isinstance(widget, QSlider):
        return _bind_slider(state, name, widget, scale)
    if isinstance(widget, QComboBox):
        if widget.count() == 0 and spec.choices is not None:
            for c in spec.choices:
                widget.addItem(str(c), c)
        if widget.isEditable():
            return _bind_editable_combo(state, name, widget)

        def get_item() -> Any:
            data = widget.currentData()
            return widget.currentText() if data is None else data

        def put_item(value: Any) -> None:
            i = widget.findData(value)
            if i < 0:
                i = widget.findText(str(value))
            if i >= 0:
                widget.setCurrentIndex(i)

        return Binding(state, name, widget, get_item, put_item, widget.currentIndexChanged)
    if isinstance(widget, QAbstractButton):
        widget.setCheckable(True)
        return Binding(state, name, widget, widget.isChecked, widget.setChecked, widget.toggled)
    if isinstance(widget, QLineEdit):
        return Binding(
            state,
            name,
            widget,
            widget.text,
            lambda v: widget.setText(str(v)),
            widget.editingFinished,
        )
    raise TypeError(f"cannot bind {type(widget).__name__} to {name!r}")


def _bind_slider(state: State, name: str, widget: QSlider, scale: float) -> Binding:
    """A slider shows ``value * scale`` as an integer."""
    spec = type(state).spec(name)
    if spec.lo is not None and spec.hi is not None:
        widget.setRange(round(spec.lo * scale), round(spec.hi * scale))

    def get() -> Any:
        v = widget.value() / scale
        return round(v) if spec.kind is int else v

    def put(v: Any) -> None:
        widget.setValue(round(v * scale))

    return Binding(state, name, widget, get, put, widget.valueChanged)


def format_number(v: float) -> str:
    """A number as a person writes it: 0.03, 1e-05, 3."""
    if isinstance(v, float) and math.isfinite(v) and v.is_integer() and abs(v) < 1e6:
        return str(int(v))
    return f"{v:g}"


def _bind_editable_combo(state: State, name: str, widget: QComboBox) -> Binding:
    """An editable combo box (a list of usual values, any value typed): its text."""
    kind = type(state).spec(name).kind

    def get() -> Any:
        text = widget.currentText().strip()
        return float(text) if kind is float else text

    def get_checked() -> Any:
        try:
            return get()
        except ValueError:
            raise ValueError(f"{name}: not a number") from None

    def put(value: Any) -> None:
        text = format_number(value) if kind is float else str(value)
        i = widget.findText(text)
        if i >= 0:
            widget.setCurrentIndex(i)
        widget.setEditText(text)

    binding = Binding(state, name, widget, get_checked, put, widget.activated)
    line = widget.lineEdit()
    if line is not None:
        line.editingFinished.connect(binding._from_widget)
    return binding
