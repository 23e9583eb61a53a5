"""The bigram character model of makemore part 1: counts, probabilities, sampling, likelihood.

Two ways to the same table:

* counting: ``N[a, b]`` = how often character ``b`` follows ``a`` in the words
  (``.`` marks a word's start and end), plus ``k`` fake counts (smoothing); each row
  normalized is the next-character distribution ``P[a]``.
* a neural net: one-hot(a) @ W, softmax, trained by gradient descent on the mean
  negative log-likelihood (:func:`neural_job`); softmax(W) approaches ``P`` and its
  loss the counting model's.

Sampling follows the lecture: a ``torch.Generator`` seeded with 2147483647 and one
multinomial draw per character.  The video ran PyTorch 1.x, whose
``torch.multinomial`` drew one uniform number u from the generator and returned the
first slot of the row's cumulative distribution that reaches u (inverse-CDF
sampling).  PyTorch 2 draws differently, so ``method="lecture"`` (the default) does
exactly what 1.x did, with the same generator, and prints the video's names
(mor, axx, minaymoryles, kondlaisah, anchshizarie); ``method="torch"`` calls today's
``torch.multinomial``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from playground.core.training import Diverged, DivergenceGuard, LiveSettings, Snapshot

DEFAULT_SEED = 2147483647
END = "."  # start/end token, index 0
MAX_VOCAB = 64
MAX_SAMPLE_LENGTH = 50


def vocabulary(words: Sequence[str]) -> list[str]:
    """'.' then the sorted characters of ``words``; ValueError if a word contains '.'."""
    chars = sorted(set("".join(words)))
    if END in chars:
        raise ValueError("Words cannot contain '.': it marks the start and end of a word.")
    if len(chars) + 1 > MAX_VOCAB:
        raise ValueError(
            f"These words use {len(chars)} different characters; the bigram view handles "
            f"at most {MAX_VOCAB - 1}."
        )
    return [END] + chars


def encode(words: Sequence[str], stoi: dict[str, int]) -> np.ndarray:
    """All of ``words`` as one index sequence ".emma.olivia." (int64): neighbours = bigrams.

    The '.' between two words is the end of one and the start of the next, so
    ``seq[:-1], seq[1:]`` are exactly the lecture's bigrams, in the lecture's order.
    """
    text = END + END.join(words) + END
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    chars = sorted(stoi, key=ord)
    keys = np.array([ord(c) for c in chars], dtype=np.uint32)
    where = np.minimum(np.searchsorted(keys, codes), len(keys) - 1)
    if not np.array_equal(keys[where], codes):
        unknown = sorted({c for c in text if c not in stoi})
        raise ValueError(
            f"{''.join(unknown)!r} {'is' if len(unknown) == 1 else 'are'} not in this model's "
            f"alphabet ({''.join(c for c in stoi if c != END)})."
        )
    table = np.array([stoi[c] for c in chars], dtype=np.int64)
    return table[where]


@dataclass(frozen=True)
class WordScore:
    """How a model scores one word, bigram by bigram."""

    word: str
    bigrams: list[str]  # e.g. [".a", "an", ..., "q."]
    probs: np.ndarray  # (len(word)+1,) float64 probability of each bigram
    log_likelihood: float  # sum of log probs (-inf if a bigram has probability 0)

    @property
    def nll(self) -> float:
        """Mean negative log-likelihood per bigram."""
        return -self.log_likelihood / len(self.bigrams)


class BigramModel:
    """Bigram counts and the probabilities they give, with ``smoothing`` fake counts per cell.

    counts: (V, V) int64, ``counts[a, b]`` = how often ``b`` follows ``a``.
    probs: (V, V) float32 rows that sum to 1 (the lecture's P).
    itos: index -> character, '.' at index 0; stoi the reverse.
    """

    def __init__(self, itos: Sequence[str], counts: np.ndarray, smoothing: float = 1.0):
        if smoothing < 0:
            raise ValueError("Smoothing must be 0 or more fake counts.")
        self.itos = list(itos)
        self.stoi = {s: i for i, s in enumerate(self.itos)}
        self.counts = np.asarray(counts, dtype=np.int64)
        self.smoothing = smoothing

    @classmethod
    def from_words(cls, words: Sequence[str], smoothing: float = 1) -> BigramModel:
        """Count every bigram of ``words`` (vocabulary from the words themselves)."""
        if not words:
            raise ValueError("No words to count.")
        itos = vocabulary(words)
        seq = encode(words, {s: i for i, s in enumerate(itos)})
        V = len(itos)
        counts = np.bincount(seq[:-1] * V + seq[1:], minlength=V * V).reshape(V, V)
        return cls(itos, counts, smoothing)

    @classmethod
    def uniform(cls, itos: Sequence[str]) -> BigramModel:
        """Every next character equally likely: the model before it has seen any data."""
        return cls(itos, np.zeros((len(itos), len(itos)), dtype=np.int64), smoothing=1)

    def with_smoothing(self, smoothing: float) -> BigramModel:
        """The same counts with another number of fake counts (cheap: no recount)."""
        return BigramModel(self.itos, self.counts, smoothing)

    @property
    def vocab_size(self) -> int:
        return len(self.itos)

    @property
    def n_bigrams(self) -> int:
        return int(self.counts.sum())

    @cached_property
    def probs(self) -> np.ndarray:
        """(V, V) float32: P = (N + k) / row sums, computed in float32 as in the lecture."""
        P = (self.counts + self.smoothing).astype(np.float32)
        sums = P.sum(1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            P = np.where(sums > 0, P / sums, np.float32(1 / self.vocab_size))
        return P.astype(np.float32)

    @cached_property
    def log_probs(self) -> np.ndarray:
        """(V, V) float32 log P (-inf where a count is 0 and there is no smoothing)."""
        with np.errstate(divide="ignore"):
            return np.log(self.probs)

    # ------------------------------------------------------------ likelihood
    def log_likelihood(self, words: Sequence[str], exact: bool = False) -> tuple[float, int]:
        """(sum of log P over every bigram of ``words``, number of bigrams).

        ``exact=False`` adds float32 log-probs one after the other, like the lecture's
        loop (so names.txt gives its 2.4541 / 2.4544); ``exact=True`` uses float64.
        """
        return self.log_likelihood_of(encode(words, self.stoi), exact)

    def log_likelihood_of(self, seq: np.ndarray, exact: bool = False) -> tuple[float, int]:
        """:meth:`log_likelihood` of an already :func:`encode`-d sequence (no re-encoding)."""
        xs, ys = seq[:-1], seq[1:]
        if exact:
            P = (self.counts + self.smoothing).astype(np.float64)
            P /= P.sum(1, keepdims=True)
            with np.errstate(divide="ignore"):
                return float(np.log(P[xs, ys]).sum()), len(xs)
        lp = self.log_probs[xs, ys]
        return float(np.cumsum(lp, dtype=np.float32)[-1]), len(xs)

    def nll(self, words: Sequence[str], exact: bool = False) -> float:
        """Mean negative log-likelihood per bigram (inf if a bigram has probability 0)."""
        return self.nll_of(encode(words, self.stoi), exact)

    def nll_of(self, seq: np.ndarray, exact: bool = False) -> float:
        """:meth:`nll` of an already :func:`encode`-d sequence."""
        ll, n = self.log_likelihood_of(seq, exact)
        if not exact:
            return float(-np.float32(ll) / np.float32(n))
        return -ll / n

    def score(self, word: str) -> WordScore:
        """Probability of each bigram along ``word`` (".word."), total log-likelihood."""
        word = word.strip().lower()
        seq = encode([word], self.stoi)
        xs, ys = seq[:-1], seq[1:]
        p = self.probs[xs, ys].astype(np.float64)
        with np.errstate(divide="ignore"):
            ll = float(np.log(p).sum())
        chars = END + word + END
        return WordScore(word, [chars[i : i + 2] for i in range(len(chars) - 1)], p, ll)

    def word_nll(self, word: str) -> float:
        """Mean NLL of one word (inf if impossible under this model)."""
        return self.score(word).nll

    # ------------------------------------------------------------ sampling
    def sampling_probs(self, temperature: float = 1.0) -> np.ndarray:
        """(V, V) float32 rows P ** (1/T), renormalized; T = 1 is P itself."""
        if temperature <= 0:
            raise ValueError("Temperature must be above 0.")
        if temperature == 1.0:
            return self.probs
        with np.errstate(divide="ignore"):
            logits = np.log(self.probs.astype(np.float64)) / temperature
        logits -= logits.max(1, keepdims=True)
        Q = np.exp(logits)
        return (Q / Q.sum(1, keepdims=True)).astype(np.float32)

    def sample_paths(
        self,
        n: int,
        seed: int = DEFAULT_SEED,
        temperature: float = 1.0,
        method: str = "lecture",
        max_length: int = MAX_SAMPLE_LENGTH,
    ) -> list[list[int]]:
        """``n`` index paths, each ending with 0 ('.') unless cut at ``max_length`` characters.

        The path is what the heatmap animation follows: row 0, then row of each chosen
        character.  See the module docstring for ``method``.
        """
        import torch

        P = self.sampling_probs(temperature)
        g = torch.Generator().manual_seed(int(seed))
        paths: list[list[int]] = []
        if method == "torch":
            rows = [torch.from_numpy(P[i].copy()) for i in range(self.vocab_size)]
            for _ in range(n):
                ix, path = 0, []
                while len(path) < max_length:
                    ix = torch.multinomial(rows[ix], 1, replacement=True, generator=g).item()
                    path.append(ix)
                    if ix == 0:
                        break
                paths.append(path)
            return paths
        if method != "lecture":
            raise ValueError(f"Unknown sampling method {method!r}: use 'lecture' or 'torch'.")
        # PyTorch 1.x multinomial: float32 running sum of the row, divided by its total,
        # last slot forced to 1; one float64 uniform per draw; first slot with cdf >= u.
        cdf = np.cumsum(P, axis=1, dtype=np.float32)
        cdf /= cdf[:, -1:]
        cdf[:, -1] = 1
        cdf_rows = [cdf[i] for i in range(self.vocab_size)]
        block = max(1024, 8 * n)
        uniforms = torch.rand(block, dtype=torch.float64, generator=g).numpy()
        u = 0
        for _ in range(n):
            ix, path = 0, []
            while len(path) < max_length:
                if u == len(uniforms):  # draws in blocks are the same stream as one by one
                    uniforms, u = torch.rand(block, dtype=torch.float64, generator=g).numpy(), 0
                ix = int(np.searchsorted(cdf_rows[ix], uniforms[u], side="left"))
                u += 1
                path.append(ix)
                if ix == 0:
                    break
            paths.append(path)
        return paths

    def sample(
        self,
        n: int,
        seed: int = DEFAULT_SEED,
        temperature: float = 1.0,
        method: str = "lecture",
        max_length: int = MAX_SAMPLE_LENGTH,
    ) -> list[str]:
        """``n`` names (without the final '.'); seed 2147483647 gives the lecture's."""
        paths = self.sample_paths(n, seed, temperature, method, max_length)
        return [self.decode(p) for p in paths]

    def decode(self, path: Sequence[int]) -> str:
        """Indices -> characters, dropping '.'."""
        return "".join(self.itos[i] for i in path if i != 0)


# ---------------------------------------------------------------- the neural bigram
def bigram_tensors(words: Sequence[str], itos: Sequence[str], device: Any = "cpu") -> tuple:
    """(xs, ys) int64 tensors on ``device``: every bigram's first and second character."""
    import torch

    seq = torch.from_numpy(encode(words, {s: i for i, s in enumerate(itos)}))
    return seq[:-1].to(device), seq[1:].to(device)


def neural_job(
    words: Sequence[str],
    itos: Sequence[str] | None = None,
    steps: int | None = None,
    settings: LiveSettings | None = None,
    seed: int = DEFAULT_SEED,
    device: Any = "cpu",
    method: str = "onehot",
) -> Iterator[Snapshot]:
    """Train the one-layer neural bigram, full batch, one :class:`Snapshot` per step.

    settings: LiveSettings with ``lr`` (default 50, as in the lecture) and ``l2``
    (weight of mean(W**2), default 0.01), re-read every step.
    method: "onehot" runs the lecture's net on every bigram: one-hot(x) (n, V) @ W.
        "rows" computes that product as what it is: row x of W (softmax works row by
        row, so softmax(one-hot(x) @ W) is row x of softmax(W)); each bigram's NLL is
        then picked from the (V, V) table: the same loss and gradient, ~10x faster.
        "counts" goes one step further: the mean over the n examples is a sum over the
        V*V cells weighted by their counts N, thousands of times faster.
    metrics: ``loss`` (mean NLL of the data, before the step's update), ``total``
    (loss + l2 term).  detail(): ``probs`` = softmax(W) (V, V) float32, ``W``.
    """
    import torch
    import torch.nn.functional as F

    from playground.core import devices

    if isinstance(device, str):
        device = devices.resolve(device)
    itos = list(itos) if itos is not None else vocabulary(words)
    settings = settings if settings is not None else LiveSettings(lr=50.0, l2=0.01)
    V = len(itos)
    xs, ys = bigram_tensors(words, itos, device)
    n = xs.numel()
    g = torch.Generator().manual_seed(int(seed))
    W = torch.randn((V, V), generator=g).to(device).requires_grad_()
    if method == "onehot":
        xenc = F.one_hot(xs, num_classes=V).float()  # (n, V), made once
        rows = torch.arange(n, device=device)
    elif method == "rows":
        pairs = xs * V + ys  # (n,) the cell (x, y) of every bigram in the flat (V*V,) table
    elif method == "counts":
        N = torch.zeros(V * V, device=device).index_add_(
            0, xs * V + ys, torch.ones(n, device=device)
        )
        N = N.view(V, V)  # (V, V) bigram counts
    else:
        raise ValueError(f"Unknown method {method!r}: use 'onehot', 'rows' or 'counts'.")

    def detail() -> dict[str, Any]:
        with torch.no_grad():
            return {
                "probs": torch.softmax(W, 1).cpu().numpy(),
                "W": W.detach().cpu().numpy().copy(),
            }

    # full batch, no noise: the first step above twice the start (or chance) has diverged
    guard = DivergenceGuard("step", patience=1, floor=math.log(V))
    step = 0
    while steps is None or step < steps:
        lr, l2 = float(settings.lr), float(settings.l2)
        if method == "onehot":
            logits = xenc @ W  # (n, V) log-counts
            counts = logits.exp()
            probs = counts / counts.sum(1, keepdim=True)  # (n, V) softmax
            loss = -probs[rows, ys].log().mean()
        elif method == "rows":
            counts = W.exp()  # (V, V): row x is exp(one-hot(x) @ W), the counts after x
            probs = counts / counts.sum(1, keepdim=True)  # (V, V): row x is P(next | x)
            loss = -probs.log().view(-1).index_select(0, pairs).mean()  # every bigram's NLL
        else:
            counts = W.exp()  # (V, V): row x of W is what one-hot(x) @ W gives
            probs = counts / counts.sum(1, keepdim=True)
            loss = -(N * probs.log()).sum() / n
        total = loss + l2 * (W**2).mean()
        W.grad = None
        total.backward()
        with torch.no_grad():
            W -= lr * W.grad
        step += 1
        value = guard.check(loss.item(), step)
        if not bool(torch.isfinite(W).all()):  # the update overflowed: never show it
            raise Diverged(step, "step", math.inf, guard.start)
        yield Snapshot(step, steps, {"loss": value, "total": total.item()}, detail, "step")


def plain_neural_loop(words: Sequence[str], steps: int, lr: float = 50.0, l2: float = 0.01):
    """The lecture's loop as a plain script (for the benchmark): returns the final loss."""
    import torch
    import torch.nn.functional as F

    itos = vocabulary(words)
    V = len(itos)
    xs, ys = bigram_tensors(words, itos)
    n = xs.numel()
    g = torch.Generator().manual_seed(DEFAULT_SEED)
    W = torch.randn((V, V), generator=g, requires_grad=True)
    xenc = F.one_hot(xs, num_classes=V).float()
    rows = torch.arange(n)
    loss = None
    for _ in range(steps):
        logits = xenc @ W
        counts = logits.exp()
        probs = counts / counts.sum(1, keepdim=True)
        loss = -probs[rows, ys].log().mean()
        total = loss + l2 * (W**2).mean()
        W.grad = None
        total.backward()
        W.data += -lr * W.grad
        loss.item(), total.item()
    return loss.item()
