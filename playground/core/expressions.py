"""Typed expressions for the Backprop tab: a safe parser that builds micrograd graphs.

The micrograd lecture writes its expressions as Python ("manual backpropagation example
#1": ``a = Value(2.0, label='a')`` ... ``e = a*b; e.label = 'e'`` ... ``L = d*f``).  The
Backprop tab lets a learner type the same lines, ``a = 2.0; b = -3.0; e = a*b; ...``: a
statement ``name = number`` makes a leaf labelled ``name``, ``name = expression`` labels
the node it makes, the last statement is the output.  :class:`Expression` checks the text
once with Python's own parser (``ast``) against a short whitelist (never ``eval``) and
builds a :class:`~playground.core.micrograd.Value` graph for any leaf values; what cannot
be computed raises :class:`ComputeError` in plain words.  :data:`EXAMPLES` are the
lecture's expressions (the lecture's ``L``, its neuron, ``b = a + a``, tanh written with
``exp``).
"""

from __future__ import annotations

import ast

from playground.core.backprop_steps import Built, fmt, name_of
from playground.core.micrograd import Value, build_topo


class ExpressionError(ValueError):
    """A typed expression that is not allowed or cannot be computed."""


class ComputeError(ExpressionError):
    """An allowed expression that cannot be computed for these values (a division by zero,
    an overflow, the log of a negative number), said in plain words."""


FUNCTIONS = ("tanh", "exp", "log", "relu", "sigmoid")
MAX_TEXT = 4000
MAX_NODES = 2000
_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}


class Expression:
    """A typed expression, checked once, computed for any leaf values.

    Statements separated by newlines or ``;``: ``a = 2.0`` makes a leaf, ``e = a*b`` names
    an inner node, the last statement is the output.  Only numbers, names, ``+ - * / **``
    (number exponents), unary minus and ``x.tanh()`` / ``tanh(x)`` for :data:`FUNCTIONS`
    are allowed; anything else raises :class:`ExpressionError`.  Never ``eval``.
    """

    def __init__(self, text: str):
        if len(text) > MAX_TEXT:
            raise ExpressionError(f"the expression is too long (over {MAX_TEXT} characters)")
        try:
            lines = (line.strip() for line in text.replace(";", "\n").splitlines())
            tree = ast.parse("\n".join(lines), mode="exec")
        except SyntaxError as exc:
            raise ExpressionError(
                f"not a valid expression: {exc.msg} (line {exc.lineno})"
            ) from None
        if not tree.body:
            raise ExpressionError("type an expression, e.g. (a*b + c).tanh()")
        self.text = text
        self.statements = tree.body
        self.defaults: dict[str, float] = {}  # leaves given a number in the text
        self.names: list[str] = []  # every leaf, in order of first use
        self._leaf_statements: set[int] = set()
        self._check()

    # ---- checking (once, before anything is computed)
    def _check(self) -> None:
        assigned: set[str] = set()
        for i, st in enumerate(self.statements):
            last = i == len(self.statements) - 1
            if isinstance(st, ast.Assign) and len(st.targets) == 1:
                target = st.targets[0]
                if (
                    not isinstance(target, ast.Name)
                    or target.id.startswith("_")
                    or target.id in FUNCTIONS
                ):
                    raise ExpressionError(f"line {st.lineno}: assign to a plain name, like e = a*b")
                number = _number(st.value)
                if number is not None and target.id not in assigned:
                    self.defaults[target.id] = number
                    self._leaf_statements.add(i)
                    self._leaf(target.id)
                else:
                    self._check_expr(st.value, assigned)
                assigned.add(target.id)
            elif isinstance(st, ast.Expr) and last:
                self._check_expr(st.value, assigned)
            else:
                raise ExpressionError(
                    f"line {st.lineno}: only assignments and one final expression"
                )

    def _leaf(self, name: str) -> None:
        if name not in self.names:
            self.names.append(name)

    def _check_expr(self, node: ast.AST, assigned: set[str]) -> None:
        if _number(node) is not None:
            return
        if isinstance(node, ast.Name):
            if node.id.startswith("_") or node.id in FUNCTIONS:
                raise ExpressionError(f"{node.id!r} is not allowed as a name")
            if node.id not in assigned:
                self._leaf(node.id)
        elif isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            self._check_expr(node.left, assigned)
            if isinstance(node.op, ast.Pow):
                if _number(node.right) is None:
                    raise ExpressionError("** needs a number exponent, like x**2")
            else:
                self._check_expr(node.right, assigned)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            self._check_expr(node.operand, assigned)
        elif isinstance(node, ast.Call):
            self._check_expr(_call_argument(node), assigned)
        else:
            raise ExpressionError(f"{_snippet(node)!r} is not allowed: {_ALLOWED}")

    # ---- computing
    def build(self, values: dict[str, float] | None = None) -> Built:
        """Compute the expression; ``values`` overrides leaf numbers (missing ones: 1.0)."""
        values = values or {}
        leaves = {
            n: Value(float(values.get(n, self.defaults.get(n, 1.0))), label=n) for n in self.names
        }
        env: dict[str, Value] = dict(leaves)
        root: Value | None = None
        try:
            for i, st in enumerate(self.statements):
                if i in self._leaf_statements:  # a = 2.0: the leaf itself
                    root = env[st.targets[0].id] = leaves[st.targets[0].id]
                elif isinstance(st, ast.Assign):
                    root = self._value(st.value, env)
                    if not isinstance(st.value, ast.Name):  # e = a*b names a new node
                        root.label = st.targets[0].id
                    env[st.targets[0].id] = root
                else:
                    root = self._value(st.value, env)
        except (ZeroDivisionError, OverflowError, ValueError) as exc:
            if isinstance(exc, ExpressionError):
                raise
            raise ComputeError(f"Cannot compute it: {exc}.") from None
        assert root is not None
        count = len(build_topo(root))
        if count > MAX_NODES:
            raise ExpressionError(f"the graph has {count} nodes; at most {MAX_NODES} are shown")
        return Built(root, leaves, count)

    def value_of(self, values: dict[str, float]) -> float:
        """The output's number for these leaf values (for the numerical check)."""
        return self.build(values).root.data

    def _value(self, node: ast.AST, env: dict[str, Value]) -> Value:
        number = _number(node)
        if number is not None:
            return Value(number, label=fmt(number))
        if isinstance(node, ast.Name):
            return env[node.id]
        if isinstance(node, ast.BinOp):
            left = self._value(node.left, env)
            right = None if isinstance(node.op, ast.Pow) else self._value(node.right, env)
            out = _computed(node, left, right)
        elif isinstance(node, ast.UnaryOp):
            inner = self._value(node.operand, env)
            out = -inner if isinstance(node.op, ast.USub) else inner
            if out is inner:
                return out
        else:  # a whitelisted call
            out = _computed(node, self._value(_call_argument(node), env), None)
        out.label = _short(node)
        return out


_BINARY = {ast.Add: Value.__add__, ast.Sub: Value.__sub__, ast.Mult: Value.__mul__}
_BINARY[ast.Div] = Value.__truediv__


def _computed(node: ast.AST, a: Value, b: Value | None) -> Value:
    """One operation of a typed expression (``a op b``, ``a ** k`` or ``f(a)``); what
    cannot be computed raises :class:`ComputeError` saying so plainly."""
    what = _snippet(node)
    power = isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow)
    try:
        if power:
            out = a ** _number(node.right)
        elif isinstance(node, ast.BinOp):
            out = _BINARY[type(node.op)](a, b)
        else:
            out = getattr(a, _call_name(node))()
    except ZeroDivisionError:
        if power:
            why = "raises 0 to a negative power, which divides by 0"
        elif b is not None and not b._op and b.label == fmt(b.data):
            why = "divides by 0"
        else:
            why = f"divides by {name_of(b)}, which is 0; give it another value"
        raise ComputeError(f"Division by zero: {what} {why}.") from None
    except OverflowError:
        raise ComputeError(
            f"Overflow: {what} is larger than the largest float (about 1.8e308)."
        ) from None
    except ValueError:  # log of a number <= 0
        raise ComputeError(
            f"Log of a number that is not positive: {what} is log({fmt(a.data)}); "
            "log needs a number above 0."
        ) from None
    if isinstance(out.data, complex):
        raise ComputeError(
            f"Not a real number: {what} takes a fractional power of {fmt(a.data)}, "
            "a negative number."
        )
    return out


_ALLOWED = "use numbers, names, + - * / ** and tanh exp log relu sigmoid"


def _number(node: ast.AST) -> float | None:
    """The number a node spells (``2``, ``-3.5``), or None."""
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = _number(node.operand)
        if inner is not None:
            return -inner if isinstance(node.op, ast.USub) else inner
    return None


def _call_name(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else func.id


def _call_argument(node: ast.Call) -> ast.AST:
    """``x.tanh()`` or ``tanh(x)``: the ``x``, after checking the call is whitelisted."""
    func = node.func
    if node.keywords:
        raise ExpressionError(f"{_snippet(node)!r}: no keyword arguments")
    if isinstance(func, ast.Attribute) and func.attr in FUNCTIONS and not node.args:
        return func.value
    if isinstance(func, ast.Name) and func.id in FUNCTIONS and len(node.args) == 1:
        return node.args[0]
    raise ExpressionError(f"{_snippet(node)!r} is not allowed: only {', '.join(FUNCTIONS)}")


def _snippet(node: ast.AST) -> str:
    text = ast.unparse(node)
    return text if len(text) <= 40 else text[:37] + "..."


def _short(node: ast.AST) -> str:
    """A compact label for an inner node (``x1*w1``), or "" when too long to read."""
    text = ast.unparse(node).replace(" * ", "*").replace(" / ", "/").replace(" ** ", "**")
    return text if len(text) <= 14 else ""


def parse(text: str) -> Expression:
    """Check ``text`` (see :class:`Expression`); raises :class:`ExpressionError`."""
    return Expression(text)


# ---- the built-in expressions of the Backprop tab
EXAMPLES: dict[str, str] = {
    "L = (a*b + c) * f  (lecture 1)": (
        "a = 2.0; b = -3.0; c = 10.0; f = -2.0\ne = a*b; d = e + c; L = d*f"
    ),
    "neuron: o = tanh(x1*w1 + x2*w2 + b)": (
        "x1 = 2.0; x2 = 0.0; w1 = -3.0; w2 = 1.0; b = 6.8813735870195432\n"
        "n = x1*w1 + x2*w2 + b; o = n.tanh()"
    ),
    "b = a + a  (a used twice)": "a = 3.0\nb = a + a",
    "f = (a*b) * (a+b)": "a = -2.0; b = 3.0\nd = a*b; e = a + b; f = d*e",
    "neuron with exp: tanh written out": (
        "x1 = 2.0; x2 = 0.0; w1 = -3.0; w2 = 1.0; b = 6.8813735870195432\n"
        "n = x1*w1 + x2*w2 + b; e = (2*n).exp(); o = (e - 1) / (e + 1)"
    ),
}
