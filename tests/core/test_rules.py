"""Import contracts (DESIGN rule 1 and the tab layer's layering).

- playground.core never imports Qt, pyqtgraph or the ui;
- shared widgets never import a tab; a tab never imports another tab;
- a tab's state module (and ui/state.py) import no QtWidgets nor pyqtgraph: a state can be
  built, validated and saved without a window.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "playground"
CORE = ROOT / "core"
TABS = ROOT / "ui" / "tabs"
WIDGETS = ROOT / "ui" / "widgets"
FORBIDDEN = ("PySide6", "PyQt5", "PyQt6", "pyqtgraph", "superqt", "playground.ui")


def imports(path: Path) -> list[str]:
    """Every module ``path`` imports (absolute names; relative ones resolved)."""
    package = ".".join(path.relative_to(ROOT.parent).with_suffix("").parts[:-1])
    if path.name == "__init__.py":
        package = ".".join(path.relative_to(ROOT.parent).parts[:-1])
    names = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            names.append(base)
            names += [f"{base}.{a.name}" for a in node.names]
    return names


def tab_of(path: Path) -> str:
    """The tab a file belongs to ("boundary" for tabs/boundary/panels.py or tabs/boundary.py)."""
    rel = path.relative_to(TABS)
    return rel.parts[0].removesuffix(".py")


def test_core_sources_do_not_import_qt():
    offenders = [
        f"{p.name}: {n}" for p in CORE.rglob("*.py") for n in imports(p) if n.startswith(FORBIDDEN)
    ]
    assert offenders == []


def test_importing_every_core_module_loads_no_qt():
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in sorted(core_modules()))
        + "bad = [m for m in sys.modules\n"
        + "       if m.startswith(('PySide6', 'pyqtgraph', 'playground.ui'))]\n"
        + "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_widgets_never_import_tabs():
    offenders = [
        f"{p.name}: {n}"
        for p in WIDGETS.rglob("*.py")
        for n in imports(p)
        if n.startswith("playground.ui.tabs")
    ]
    assert offenders == []


def test_a_tab_never_imports_another_tab():
    offenders = []
    for p in TABS.rglob("*.py"):
        if p.parent == TABS and p.stem in ("__init__", "base"):
            continue
        mine = tab_of(p)
        for n in imports(p):
            parts = n.split(".")
            if n.startswith("playground.ui.tabs.") and parts[3] not in (mine, "base"):
                offenders.append(f"{p.relative_to(TABS)}: {n}")
    assert offenders == []


def test_state_modules_import_no_widgets():
    states = [ROOT / "ui" / "state.py", *TABS.glob("*/state.py")]
    offenders = [
        f"{p.relative_to(ROOT)}: {n}"
        for p in states
        for n in imports(p)
        if n.startswith(("PySide6.QtWidgets", "pyqtgraph", "playground.ui.widgets"))
    ]
    assert offenders == []
    code = "import sys, playground.ui.state\nassert 'PySide6' not in sys.modules\n"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_no_function_in_the_ui_is_over_80_lines():
    """Small, readable code: a function in playground/ui fits on a screen."""
    long = [
        f"{p.relative_to(ROOT)}:{n.lineno} {n.name} ({n.end_lineno - n.lineno + 1} lines)"
        for p in (ROOT / "ui").rglob("*.py")
        for n in ast.walk(ast.parse(p.read_text()))
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
        and n.end_lineno - n.lineno + 1 > 80
    ]
    assert long == []


def test_nothing_names_a_folder_outside_the_repository():
    """The README's commands work on any fresh machine: no code, test or benchmark reads the
    datasets from this workplace's folders (they come from PLAYGROUND_DATA_DIR or the cache)."""
    repo = ROOT.parent
    files = [*repo.glob("playground/**/*.py"), *repo.glob("tests/**/*.py")]
    files += [*repo.glob("benchmarks/*.py"), *repo.glob("scripts/*.py")]
    outside = ("shared/data", 'shared" / "data', "/work/", "parents[3]")
    offenders = [
        f"{p.relative_to(repo)}: {word}"
        for p in files
        if p.name != "test_rules.py"
        for word in outside
        if word in p.read_text()
    ]
    assert offenders == []


# ---------------------------------------------------------------- the core reads like the lectures
CORE_MODULE_LINES = 550  # "no core module over about 500 lines" (issue 19)


def core_modules() -> dict[str, Path]:
    """Every module of playground.core by dotted name (packages by their __init__)."""
    out = {}
    for p in CORE.rglob("*.py"):
        parts = p.relative_to(ROOT.parent).with_suffix("").parts
        out[".".join(parts[:-1] if p.name == "__init__.py" else parts)] = p
    return out


def core_edges(modules: dict[str, Path]) -> dict[str, set[str]]:
    """Who imports whom inside the core (``from pkg import mod`` counts as importing mod)."""
    edges = {}
    for name, path in modules.items():
        found = set(imports(path))
        # "from playground.core import charmlp" lists both the package and the module:
        # keep the package only when nothing more precise from it was imported
        edges[name] = {
            n
            for n in found
            if n in modules and n != name and not any(m.startswith(n + ".") for m in found)
        }
    return edges


def test_the_core_has_no_import_circle():
    edges = core_edges(core_modules())
    circles = []

    def visit(node: str, path: list[str]) -> None:
        for nxt in sorted(edges[node]):
            if nxt in path:
                circles.append(" -> ".join(path[path.index(nxt) :] + [nxt]))
            elif len(path) < len(edges):
                visit(nxt, path + [nxt])

    for start in sorted(edges):
        visit(start, [start])
    assert circles == []


def test_no_core_module_is_over_about_500_lines():
    long = {
        name: n
        for name, p in core_modules().items()
        if (n := len(p.read_text().splitlines())) > CORE_MODULE_LINES
    }
    assert long == {}


def test_every_core_module_says_what_it_is_and_follows():
    missing = [
        name
        for name, p in core_modules().items()
        if name != "playground.core"
        and len((ast.get_docstring(ast.parse(p.read_text())) or "").splitlines()) < 2
    ]
    assert missing == []


def test_the_core_uses_no_private_torch_api():
    offenders = [
        f"{name}: {n}"
        for name, p in core_modules().items()
        for n in imports(p)
        + [
            ast.unparse(node)
            for node in ast.walk(ast.parse(p.read_text()))
            if isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "torch"
            and node.attr.startswith("_")
        ]
        if n.startswith("torch._")
    ]
    assert offenders == []
