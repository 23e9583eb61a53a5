"""makemore part 2's dataset: the vocabulary, the context windows, the 80/10/10 split.

Follows the notebook makemore_part2_mlp.ipynb, cells "build the vocabulary of characters
and mappings to/from integers" (``itos``/``stoi``) and "build the dataset"
(``build_dataset(words)`` with ``block_size`` characters of context, the split after
``random.seed(42); random.shuffle(words)``: n1 = 80%, n2 = 90% of the words).  With block
3 that is 182,625 / 22,655 / 22,866 examples, as part 3 prints.

:func:`lecture_contexts` is the lecture's loop as it types it; :func:`contexts` makes the
same tensors with numpy (a named fast path, tested equal), which :func:`build_dataset` uses.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

import numpy as np
import torch

from playground.core.charmlp_config import PAD

Split = dict[str, tuple[torch.Tensor, torch.Tensor]]  # {"train": (X, Y), "dev": ..., "test": ...}


def vocabulary(words: Sequence[str]) -> list[str]:
    """itos: '.' (start/end) at index 0, then the characters of ``words`` sorted."""
    return [PAD] + sorted(set("".join(words)) - {PAD})


def windows(word: str, block_size: int, stoi: dict[str, int]) -> tuple[list, list]:
    """The (context, target) pairs of one word: "emma", 3 -> ... -> e, ..e -> m, ... ma. -> ."""
    context = [0] * block_size
    xs, ys = [], []
    for ch in word + PAD:
        ix = stoi[ch]
        xs.append(context)
        ys.append(ix)
        context = context[1:] + [ix]  # crop and append
    return xs, ys


def split_words(words: Sequence[str], seed: int = 42) -> dict[str, list[str]]:
    """The lecture's split: shuffle with random.seed(seed), then 80% / 10% / 10% of the words."""
    shuffled = list(words)
    random.Random(seed).shuffle(shuffled)
    n1, n2 = int(0.8 * len(shuffled)), int(0.9 * len(shuffled))
    return {"train": shuffled[:n1], "dev": shuffled[n1:n2], "test": shuffled[n2:]}


def build_dataset(
    words: Sequence[str],
    block_size: int = 3,
    seed: int = 42,
    itos: Sequence[str] | None = None,
) -> Split:
    """{"train"|"dev"|"test": (X int64 (n, block_size), Y int64 (n,))} on the lecture's split
    (Xtr, Ytr = build_dataset(words[:n1]); Xdev, Ydev = ...; Xte, Yte = ...)."""
    itos = list(itos) if itos is not None else vocabulary(words)
    stoi = {s: i for i, s in enumerate(itos)}
    return {
        split: contexts(ws, block_size, stoi)  # fast path of lecture_contexts (below)
        for split, ws in split_words(words, seed).items()
    }


def lecture_contexts(
    words: Sequence[str], block_size: int, stoi: dict[str, int]
) -> tuple[torch.Tensor, torch.Tensor]:
    """The lecture's loop: every word's (context, target) pairs, one at a time."""
    X, Y = [], []
    for w in words:
        try:
            xs, ys = windows(w, block_size, stoi)
        except KeyError as e:
            raise ValueError(
                f"The word {w!r} has a character the model does not know: {e}"
            ) from None
        X += xs
        Y += ys
    X = torch.tensor(X, dtype=torch.int64).reshape(len(Y), block_size)
    return X, torch.tensor(Y, dtype=torch.int64)


def contexts(
    words: Sequence[str], block_size: int, stoi: dict[str, int]
) -> tuple[torch.Tensor, torch.Tensor]:
    """Fast path of :func:`lecture_contexts` (tested equal): the same X, Y made by numpy.

    Every word is written once, after block_size '.' and before one '.', into one array
    ``seq``; target k is a character of a word (or its closing '.') and its context the
    block_size entries before it.  names.txt: 0.42 s of Python loops -> ~0.03 s; the loop
    held the GIL long enough to stall the window by 45-65 ms (benchmarks/stalls.py).
    """
    lens = np.array([len(w) for w in words], dtype=np.int64)  # (W,)
    try:
        ids = np.array([stoi[ch] for w in words for ch in w], dtype=np.int64)  # (sum lens,)
    except KeyError:
        bad = next(w for w in words if any(ch not in stoi for ch in w))
        missing = next(ch for ch in bad if ch not in stoi)
        raise ValueError(
            f"The word {bad!r} has a character the model does not know: {missing!r}"
        ) from None
    span = block_size + lens + 1  # (W,) each word's stretch of seq: dots, letters, a dot
    first = np.cumsum(span) - span + block_size  # (W,) where each word's first letter goes
    seq = np.zeros(int(span.sum()), dtype=np.int64)  # 0 is '.'
    within = np.arange(len(ids)) - np.repeat(np.cumsum(lens) - lens, lens)  # letter j of its word
    seq[np.repeat(first, lens) + within] = ids
    targets = np.repeat(first, lens + 1) + (
        np.arange(int((lens + 1).sum())) - np.repeat(np.cumsum(lens + 1) - (lens + 1), lens + 1)
    )  # (n,) every letter and each closing '.'
    X = seq[targets[:, None] - block_size + np.arange(block_size)]  # (n, block_size)
    return torch.from_numpy(X), torch.from_numpy(seq[targets])
