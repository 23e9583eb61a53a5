"""The Decision boundary tab's state: every setting declared once, and how files written
before the state existed map onto it.  The model's settings are the core's
(``playground.core.toy.config.ToyConfig``: limits, choices, shape role), taken with
``from_core``; the state adds the data, the views, and the two settings the tab shows in
its own words (``classes`` is ``n_classes``; ``regularization`` + ``reg_rate`` are
``l1``/``l2``).  (What a file's points and weights must be is checked by core:
``playground.core.toy.checks``.)

Plain Python and numpy: no Qt widgets here (a test enforces it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from playground.core import schema
from playground.core.toy.checks import layer_sizes
from playground.core.toy.config import DATASETS, ToyConfig, check_features
from playground.ui.state import State, from_core, setting

LR_CHOICES = (1e-5, 1e-4, 3e-4, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
REG_RATES = (0.0, 1e-4, 3e-4, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
REGULARIZATIONS = ("none", "l1", "l2")
DATA_FIELDS = ("dataset", "points", "noise", "test_share", "seed")  # new points, new model
VIEW_FIELDS = ("show_test", "discretize")


N_CLASSES = schema.options(ToyConfig)["n_classes"]


@dataclass
class BoundaryState(State, core=ToyConfig):
    """What the Decision boundary tab shows and trains."""

    # the data
    dataset: str = setting("fruit", "Dataset", choices=DATASETS)
    points: int = setting(400, "Points", lo=10, hi=2000, tip="How many points to generate.")
    noise: float = setting(0.1, "Noise", lo=0.0, hi=0.5, tip="How much the points are jittered.")
    test_share: float = setting(
        0.5, "Test share", lo=0.1, hi=0.9, tip="The share of points held out to test."
    )
    seed: int = setting(0, "Seed", lo=0, hi=99999, tip="Same seed, same points.")
    # the model's shape
    classes: int = setting(  # ToyConfig.n_classes, by the name files and the screen use
        schema.default(ToyConfig, "n_classes"), "Classes", lo=N_CLASSES.lo, hi=N_CLASSES.hi,
        shape=True,
    )  # fmt: skip
    hidden: tuple = from_core("Hidden layers")
    activation: str = from_core("Activation")
    features: tuple = from_core("Input features")
    # how it trains
    optimizer: str = from_core("Optimizer")
    lr: float = from_core("Learning rate", live=True)
    decay: float = from_core("Decay", live=True)
    batch_size: int = from_core("Batch size", live=True)
    regularization: str = setting("none", "Regularization", choices=REGULARIZATIONS, live=True)
    reg_rate: float = setting(0.0, "Regularization rate", choices=REG_RATES, live=True)
    # the views
    show_test: bool = setting(True, "Show test points")
    discretize: bool = setting(False, "Discretize output")

    def single_neuron(self) -> bool:
        """No hidden layers and two classes: logistic regression, a line."""
        return not self.hidden and self.classes == 2

    def dataset_args(self) -> dict[str, Any]:
        """What ``toy.make_dataset`` + ``toy.split`` need."""
        return {
            "name": self.dataset,
            "n": self.points,
            "noise": self.noise,
            "seed": self.seed,
            "test_fraction": self.test_share,
            "n_classes": self.classes,
        }

    def live_values(self, epoch0: int = 0) -> dict[str, Any]:
        """The job's LiveSettings; toy counts epochs from 0 in each job, so a job that goes
        on from epoch ``epoch0`` starts from the decayed rate."""
        rate = self.reg_rate
        return {
            "lr": self.lr * self.decay**epoch0,
            "decay": self.decay,
            "l1": rate if self.regularization == "l1" else 0.0,
            "l2": rate if self.regularization == "l2" else 0.0,
            "batch_size": self.batch_size,
        }

    def model_config(self, init_seed: int = 0, device: str = "auto") -> dict[str, Any]:
        """``toy.ToyConfig``'s keyword arguments (without the extent): the core's fields as
        they are (features in the network's input order), and those the tab shows its own
        way (classes, regularization; the initial weights' seed is not the data's)."""
        live = self.live_values()
        return {
            **self.core_values(),
            "features": check_features(self.features),
            "n_classes": self.classes,
            "l1": live["l1"],
            "l2": live["l2"],
            "seed": init_seed,
            "device": device,
        }

    def layer_sizes(self) -> list[int]:
        """Inputs, hidden widths, outputs (two classes: one output unit)."""
        return layer_sizes(self.features, self.hidden, self.classes)


# ------------------------------------------------------------------ files: the old format
def state_dict_from_v1(config: dict, dataset: dict, ui: dict) -> dict[str, Any]:
    """The settings of a file written before the state existed (config/dataset/ui only)."""
    d: dict[str, Any] = {}
    pairs = (("name", "dataset"), ("n", "points"), ("noise", "noise"), ("seed", "seed"))
    for old, new in pairs:
        if old in dataset:
            d[new] = dataset[old]
    if "test_fraction" in dataset:
        d["test_share"] = dataset["test_fraction"]
    for key in BoundaryState.core_fields():
        if key in config:
            d[key] = config[key]
    if "n_classes" in config:
        d["classes"] = config["n_classes"]
    l1, l2 = config.get("l1") or 0.0, config.get("l2") or 0.0
    d["regularization"] = ui.get("regularization") or ("l1" if l1 else "l2" if l2 else "none")
    d["reg_rate"] = ui.get("reg_rate", l1 or l2 or 0.0)
    for key in VIEW_FIELDS:
        if key in ui:
            d[key] = ui[key]
    return d
