"""The Backprop ninja table's tooltips: each row's hand-written gradient, as the code's text.

makemore part 4 writes every gradient by hand (``playground/core/ninja.py``); the tab shows,
for each row of the ``cmp`` table, the lines that computed it, read from that module's
source with ``ast``, so the text is the code that runs.  Plain Python; it imports the core
(and torch) only when called, in a worker thread.
"""

from __future__ import annotations

import ast
import functools
import inspect
import textwrap


@functools.cache
def formulas() -> dict[str, str]:
    """name -> the hand-written lines that compute its gradient, as text (for a tooltip).

    Read from the source of :func:`playground.core.ninja.backprop_ninja` (with BatchNorm: the
    ``else`` branch, part 2's shortcut, is left out) and of the exercise 2 and 3 functions,
    under the names ``ninja.check_one_go`` gives their rows: the text is the code that runs.
    Called in a worker thread (it imports the core, hence torch).
    """

    from playground.core import ninja

    def grad_of(node: ast.AST) -> str | None:  # dlogprobs[range(n), Yb] -> "logprobs"
        while isinstance(node, ast.Subscript | ast.Attribute | ast.Call):
            node = node.func if isinstance(node, ast.Call) else node.value
        if isinstance(node, ast.Name) and node.id.startswith("d") and node.id[1:] in ninja.ORDER:
            return node.id[1:]
        return None

    def text(node: ast.stmt) -> str:  # its source lines, trailing comment included
        lines = source.splitlines()[node.lineno - 1 : node.end_lineno]
        if isinstance(node, ast.For):
            return textwrap.dedent("\n".join(lines))
        line = " ".join(line.strip() for line in lines)  # a statement ruff wrapped, on one line
        return line.replace("( ", "(").replace(" )", ")")

    def visit(statements: list[ast.stmt]) -> None:
        for s in statements:
            if isinstance(s, ast.If | ast.With):
                visit(s.body)  # the BatchNorm branch; `else` is part 2's shortcut
            elif isinstance(s, ast.For):  # dC's loop, as one piece of text
                names = {grad_of(a.target) for a in ast.walk(s) if isinstance(a, ast.AugAssign)}
                for name in names - {None}:
                    out.setdefault(name, []).append(text(s))
            elif isinstance(s, ast.Assign | ast.AugAssign):
                name = grad_of(s.targets[0] if isinstance(s, ast.Assign) else s.target)
                if name:
                    out.setdefault(name, []).append(text(s))

    out: dict[str, list[str]] = {}
    source = textwrap.dedent(inspect.getsource(ninja.backprop_ninja))
    visit(ast.parse(source).body[0].body)
    for name, fn in (
        ("logits", ninja.cross_entropy_backward),
        ("hprebn", ninja.batchnorm_backward),
    ):
        source = textwrap.dedent(inspect.getsource(fn))
        body = ast.parse(source).body[0].body[1:]  # after the docstring
        out[ninja.one_go_name(name)] = [text(s) for s in body if not isinstance(s, ast.Return)]
    return {name: "\n".join(lines) for name, lines in out.items()}
