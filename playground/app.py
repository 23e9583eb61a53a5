"""Command line: ``playground [--tab NAME] [--device NAME] [--screenshot PATH]``."""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time

TABS = ["boundary", "bigram", "charmlp", "digits"]


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
    if args.screenshot and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # no screen: draw offscreen
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Neural Playground")
    app.setOrganizationName("NeuralPlayground")

    from playground.ui.main_window import MainWindow

    window = MainWindow(tab=args.tab, device=args.device)
    window.show()
    if args.screenshot:
        return _exit_cleanly(_screenshot(app, window, args.screenshot, args.timeout))
    return _exit_cleanly(app.exec())


def _exit_cleanly(code: int, timeout: float = 5.0) -> int:
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
