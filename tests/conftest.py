"""Test set-up: offscreen Qt, isolated settings, and the real datasets located once.

The datasets come from where the app itself looks (``$PLAYGROUND_DATA_DIR`` if set, the
repository's ``data/``, then the user cache). What is missing is downloaded once into the
user cache before any test runs, verified against its SHA-256, and reused by later runs;
offline, the run stops at once with one message saying what is missing and how to provide
it, instead of tests failing one by one. Settings are isolated per run; the dataset cache
is not (the user's own cache: ~50 MB are not fetched again at every run).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Keep the user's real settings out of the tests (QSettings follows XDG_CONFIG_HOME).
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="playground-tests-config-")

import pytest  # noqa: E402

from playground.core import data  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


def pytest_collection_finish(session: pytest.Session) -> None:
    """Locate every registered dataset before the first test (downloading what is missing)."""
    if session.config.option.collectonly or not session.items:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    problem = locate_all(reporter.write_line if reporter else print)
    if problem:
        pytest.exit(problem, returncode=pytest.ExitCode.USAGE_ERROR)


def locate_all(say) -> str:
    """Find (or download once) every dataset; "" when all are there, else what to do."""
    missing = [name for name in data.REGISTRY if data.missing(name)]
    failed: dict[str, str] = {}
    for name in missing:
        if failed:  # one failed download is enough to know: no need to wait on each
            failed[name] = "not tried"
            continue
        ds = data.REGISTRY[name]
        say(
            f"Downloading the {name} dataset ({sum(ds.sizes.values()) / 1e6:.1f} MB) once, "
            f"into {data.cache_dir()} ..."
        )
        try:
            data.locate(name, download=True)
        except data.DataMissing as exc:
            failed[name] = str(exc)
    if not failed:
        return ""
    where = "\n".join(f"  {d}" for d in data.search_dirs())
    first = next(iter(failed.values())).split(". ")[0]  # the reason; the rest is below
    return (
        f"The tests need the datasets {', '.join(failed)}, and they are not on this machine.\n"
        f"Looked in:\n{where}\n"
        f"Downloading failed: {first}.\n"
        "To provide them: connect to the internet (they are downloaded once into the user "
        "cache, ~50 MB), or set PLAYGROUND_DATA_DIR to a folder that holds them laid out as "
        "names.txt, mnist/*.gz, fashion-mnist/*.gz, tinyshakespeare/input.txt, or set "
        "PLAYGROUND_DATA_URL to a mirror with that layout."
    )


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder laid out like the data folder (names.txt, mnist/..., ...), holding links to
    the verified files wherever they were found: what a mirror or PLAYGROUND_DATA_DIR holds.
    Session-wide, so it is made before any test hides the real data."""
    root = tmp_path_factory.mktemp("datasets")
    for name in data.REGISTRY:
        for rel, path in data.locate(name).items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).symlink_to(path.resolve())
    return root


_exit_status = {"code": 0}


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    _exit_status["code"] = int(exitstatus)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """End as the app does (``app.exit_cleanly``): threads a test left behind (a tab's
    evaluation finishing in torch) get a few seconds; one still inside torch when the
    interpreter tears down would abort the process and turn a green run red."""
    from playground.app import exit_cleanly

    exit_cleanly(_exit_status["code"], timeout=10.0)
