"""The Character MLP tab's files: models as .safetensors with their settings.

:func:`check_model` checks a model file from its small JSON header alone (plain Python,
``charmlp_checks.check_file``: settings, vocabulary, every tensor's name, shape and dtype, the
file's length), so ``load_from`` refuses a wrong file at once, in words; the weights
themselves load in a background thread (``job.load_model``).  Saves go through
``playground.core.files.atomic_write`` (a temporary file in the same folder, renamed over
the target).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playground.ui.tabs.charmlp.state import values_of


def check_model(path: str | Path, chars: set[str]) -> tuple[dict[str, Any], int]:
    """(the file's settings as state values, steps trained) of the model file ``path``.

    ``chars``: the characters of the names it will be measured on.  ``ValueError`` naming
    the file and the problem: anything ``charmlp_checks.check_file`` refuses (settings
    outside the limits ``CharMLPConfig`` declares, which are the form's too), a vocabulary
    that lacks characters of the names.
    """
    from playground.core.charmlp_checks import check_file

    name = Path(path).name
    config, itos, steps = check_file(path)
    values = values_of(config)
    missing = sorted(chars - set(itos))
    if missing:
        listed = " ".join(missing[:10]) + (" …" if len(missing) > 10 else "")
        raise ValueError(
            f"{name} was trained on other characters: names.txt has {listed}, which its "
            "vocabulary lacks."
        )
    return values, steps
