"""The tab's file methods: experiments, points CSV, PNG and script export.

Each returns True or False after showing its message; errors go to the message bar and
leave the tab as it was.  The dialog methods only ask for a path.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog

from playground.core.toy.config import DATASET_TITLES
from playground.ui.tabs.boundary import files
from playground.ui.tabs.boundary.state import BoundaryState


class FileMethodsMixin:
    """Part of :class:`BoundaryTab`."""

    def file_menu(self) -> list:
        """The File menu's entries: (text, slot, tip) or None for a separator."""
        return [
            ("Save experiment…\tCtrl+S", self.save, "Settings, points and weights in one file."),
            ("Open experiment…\tCtrl+O", self.open, "Load an experiment saved before, exactly."),
            None,
            ("Export boundary as PNG…", self.export_png_dialog, "A picture of the big view."),
            (
                "Export as PyTorch script…",
                self.export_script_dialog,
                "A standalone .py file that recreates this data and model and trains it.",
            ),
            None,
            ("Save points as CSV…", self.save_csv_dialog, "Your points as x1,x2,label rows."),
            ("Load points from CSV…", self.load_csv_dialog, "Points from an x1,x2,label file."),
        ]

    def _ask_path(self, save: bool, title: str, filt: str, suffix: str) -> str | None:
        if save:
            path, _ = QFileDialog.getSaveFileName(self, title, "", filt)
        else:
            path, _ = QFileDialog.getOpenFileName(self, title, "", filt)
        if not path:
            return None
        if save and not Path(path).suffix:
            path += suffix
        return path

    def _failed(self, text: str) -> bool:
        self.show_message(text, "error")
        return False

    # ------------------------------------------------------------ experiments
    def save(self) -> None:
        """Ctrl+S: save the whole experiment to one file."""
        path = self._ask_path(True, "Save experiment", "Experiment (*.json)", ".json")
        if path:
            self.save_experiment_to(path)

    def open(self) -> None:
        """Ctrl+O: open an experiment saved before."""
        path = self._ask_path(False, "Open experiment", "Experiment (*.json);;All files (*)", "")
        if path:
            self.load_experiment_from(path)

    def experiment(self) -> dict:
        """Everything needed to come back to exactly this state (toy.save_experiment's)."""
        p = self.presenter
        return files.experiment_doc(
            self.state,
            self.data,
            p.weights,
            p.epoch,
            p.curves(),
            self.weights_seed,
            p.extent(),
            self.runs.book.to_list(),
        )

    def save_experiment_to(self, path: str) -> bool:
        """Save the experiment to ``path``; a message on failure."""
        if self.data is None or self.presenter.weights is None:
            return self._failed("Nothing to save yet: wait for the network to load.")
        try:
            files.save_experiment(path, self.experiment())
        except (OSError, ValueError, TypeError) as exc:
            return self._failed(f"Could not save {Path(path).name}: {exc}")
        self.saved("the experiment", path)
        return True

    def load_experiment_from(self, path: str) -> bool:
        """Load an experiment file: settings, points, weights, epoch and curves, exactly.
        A bad file changes nothing; the message bar says what is wrong with it."""
        try:
            exp = files.read_experiment(path)
        except ValueError as exc:
            return self._failed(f"Could not open the experiment {exc}")
        self.session.stop()
        with self._quietly():
            self.state.assign(exp.state)
        self.init_seed, self.data = exp.init_seed, exp.data
        self.presenter.sync_plane()
        self._rebuild()
        self.presenter.show_points(self.data)
        self.plane.set_message("")
        self._next = {"weights": exp.weights, "epoch": exp.epoch}
        self._show(fresh=True)
        self.presenter.load_curves(exp.curves)
        if exp.pinned:  # a file with none pinned keeps the runs pinned now
            self.runs.load(exp.pinned)
            self.show_pinned()
        self.runs.set_current(self.run_settings())
        self.top.epoch_label.setText(f"Epoch {exp.epoch:,}")
        self.show_message(f"Opened {Path(path).name} (epoch {exp.epoch:,}).")
        return True

    # ------------------------------------------------------------ points
    def save_csv_dialog(self) -> None:
        path = self._ask_path(True, "Save points", "CSV (*.csv)", ".csv")
        if path:
            self.save_points_csv_to(path)

    def load_csv_dialog(self) -> None:
        path = self._ask_path(False, "Load points", "CSV (*.csv);;All files (*)", "")
        if path:
            self.load_points_csv_from(path)

    def save_points_csv_to(self, path: str) -> bool:
        """Every point (training, then test) as x1,x2,label rows."""
        if self.data is None:
            return self._failed("No points yet: wait for the data to load.")
        try:
            files.save_points_csv(path, self.data)
        except (OSError, ValueError) as exc:
            return self._failed(f"Could not save {Path(path).name}: {exc}")
        self.saved(f"{sum(len(a) for a in self.data[::2])} points as CSV", path)
        return True

    def load_points_csv_from(self, path: str) -> bool:
        """Points from a CSV file, split into training and test by the test share."""
        try:
            X, y = files.read_points_csv(path)
        except ValueError as exc:
            return self._failed(f"Could not load the points: {exc}")
        from playground.core import toy

        n = max(2, int(y.max()) + 1) if len(y) else 2
        data = toy.split(X, y, self.state.test_share, seed=self.state.seed)
        self.session.stop()
        if self.state.classes < n:
            with self._quietly():
                self.state.classes = n
        self.data = data
        self._rebuild()
        self.presenter.show_points(self.data)
        self.plane.set_message("" if len(data[0]) else "No training points in that file.")
        self._show(fresh=True)
        self.show_message(f"Loaded {len(y)} points from {Path(path).name}.")
        return True

    # ------------------------------------------------------------ exports
    def export_png_dialog(self) -> None:
        path = self._ask_path(True, "Export boundary as PNG", "PNG image (*.png)", ".png")
        if path:
            self.export_png_to(path)

    def export_png_to(self, path: str) -> bool:
        """A PNG of the boundary view."""
        if not self.plane.export_png(path):
            return self._failed(f"Could not write {Path(path).name}.")
        self.saved("the boundary as PNG", path)
        return True

    def export_script_dialog(self) -> None:
        path = self._ask_path(True, "Export as PyTorch script", "Python (*.py)", ".py")
        if path:
            self.export_script_to(path)

    def export_script_to(self, path: str, epochs: int = 300) -> bool:
        """A standalone PyTorch script that recreates this data and model and trains it."""
        if self.data is None:
            return self._failed("No points yet: wait for the data to load.")
        state: BoundaryState = self.state
        try:
            files.export_script(
                path,
                state,
                self.data,
                self.weights_seed,
                DATASET_TITLES[state.dataset],
                self.presenter.extent(),
                epochs,
            )
        except (OSError, ValueError) as exc:
            return self._failed(f"Could not export {Path(path).name}: {exc}")
        self.saved(f"a PyTorch script of this data and model ({epochs} epochs)", path)
        return True
