"""Fixtures shared by the core tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from playground.core.micrograd import Value


def build_lecture_graph() -> tuple[Value, dict[str, Value]]:
    """The micrograd lecture's ``L = (a*b + c) * f``: the root and its leaves by name."""
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c, f = Value(10.0, label="c"), Value(-2.0, label="f")
    e = a * b
    d = e + c
    L = d * f
    return L, {"a": a, "b": b, "c": c, "f": f}


@pytest.fixture
def lecture_graph() -> Callable[[], tuple[Value, dict[str, Value]]]:
    """Builds a fresh lecture graph per call (see :func:`build_lecture_graph`)."""
    return build_lecture_graph
