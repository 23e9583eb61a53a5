"""Typed expressions of the Backprop tab (core/expressions.py): the lecture's graphs with
their labels, anything else refused, what cannot be computed said plainly."""

from __future__ import annotations

import math

import pytest

from playground.core.expressions import EXAMPLES, ComputeError, ExpressionError, parse


def test_parser_builds_the_lecture_with_labels():
    expr = parse(EXAMPLES["L = (a*b + c) * f  (lecture 1)"])
    assert expr.names == ["a", "b", "c", "f"]
    built = expr.build()
    built.root.backward()
    assert built.root.label == "L" and built.root.data == -8.0
    assert {k: v.grad for k, v in built.leaves.items()} == {"a": 6, "b": -4, "c": -2, "f": 4}
    typed = parse("(a*b + c).tanh()").build({"a": 0.5, "b": -1.0, "c": 0.25})
    assert typed.root.data == pytest.approx(math.tanh(-0.25))
    assert parse("tanh(x) + exp(y) - log(z) / relu(w) ** 2 + sigmoid(-v)").names == list("xyzwv")
    assert parse("x").build({"x": 2.0}).root.data == 2.0  # missing values default to 1


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os')",
        "__import__('os').system('true')",
        "a.__class__",
        "a.__class__.__bases__",
        "a.tanh.__self__",
        "a.real",
        "a.data",
        "open('x')",
        "eval('1')",
        "exec('1')",
        "lambda: 1",
        "[1, 2]",
        "a if b else c",
        "a ** b",
        "a.tanh(1)",
        "tanh(x, y)",
        "import os",
        "a[0]",
        "a == b",
        "'text'",
        "f'{a}'",
        "_x + 1",
        "a = b = c",
        "def f(): pass",
        "exp = 3",
        "a += 1",
        "True + a",
        "1j * a",
        "",
        "a * (b",
        "x" + " + x" * 3000,
    ],
)
def test_parser_rejects_anything_else(text):
    with pytest.raises(ExpressionError) as caught:
        parse(text).build()
    assert not isinstance(caught.value, ComputeError)  # not allowed, not a number problem


@pytest.mark.parametrize(
    "text, values, message",
    [
        ("a = 0.0\nb = 1 / a", {}, "Division by zero: 1 / a divides by a, which is 0"),
        ("a = 1.0; b = 0.0; c = a/b", {}, "Division by zero: a / b divides by b, which is 0"),
        ("a = 2.0; a / 0", {}, "Division by zero: a / 0 divides by 0."),
        ("x = 0.0; x**-1", {}, "Division by zero: x ** (-1) raises 0 to a negative power"),
        ("log(a)", {"a": -1.0}, "Log of a number that is not positive: log(a) is log(-1)"),
        ("x = 800.0; x.exp()", {}, "Overflow: x.exp() is larger than the largest float"),
        ("x = 10.0; x**400", {}, "Overflow: x ** 400 is larger than the largest float"),
        ("x = -8.0; x**0.5", {}, "Not a real number: x ** 0.5 takes a fractional power of -8"),
    ],
)
def test_what_cannot_be_computed_is_said_plainly(text, values, message):
    with pytest.raises(ComputeError) as caught:
        parse(text).build(values)
    assert str(caught.value).startswith(message)
    assert "cannot compute it" not in str(caught.value)


def test_an_overflow_that_python_allows_is_inf_not_an_error():
    built = parse("x = 1e308; y = x*x*x").build()
    assert built.root.data == math.inf  # the tab names it (a float holds at most ~1.8e308)
