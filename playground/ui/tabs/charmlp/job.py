"""What the Character MLP tab runs off the GUI thread: training jobs and one-off work.

Everything here is plain Python over the core module (``cm``, playground.core.charmlp,
passed in so that torch is imported only once the tab has loaded it, with
``charmlp_run`` and ``charmlp_lr``): no Qt object is held, as the worker and
``ui/background.py`` require.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from playground.core.training import LiveSettings, Snapshot


def new_run(cm: Any, words: list[str], values: dict[str, Any], device: str) -> Any:
    """A fresh ``charmlp_run.Run`` for these settings (``ValueError`` if they don't fit).

    Building one is cheap (a few random tensors, about 1 ms): the data split is built
    inside the training generator.
    """
    from playground.core.charmlp_run import Run

    return Run(words, cm.CharMLPConfig(**values), device=device)


def training_job(run: Any, steps: int, live: LiveSettings) -> Iterator[Snapshot]:
    """``steps`` more steps of ``run``; ``live.lr`` and ``live.stop`` are read every step."""
    return run.train(steps, live)


def initial_view(cm: Any, run: Any) -> dict[str, Any]:
    """What the views show of a model before it trains: its embedding and shape."""
    from playground.core.charmlp_run import embedding_2d

    model = run.model
    C = model.C.detach().cpu().numpy().copy()
    xy, axes = embedding_2d(C)
    return {
        "embedding_2d": xy,
        "axes": axes,
        "itos": list(model.itos),
        "emb": C.shape[1],
        "step": model.steps_trained,
        "layers": len(model.config.hidden),
        "vocab": len(model.itos),
    }


def fresh_model(
    cm: Any, words: list[str], values: dict[str, Any], device: str
) -> tuple[Any, dict[str, Any]]:
    """In a thread: a new model and its initial view."""
    run = new_run(cm, words, values, device)
    return run, initial_view(cm, run)


def draw_samples(
    cm: Any, model: Any, n: int, seed: int, temperature: float, train_words: set[str]
) -> list[tuple[str, bool]]:
    """In a thread: ``n`` names from a copy of ``model`` (training may go on meanwhile),
    each with whether it is in the training set."""
    names = cm.sample(copy.deepcopy(model), n, seed=seed, temperature=temperature)
    return [(name, name in train_words) for name in names]


def load_model(
    cm: Any, words: list[str], path: str, device: str, seed: int, temperature: float
) -> dict[str, Any]:
    """In a thread: read a saved model, measure its losses, draw samples.

    ``ValueError`` naming the file when it can't be used (the tab keeps what it had).
    """
    from playground.core.charmlp_run import Run

    model = cm.load(path, device=device)
    run = Run(words, model=model)
    try:
        losses = run.losses()  # also checks the vocabulary against names.txt
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None
    run.temperature = temperature
    samples = draw_samples(cm, model, 12, seed, temperature, run.train_words)
    return {"run": run, "view": initial_view(cm, run), "losses": losses, "samples": samples}


def backprop_ninja(cm: Any, words: list[str], model: Any) -> tuple[list[dict], dict[str, str]]:
    """In a thread: makemore part 4's cmp table for ``model`` (None: part 4's own network)
    and the hand-written formula of each row.  The model is only read (its parameters are
    copied), so training may go on meanwhile."""
    from playground.ui.tabs.charmlp.formulas import formulas

    return cm.backprop_ninja(words, model=model), formulas()


def load_core() -> tuple[Any, list[str], set[str]]:
    """In a thread: import the core (and torch), read names.txt, the training words."""
    from playground.core import charmlp, charmlp_lr, charmlp_run, data  # noqa: F401 - loaded here

    words = data.load_words()
    return charmlp, words, set(charmlp.split_words(words)["train"])
