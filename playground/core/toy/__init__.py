"""The toy classifier of the Decision boundary tab: 2-D points, a small net, its boundary.

One module per job, each following its lesson:

* :mod:`.config`   the settings (names, limits, :class:`ToyConfig`); no torch
* :mod:`.datasets` the toy datasets and their planes (numpy)
* :mod:`.inputs`   the plane scaled onto the net's inputs, the chosen features (numpy)
* :mod:`.model`    :class:`ToyModel`, layers ``h = act(x @ W + b)`` (micrograd's MLP)
* :mod:`.optim`    sgd, momentum, rmsprop, adagrad, adam as their update rules
* :mod:`.loop`     the training loop (:func:`train`, :func:`fit`)
* :mod:`.views`    the plane's grid and every neuron over it (what the tab draws)
* :mod:`.files`    points as CSV, experiments as JSON
* :mod:`.script`   the exported standalone PyTorch script
* :mod:`.checks`   what an experiment file must hold (numpy)

Use it from a notebook as one module::

    from playground.core import toy
    X, y = toy.make_dataset("spiral", n=400, noise=0.1, seed=0)
    model = toy.fit(X, y, toy.ToyConfig(hidden=(8, 8), activation="tanh"), epochs=300)
    model.predict_proba(X)

Each name below is imported from its module on first use, so the torch-free modules
(``toy.config``, ``toy.checks``, ``toy.datasets``) load without torch: the tab builds its
controls before torch has loaded.
"""

from __future__ import annotations

import importlib
from typing import Any

_HOME = {
    "config": (
        "ACTIVATION_LABELS ACTIVATIONS DATASET_TITLES DATASETS FEATURE_LABELS FEATURES GAIN "
        "MAX_CLASSES MAX_LAYERS MAX_WIDTH MOMENTUM MULTICLASS OPTIMIZER_LABELS OPTIMIZERS "
        "ToyConfig check_features"
    ),
    "datasets": (
        "DEFAULT_EXTENT FRUIT_EXTENT axis_labels class_names extent fruit_boundary "
        "make_dataset split"
    ),
    "inputs": "INPUT_RANGE feature_columns features input_scaling",
    "model": "ToyModel data_loss evaluate one_thread penalty",
    "optim": "Optimizer",
    "loop": "fit live_settings step train",
    "views": "grid_views make_grid neuron_maps",
    "files": (
        "CSV_HEADER EXPERIMENT_FORMAT EXPERIMENT_VERSION load_experiment load_points_csv "
        "save_experiment save_points_csv"
    ),
    "script": "export_script",
}
MODULES = tuple(_HOME)  # the modules with public names
_WHERE = {name: module for module, names in _HOME.items() for name in names.split()}
__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    """``toy.NAME``: the name from its module (imported now if it was not yet)."""
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *_WHERE])
