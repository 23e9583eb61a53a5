"""Pinned runs: keep a run (its settings, curves, final numbers, time) to compare with others.

Plain Python (no Qt): a :class:`RunBook` is a bounded list of :class:`PinnedRun`; it says
which settings differ between two runs, saves to and loads from JSON-ready lists
(validated: a damaged entry raises ``ValueError`` naming it) and exports CSV (one row per
run, one column per setting and metric), atomically.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playground.core.files import atomic_write_text

MAX_PINNED = 12  # kept across launches; the oldest goes first
# colour-blind-safe, and none of them the colours of the current run's curves
PIN_COLORS = ["#CC79A7", "#009E73", "#E69F00", "#56B4E9", "#7F3C8D", "#A6761D", "#666666"]


@dataclass
class PinnedRun:
    """One kept run.  ``curves``: series name -> (xs, ys); ``image``: optional PNG bytes."""

    name: str
    settings: dict[str, Any]
    curves: dict[str, tuple[list[float], list[float]]] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)
    wall_s: float = 0.0
    color: str = PIN_COLORS[0]
    visible: bool = True
    samples: list[str] = field(default_factory=list)
    image: bytes | None = None

    def to_dict(self) -> dict[str, Any]:
        import base64

        return {
            "name": self.name,
            "settings": dict(self.settings),
            "curves": {
                k: [list(map(float, x)), list(map(float, y))] for k, (x, y) in self.curves.items()
            },
            "metrics": {k: float(v) for k, v in self.metrics.items()},
            "wall_s": float(self.wall_s),
            "color": self.color,
            "visible": bool(self.visible),
            "samples": list(self.samples),
            "image": base64.b64encode(self.image).decode() if self.image else None,
        }

    @classmethod
    def from_dict(cls, d: Any, where: str = "run") -> PinnedRun:
        """Validate and build; ``ValueError`` names ``where`` and the bad part."""
        import base64

        if not isinstance(d, dict):
            raise ValueError(f"{where}: expected a mapping")
        try:
            name = str(d["name"])
            settings = d["settings"]
            if not isinstance(settings, dict):
                raise ValueError("settings is not a mapping")
            curves = {}
            for k, (xs, ys) in (d.get("curves") or {}).items():
                xs, ys = [float(v) for v in xs], [float(v) for v in ys]
                if len(xs) != len(ys):
                    raise ValueError(f"curve {k}: {len(xs)} x values but {len(ys)} y values")
                curves[str(k)] = (xs, ys)
            metrics = {str(k): float(v) for k, v in (d.get("metrics") or {}).items()}
            wall = float(d.get("wall_s", 0.0))
            image = d.get("image")
            run = cls(
                name,
                dict(settings),
                curves,
                metrics,
                wall if math.isfinite(wall) else 0.0,
                str(d.get("color", PIN_COLORS[0])),
                bool(d.get("visible", True)),
                [str(s) for s in d.get("samples") or []],
                base64.b64decode(image) if image else None,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{where}: {exc}") from None
        return run


def differing(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    """The setting names whose values differ between ``a`` and ``b`` (in ``a``'s order)."""
    keys = list(a) + [k for k in b if k not in a]
    return [k for k in keys if a.get(k) != b.get(k)]


class RunBook:
    """The pinned runs of one tab, oldest first, at most ``limit``."""

    def __init__(self, limit: int = MAX_PINNED):
        self.limit = limit
        self.runs: list[PinnedRun] = []
        self._count = 0  # for default names: "run 1", "run 2", ...

    def __len__(self) -> int:
        return len(self.runs)

    def pin(self, run: PinnedRun) -> PinnedRun:
        """Keep ``run`` (named and coloured if it is not yet); the oldest goes past the limit."""
        self._count += 1
        if not run.name:
            run.name = f"run {self._count}"
        used = {r.color for r in self.runs}
        run.color = next((c for c in PIN_COLORS if c not in used), PIN_COLORS[self._count % 7])
        self.runs.append(run)
        del self.runs[: max(0, len(self.runs) - self.limit)]
        return run

    def remove(self, index: int) -> None:
        del self.runs[index]

    def clear(self) -> None:
        self.runs.clear()

    def to_list(self) -> list[dict[str, Any]]:
        return [r.to_dict() for r in self.runs]

    def load_list(self, items: Any) -> None:
        """Replace the runs with ``items`` (from :meth:`to_list`), all validated first."""
        if not isinstance(items, list):
            raise ValueError("pinned runs: expected a list")
        runs = [PinnedRun.from_dict(d, f"pinned run {i + 1}") for i, d in enumerate(items)]
        self.runs = runs[-self.limit :]
        self._count = max(self._count, len(self.runs))

    def to_csv(self) -> str:
        """One row per run: name, time, then every setting and every metric."""
        settings = sorted({k for r in self.runs for k in r.settings})
        metrics = sorted({k for r in self.runs for k in r.metrics})
        buf = io.StringIO(newline="")
        out = csv.writer(buf)
        out.writerow(["name", "wall_s", *settings, *metrics])
        for r in self.runs:
            out.writerow(
                [r.name, f"{r.wall_s:.3f}"]
                + [_cell(r.settings.get(k, "")) for k in settings]
                + [_cell(r.metrics.get(k, "")) for k in metrics]
            )
        return buf.getvalue()

    def export_csv(self, path: str | Path) -> None:
        atomic_write_text(path, self.to_csv())


def _cell(v: Any) -> str:
    if isinstance(v, (list, tuple)):
        return " ".join(str(x) for x in v)
    if isinstance(v, float):
        return f"{v:.6g}"
    return str(v)
