"""Shared output of the benchmark scripts: one JSON line, an aligned table, a results file.

    from benchmarks.common import report
    report("boundary", [{"measure": "epochs/s", "value": 812.0, "target": ">= 0.9"}, ...])

prints ``{"benchmark": "boundary", "rows": [...]}`` on one line, then the rows as a table,
and writes the same JSON to ``benchmarks/results/<name>.json`` (git-ignored).
"""

from __future__ import annotations

import json
import math
import platform
import re
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def ensure_datasets(*names: str) -> None:
    """The datasets a benchmark reads (all by default): found where the app looks
    ($PLAYGROUND_DATA_DIR, the user cache), else downloaded once, verified."""
    from playground.core import data

    for name in names or tuple(data.REGISTRY):
        if data.missing(name):
            print(f"downloading the {name} dataset into {data.cache_dir()} ...", flush=True)
            data.locate(name, download=True)


def row(
    measure: str, value: Any, unit: str = "", target: str = "", ok: Any = None, notes: str = ""
) -> dict[str, Any]:
    """One table row; ``ok`` (True/False) only where there is a target."""
    ok = None if ok is None else bool(ok)
    return {
        "measure": measure,
        "value": value,
        "unit": unit,
        "target": target,
        "ok": ok,
        "notes": notes,
    }


def _rows(rows: Sequence[Any]) -> list[dict[str, Any]]:
    """Rows as dicts; tuples/lists become {"measure", "value", "target", ...} columns."""
    out = []
    for row in rows:
        if isinstance(row, dict):
            out.append(dict(row))
        else:
            keys = ["measure", "value", "target"] + [f"col{i}" for i in range(3, len(row))]
            out.append(dict(zip(keys, row, strict=False)))
    return out


def _cell(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if value == 0 or 1e-3 <= abs(value) < 1e6:
            return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"
        return f"{value:.3e}"
    return str(value)


def table(rows: Sequence[Any]) -> str:
    """An aligned plain-text table of ``rows`` (dicts; the union of their keys are columns)."""
    rows = _rows(rows)
    columns: list[str] = []
    for row in rows:
        columns += [k for k in row if k not in columns]
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    numeric = [
        [isinstance(row.get(c), int | float) and not isinstance(row.get(c), bool) for c in columns]
        for row in rows
    ]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]

    def line(values: Sequence[str], right: Sequence[bool]) -> str:
        parts = [
            v.rjust(w) if r else v.ljust(w) for v, w, r in zip(values, widths, right, strict=True)
        ]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * w for w in widths)
    header = line(columns, [False] * len(columns))
    return "\n".join([header, rule] + [line(c, r) for c, r in zip(cells, numeric, strict=True)])


def report(name: str, rows: Sequence[Any], **extra: Any) -> dict[str, Any]:
    """Print ``rows`` as one JSON line and a table, and save them to results/<name>.json.

    ``extra`` (JSON-able) goes into the JSON next to the rows, e.g. settings used.
    Returns the JSON document.
    """
    doc = {
        "benchmark": name,
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": f"{platform.system()} {platform.machine()}, python {platform.python_version()}",
        **extra,
        "rows": _rows(rows),
    }
    text = json.dumps(doc, default=str)
    print(text)
    print()
    print(name)
    print(table(rows))
    RESULTS.mkdir(parents=True, exist_ok=True)
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_") or "benchmark"
    (RESULTS / f"{slug}.json").write_text(json.dumps(doc, indent=2, default=str) + "\n")
    return doc
