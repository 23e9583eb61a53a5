"""UI tests: collect garbage on the GUI thread only, as the app does."""

from __future__ import annotations

import gc

import pytest

from playground.ui.worker import collect_garbage_on_gui_thread


@pytest.fixture(autouse=True)
def _collect_garbage_on_gui_thread(qapp):
    collect_garbage_on_gui_thread()
    yield
    gc.collect()  # here, on the GUI thread, not in the next test's job thread
