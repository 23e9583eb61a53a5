"""A character-level MLP language model: makemore parts 2, 3 and 5 (Bengio et al. 2003).

Each name becomes context windows of ``block_size`` characters (padded with '.')
and the character that follows.  An embedding table ``C`` (V, emb) turns the
context into vectors (``C[X]``: indexing, not one-hot), a few tanh layers mix
them, and a last linear layer gives V logits.  Everything a learner tweaks in
the lectures is a field of :class:`CharMLPConfig`: initialisation (plain randn as
in part 2, Kaiming-scaled as in part 3, a shrunken last layer for a sane first
loss), BatchNorm, the WaveNet-style hierarchy of part 5, the optimizer and the
step learning-rate decay.

    words = data.load_words()
    lm = fit(words, preset("lecture"), steps=200_000)   # train 2.13, dev 2.17
    evaluate(lm, words, "dev"); sample(lm, 10, seed=0)

Training is a generator (:meth:`Run.train`) yielding one Snapshot per step, so
the ui can watch it; :func:`lr_finder` is one too.
"""

from __future__ import annotations

import json
import math
import random
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from playground.core.files import atomic_write
from playground.core.training import DivergenceGuard, LiveSettings, Snapshot, torch_threads

PAD = "."
SATURATED = 0.97  # |tanh| above this passes almost no gradient
FILE_FORMAT = "playground-charmlp-1"


# --------------------------------------------------------------------------- config
@dataclass(frozen=True)
class CharMLPConfig:
    """Everything that defines a model and how it trains.

    architecture: "mlp" (flat: all context embeddings concatenated, part 2/3) or
        "wavenet" (part 5: pairs of neighbours fused level by level; needs
        block_size == 2 ** len(hidden)).
    init: "randn" (part 2: weights straight from randn) or "kaiming" (part 3:
        randn * gain / sqrt(fan_in), tiny biases).
    last_layer_scale: multiplies the output layer's weights (and zeroes its bias
        when < 1) so the first loss is close to ln(V) instead of ~20.
    backward: "autograd" (``loss.backward()``) or "manual": every gradient written by
        hand, makemore part 4's exercise 4 (:mod:`playground.core.ninja`; flat MLP only).
    lr, decay_step, decay_factor: the learning rate is lr for steps 1..decay_step,
        then lr * decay_factor.
    """

    block_size: int = 3
    emb_dim: int = 10
    hidden: tuple[int, ...] = (200,)
    batchnorm: bool = False
    init: str = "randn"
    last_layer_scale: float = 1.0
    architecture: str = "mlp"
    optimizer: str = "sgd"
    backward: str = "autograd"
    batch_size: int = 32
    steps: int = 200_000
    lr: float = 0.1
    decay_step: int = 100_000
    decay_factor: float = 0.1
    seed: int = 2147483647

    def __post_init__(self) -> None:
        object.__setattr__(self, "hidden", tuple(int(h) for h in self.hidden))
        problems = []
        if not 1 <= self.block_size <= 32:
            problems.append("block size must be between 1 and 32")
        if not 1 <= self.emb_dim <= 512:
            problems.append("embedding size must be between 1 and 512")
        if not 1 <= len(self.hidden) <= 3 or min(self.hidden) < 1:
            problems.append("use 1 to 3 hidden layers of at least 1 unit")
        if self.init not in ("randn", "kaiming"):
            problems.append("init must be 'randn' or 'kaiming'")
        if self.architecture not in ("mlp", "wavenet"):
            problems.append("architecture must be 'mlp' or 'wavenet'")
        if self.architecture == "wavenet" and self.block_size != 2 ** len(self.hidden):
            problems.append(
                f"the WaveNet hierarchy fuses pairs: {len(self.hidden)} hidden layers need "
                f"a block size of {2 ** len(self.hidden)}"
            )
        if self.optimizer not in ("sgd", "adam"):
            problems.append("optimizer must be 'sgd' or 'adam'")
        if self.backward not in ("autograd", "manual"):
            problems.append("backward must be 'autograd' or 'manual'")
        elif self.backward == "manual" and self.architecture != "mlp":
            problems.append(
                "the hand-written backward (part 4) covers the flat MLP, with or without "
                "BatchNorm: use autograd for the WaveNet hierarchy"
            )
        if self.batch_size < 1 or self.steps < 1 or self.lr <= 0:
            problems.append("batch size, steps and learning rate must be positive")
        if problems:
            raise ValueError("Invalid Character MLP settings: " + "; ".join(problems) + ".")

    def to_json(self) -> str:
        """The config as a JSON object string."""
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str | dict) -> CharMLPConfig:
        """Inverse of :meth:`to_json`; unknown keys are ignored."""
        d = json.loads(text) if isinstance(text, str) else dict(text)
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in known})


PRESETS: dict[str, CharMLPConfig] = {
    # makemore part 2: 11,897 parameters; train 2.126, dev 2.170 in the lecture
    "lecture": CharMLPConfig(),
    # part 3: Kaiming init, shrunken output layer, BatchNorm; dev 2.106 in the lecture
    "batchnorm": CharMLPConfig(init="kaiming", last_layer_scale=0.01, batchnorm=True),
    # part 2's first model: a 2-D embedding you can see directly (3,481 parameters)
    "tiny": CharMLPConfig(
        emb_dim=2,
        hidden=(100,),
        init="kaiming",
        last_layer_scale=0.1,
        steps=30_000,
        decay_step=20_000,
    ),
    # part 5: context 8 fused in pairs, 3 levels of 128, BatchNorm; dev 1.993 in the lecture
    "wavenet": CharMLPConfig(
        block_size=8,
        emb_dim=24,
        hidden=(128, 128, 128),
        batchnorm=True,
        init="kaiming",
        last_layer_scale=0.1,
        architecture="wavenet",
        decay_step=150_000,
    ),
}


def preset(name: str) -> CharMLPConfig:
    """One of the named configs: "lecture", "batchnorm", "tiny", "wavenet"."""
    if name not in PRESETS:
        raise ValueError(f"Unknown preset {name!r}; choose one of {', '.join(PRESETS)}.")
    return PRESETS[name]


def layer_sizes(config: CharMLPConfig, vocab_size: int = 27) -> list[tuple[int, int]]:
    """(fan_in, fan_out) of every linear layer, the output layer last."""
    sizes = []
    if config.architecture == "mlp":
        fan_in = config.block_size * config.emb_dim
    else:
        fan_in = 2 * config.emb_dim
    for i, h in enumerate(config.hidden):
        sizes.append((fan_in, h))
        fan_in = h if config.architecture == "mlp" or i == len(config.hidden) - 1 else 2 * h
    sizes.append((fan_in, vocab_size))
    return sizes


def count_parameters(config: CharMLPConfig, vocab_size: int = 27) -> int:
    """Number of trainable numbers of the model ``config`` describes (no model built)."""
    n = vocab_size * config.emb_dim
    sizes = layer_sizes(config, vocab_size)
    for fan_in, fan_out in sizes[:-1]:
        n += fan_in * fan_out + (2 * fan_out if config.batchnorm else fan_out)
    fan_in, fan_out = sizes[-1]
    return n + fan_in * fan_out + fan_out


def expected_initial_loss(vocab_size: int = 27) -> float:
    """-ln(1/V): the loss of a model that has no idea yet (uniform over V symbols)."""
    return math.log(vocab_size)


# --------------------------------------------------------------------------- data
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
        context = context[1:] + [ix]
    return xs, ys


def split_words(words: Sequence[str], seed: int = 42) -> dict[str, list[str]]:
    """The lecture's split: shuffle with random.seed(seed), then 80% / 10% / 10% of the words."""
    shuffled = list(words)
    random.Random(seed).shuffle(shuffled)
    n1, n2 = int(0.8 * len(shuffled)), int(0.9 * len(shuffled))
    return {"train": shuffled[:n1], "dev": shuffled[n1:n2], "test": shuffled[n2:]}


_CACHE: dict[tuple, dict[str, tuple[torch.Tensor, torch.Tensor]]] = {}


def build_dataset(
    words: Sequence[str],
    block_size: int = 3,
    seed: int = 42,
    itos: Sequence[str] | None = None,
) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    """{"train"|"dev"|"test": (X int64 (n, block_size), Y int64 (n,))} on the lecture's split."""
    itos = list(itos) if itos is not None else vocabulary(words)
    key = (hash(tuple(words)), len(words), block_size, seed, tuple(itos))
    cached = _CACHE.get(key)  # one look: another thread may clear the cache meanwhile
    if cached is not None:
        return cached
    stoi = {s: i for i, s in enumerate(itos)}
    out = {}
    for split, ws in split_words(words, seed).items():
        out[split] = contexts(ws, block_size, stoi)  # fast path of lecture_contexts (below)
    if len(_CACHE) > 4:
        _CACHE.clear()
    _CACHE[key] = out
    return out


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


# --------------------------------------------------------------------------- model
class Linear(nn.Module):
    """x @ W + b, with W (fan_in, fan_out) as in the lectures."""

    def __init__(self, fan_in: int, fan_out: int, bias: bool, scale: float, bias_scale, g):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(fan_in, fan_out, generator=g) * scale)
        b = torch.randn(fan_out, generator=g) * bias_scale if bias else None
        self.bias = nn.Parameter(b) if bias else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        W, b = self.weight, self.bias
        if b is None:
            return x @ W
        if x.ndim == 2:
            return torch.addmm(b, x, W)  # x @ W + b in one op: one node in the graph, not two
        return x @ W + b


def batch_statistics(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(mean, var, x - mean) of each unit over the batch (and positions); var with Bessel's
    n-1, as ``x.var(dims)``.  Two passes, as makemore part 4 writes it (bnmeani, bndiff,
    bndiff2, bnvar): 5-6x faster on a CPU than torch.var_mean's one-pass (Welford) kernel,
    and equal to it to float rounding (~1e-7)."""
    dims = tuple(range(x.ndim - 1))  # (B, H) -> 0; (B, T, H) -> (0, 1)
    n = x.numel() // x.shape[-1]
    mean = x.mean(dims)
    diff = x - mean
    var = (diff * diff).sum(dims) / (n - 1)
    return mean, var, diff


class BatchNorm1d(nn.Module):
    """Normalise each unit over the batch (and positions), then scale and shift.

    Training: batch statistics, and running estimates updated (when gradients
    are on).  Evaluation: the running estimates, so one example can be scored.
    """

    def __init__(self, dim: int, momentum: float = 0.01, eps: float = 1e-5):
        super().__init__()
        self.momentum, self.eps = momentum, eps
        self.gamma = nn.Parameter(torch.ones(dim))
        self.beta = nn.Parameter(torch.zeros(dim))
        self.register_buffer("running_mean", torch.zeros(dim))
        self.register_buffer("running_var", torch.ones(dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.training:
            mean, var, diff = batch_statistics(x)
            if torch.is_grad_enabled():
                with torch.no_grad():
                    self.running_mean.lerp_(mean, self.momentum)
                    self.running_var.lerp_(var, self.momentum)
        else:
            diff, var = x - self.running_mean, self.running_var
        bnraw = diff * torch.rsqrt(var + self.eps)  # zero mean, unit variance
        return self.gamma * bnraw + self.beta


class Tanh(nn.Module):
    """tanh, keeping its last output for the activation statistics."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = torch.tanh(x)
        object.__setattr__(self, "out", out)  # self.out = out, skipping nn.Module's checks
        return out


class FlattenConsecutive(nn.Module):
    """(B, T, C) -> (B, T/n, C*n): fuse n neighbouring positions (part 5)."""

    def __init__(self, n: int = 2):
        super().__init__()
        self.n = n

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, T, C = x.shape
        x = x.view(B, T // self.n, C * self.n)
        return x.squeeze(1) if x.shape[1] == 1 else x


class CharMLP(nn.Module):
    """Embedding table C, hidden tanh layers (BatchNorm optional), output logits."""

    def __init__(self, config: CharMLPConfig, itos: Sequence[str], generator=None):
        super().__init__()
        self.config, self.itos = config, list(itos)
        g = generator if generator is not None else torch.Generator().manual_seed(config.seed)
        V = len(self.itos)
        self.C = nn.Parameter(torch.randn(V, config.emb_dim, generator=g))
        kaiming = config.init == "kaiming"
        sizes = layer_sizes(config, V)
        layers: list[nn.Module] = []
        for fan_in, fan_out in sizes[:-1]:
            if config.architecture == "wavenet":
                layers.append(FlattenConsecutive(2))
            scale = (5 / 3) / fan_in**0.5 if kaiming else 1.0
            bias_scale = 0.01 if kaiming else 1.0
            layers.append(Linear(fan_in, fan_out, not config.batchnorm, scale, bias_scale, g))
            if config.batchnorm:
                layers.append(BatchNorm1d(fan_out))
            layers.append(Tanh())
        fan_in, fan_out = sizes[-1]
        out = Linear(fan_in, fan_out, True, 1 / fan_in**0.5 if kaiming else 1.0, 1.0, g)
        with torch.no_grad():
            if kaiming:
                out.bias.zero_()
            if config.last_layer_scale != 1.0:
                out.weight *= config.last_layer_scale
                out.bias.zero_()
        layers.append(out)
        self.layers = nn.ModuleList(layers)
        self.steps_trained = 0

    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        """idx int64 (B, block_size) -> logits (B, V)."""
        x = self.C[idx]  # (B, T, emb)
        if self.config.architecture == "mlp":
            x = x.view(x.shape[0], -1)  # (B, T*emb)
        for layer in self.layers:
            x = layer(x)
        return x

    @property
    def device(self) -> torch.device:
        return self.C.device

    def weights(self) -> list[tuple[str, torch.Tensor]]:
        """(name, weight matrix) of every linear layer, plus the embedding table."""
        linears = [m for m in self.layers if isinstance(m, Linear)]
        names = [f"W{i + 1}" for i in range(len(linears) - 1)] + ["W out"]
        return [("C", self.C)] + [(n, m.weight) for n, m in zip(names, linears, strict=False)]

    def tanh_layers(self) -> list[Tanh]:
        return [m for m in self.layers if isinstance(m, Tanh)]


def shape_key(config: CharMLPConfig) -> tuple:
    """The fields that define a model's shape and starting weights (not how it trains)."""
    c = config
    return (
        c.block_size,
        c.emb_dim,
        c.hidden,
        c.batchnorm,
        c.architecture,
        c.init,
        c.last_layer_scale,
    )


def make_model(config: CharMLPConfig, itos: Sequence[str], device: Any = "cpu") -> CharMLP:
    """A freshly initialised model on ``device`` (seeded by ``config.seed``)."""
    return CharMLP(config, itos).to(_device(device))


def _device(device: Any) -> torch.device:
    if isinstance(device, torch.device):
        return device
    from playground.core import devices

    return devices.resolve(device)


# --------------------------------------------------------------------------- evaluation
@torch.no_grad()
def split_loss(model: CharMLP, X: torch.Tensor, Y: torch.Tensor, chunk: int = 32768) -> float:
    """Mean cross-entropy of ``model`` on (X, Y), in evaluation mode, in chunks."""
    was_training = model.training
    model.eval()
    total = 0.0
    for i in range(0, len(Y), chunk):
        x = X[i : i + chunk].to(model.device)
        y = Y[i : i + chunk].to(model.device)
        total += F.cross_entropy(model(x), y, reduction="sum").item()
    model.train(was_training)
    return total / max(len(Y), 1)


def evaluate(model: CharMLP, words: Sequence[str], split: str = "dev", seed: int = 42) -> float:
    """Mean loss of ``model`` on a split ("train", "dev", "test") of the seeded 80/10/10 split."""
    ds = build_dataset(words, model.config.block_size, seed, model.itos)
    return split_loss(model, *ds[split])


@torch.no_grad()
def sample(
    model: CharMLP, n: int = 10, seed: int = 0, temperature: float = 1.0, max_len: int = 40
) -> list[str]:
    """``n`` names drawn from ``model`` (same seed -> same names).

    temperature < 1 sharpens the distribution (safer, more common names); > 1
    flattens it (stranger names).  0 always takes the most likely character.
    """
    was_training = model.training
    model.eval()
    dev = model.device
    g = torch.Generator(device=dev).manual_seed(int(seed))
    ctx = torch.zeros(n, model.config.block_size, dtype=torch.int64, device=dev)
    out = torch.zeros(n, max_len, dtype=torch.int64, device=dev)
    done = torch.zeros(n, dtype=torch.bool, device=dev)
    for t in range(max_len):
        logits = model(ctx)
        if temperature <= 1e-6:
            ix = logits.argmax(1)
        else:
            probs = F.softmax(logits / temperature, dim=1)
            ix = torch.multinomial(probs, 1, generator=g).squeeze(1)
        ix = torch.where(done, torch.zeros_like(ix), ix)
        out[:, t] = ix
        done |= ix == 0
        ctx = torch.cat([ctx[:, 1:], ix[:, None]], dim=1)
        if t % 8 == 7 and bool(done.all()):
            break
    model.train(was_training)
    names = []
    for row in out.tolist():
        chars = []
        for ix in row:
            if ix == 0:
                break
            chars.append(model.itos[ix])
        names.append("".join(chars))
    return names


def embedding_2d(C: np.ndarray) -> tuple[np.ndarray, tuple[str, str]]:
    """The embedding table as 2-D points: itself when emb=2, else its top-2 principal components."""
    if C.shape[1] == 1:
        return np.column_stack([C[:, 0], np.zeros(len(C))]), ("dim 1", "")
    if C.shape[1] == 2:
        return C.copy(), ("dim 1", "dim 2")
    centered = C - C.mean(0)
    U, S, Vt = np.linalg.svd(centered, full_matrices=False)
    share = S**2 / max(float((S**2).sum()), 1e-12)
    xy = centered @ Vt[:2].T
    return xy, (f"PC 1 ({share[0]:.0%} of variance)", f"PC 2 ({share[1]:.0%})")


# --------------------------------------------------------------------------- training
_OPTIMIZERS = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam}


def _optimizer(model: nn.Module, config: CharMLPConfig, lr: float) -> torch.optim.Optimizer:
    return _OPTIMIZERS[config.optimizer](model.parameters(), lr=lr)


def default_dev_every(steps: int) -> int:
    """How often a run of ``steps`` steps measures the dev loss: about 40 times, at most
    every 500 steps (a full dev pass costs about as much as 30 training steps)."""
    return max(500, steps // 40)


def scheduled_lr(config: CharMLPConfig, step: int, base_lr: float | None = None) -> float:
    """The learning rate of (1-based) ``step``: base until decay_step, then times decay_factor."""
    lr = config.lr if base_lr is None else base_lr
    return lr * config.decay_factor if step > config.decay_step else lr


BATCHES_AT_ONCE = 1000  # Run.train draws the batches of 1,000 steps in one call


class FlatParameters:
    """A model's parameters, and their gradients, as views into two flat buffers, so that
    the lecture's ``for p in parameters: p.data += -lr * p.grad`` is one op on all 11,897
    numbers (:meth:`sgd_step`) instead of one per tensor.

    The values are kept (a missing ``.grad`` starts at zeros).  The hand-written backward
    (:func:`playground.core.ninja.forward_backward`) writes each gradient in place, into
    these views; :meth:`intact` is False once something else replaced one (``p.grad =
    None``, ``model.to()``): build a new FlatParameters then.
    """

    def __init__(self, model: nn.Module):
        self.model = model
        self.params = list(model.parameters())
        n = sum(p.numel() for p in self.params)
        first = self.params[0]
        self.data = torch.empty(n, dtype=first.dtype, device=first.device)
        self.grad = torch.zeros_like(self.data)
        i = 0
        with torch.no_grad():
            for p in self.params:
                k = p.numel()
                self.data[i : i + k].copy_(p.view(-1))
                if p.grad is not None:
                    self.grad[i : i + k].copy_(p.grad.reshape(-1))
                p.data = self.data[i : i + k].view_as(p)
                p.grad = self.grad[i : i + k].view_as(p)
                i += k
        self.grads = [p.grad for p in self.params]
        self.pointers = [p.data_ptr() for p in self.params]

    def intact(self, model: nn.Module) -> bool:
        """``model``'s, and every parameter and gradient still a view into the buffers."""
        grads, pointers = self.grads, self.pointers
        return model is self.model and all(
            p.grad is g and p.data_ptr() == q
            for p, g, q in zip(self.params, grads, pointers, strict=True)
        )

    def sgd_step(self, lr: float) -> None:
        """p.data += -lr * p.grad, for every parameter at once (the buffers need no grad)."""
        self.data.add_(self.grad, alpha=-lr)


class Run:
    """One model and the data it trains on; :meth:`train` is the watchable generator.

    ``Run(words, config)`` builds a fresh model; ``Run(words, model=m)`` continues
    training ``m`` (e.g. one loaded from a file).  The dataset is built lazily,
    inside the generator, so creating a Run is cheap.
    """

    def __init__(
        self,
        words: Sequence[str],
        config: CharMLPConfig | None = None,
        device: Any = "cpu",
        model: CharMLP | None = None,
    ):
        self.words = list(words)
        if model is None:
            config = config if config is not None else preset("lecture")
            model = make_model(config, vocabulary(self.words), device)
        self.model = model
        self.config = model.config
        self.data: dict[str, tuple[torch.Tensor, torch.Tensor]] | None = None
        self.train_words: set[str] = set()
        self.final: dict[str, float] = {}
        self._probe: torch.Tensor | None = None
        self._samples: list[str] = []
        self._samples_at = -math.inf
        self._sample_seed = 0
        self.lr = self.config.lr
        self.step = self.model.steps_trained
        self.temperature = 1.0  # of the samples detail() draws
        self.detail_every_s = 0.0  # see detail()
        self._detail_at = -math.inf
        self._opt: torch.optim.Optimizer | None = None  # kept across train() calls (Adam)
        self._flat: FlatParameters | None = None  # kept across train() calls (manual + SGD)

    def retune(self, config: CharMLPConfig) -> None:
        """Take new training settings (batch, optimizer, steps, rates, seed) for the next
        :meth:`train`; the model's shape and initialisation must stay the same."""
        if shape_key(config) != shape_key(self.config):
            raise ValueError("A different architecture needs a new model: press Reset.")
        self.config = self.model.config = config

    # data --------------------------------------------------------------------
    def prepare(self) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
        """Build the split (on the model's device) if not done yet."""
        if self.data is None:
            ds = build_dataset(self.words, self.config.block_size, itos=self.model.itos)
            dev = self.model.device
            data = {k: (X.to(dev), Y.to(dev)) for k, (X, Y) in ds.items()}
            self.train_words = set(split_words(self.words)["train"])
            n = len(data["train"][1])
            g = torch.Generator().manual_seed(1234)
            self._probe = data["train"][0][torch.randint(0, n, (1024,), generator=g).to(dev)]
            self.data = data  # last: whoever sees the data sees the probe too
        return self.data

    def losses(self) -> dict[str, float]:
        """Mean loss on each split, evaluation mode."""
        data = self.prepare()
        return {k: split_loss(self.model, X, Y) for k, (X, Y) in data.items()}

    # the generator -----------------------------------------------------------
    def train(
        self,
        steps: int | None = None,
        settings: LiveSettings | None = None,
        dev_every: int | None = None,
        sample_every_s: float = 1.0,
        threads: int | None = 1,
    ) -> Iterator[Snapshot]:
        """Train for ``steps`` more steps, yielding a Snapshot after each.

        metrics: "loss" (this minibatch), "lr"; "dev_loss" every ``dev_every``
        steps and at the end.  A last extra Snapshot carries "final_train",
        "final_dev", "final_test".  ``settings.lr`` (the base rate, before
        decay) is read every step; ``settings.stop = True`` ends the run early
        (the final losses are still computed).  ``threads``: torch threads while it
        trains (a batch of 32 through a small MLP runs fastest on one; None: torch's).
        """
        cfg, model = self.config, self.model
        settings = settings if settings is not None else LiveSettings(lr=cfg.lr, stop=False)
        steps = cfg.steps if steps is None else steps
        self._sample_every_s = sample_every_s
        Xtr, Ytr = self.prepare()["train"]
        n, B = len(Ytr), cfg.batch_size
        start = model.steps_trained
        end = start + steps
        dev_every = dev_every or default_dev_every(steps)
        dev = model.device
        g = torch.Generator(device=dev).manual_seed(cfg.seed + start)
        params = list(model.parameters())
        detached = [p.detach() for p in params]  # the same storage, updated without no_grad()
        sgd = cfg.optimizer == "sgd"  # the lecture's update, by hand; Adam: torch.optim
        if not sgd and not isinstance(self._opt, _OPTIMIZERS[cfg.optimizer]):
            self._opt = _optimizer(model, cfg, cfg.lr)  # Adam's moments carry on otherwise
        manual = cfg.backward == "manual"
        flat = None
        if manual:
            from playground.core import ninja  # makemore part 4: every gradient by hand

            if sgd:  # gradients written in place, into one buffer: one op updates them all
                if self._flat is None or not self._flat.intact(model):
                    self._flat = FlatParameters(model)
                flat = self._flat
        model.train()
        step = start
        guard = DivergenceGuard("step", patience=50)  # minibatches are noisy: 50 in a row
        with torch_threads(threads or None, dev):  # one thread: see training.torch_threads
            try:
                for step in range(start + 1, end + 1):
                    i = (step - start - 1) % BATCHES_AT_ONCE
                    if i == 0:  # the same numbers as one randint(0, n, (B,)) per step
                        k = min(BATCHES_AT_ONCE, end - step + 1)
                        ix = torch.randint(0, n, (k, B), generator=g, device=dev)
                        Xs, Ys = Xtr[ix].unbind(), Ytr[ix].unbind()  # k batches
                    Xb, Yb = Xs[i], Ys[i]  # batch X,Y: (B, block_size), (B,)
                    if manual:
                        loss = ninja.forward_backward(model, Xb, Yb)  # sets every p.grad
                    else:
                        loss = F.cross_entropy(model(Xb), Yb)
                        for p in params:
                            p.grad = None
                        loss.backward()
                    lr = scheduled_lr(cfg, step, settings.lr)
                    if flat is not None:  # the lecture's update, on the flat buffers
                        if not flat.intact(model):
                            flat = self._flat = FlatParameters(model)
                        flat.sgd_step(lr)
                    elif sgd:  # the lecture's `for p in parameters: p.data += -lr * p.grad`
                        grads = [p.grad for p in params]
                        torch._foreach_add_(detached, grads, alpha=-lr)
                    else:
                        for group in self._opt.param_groups:
                            group["lr"] = lr
                        self._opt.step()
                    self.step, self.lr = step, lr
                    object.__setattr__(model, "steps_trained", step)  # skips nn.Module's checks
                    metrics = {"loss": guard.check(loss.item(), step), "lr": lr}
                    if step % dev_every == 0 or step == end:
                        metrics["dev_loss"] = split_loss(model, *self.data["dev"])
                    yield Snapshot(step, end, metrics, self.detail, "step")
                    if getattr(settings, "stop", False):
                        break
                self.final = self.losses()
            finally:
                model.steps_trained = self.step = step
        final = {f"final_{k}": v for k, v in self.final.items()}
        self._detail_at = self._samples_at = -math.inf  # the last views are always fresh
        yield Snapshot(model.steps_trained, end, final, self.detail, "step")

    # what the views show -----------------------------------------------------
    @torch.no_grad()
    def detail(self) -> dict[str, Any]:
        """Embedding (table and 2-D view), tanh histograms, grad/data ratios, fresh samples.

        If ``detail_every_s`` is set and the last views are younger than that, only
        {"step": ...} comes back (the caller keeps what it drew): a view-rate limit
        that keeps the training thread training.
        """
        now = time.monotonic()
        if now - self._detail_at < self.detail_every_s:
            return {"step": self.step}
        self._detail_at = now
        model = self.model
        self.prepare()
        C = model.C.detach().cpu().numpy().copy()
        xy, axes = embedding_2d(C)
        was_training = model.training
        model.train()
        model(self._probe)  # batch statistics, no running-stat update (no grad)
        activations = []
        for t in model.tanh_layers():
            a = t.out.detach().float()
            counts = torch.histc(a, bins=50, min=-1.0, max=1.0).cpu().numpy()
            saturated = float((a.abs() > SATURATED).float().mean())
            activations.append({"counts": counts, "saturated": saturated})
        model.train(was_training)
        ratios = []
        for name, w in model.weights():
            if w.grad is None:
                continue
            data_std = float(w.std())
            grad_std = float(w.grad.std())
            ratio = grad_std / max(data_std, 1e-12)
            ratios.append(
                {
                    "name": name,
                    "grad_data": ratio,
                    "update_data": self.lr * ratio if self.config.optimizer == "sgd" else None,
                }
            )
        fresh = now - self._samples_at >= getattr(self, "_sample_every_s", 1.0)
        if fresh or not self._samples:
            self._sample_seed += 1
            self._samples = sample(model, 8, seed=self._sample_seed, temperature=self.temperature)
            self._samples_at = now
        return {
            "embedding": C,
            "embedding_2d": xy,
            "axes": axes,
            "itos": list(model.itos),
            "activations": activations,
            "ratios": ratios,
            "samples": [(s, s in self.train_words) for s in self._samples],
            "step": self.step,
        }


def fit(
    words: Sequence[str],
    config: CharMLPConfig | None = None,
    steps: int | None = None,
    device: Any = "cpu",
    backward: str | None = None,
) -> CharMLP:
    """Train a fresh model on the training split and return it (a torch.nn.Module).

    ``backward``: "autograd" or "manual" (makemore part 4: gradients by hand), instead of
    ``config.backward``.
    """
    config = config if config is not None else preset("lecture")
    if backward is not None:
        config = replace(config, backward=backward)
    run = Run(words, config, device)
    for _ in run.train(steps):
        pass
    return run.model


def backprop_ninja(
    words: Sequence[str], seed: int = 42, model: CharMLP | None = None
) -> list[dict[str, Any]]:
    """makemore part 4, exercise 1: every gradient of one batch by hand, checked against
    autograd; the cmp table [{"name", "exact", "approx", "maxdiff"}, ...] in the lecture's
    order.  See :func:`playground.core.ninja.backprop_ninja`."""
    from playground.core import ninja

    return ninja.backprop_ninja(words, seed, model)


# --------------------------------------------------------------------------- lr finder
def suggest_lr(exponents: np.ndarray, losses: np.ndarray) -> float:
    """A learning rate from a finder sweep: a step back (1/3 of a decade) from the lowest
    smoothed loss, before it starts to blow up."""
    exponents, losses = np.asarray(exponents, float), np.asarray(losses, float)
    ok = np.isfinite(losses)
    exponents, losses = exponents[ok], losses[ok]
    if len(losses) == 0:
        return 10**-3
    smooth = smoothed(losses, max(1, len(losses) // 20))
    best = float(exponents[int(np.argmin(smooth))])
    return float(10 ** max(best - 1 / 3, float(exponents[0])))


def smoothed(values: np.ndarray, window: int) -> np.ndarray:
    """Centered moving average (same length; shorter windows at the ends)."""
    values = np.asarray(values, float)
    if window <= 1 or len(values) < 3:
        return values.copy()
    kernel = np.ones(window)
    num = np.convolve(values, kernel, mode="same")
    den = np.convolve(np.ones_like(values), kernel, mode="same")
    return num / den


def lr_finder(
    words: Sequence[str],
    config: CharMLPConfig | None = None,
    steps: int = 1000,
    low: float = -3.0,
    high: float = 0.0,
    device: Any = "cpu",
) -> Iterator[Snapshot]:
    """Sweep the learning rate 10**low .. 10**high exponentially over ``steps`` steps.

    A fresh model takes one minibatch step at each rate; metrics per step are
    "loss", "lr" and "exponent".  detail() -> {"exponents", "losses",
    "suggested_lr"}.  Once the loss explodes (NaN or 4x its best) the sweep ends.
    """
    config = config if config is not None else preset("lecture")
    run = Run(words, config, device)
    model = run.model
    Xtr, Ytr = run.prepare()["train"]
    exps = np.linspace(low, high, steps)
    seen_e: list[float] = []
    seen_l: list[float] = []

    def detail() -> dict[str, Any]:
        e, losses = np.array(seen_e), np.array(seen_l)
        return {"exponents": e, "losses": losses, "suggested_lr": suggest_lr(e, losses)}

    g = torch.Generator(device=model.device).manual_seed(config.seed)
    opt = _optimizer(model, config, 10**low)
    model.train()
    best = math.inf
    with torch_threads(1, model.device):  # as in Run.train: small batches, one thread
        for i, e in enumerate(exps):
            lr = float(10**e)
            ix = torch.randint(0, len(Ytr), (config.batch_size,), generator=g, device=model.device)
            loss = F.cross_entropy(model(Xtr[ix]), Ytr[ix])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            for group in opt.param_groups:
                group["lr"] = lr
            opt.step()
            value = loss.item()
            if not math.isfinite(value):
                break
            seen_e.append(float(e))
            seen_l.append(value)
            yield Snapshot(i + 1, steps, {"loss": value, "lr": lr, "exponent": float(e)}, detail)
            best = min(best, value)
            if value > 4 * best and i > steps // 10:
                break
    yield Snapshot(len(seen_e), len(seen_e), {}, detail)


def find_lr(
    words: Sequence[str], config: CharMLPConfig | None = None, steps: int = 1000, **kw
) -> tuple[np.ndarray, np.ndarray, float]:
    """Run :func:`lr_finder` to the end: (exponents, losses, suggested learning rate)."""
    last = None
    for snap in lr_finder(words, config, steps, **kw):
        last = snap
    d = last.materialize()
    return d["exponents"], d["losses"], d["suggested_lr"]


# --------------------------------------------------------------------------- files
def save(model: CharMLP, path: str | Path) -> None:
    """Write weights, config and vocabulary to a .safetensors file."""
    from safetensors.torch import save_file

    # clone: after manual training the parameters share one buffer (FlatParameters)
    state = {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}
    meta = {
        "format": FILE_FORMAT,
        "config": model.config.to_json(),
        "itos": json.dumps(model.itos),
        "steps_trained": str(model.steps_trained),
    }
    atomic_write(path, lambda tmp: save_file(state, str(tmp), metadata=meta))


def load(path: str | Path, device: Any = "cpu") -> CharMLP:
    """Read a model written by :func:`save` (checked first, from its header, by
    ``charmlp_checks.check_file``).  Anything else -> ValueError with a plain message."""
    from safetensors import safe_open

    from playground.core.charmlp_checks import check_file

    path = Path(path)
    config, itos, steps = check_file(path)
    try:
        with safe_open(str(path), framework="pt") as f:
            state = {k: f.get_tensor(k) for k in f.keys()}  # noqa: SIM118 - safe_open API
    except Exception as exc:  # noqa: BLE001 - any parse failure means: not our file
        raise ValueError(f"{path.name} could not be read as safetensors: {exc}.") from None
    model = CharMLP(config, itos)
    try:
        model.load_state_dict(state)
    except RuntimeError as exc:  # check_file saw every shape: only a changed file gets here
        raise ValueError(f"{path.name} changed while it was read: {exc}") from None
    model.steps_trained = steps
    return model.to(_device(device))


def describe(config: CharMLPConfig, vocab_size: int = 27) -> str:
    """A one-line summary, e.g. "block 3 · emb 10 · hidden 200 · 11,897 parameters"."""
    hidden = "-".join(str(h) for h in config.hidden)
    bits = [f"block {config.block_size}", f"emb {config.emb_dim}", f"hidden {hidden}"]
    if config.batchnorm:
        bits.append("BatchNorm")
    if config.architecture == "wavenet":
        bits.append("WaveNet")
    return " · ".join(bits) + f" · {count_parameters(config, vocab_size):,} parameters"


def with_changes(config: CharMLPConfig, **changes: Any) -> CharMLPConfig:
    """A copy of ``config`` with some fields changed (validated)."""
    return replace(config, **changes)
