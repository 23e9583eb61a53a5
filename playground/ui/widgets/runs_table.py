"""Compare runs: a Pin button, a table of pinned runs, and their curves on the tab's plots.

The tab builds a :class:`PinnedRun` when the user presses Pin (its state's ``to_dict()``,
its curves, final numbers, time) and hands it to :meth:`RunsPanel.pin`.  The panel draws
each pinned curve on the plots it was given (dashed, in the run's colour), lists the runs
in a table (objectName ``runsTable``) whose "differs" column highlights the settings that
differ from the current run, and offers show/hide, rename (double-click the name),
remove, restore settings and CSV export.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from playground.ui.runs import PinnedRun, RunBook, differing
from playground.ui.widgets.curves import CurvePlot

HIGHLIGHT = QColor("#fff1c2")


def _short(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, (list, tuple)):
        return "[" + ",".join(str(x) for x in v) + "]"
    return str(v)


def curves_of(plots: dict[str, CurvePlot]) -> dict[str, tuple[list[float], list[float]]]:
    """Every curve of ``plots`` as {"loss/train": (xs, ys), ...}: what a PinnedRun keeps."""
    out = {}
    for plot_name, plot in plots.items():
        for series in plot.series_names():
            xs, ys = plot.data(series)
            if len(xs):
                out[f"{plot_name}/{series}"] = (xs.tolist(), ys.tolist())
    return out


class RunsPanel(QWidget):
    """Pin, the runs table, and the pinned curves on ``plots`` (name -> CurvePlot).

    A run's curve ``"loss/train"`` is drawn on ``plots["loss"]``.  ``metrics``: the final
    numbers shown as columns, (key, header, format) e.g. ("test_acc", "test acc", "{:.1%}").
    """

    pin_clicked = Signal()
    restore_requested = Signal(dict)  # the settings of a pinned run
    changed = Signal()  # a run was pinned, removed, renamed, shown or hidden
    failed = Signal(str)  # a message for the tab's message bar
    exported = Signal(str)  # the path the CSV export wrote (for the tab's Tab.saved)

    def __init__(
        self,
        plots: dict[str, CurvePlot],
        metrics: list[tuple[str, str, str]],
        labels: dict[str, str] | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.book = RunBook()
        self.plots, self.metrics, self.labels = plots, metrics, labels or {}
        self._current: dict[str, Any] = {}
        self._keys: list[list[tuple[str, str, str]]] = []  # per run: (key, plot, curve)
        self._serial = 0
        self.pin_button = QPushButton("Pin run")
        self.pin_button.setToolTip(
            "Keep this run (settings, curves, final numbers, time) to compare with the next."
        )
        self.pin_button.clicked.connect(self.pin_clicked)
        self.table = QTableWidget(0, 3 + len(metrics) + 1)
        self.table.setObjectName("runsTable")
        self.table.setHorizontalHeaderLabels(
            ["show", "run", "differs from now", *(h for _, h, _ in metrics), "time"]
        )
        rows = self.table.verticalHeader()
        rows.hide()
        rows.setDefaultSectionSize(self.fontMetrics().height() + 6)  # compact rows
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.Stretch)
        self.table.itemChanged.connect(self._item_changed)
        self.table.setToolTip("Pinned runs: tick to show a run's curves; double-click to rename.")
        self.remove_button = QPushButton("Remove")
        self.restore_button = QPushButton("Restore settings")
        self.export_button = QPushButton("Export CSV…")
        self.remove_button.setToolTip("Forget the selected run.")
        self.restore_button.setToolTip("Put the selected run's settings back in the form.")
        self.export_button.setToolTip("Every pinned run as one CSV row: settings and metrics.")
        self.remove_button.clicked.connect(lambda: self._with_row(self.remove))
        self.restore_button.clicked.connect(lambda: self._with_row(self.restore))
        self.export_button.clicked.connect(self._export_dialog)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        for b in (self.pin_button, self.remove_button, self.restore_button, self.export_button):
            row.addWidget(b)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.table, 1)
        self._update_buttons()

    # ---------------------------------------------------------------- runs
    def pin(self, run: PinnedRun) -> PinnedRun:
        """Keep ``run``: a row in the table and its curves on the plots."""
        if len(self.book.runs) >= self.book.limit:  # the oldest goes
            self._forget(0)
        self.book.pin(run)
        self._keys.append(self._draw(run))
        self._refresh()
        self.changed.emit()
        return run

    def load(self, items: list[dict[str, Any]]) -> None:
        """Replace every pinned run (validated first; ValueError names a bad entry)."""
        book = RunBook(self.book.limit)
        book.load_list(items)
        for keys in self._keys:
            self._remove_overlays(keys)
        self.book, self._keys = book, [self._draw(r) for r in book.runs]
        self._refresh()

    def remove(self, index: int) -> None:
        self._forget(index)
        self.book.remove(index)
        self._refresh()
        self.changed.emit()

    def restore(self, index: int) -> None:
        self.restore_requested.emit(dict(self.book.runs[index].settings))

    def rename(self, index: int, name: str) -> None:
        run = self.book.runs[index]
        run.name = name.strip() or run.name
        self._redraw(index)
        self._refresh()
        self.changed.emit()

    def set_visible(self, index: int, visible: bool) -> None:
        self.book.runs[index].visible = visible
        self._redraw(index)
        self._refresh()
        self.changed.emit()

    def set_current(self, settings: dict[str, Any]) -> None:
        """The current run's settings: the table highlights what differs from them."""
        self._current = dict(settings)
        self._refresh()

    def export_csv_to(self, path: str) -> None:
        """Write the table as CSV (atomic); OSError on failure; :attr:`exported` after."""
        self.book.export_csv(path)
        self.exported.emit(str(path))

    # ---------------------------------------------------------------- drawing
    def _draw(self, run: PinnedRun) -> list[tuple[str, str, str]]:
        self._serial += 1
        keys = []
        for curve in run.curves:
            plot_name = curve.partition("/")[0]
            if plot_name in self.plots:
                keys.append((f"pin{self._serial}/{curve}", plot_name, curve))
        self._show(run, keys)
        return keys

    def _show(self, run: PinnedRun, keys: list[tuple[str, str, str]]) -> None:
        for key, plot_name, curve in keys:
            series = curve.partition("/")[2]
            label = run.name + (f" ({series})" if series and series != "train" else "")
            xs, ys = run.curves[curve]
            self.plots[plot_name].set_overlay(key, xs, ys, run.color, label, run.visible)

    def _redraw(self, index: int) -> None:
        self._show(self.book.runs[index], self._keys[index])

    def _forget(self, index: int) -> None:
        if 0 <= index < len(self._keys):
            self._remove_overlays(self._keys.pop(index))

    def _remove_overlays(self, keys: list[tuple[str, str, str]]) -> None:
        for key, plot_name, _ in keys:
            self.plots[plot_name].remove_overlay(key)

    # ---------------------------------------------------------------- table
    def _refresh(self) -> None:
        t = self.table
        t.blockSignals(True)
        t.setRowCount(len(self.book.runs))
        for i, run in enumerate(self.book.runs):
            show = QTableWidgetItem()
            show.setFlags(Qt.ItemIsUserCheckable | Qt.ItemIsEnabled | Qt.ItemIsSelectable)
            show.setCheckState(Qt.Checked if run.visible else Qt.Unchecked)
            show.setBackground(QBrush(QColor(run.color)))
            t.setItem(i, 0, show)
            name = QTableWidgetItem(run.name)
            tip = "\n".join(f"{k} = {_short(v)}" for k, v in run.settings.items())
            if run.samples:
                tip += "\n\nsamples: " + ", ".join(run.samples)
            name.setToolTip(tip)
            t.setItem(i, 1, name)
            diff = differing(run.settings, self._current) if self._current else []
            text = ", ".join(f"{self.labels.get(k, k)} {_short(run.settings.get(k))}" for k in diff)
            cell = QTableWidgetItem(text or "same settings")
            cell.setFlags(Qt.ItemIsEnabled | Qt.ItemIsSelectable)
            if diff:
                cell.setBackground(QBrush(HIGHLIGHT))
                cell.setToolTip(
                    "\n".join(
                        f"{self.labels.get(k, k)}: {_short(run.settings.get(k))} "
                        f"(now {_short(self._current.get(k))})"
                        for k in diff
                    )
                )
            t.setItem(i, 2, cell)
            for j, (key, _, fmt) in enumerate(self.metrics):
                v = run.metrics.get(key)
                item = QTableWidgetItem("" if v is None else fmt.format(v))
                item.setFlags(Qt.ItemIsEnabled | Qt.ItemIsSelectable)
                t.setItem(i, 3 + j, item)
            wall = QTableWidgetItem(f"{run.wall_s:.1f} s")
            wall.setFlags(Qt.ItemIsEnabled | Qt.ItemIsSelectable)
            t.setItem(i, t.columnCount() - 1, wall)
        t.resizeColumnToContents(0)
        t.blockSignals(False)
        self._update_buttons()

    def _item_changed(self, item: QTableWidgetItem) -> None:
        i = item.row()
        if item.column() == 0:
            self.set_visible(i, item.checkState() == Qt.Checked)
        elif item.column() == 1:
            self.rename(i, item.text())

    def _with_row(self, action: Callable[[int], None]) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            action(rows[0].row())
        elif len(self.book.runs) == 1:
            action(0)

    def _update_buttons(self) -> None:
        has = len(self.book.runs) > 0
        for b in (self.remove_button, self.restore_button, self.export_button):
            b.setEnabled(has)

    def _export_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export pinned runs", "runs.csv", "CSV (*.csv)")
        if path:
            try:
                self.export_csv_to(path)
            except OSError as exc:
                self.failed.emit(f"Could not write {path}: {exc.strerror or exc}")
