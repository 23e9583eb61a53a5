"""The main window: four tabs, a device selector, a status bar, keys and persistence."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QTabWidget,
    QWidget,
)

from playground.ui.background import run_in_thread
from playground.ui.collector import collect_garbage_on_gui_thread
from playground.ui.tabs.backprop import BackpropTab
from playground.ui.tabs.base import Tab
from playground.ui.tabs.bigram import BigramTab
from playground.ui.tabs.boundary import BoundaryTab
from playground.ui.tabs.charmlp import CharMLPTab
from playground.ui.tabs.digits import DigitsTab

pg.setConfigOptions(antialias=True, imageAxisOrder="row-major")

TAB_CLASSES: list[type[Tab]] = [BoundaryTab, BigramTab, CharMLPTab, DigitsTab, BackpropTab]
TAB_KEYS = [c.key for c in TAB_CLASSES]
ORGANIZATION, APPLICATION = "NeuralPlayground", "playground"


def _find_devices() -> list[str]:
    """In a thread: import torch and list the devices it sees."""
    from playground.core import devices

    return devices.available()


class MainWindow(QMainWindow):
    """The whole app in one window.  ``MainWindow()`` needs no arguments."""

    devices_found = Signal(list)  # emitted on the GUI thread once torch is imported

    def __init__(
        self,
        tab: str | None = None,
        device: str | None = None,
        settings: QSettings | None = None,
        persist: bool = True,
    ):
        """``persist=False`` reads the saved settings but never writes them (--screenshot)."""
        super().__init__()
        self.persist = persist
        collect_garbage_on_gui_thread()  # before any thread starts
        self.setWindowTitle("Neural Playground")
        self.settings = settings if settings is not None else QSettings(ORGANIZATION, APPLICATION)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.pages: list[Tab] = []
        for cls in TAB_CLASSES:
            page = cls()
            self.pages.append(page)
            self.tabs.addTab(page, page.title)
        self.setCentralWidget(self.tabs)

        # device selector (CPU always; CUDA / MPS once torch says they exist)
        corner = QWidget()
        row = QHBoxLayout(corner)
        row.setContentsMargins(6, 2, 6, 2)
        row.addWidget(QLabel("Device:"))
        self.device_combo = QComboBox()
        self.device_combo.setToolTip(
            "Where new training runs compute: Auto picks a GPU if there is one."
        )
        self.device_combo.addItem("Auto", "auto")
        self.device_combo.addItem("CPU", "cpu")
        row.addWidget(self.device_combo)
        self.device_in_use = QLabel("in use: CPU")
        self.device_in_use.setObjectName("deviceInUse")
        row.addWidget(self.device_in_use)
        self.tabs.setCornerWidget(corner, Qt.TopRightCorner)
        self.device_combo.currentIndexChanged.connect(self._device_changed)
        self._wanted_device = device

        self.status_label = QLabel("")
        self.statusBar().addPermanentWidget(self.status_label, 1)
        self._status_timer = QTimer(self)
        self._status_timer.timeout.connect(self._update_status)
        self._status_timer.start(250)

        self._connect_tabs()
        self._add_shortcuts()
        self._restore(tab)
        if device:
            self._select_device(device)
        # import torch off the GUI thread, once the window has painted
        QTimer.singleShot(200, self._start_device_search)

    def _start_device_search(self) -> None:
        run_in_thread(
            self,
            _find_devices,
            self._devices_found,
            lambda _exc: self._devices_found(["cpu"]),  # a broken torch still leaves the CPU
            name="find-devices",
        )

    def _connect_tabs(self) -> None:
        """The one place tabs meet (a tab never imports another): Decision boundary ->
        "Explain a point" -> the Backprop tab shows its loss graph; its SGD step goes back."""
        boundary = self.page("boundary")
        backprop = self.page("backprop")
        boundary.explain_requested.connect(self._explain_point)
        backprop.weights_stepped.connect(boundary.apply_weights)

    def _explain_point(self, payload: dict) -> None:
        if self.page("backprop").explain_point_from(payload):
            self.show_tab("backprop")

    def page(self, key: str) -> Tab:
        """The tab called ``key``."""
        return self.pages[TAB_KEYS.index(key)]

    # ------------------------------------------------------------- devices
    def _devices_found(self, found: list[str]) -> None:
        self._add_devices(found)
        self.devices_found.emit(found)

    def _add_devices(self, found: list[str]) -> None:
        for name in found:
            if self.device_combo.findData(name) < 0:
                self.device_combo.addItem(name.upper(), name)
        if self._wanted_device:
            self._select_device(self._wanted_device)
        self._device_changed()

    def _select_device(self, name: str) -> None:
        i = self.device_combo.findData(name)
        if i >= 0:
            self.device_combo.setCurrentIndex(i)
            self._wanted_device = None

    def _device_changed(self, *_: object) -> None:
        name = self.device_combo.currentData() or "auto"
        available = [self.device_combo.itemData(i) for i in range(self.device_combo.count())]
        used = (
            name if name != "auto" else next((d for d in ("cuda", "mps") if d in available), "cpu")
        )
        self.device_in_use.setText(f"in use: {used.upper()}")
        for page in self.pages:
            page.set_device(used)

    # ------------------------------------------------------------- keys
    def _add_shortcuts(self) -> None:
        self._keys = [
            (QKeySequence(Qt.Key_Space), lambda: self.current_tab().toggle_play()),
            (QKeySequence(Qt.Key_S), lambda: self.current_tab().step()),
            (QKeySequence(Qt.Key_R), lambda: self.current_tab().reset()),
            (QKeySequence(QKeySequence.Save), lambda: self.current_tab().save()),
            (QKeySequence(QKeySequence.Open), lambda: self.current_tab().open()),
            (QKeySequence(Qt.Key_F1), self.show_help),
        ]
        for sequence, slot in self._keys:
            shortcut = QShortcut(sequence, self)  # text boxes still get their letters
            shortcut.activated.connect(slot)

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt name
        """The same keys for events sent straight to the window (no active window: offscreen)."""
        pressed = QKeySequence(event.keyCombination())
        for sequence, slot in self._keys:
            if pressed.matches(sequence) == QKeySequence.ExactMatch:
                slot()
                event.accept()
                return
        super().keyPressEvent(event)

    def current_tab(self) -> Tab:
        return self.tabs.currentWidget()

    def show_tab(self, key: str) -> None:
        """Switch to the tab named ``key`` (boundary, bigram, charmlp, digits)."""
        self.tabs.setCurrentIndex(TAB_KEYS.index(key))

    def show_help(self) -> None:
        tab = self.current_tab()
        box = QMessageBox(
            QMessageBox.Information, f"Help: {tab.title}", tab.help_html, QMessageBox.Close, self
        )
        box.setTextFormat(Qt.RichText)
        box.setObjectName("helpBox")
        box.setModal(False)
        box.setAttribute(Qt.WA_DeleteOnClose)
        box.show()

    def _update_status(self) -> None:
        self.status_label.setText(self.current_tab().status_text())

    # ------------------------------------------------------------- persistence
    def _restore(self, tab: str | None) -> None:
        s = self.settings
        geometry = s.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1360, 860)
        for page in self.pages:
            s.beginGroup(page.key)
            try:
                page.restore_settings(s)
            except Exception as exc:  # noqa: BLE001 - bad stored settings never block start-up
                print(f"ignoring stored settings of {page.key}: {exc}")
            finally:
                s.endGroup()
        last = tab or s.value("window/tab", TAB_KEYS[0])
        if last in TAB_KEYS:
            self.show_tab(last)

    def save_state(self) -> None:
        """Store the window size, the current tab and every tab's state (unless persist is off)."""
        if not self.persist:
            return
        s = self.settings
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/tab", TAB_KEYS[self.tabs.currentIndex()])
        for page in self.pages:
            s.beginGroup(page.key)
            page.save_settings(s)
            s.endGroup()
        s.sync()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt name
        self._status_timer.stop()
        for page in self.pages:
            page.shutdown()
        self.save_state()
        super().closeEvent(event)
