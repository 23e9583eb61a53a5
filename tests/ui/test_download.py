"""DatasetFetcher: ready without a dialog, a real download with one, failures, cancel."""

from __future__ import annotations

import functools
import http.server
import threading

import pytest
from PySide6.QtWidgets import QWidget

from playground.core import data
from playground.ui.widgets.download import DatasetFetcher, fetch_dataset


class _SlowHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files in small, slow pieces so that a download can be watched and cancelled."""

    delay = 0.0

    def log_message(self, *args):
        pass

    def copyfile(self, source, outputfile):
        import time

        try:
            while chunk := source.read(16384):
                outputfile.write(chunk)
                time.sleep(self.delay)
        except ConnectionError:  # the client cancelled: expected, and not worth a traceback
            self.close_connection = True


@pytest.fixture
def serve(monkeypatch, tmp_path, data_dir):
    servers = []

    def start(delay=0.0):
        handler = functools.partial(
            type("H", (_SlowHandler,), {"delay": delay}), directory=str(data_dir)
        )
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        servers.append(httpd)
        monkeypatch.setenv("PLAYGROUND_DATA_URL", f"http://127.0.0.1:{httpd.server_address[1]}")

    monkeypatch.setenv("PLAYGROUND_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PLAYGROUND_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(data, "REPO_DATA", tmp_path / "no-repo-data")
    monkeypatch.setattr(data, "_verified", None)
    yield start
    for httpd in servers:
        httpd.shutdown()
        httpd.server_close()


def test_ready_quickly_without_dialog_when_present(qtbot):
    parent = QWidget()
    qtbot.addWidget(parent)
    fetcher = DatasetFetcher("names", parent)
    with qtbot.waitSignal(fetcher.ready, timeout=10_000) as blocker:
        fetcher.start()
    assert blocker.args == ["names"]
    assert fetcher.dialog is None
    assert fetcher.files["names.txt"].name == "names.txt"


def test_download_shows_progress_dialog(qtbot, serve, tmp_path):
    serve(delay=0.02)
    parent = QWidget()
    qtbot.addWidget(parent)
    got = []
    fetcher = fetch_dataset("names", parent, got.append, lambda n, m: got.append(m))
    fetcher.progress.connect(lambda d, t: fetcher.dialog is not None and got.append("dialog"))
    qtbot.waitUntil(lambda: "names" in got, timeout=20_000)
    assert "dialog" in got  # a download happened, so a dialog was shown
    assert fetcher.dialog is None  # and closed again
    assert fetcher.files["names.txt"] == tmp_path / "cache" / "names.txt"


def test_failure_message(qtbot, serve, monkeypatch):
    serve()
    monkeypatch.setenv("PLAYGROUND_DATA_URL", "http://127.0.0.1:9/nothing-listens-here")
    parent = QWidget()
    qtbot.addWidget(parent)
    fetcher = DatasetFetcher("names", parent)
    with qtbot.waitSignal(fetcher.failed, timeout=20_000) as blocker:
        fetcher.start()
    name, message = blocker.args
    assert name == "names" and "names.txt" in message and "no connection" in message


def test_cancel_from_dialog(qtbot, serve, tmp_path):
    serve(delay=0.05)
    parent = QWidget()
    qtbot.addWidget(parent)
    fetcher = DatasetFetcher("names", parent)
    fetcher.start()
    qtbot.waitUntil(lambda: fetcher.dialog is not None, timeout=10_000)
    assert not fetcher.dialog.isModal()
    from PySide6.QtWidgets import QPushButton

    button = fetcher.dialog.findChild(QPushButton)
    assert button.text() == "Cancel"
    with qtbot.waitSignal(fetcher.failed, timeout=20_000) as blocker:
        button.click()
    assert "cancelled" in blocker.args[1]
    assert not (tmp_path / "cache" / "names.txt").exists()
