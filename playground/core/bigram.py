"""The bigram character model of makemore part 1, as the lecture writes it.

Lecture: "The spelled-out intro to language modeling: building makemore" (Neural Networks:
Zero to Hero, lecture 2); notebook ``lectures/makemore/makemore_part1_bigrams.ipynb`` of
karpathy/nn-zero-to-hero.  Where each part of it is here (the video's chapters, and times):

* ``chars = sorted(list(set(''.join(words))))``, ``stoi``, ``itos`` ("deleting spurious
  (S) and (E) tokens in favor of a single . token", 20:54): :func:`lookup`.  ``itos`` is
  a list here: its keys are 0..V-1, so ``itos[ix]`` reads as the lecture's dict.
* the counting loop ``N[ix1, ix2] += 1`` ("counting bigrams in a 2D torch tensor",
  12:45): :func:`count_loop`; the app counts with :func:`count`, the same loop over every
  bigram at once (see :func:`encode`), tested equal to it.
* ``P = (N+1).float(); P /= P.sum(1, keepdims=True)`` ("efficiency! vectorized
  normalization of the rows", 36:17; "model smoothing with fake counts", 1:00:50):
  :attr:`BigramModel.probs`, with ``k`` fake counts (``smoothing``) instead of 1.
* the sampling loop ``ix = torch.multinomial(p, num_samples=1, replacement=True,
  generator=g).item()`` until ``ix == 0`` ("sampling from the model", 24:02):
  :meth:`BigramModel.sample_paths`.
* the log-likelihood loop and ``nll/n`` ("loss function", 50:14): :meth:`BigramModel.nll`.
* the neural net ("PART 2", 1:02:57 on): the dataset ``xs, ys`` (:func:`bigram_tensors`),
  ``W = torch.randn((27, 27), generator=g, requires_grad=True)``, the forward pass
  ``xenc @ W``, ``counts = logits.exp()``, ``probs = counts / counts.sum(1,
  keepdims=True)``, the loss with ``0.01*(W**2).mean()`` ("note 2: model smoothing as
  regularization loss", 1:50:18), ``W.grad = None``, ``loss.backward()``, ``W.data +=
  -50 * W.grad`` ("putting everything together", 1:42:55): :func:`neural_job`, one full
  batch step per snapshot.  Its two fast forward passes follow "note 1: one-hot encoding
  really just selects a row of the next Linear layer's weight matrix" (1:47:49).

Sampling draws as the video did: there ``torch.multinomial`` was PyTorch 1.x's, which took
one uniform number u from the generator and returned the first slot of the row's
cumulative distribution that reaches u (inverse-CDF sampling).  PyTorch 2 draws
differently, so ``method="lecture"`` (the default) draws with :func:`multinomial_1x`, the
same generator, and prints the video's names (mor, axx, minaymoryles, kondlaisah,
anchshizarie); ``method="torch"`` calls today's ``torch.multinomial``.

Settings and their limits are declared once in :mod:`playground.core.bigram_config`.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property, partial
from typing import Any

import numpy as np

from playground.core.bigram_config import (
    DEFAULT_SEED,
    LECTURE,
    NEURAL_METHODS,
    SAMPLERS,
    BigramConfig,
)
from playground.core.training import Diverged, DivergenceGuard, LiveSettings, Snapshot

END = "."  # start/end token, index 0
MAX_VOCAB = 64
MAX_SAMPLE_LENGTH = 50

__all__ = [
    "DEFAULT_SEED",
    "LECTURE",
    "BigramConfig",
    "BigramModel",
    "WordScore",
    "bigram_tensors",
    "count",
    "count_loop",
    "encode",
    "forward_counts",
    "forward_onehot",
    "forward_rows",
    "lookup",
    "multinomial_1x",
    "neural_job",
    "vocabulary",
]


# ---------------------------------------------------------------- characters and counts
def lookup(words: Sequence[str]) -> tuple[dict[str, int], list[str]]:
    """The lecture's ``stoi`` (character -> index, '.' is 0) and ``itos`` (index -> character).

    ValueError if a word contains '.' (it marks a word's start and end) or if the words use
    more characters than the heatmap shows.
    """
    chars = sorted(list(set("".join(words))))  # noqa: C414 - the lecture's line
    if END in chars:
        raise ValueError("Words cannot contain '.': it marks the start and end of a word.")
    if len(chars) + 1 > MAX_VOCAB:
        raise ValueError(
            f"These words use {len(chars)} different characters; the bigram view handles "
            f"at most {MAX_VOCAB - 1}."
        )
    stoi = {s: i + 1 for i, s in enumerate(chars)}
    stoi["."] = 0
    itos = ["."] + chars  # the lecture's {i: s for s, i in stoi.items()}, as a list
    return stoi, itos


def vocabulary(words: Sequence[str]) -> list[str]:
    """``itos`` of ``words``: '.' then their sorted characters (see :func:`lookup`)."""
    return lookup(words)[1]


def count_loop(words: Sequence[str], stoi: dict[str, int]) -> np.ndarray:
    """N (V, V) int64 counted as the lecture counts it, one bigram at a time.

    The reference of :func:`count` (a test checks they are equal): ~70-110 ms of Python on
    names.txt, so the app counts with :func:`count`.
    """
    N = np.zeros((len(stoi), len(stoi)), dtype=np.int64)
    for w in words:
        chs = ["."] + list(w) + ["."]
        for ch1, ch2 in zip(chs, chs[1:], strict=False):
            ix1 = stoi[ch1]
            ix2 = stoi[ch2]
            N[ix1, ix2] += 1
    return N


def encode(words: Sequence[str], stoi: dict[str, int]) -> np.ndarray:
    """Fast path of the lecture's loop over every bigram: ".emma.olivia." as indices (int64).

    It replaces (and a test checks it equals, in the same order)::

        for w in words:
            chs = ['.'] + list(w) + ['.']
            for ch1, ch2 in zip(chs, chs[1:]):
                ix1 = stoi[ch1]
                ix2 = stoi[ch2]

    The '.' between two words ends one and starts the next, so ``seq[:-1]`` are the
    loop's ``ix1`` and ``seq[1:]`` its ``ix2``: one ``stoi`` lookup per character instead
    of two per bigram (names.txt: ~13 ms instead of ~45 ms).
    """
    text = END + END.join(words) + END
    try:
        return np.array([stoi[ch] for ch in text], dtype=np.int64)
    except KeyError:
        unknown = sorted({c for c in text if c not in stoi})
        raise ValueError(
            f"{''.join(unknown)!r} {'is' if len(unknown) == 1 else 'are'} not in this model's "
            f"alphabet ({''.join(c for c in stoi if c != END)})."
        ) from None


def count(words: Sequence[str], stoi: dict[str, int]) -> np.ndarray:
    """N (V, V) int64: :func:`count_loop` for every bigram at once (tested equal to it).

    ``np.add.at(N, (ix1, ix2), 1)`` is ``N[ix1, ix2] += 1`` where a cell that appears
    several times is added to several times.  names.txt: ~16 ms instead of ~70-110 ms.
    """
    seq = encode(words, stoi)
    N = np.zeros((len(stoi), len(stoi)), dtype=np.int64)
    np.add.at(N, (seq[:-1], seq[1:]), 1)  # N[ix1, ix2] += 1, every bigram
    return N


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


# ---------------------------------------------------------------- the counting model
class BigramModel:
    """Bigram counts N and the probabilities P they give, with ``smoothing`` fake counts.

    counts: (V, V) int64 N, ``N[ix1, ix2]`` = how often ``itos[ix2]`` follows ``itos[ix1]``.
    probs: (V, V) float32 P, rows that sum to 1.
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
    def from_words(cls, words: Sequence[str], smoothing: float = LECTURE.smoothing) -> BigramModel:
        """Count every bigram of ``words`` (``stoi``/``itos`` from the words themselves)."""
        if not words:
            raise ValueError("No words to count.")
        stoi, itos = lookup(words)
        return cls(itos, count(words, stoi), smoothing)

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
        """(V, V) float32: the lecture's ``P = (N+1).float(); P /= P.sum(1, keepdims=True)``,
        with ``k`` fake counts.  A row that sums to 0 (no counts, k = 0) is uniform."""
        N, k = self.counts, self.smoothing
        P = (N + k).astype(np.float32)
        with np.errstate(invalid="ignore"):
            P /= P.sum(1, keepdims=True)  # (V, V) / (V, 1): each row divided by its sum
        P[np.isnan(P).any(1)] = 1 / self.vocab_size
        return P

    @cached_property
    def log_probs(self) -> np.ndarray:
        """(V, V) float32 log P (-inf where a count is 0 and there is no smoothing)."""
        with np.errstate(divide="ignore"):
            return np.log(self.probs)

    # ------------------------------------------------------------ likelihood
    def log_likelihood(self, words: Sequence[str], exact: bool = False) -> tuple[float, int]:
        """(sum of log P over every bigram of ``words``, number of bigrams n).

        ``exact=False`` adds float32 log-probs one after the other, like the lecture's
        loop (so names.txt gives its 2.4541 / 2.4544); ``exact=True`` uses float64.
        """
        return self.log_likelihood_of(encode(words, self.stoi), exact)

    def log_likelihood_of(self, seq: np.ndarray, exact: bool = False) -> tuple[float, int]:
        """:meth:`log_likelihood` of an already :func:`encode`-d sequence (no re-encoding).

        Fast path of the lecture's loop (tested equal to it), for every bigram at once::

            for ...:  # every bigram ix1, ix2, as in encode()
                prob = P[ix1, ix2]
                logprob = torch.log(prob)
                log_likelihood += logprob
                n += 1
        """
        ix1, ix2 = seq[:-1], seq[1:]
        n = len(ix1)
        if exact:
            P = (self.counts + self.smoothing).astype(np.float64)
            P /= P.sum(1, keepdims=True)
            with np.errstate(divide="ignore"):
                return float(np.log(P[ix1, ix2]).sum()), n
        logprob = self.log_probs[ix1, ix2]
        log_likelihood = np.cumsum(logprob, dtype=np.float32)[-1]  # float32 +=, in order
        return float(log_likelihood), n

    def nll(self, words: Sequence[str], exact: bool = False) -> float:
        """Mean negative log-likelihood per bigram, the lecture's ``nll/n`` (inf if a
        bigram has probability 0)."""
        return self.nll_of(encode(words, self.stoi), exact)

    def nll_of(self, seq: np.ndarray, exact: bool = False) -> float:
        """:meth:`nll` of an already :func:`encode`-d sequence."""
        log_likelihood, n = self.log_likelihood_of(seq, exact)
        if not exact:
            nll = -np.float32(log_likelihood)
            return float(nll / np.float32(n))
        return -log_likelihood / n

    def score(self, word: str) -> WordScore:
        """Probability of each bigram along ``word`` (".word."), total log-likelihood."""
        word = word.strip().lower()
        seq = encode([word], self.stoi)
        p = self.probs[seq[:-1], seq[1:]].astype(np.float64)
        with np.errstate(divide="ignore"):
            log_likelihood = float(np.log(p).sum())
        chs = END + word + END
        return WordScore(word, [chs[i : i + 2] for i in range(len(chs) - 1)], p, log_likelihood)

    def word_nll(self, word: str) -> float:
        """Mean NLL of one word (inf if impossible under this model)."""
        return self.score(word).nll

    # ------------------------------------------------------------ sampling
    def sampling_probs(self, temperature: float = LECTURE.temperature) -> np.ndarray:
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
        seed: int = LECTURE.seed,
        temperature: float = LECTURE.temperature,
        method: str = LECTURE.sampler,
        max_length: int = MAX_SAMPLE_LENGTH,
    ) -> list[list[int]]:
        """``n`` index paths, each ending with 0 ('.') unless cut at ``max_length`` characters.

        The lecture's sampling loop; ``out`` holds indices (the heatmap's animation follows
        them: row 0, then the row of each chosen character), :meth:`sample` turns them into
        letters with ``itos``.  See the module docstring for ``method``.
        """
        import torch

        if method not in SAMPLERS:
            raise ValueError(f"Unknown sampling method {method!r}: use 'lecture' or 'torch'.")
        P = self.sampling_probs(temperature)  # (V, V) float32
        if method == "lecture":
            multinomial = multinomial_1x
        else:
            P, multinomial = torch.from_numpy(P), torch.multinomial
        g = torch.Generator().manual_seed(int(seed))
        paths = []
        for _ in range(n):
            out = []
            ix = 0
            while True:
                p = P[ix]
                ix = multinomial(p, num_samples=1, replacement=True, generator=g).item()
                out.append(ix)
                if ix == 0 or len(out) == max_length:  # (a cap for high temperatures)
                    break
            paths.append(out)
        return paths

    def sample(
        self,
        n: int,
        seed: int = LECTURE.seed,
        temperature: float = LECTURE.temperature,
        method: str = LECTURE.sampler,
        max_length: int = MAX_SAMPLE_LENGTH,
    ) -> list[str]:
        """``n`` names (without the final '.'); seed 2147483647 gives the lecture's."""
        paths = self.sample_paths(n, seed, temperature, method, max_length)
        return [self.decode(p) for p in paths]

    def decode(self, path: Sequence[int]) -> str:
        """Indices -> characters, dropping '.'."""
        return "".join(self.itos[i] for i in path if i != 0)


def multinomial_1x(
    p: np.ndarray, num_samples: int, replacement: bool, generator: Any
) -> np.ndarray:
    """``torch.multinomial(p, num_samples, replacement=True, generator=g)`` as PyTorch 1.x
    drew it, for a numpy row ``p`` (the video's names): one float64 uniform u per draw from
    ``generator``, and the first slot whose cumulative probability reaches u.  The
    cumulative sum is float32, divided by its total, its last slot set to 1, as in 1.x."""
    import torch

    cdf = np.cumsum(p, dtype=np.float32)
    cdf /= cdf[-1]
    cdf[-1] = 1
    u = torch.rand(num_samples, dtype=torch.float64, generator=generator).numpy()
    return np.searchsorted(cdf, u, side="left")


# ---------------------------------------------------------------- the neural bigram
def bigram_tensors(words: Sequence[str], itos: Sequence[str], device: Any = "cpu") -> tuple:
    """The lecture's dataset ``xs, ys`` (int64 tensors on ``device``): every bigram's first
    and second character (:func:`encode`'s fast path of the lecture's loop)."""
    import torch

    seq = torch.from_numpy(encode(words, {s: i for i, s in enumerate(itos)}))
    return seq[:-1].to(device), seq[1:].to(device)


def forward_onehot(W: Any, xs: Any, ys: Any) -> Any:
    """The lecture's forward pass: mean NLL of the bigrams (xs, ys) under the net W."""
    import torch
    import torch.nn.functional as F

    num = xs.nelement()
    xenc = F.one_hot(xs, num_classes=W.shape[0]).float()  # input: one-hot encoding (num, V)
    logits = xenc @ W  # predict log-counts (num, V)
    counts = logits.exp()  # counts, equivalent to N
    probs = counts / counts.sum(1, keepdims=True)  # probabilities for next character
    return -probs[torch.arange(num, device=xs.device), ys].log().mean()


def forward_rows(W: Any, pairs: Any) -> Any:
    """:func:`forward_onehot` without the (num, V) product (tested equal; ~10x faster).

    ``xenc @ W`` with a one-hot row just selects row x of W ("note 1"), and softmax works
    row by row, so ``probs[i]`` is row ``xs[i]`` of softmax(W): compute the (V, V) table
    once and pick each bigram's probability from it.  ``pairs = xs * V + ys`` is each
    bigram's cell in the flat table: ``index_select`` there is ``probs.log()[xs, ys]``,
    whose backward is ~3x slower.
    """
    counts = W.exp()  # (V, V): row x is exp(one-hot(x) @ W), the counts after x
    probs = counts / counts.sum(1, keepdims=True)  # (V, V): row x is P(next | x)
    # replaces -probs[torch.arange(num), ys].log().mean() of the (num, V) probs:
    return -probs.log().view(-1).index_select(0, pairs).mean()


def forward_counts(W: Any, N: Any, num: int) -> Any:
    """:func:`forward_rows` with the mean over the num bigrams as a sum over the V*V cells,
    each weighted by how often it occurs (its count N): the same loss, thousands of times
    faster (tested equal)."""
    counts = W.exp()
    probs = counts / counts.sum(1, keepdims=True)  # (V, V)
    return -(N * probs.log()).sum() / num  # replaces -probs[xs, ys].log().mean()


def neural_job(
    words: Sequence[str],
    itos: Sequence[str] | None = None,
    steps: int | None = None,
    settings: LiveSettings | None = None,
    seed: int = LECTURE.seed,
    device: Any = "cpu",
    method: str = LECTURE.method,
) -> Iterator[Snapshot]:
    """Train the one-layer neural bigram, full batch, one :class:`Snapshot` per step.

    settings: LiveSettings with ``lr`` (default 50, as in the lecture) and ``l2``
    (weight of mean(W**2), default 0.01), re-read every step.
    method: "onehot" runs the lecture's forward pass on every bigram
        (:func:`forward_onehot`); "rows" (:func:`forward_rows`) and "counts"
        (:func:`forward_counts`) are its fast paths: the same loss and gradient.
    metrics: ``loss`` (the data's mean NLL before the step's update: comparable with the
    counting model's), ``total`` (the lecture's loss: NLL + l2 term).
    detail(): ``probs`` = softmax(W) (V, V) float32, ``W``.
    """
    import torch

    from playground.core import devices

    if method not in NEURAL_METHODS:
        raise ValueError(f"Unknown method {method!r}: use 'onehot', 'rows' or 'counts'.")
    if isinstance(device, str):
        device = devices.resolve(device)
    itos = list(itos) if itos is not None else vocabulary(words)
    if settings is None:
        settings = LiveSettings(lr=LECTURE.lr, l2=LECTURE.l2)
    V = len(itos)
    # create the dataset
    xs, ys = bigram_tensors(words, itos, device)
    num = xs.nelement()
    # initialize the 'network' (on the CPU, where the generator is: the same W on any device)
    g = torch.Generator().manual_seed(int(seed))
    W = torch.randn((V, V), generator=g).to(device).requires_grad_()
    if method == "onehot":
        forward = partial(forward_onehot, W, xs, ys)
    elif method == "rows":
        forward = partial(forward_rows, W, xs * V + ys)
    else:
        N = torch.zeros((V, V), device=device)  # the bigram counts, for the count trick
        N.index_put_((xs, ys), torch.ones(num, device=device), accumulate=True)  # N[xs, ys] += 1
        forward = partial(forward_counts, W, N, num)

    def detail() -> dict[str, Any]:
        with torch.no_grad():
            return {
                "probs": torch.softmax(W, 1).cpu().numpy(),
                "W": W.detach().cpu().numpy().copy(),
            }

    # full batch, no noise: the first step above twice the start (or chance) has diverged
    guard = DivergenceGuard("step", patience=1, floor=math.log(V))
    k = 0
    while steps is None or k < steps:
        lr, l2 = float(settings.lr), float(settings.l2)
        # forward pass
        nll = forward()
        loss = nll + l2 * (W**2).mean()
        # backward pass
        W.grad = None  # set to zero the gradient
        loss.backward()
        # update
        W.data += -lr * W.grad
        k += 1
        value = guard.check(nll.item(), k)
        if not bool(torch.isfinite(W).all()):  # the update overflowed: never show it
            raise Diverged(k, "step", math.inf, guard.start)
        yield Snapshot(k, steps, {"loss": value, "total": loss.item()}, detail, "step")
