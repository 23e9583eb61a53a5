"""Reading word lists (in a background thread) and saving the heatmap as a PNG."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtWidgets import QWidget

from playground.core import bigram as bg
from playground.core import data
from playground.core.files import atomic_write


@dataclass(frozen=True)
class Words:
    """A word list, counted once: what the tab shows until another list is loaded."""

    name: str  # what the screen calls it ("names.txt", "pokemon.txt")
    words: list[str]
    word_set: frozenset[str]
    base: bg.BigramModel  # counts with k = 0
    seq: np.ndarray  # every word encoded: ".emma.olivia." as int64 indices

    def describe(self) -> str:
        """ "<b>names.txt</b>: 32,033 words, 228,146 bigrams, 27 characters"."""
        b = self.base
        return (
            f"<b>{self.name}</b>: {len(self.words):,} words, {b.n_bigrams:,} bigrams, "
            f"{b.vocab_size} characters"
        )


def read_words(path: Path | None, name: str) -> Words:
    """In a background thread: read, validate and count a word list (names.txt if None).

    Raises ValueError with a message for the user (not UTF-8, binary, empty, no words).
    """
    words = data.load_words(path)
    if not words:
        raise ValueError(f"{name} holds no words.")
    base = bg.BigramModel.from_words(words, smoothing=0)
    return Words(name, words, frozenset(words), base, bg.encode(words, base.stoi))


def user_message(exc: BaseException) -> str:
    """ValueError/OSError messages are written for the user; anything else gets its type."""
    if isinstance(exc, (ValueError, OSError)):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def save_png(widget: QWidget, path: str | Path) -> None:
    """Save ``widget`` as a PNG atomically (core/files.atomic_write)."""
    image = widget.grab()

    def write(tmp: Path) -> None:
        if not image.save(str(tmp), "PNG"):
            raise ValueError(f"Could not write {path}.")

    atomic_write(path, write)
