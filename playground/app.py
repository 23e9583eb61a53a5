"""Command line: ``playground [--tab NAME] [--device NAME] [--screenshot PATH]``."""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time

TABS = ["boundary", "bigram", "charmlp", "digits", "backprop"]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="playground",
        description="Neural Playground: learn neural networks by watching them work.",
    )
    p.add_argument("--tab", choices=TABS, help="tab to open (default: the last one used)")
    p.add_argument(
        "--device",
        default=None,
        choices=["auto", "cpu", "cuda", "mps"],
        help="compute device for training (default: the last one used, else auto)",
    )
    p.add_argument(
        "--screenshot",
        metavar="PATH",
        help="show the window, wait until the tab has drawn, save a PNG and exit",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=60.0,
        help="with --screenshot: the longest wait for the tab to be ready (s)",
    )
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Start the app; returns the process exit code."""
    args = parse_args(argv)
    if args.screenshot and not _has_screen():
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # no screen: draw offscreen
    problem = _screen_problem()
    if problem:
        print(f"playground: {problem}", file=sys.stderr)
        return 2
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Neural Playground")
    app.setOrganizationName("NeuralPlayground")

    from playground.ui.main_window import MainWindow

    window = MainWindow(tab=args.tab, device=args.device, persist=not args.screenshot)
    window.show()
    if args.screenshot:
        return exit_cleanly(_screenshot(app, window, args.screenshot, args.timeout))
    return exit_cleanly(app.exec())


def _has_screen() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _screen_problem() -> str:
    """Why Qt would abort on start (with a message most people can't act on), or "".

    Linux only: no desktop session at all, or Qt's X11 plugin without libxcb-cursor.
    """
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return ""
    if not _has_screen():
        return (
            "no display found (neither DISPLAY nor WAYLAND_DISPLAY is set). Start it from a "
            "desktop session; on a machine without a screen, `playground --screenshot out.png` "
            "draws the window offscreen, or set QT_QPA_PLATFORM=offscreen."
        )
    display = os.environ.get("DISPLAY", "")
    if not os.environ.get("WAYLAND_DISPLAY") and display.startswith(":"):
        number = display[1:].split(".")[0]
        if number.isdigit() and not os.path.exists(f"/tmp/.X11-unix/X{number}"):
            return f"cannot reach the X display {display} (no X server is running there)."
    if not os.environ.get("WAYLAND_DISPLAY"):
        missing = _missing_x11_libraries()
        if missing:
            return (
                f"Qt's X11 plugin cannot load: {', '.join(missing)} missing. Install Qt's X11 "
                "libraries (Debian/Ubuntu: sudo apt install libxcb-cursor0 libxcb-icccm4 "
                "libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxkbcommon-x11-0; "
                "Fedora: sudo dnf install xcb-util-cursor xcb-util-wm xcb-util-keysyms "
                "xcb-util-image xcb-util-renderutil libxkbcommon-x11) and start again."
            )
    return ""


def _missing_x11_libraries() -> list[str]:
    """System libraries Qt's X11 plugin needs but cannot find (Qt itself aborts with a
    hint that names only libxcb-cursor, whatever is missing)."""
    import ctypes
    import ctypes.util
    import re

    import PySide6

    missing = []
    plugin = os.path.join(os.path.dirname(PySide6.__file__), "Qt/plugins/platforms/libqxcb.so")
    if os.path.exists(plugin):
        try:
            ctypes.CDLL(plugin)
        except OSError as exc:  # names the first library it could not open
            found = re.search(r"(lib[\w.+-]+\.so[\w.]*): cannot open", str(exc))
            missing.append(found.group(1) if found else str(exc))
    if ctypes.util.find_library("xcb-cursor") is None:  # Qt opens it at run time
        missing.append("libxcb-cursor.so.0")
    return missing


def exit_cleanly(code: int, timeout: float = 5.0) -> int:
    """Let background threads (data loading, a job finishing its step) end before exit.

    Jobs stop at their next step and loaders finish within seconds; a thread still
    inside torch when the interpreter shuts down would abort the process, so if one is
    still running after ``timeout`` we leave without tearing the interpreter down.
    """
    deadline = time.monotonic() + timeout
    others = [t for t in threading.enumerate() if t is not threading.main_thread()]
    for t in others:
        t.join(max(0.0, deadline - time.monotonic()))
    if any(t.is_alive() for t in others):
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code


def _screenshot(app, window, path: str, timeout: float) -> int:
    """Wait until the current tab says it is ready, then grab the window to ``path``."""
    deadline = time.monotonic() + timeout
    tab = window.current_tab()
    while time.monotonic() < deadline:
        app.processEvents()
        if tab.is_ready():
            break
        time.sleep(0.02)
    else:
        print(
            f"warning: {tab.key} tab not ready after {timeout:.0f} s; saving anyway",
            file=sys.stderr,
        )
    settle = time.monotonic() + 0.5
    while time.monotonic() < settle:  # let the last frames draw
        app.processEvents()
        time.sleep(0.02)
    ok = window.grab().save(path)
    window.close()
    app.processEvents()
    if not ok:
        print(f"could not write {path}", file=sys.stderr)
        return 1
    print(f"saved {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
