"""The Decision boundary tab: a small network learns to split the plane, live.

Data on the left (datasets, your own points, input features), the network in the middle
(every neuron's map, every weight), the boundary and the loss curves on the right, run
controls and hyperparameters on top, like TensorFlow Playground.

Put together from: ``state`` (:class:`BoundaryState`, the one source of truth), the
panels bound to it, ``session`` (play/pause/step/reset), the job (``job.py``, in the
worker's thread: torch is imported there, never at start-up) and the presenter (frames ->
views).  Editing (points, architecture, weights) and the file methods are mixins.
"""

from __future__ import annotations

import contextlib
import importlib
import threading
from collections.abc import Iterator
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from playground.ui.session import Session
from playground.ui.tabs.base import Tab
from playground.ui.tabs.boundary.editing import EditingMixin
from playground.ui.tabs.boundary.file_methods import FileMethodsMixin
from playground.ui.tabs.boundary.job import RES, RunInfo
from playground.ui.tabs.boundary.panels import (
    ComparePanel,
    DataPanel,
    NetworkPanel,
    TopBar,
    ViewsPanel,
    add_dataset_icons,
)
from playground.ui.tabs.boundary.presenter import Presenter
from playground.ui.tabs.boundary.runs import RUN_LABELS, RUN_METRICS, RunsMixin
from playground.ui.tabs.boundary.state import BoundaryState
from playground.ui.tabs.boundary.tips import HELP_HTML, TIPS
from playground.ui.widgets.runs_table import RunsPanel

__all__ = ["RES", "BoundaryState", "BoundaryTab"]


def _import_toy() -> None:
    """Import every module of the toy (torch with them), so the GUI thread never does."""
    from playground.core import toy

    for name in toy.MODULES:
        importlib.import_module(f"playground.core.toy.{name}")


class BoundaryTab(RunsMixin, EditingMixin, FileMethodsMixin, Tab):
    key = "boundary"
    title = "Decision boundary"
    help_html = HELP_HTML

    # a point to explain in the Backprop tab: {"weights", "features_values", "label",
    # "activation", "feature_names", "plane", "class_names"} (plain data: see
    # :meth:`explain_point`)
    explain_requested = Signal(dict)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.state = BoundaryState()
        self.run: RunInfo | None = None  # the run in the training process (None before one)
        self.data: tuple | None = None  # (X_train, y_train, X_test, y_test) as shown
        self.init_seed = 0  # seeds the initial weights; Reset takes the next one
        self._next: dict[str, Any] = {}  # what the next job starts from: weights, epoch
        self.selected_class = 0  # the class a click on the plane adds
        self._build()
        self.session = Session(self, self._start, on_reset=self._on_reset, process=True)
        self._toy = threading.Thread(target=_import_toy, daemon=True)
        self._toy_timer = QTimer(self, interval=100)
        self._toy_timer.timeout.connect(self._toy_loaded)
        self.worker = self.session.worker
        self.presenter = Presenter(self.state, self.session, self.views, self.net)
        self.presenter.epoch_label = self.top.epoch_label
        self._wire()
        self._rebuild()
        # the first job imports torch (~1 s of CPU, holding the GIL at times): start it once
        # the tab has painted, so the window shows first; at the latest after 1.5 s
        self._first_queued = False
        QTimer.singleShot(1500, self._first_job)

    # ================================================================ layout and wiring
    def _build(self) -> None:
        files = self.file_menu()
        self.views = ViewsPanel()
        self.loss_plot, self.acc_plot = self.views.loss_plot, self.views.acc_plot
        self.runs = RunsPanel(
            {"loss": self.loss_plot, "acc": self.acc_plot}, RUN_METRICS, RUN_LABELS
        )
        self.compare = ComparePanel(self.runs)
        self.runs.pin_button.setText("Pin run")  # (an emoji shows as a box without its font)
        header = self.runs.table.horizontalHeader()  # the numbers as wide as they are, so
        for column in range(3, self.runs.table.columnCount()):  # the init seed shows too
            header.setSectionResizeMode(column, QHeaderView.ResizeToContents)
        self.top = TopBar(self.state, files, self.runs.pin_button)
        self.data_panel = DataPanel(self.state)
        self.net = NetworkPanel()
        self.controls, self.plane, self.network = (
            self.top.controls,
            self.views.plane,
            self.net.network,
        )
        self.neuron_panel = self.net.neuron_panel
        root = QVBoxLayout(self)
        root.setContentsMargins(6, 4, 6, 4)
        root.setSpacing(4)
        root.addWidget(self.top)
        root.addWidget(self.message_bar)
        body = QHBoxLayout()
        body.setSpacing(8)
        root.addLayout(body, 1)
        body.addWidget(self._data_scroll())
        # the middle: the network, or the pinned runs (the plots on the right show both)
        self.middle = QTabWidget()
        self.middle.setObjectName("boundaryMiddle")
        self.middle.setDocumentMode(True)
        self.middle.addTab(self.net, "Network")
        self.middle.addTab(self.compare, "Compare runs")
        self.middle.setTabToolTip(0, "The network: every neuron's map and every weight.")
        self.middle.setTabToolTip(1, "Pinned runs: the table, their boundaries, ready-made races.")
        self.middle.setMinimumWidth(300)
        body.addWidget(self.middle, 1)
        self.views.setMinimumWidth(390)  # the plane and both plots stay legible
        self.views.setMaximumWidth(470)
        body.addWidget(self.views, 1)

    def _data_scroll(self) -> QScrollArea:
        """The data column scrolls when the window is short (1024x640)."""
        scroll = QScrollArea()
        scroll.setObjectName("dataScroll")
        scroll.setWidget(self.data_panel)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.data_panel.setFixedWidth(236)
        scroll.setFixedWidth(236 + scroll.verticalScrollBar().sizeHint().width() + 2)
        return scroll

    def _wire(self) -> None:
        c, s = self.controls, self.session
        c.play_clicked.connect(self.toggle_play)
        c.step_clicked.connect(self.step)
        c.reset_clicked.connect(self.reset)
        c.bind(s.worker)
        s.follow_live(self.state, lambda st: st.live_values(self.run.epoch0 if self.run else 0))
        s.frame.connect(self._on_frame)
        s.state_changed.connect(self._on_run_state)
        self.watch_session(s)
        self._listening = self.state.connect(self._on_setting)
        self.wire_editing()
        self.wire_runs()
        p = self.presenter
        self.network.neuron_hovered.connect(p.neuron_hovered)
        self.network.neuron_left.connect(p.neuron_left)
        self.plane.hovered.connect(p.plane_hovered)
        self.plane.left.connect(p.plane_left)
        self.data_panel.load_csv_clicked.connect(self.load_csv_dialog)
        self.data_panel.save_csv_clicked.connect(self.save_csv_dialog)

    @contextlib.contextmanager
    def _quietly(self) -> Iterator[None]:
        """Change the state without the tab reacting field by field (the widgets follow)."""
        self._listening()
        try:
            yield
        finally:
            self._listening = self.state.connect(self._on_setting)

    def _rebuild(self) -> None:
        """Everything that depends on the dataset and the architecture."""
        p = self.presenter
        p.rebuild_network()
        names = p.class_names()
        self.selected_class = min(self.selected_class, len(names) - 1)
        self.data_panel.set_classes(names, self.selected_class, self.state.dataset == "fruit")
        self.data_panel.tip_label.setText(TIPS.get(self.state.dataset, ""))

    # ================================================================ run controls
    def paintEvent(self, event) -> None:  # noqa: N802 - Qt name
        super().paintEvent(event)
        if not self._first_queued:
            self._first_queued = True
            QTimer.singleShot(30, self._first_job)  # after this paint reaches the screen

    def _first_job(self) -> None:
        if self.run is None:
            self._show(fresh=True)

    # ================================================================ frames and failures
    def _on_frame(self, frame: Any) -> None:
        run, p = self.run, self.presenter
        if run is None:
            return
        self._toy_loaded()
        run.device = frame.detail.get("device", run.device)
        run.config = frame.detail.get("config", run.config)
        if run.data is None and frame.detail.get("data") is not None:
            run.data = frame.detail["data"]  # made by the job: the tab shows it from now on
        if self.data is None and run.data is not None:
            self.data = run.data
            p.show_points(self.data)
        p.on_frame(frame)

    def load_toy(self) -> None:
        """Import the GUI's own toy (plane extents, datasets, files) in the background:
        torch loads beside the training process's, while the GUI keeps drawing."""
        if self._toy.ident is None:
            self._toy.start()
            self._toy_timer.start()

    def _toy_loaded(self) -> None:
        p = self.presenter
        if p.toy is not None or self._toy.ident is None or self._toy.is_alive():
            return
        self._toy_timer.stop()
        from playground.core import toy

        p.toy = toy
        p.sync_plane()
        self._rebuild()
        add_dataset_icons(self.data_panel.dataset_combo, toy)
        if self.worker.has_job():
            self.worker.refresh()  # the diagram was rebuilt: draw the latest frame again

    def run_failed(self, message: str) -> None:
        """A run that diverged (or failed): its curves up to there stay; a plane still
        waiting for its first frame says where the reason is."""
        self.presenter.flush_curves()
        if not self.presenter.ready:
            self.plane.set_message("No training process: the message above says why.")

    def _on_run_state(self, state: str) -> None:
        self.clock(state)
        if state == "running":  # training the model shown: old news goes
            self.session.set_notice("")
        else:
            self.presenter.flush_curves()

    # ================================================================ for the window, tests
    @property
    def epoch(self) -> int:
        """The epoch shown (the number of epochs trained)."""
        return self.presenter.epoch

    @property
    def weights(self) -> list | None:
        """The weights shown [(W, b), ...] (numpy copies), None until the first view."""
        return self.presenter.weights

    def single_neuron(self) -> bool:
        """True in single-neuron mode: no hidden layers and two classes."""
        return self.state.single_neuron()

    def is_ready(self) -> bool:
        """The first frame is shown and the GUI's own toy module is loaded."""
        return self.presenter.ready and self.presenter.toy is not None

    def status_text(self) -> str:
        w, e, frame = self.worker, self.presenter.epoch, self.presenter.last_frame
        if w.state == "running" and frame is not None:
            return f"{self.title}: training, {self.session.progress_text(frame)}"
        if w.state == "failed":
            return f"{self.title}: stopped at epoch {e:,} (the tab's message says why)"
        if not self.presenter.ready:
            return f"{self.title}: loading PyTorch…"
        return f"{self.title}: paused at epoch {e:,}"

    def set_device(self, device: str) -> None:
        super().set_device(device)
        now = self.run.device if self.run is not None else None
        if now is not None and device != "auto" and now != device:
            self._new_model("the device")  # the model lives on the old device

    def shutdown(self) -> None:
        self.cancel_comparison()  # the user's own settings come back (and are saved)
        super().shutdown()

    def restore_settings(self, settings: Any) -> None:
        with self._quietly():
            super().restore_settings(settings)
        self.show_pinned()
        self.runs.set_current(self.run_settings())
        self._regenerate()
        if self.run is not None:
            self._show(fresh=True)
