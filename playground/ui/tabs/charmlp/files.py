"""The Character MLP tab's files: models as .safetensors with their settings.

:func:`read_header` reads only a file's small JSON header (plain Python, no torch), so
the tab can refuse a wrong file at once; the weights themselves load in a background
thread (``job.load_model``).  Saves go through ``playground.core.files.atomic_write``
(a temporary file in the same folder, renamed over the target).
"""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any

MAX_HEADER = 16 * 2**20  # a model's header is a few kB; more means this is not one


def read_header(path: str | Path) -> dict[str, Any]:
    """The ``__metadata__`` of a .safetensors file; ``ValueError`` naming the file if it
    is missing, unreadable or not safetensors."""
    path = Path(path)
    what = f"{path.name} is not a Character MLP model file"
    if not path.is_file():
        raise ValueError(f"{path} does not exist.")
    try:
        with path.open("rb") as f:
            head = f.read(8)
            if len(head) < 8:
                raise ValueError("the file is too short")
            (n,) = struct.unpack("<Q", head)
            if n > min(MAX_HEADER, path.stat().st_size - 8):
                raise ValueError("its header length is impossible")
            header = json.loads(f.read(n).decode("utf-8"))
    except OSError as exc:
        raise ValueError(f"Could not read {path.name}: {exc.strerror or exc}.") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"{what} (it could not be read as safetensors: {exc}).") from None
    meta = header.get("__metadata__") if isinstance(header, dict) else None
    return meta if isinstance(meta, dict) else {}
