"""Pinned runs: the book (plain Python) and the panel (table + overlays on the plots)."""

from __future__ import annotations

import csv

import pytest
from PySide6.QtCore import Qt

from playground.ui.runs import MAX_PINNED, PinnedRun, RunBook, differing
from playground.ui.widgets.curves import CurvePlot
from playground.ui.widgets.runs_table import RunsPanel


def run(lr: float, loss: float, name: str = "") -> PinnedRun:
    return PinnedRun(
        name,
        {"lr": lr, "optimizer": "sgd", "hidden": [4, 2]},
        {"loss/train": ([1, 2, 3], [1.0, 0.8, loss]), "loss/test": ([3], [loss + 0.1])},
        {"loss": loss, "test_acc": 0.9},
        wall_s=2.5,
    )


def test_book_round_trip_limit_and_csv(tmp_path):
    book = RunBook(limit=3)
    for i in range(5):
        book.pin(run(0.1 * (i + 1), 0.5))
    assert [r.name for r in book.runs] == ["run 3", "run 4", "run 5"]
    assert len({r.color for r in book.runs}) == 3
    again = RunBook()
    again.load_list(book.to_list())
    assert [r.to_dict() for r in again.runs] == book.to_list()
    now = {"lr": 0.1, "optimizer": "adam", "hidden": [4, 2]}
    assert differing(book.runs[0].settings, now) == ["lr", "optimizer"]
    book.export_csv(tmp_path / "runs.csv")
    rows = list(csv.DictReader((tmp_path / "runs.csv").read_text().splitlines()))
    assert [r["name"] for r in rows] == ["run 3", "run 4", "run 5"]
    assert rows[0]["lr"] == "0.3" and rows[0]["hidden"] == "4 2" and rows[0]["test_acc"] == "0.9"
    with pytest.raises(ValueError, match="pinned run 1: curve loss/train"):
        again.load_list([{"name": "x", "settings": {}, "curves": {"loss/train": [[1, 2], [1]]}}])
    with pytest.raises(ValueError, match="pinned run 1"):
        again.load_list([{"settings": {}}])
    assert MAX_PINNED >= 8


def test_panel_pins_overlays_highlights_and_restores(qtbot):
    loss = CurvePlot(stepped=True)
    qtbot.addWidget(loss)
    panel = RunsPanel({"loss": loss}, [("loss", "loss", "{:.3f}"), ("test_acc", "acc", "{:.1%}")])
    qtbot.addWidget(panel)
    panel.set_current({"lr": 0.1, "optimizer": "sgd", "hidden": [4, 2]})
    panel.pin(run(0.1, 0.4))
    panel.pin(run(0.5, 0.3))
    table = panel.table
    assert table.objectName() == "runsTable" and table.rowCount() == 2
    assert len(loss.overlay_keys()) == 4  # train and test of each run
    assert table.item(0, 2).text() == "same settings"
    assert table.item(1, 2).text() == "lr 0.5"  # the difference, highlighted
    assert (
        table.item(1, 2).background().color().name() != table.item(0, 2).background().color().name()
    )
    assert table.item(1, 3).text() == "0.300" and table.item(1, 4).text() == "90.0%"
    table.item(0, 0).setCheckState(Qt.Unchecked)  # hide run 1's curves
    assert not panel.book.runs[0].visible
    assert [loss.overlay_visible(k) for k in loss.overlay_keys()] == [False, False, True, True]
    table.item(1, 1).setText("fast")  # rename by editing the cell
    assert panel.book.runs[1].name == "fast"
    restored = []
    panel.restore_requested.connect(restored.append)
    table.selectRow(1)
    panel.restore_button.click()
    assert restored == [panel.book.runs[1].settings]
    panel.remove(0)
    assert table.rowCount() == 1 and len(loss.overlay_keys()) == 2
    items = panel.book.to_list()
    other = RunsPanel({"loss": loss}, [])
    qtbot.addWidget(other)
    other.load(items)
    assert other.table.rowCount() == 1 and other.book.runs[0].name == "fast"


def test_a_comparison_runs_each_variant_and_pins_it(qtbot):
    """Comparison drives a tab through state, session and pin_run only."""
    from dataclasses import dataclass

    from PySide6.QtWidgets import QWidget

    from playground.core.training import Snapshot
    from playground.ui.compare import Comparison
    from playground.ui.session import Session
    from playground.ui.state import State, setting

    @dataclass
    class S(State):
        rate: float = setting(1.0, "Rate", lo=0.0, hi=10.0)
        steps: int = setting(30, "Steps", lo=1, hi=1000)

    class FakeTab(QWidget):
        def __init__(self):
            super().__init__()
            self.state = S()
            self.pinned = []
            self.session = Session(self, self.job)

        def job(self, fresh):
            rate, steps = self.state.rate, self.state.steps

            def gen():
                for i in range(1, steps + 1):
                    yield Snapshot(i, steps, {"loss": rate / i})

            return gen()

        def pin_run(self, name):
            self.pinned.append((name, self.state.rate))

    tab = FakeTab()
    qtbot.addWidget(tab)
    tab.state.rate = 7.0
    comp = Comparison(tab, [("slow", {"rate": 0.5}), ("fast", {"rate": 2.0})])
    with qtbot.waitSignal(comp.done, timeout=10_000) as done:
        comp.start()
    assert done.args == [True]
    assert tab.pinned == [("slow", 0.5), ("fast", 2.0)]
    assert tab.state.rate == 7.0  # the user's settings come back
    endless = Comparison(tab, [("a", {"steps": 1000}), ("b", {"steps": 1000})], until=5)
    with qtbot.waitSignal(endless.done, timeout=10_000):
        endless.start()
    assert [n for n, _ in tab.pinned[2:]] == ["a", "b"]
