"""Test set-up: offscreen Qt, isolated settings, the shared datasets."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Keep the user's real settings and caches out of the tests.
_tmp = Path(tempfile.mkdtemp(prefix="playground-tests-"))
os.environ["XDG_CONFIG_HOME"] = str(_tmp / "config")
os.environ["XDG_CACHE_HOME"] = str(_tmp / "cache")
_shared = Path(__file__).resolve().parents[1].parent / "shared" / "data"
if "PLAYGROUND_DATA_DIR" not in os.environ and _shared.is_dir():
    os.environ["PLAYGROUND_DATA_DIR"] = str(_shared)

import pytest  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def data_dir() -> Path:
    """The folder with the real datasets; tests that need it skip... never: CI has it."""
    d = os.environ.get("PLAYGROUND_DATA_DIR")
    assert d and Path(d).is_dir(), "set PLAYGROUND_DATA_DIR to ../shared/data"
    return Path(d)
