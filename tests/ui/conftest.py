"""UI tests: collect garbage on the GUI thread only, as the app does; and check that no
background thread holds a Qt object."""

from __future__ import annotations

import gc
import threading
import types

import pytest
from PySide6.QtCore import QObject

from playground.ui.collector import collect_garbage_on_gui_thread


def qt_objects_held(obj, depth: int = 5, seen: set[int] | None = None) -> list[str]:
    """The Qt objects reachable from ``obj`` through closures, bound methods, generator
    frames and containers (a few levels deep): what a thread running ``obj`` keeps alive."""
    seen = set() if seen is None else seen
    if depth < 0 or id(obj) in seen:
        return []
    seen.add(id(obj))
    if isinstance(obj, QObject):
        return [type(obj).__name__]
    if isinstance(obj, types.MethodType):
        inner = [obj.__self__, obj.__func__]
    elif isinstance(obj, types.FunctionType):
        inner = [c.cell_contents for c in obj.__closure__ or () if _filled(c)]
        inner += list(obj.__defaults__ or ())
    elif isinstance(obj, types.GeneratorType):
        frame = obj.gi_frame
        inner = list(frame.f_locals.values()) if frame is not None else []
        inner.append(obj.gi_yieldfrom)
    elif isinstance(obj, (list, tuple, set)):
        inner = list(obj)
    elif isinstance(obj, dict):
        inner = list(obj.values())
    else:
        return []
    return [name for x in inner for name in qt_objects_held(x, depth - 1, seen)]


def _filled(cell) -> bool:
    try:
        cell.cell_contents  # noqa: B018 - an empty cell raises
    except ValueError:
        return False
    return True


@pytest.fixture(autouse=True)
def _collect_garbage_on_gui_thread(qapp, monkeypatch):
    collect_garbage_on_gui_thread()
    held: dict[str, list[str]] = {}
    start = threading.Thread.start

    def checked_start(thread: threading.Thread) -> None:
        objs = qt_objects_held((getattr(thread, "_target", None), getattr(thread, "_args", ())))
        if objs:
            held[thread.name] = objs
        start(thread)

    monkeypatch.setattr(threading.Thread, "start", checked_start)
    yield
    # A thread that drops the last reference to a Qt object destroys it there: deadlock.
    assert not held, f"background threads started holding Qt objects: {held}"
    gc.collect()  # here, on the GUI thread, not in the next test's job thread
