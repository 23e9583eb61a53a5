"""A character-level MLP language model: makemore parts 2, 3 and 5 (Bengio et al. 2003).

The lecture's pieces, in the lecture's order:

- the dataset (part 2, "build the dataset"): :mod:`playground.core.charmlp_data`;
- the model (part 2's ``C``, ``W1``, ``b1``, ``W2``, ``b2``; part 3's ``layers`` list of
  ``Linear``, ``BatchNorm1d``, ``Tanh``; part 5's hierarchy with ``FlattenConsecutive``):
  :class:`CharMLP`, built from the layers of :mod:`playground.core.charmlp_layers`;
- the training loop (part 2 cell "for i in range(200000)", part 5 "same optimization as last
  time"): :meth:`Trainer.step`, one iteration of it, and :func:`fit`, the loop;
- ``split_loss`` (part 3/5) as :func:`evaluate`, and "sample from the model" as :func:`sample`.

Part 4's hand-written backward is :mod:`playground.core.ninja` (``backward="manual"``); the
settings are :mod:`playground.core.charmlp_config`; what the tab watches while a model trains
(snapshots, views) wraps :meth:`Trainer.step` in :mod:`playground.core.charmlp_run`.

    words = data.load_words()
    lm = fit(words, preset("lecture"), steps=200_000)   # train 2.13, dev 2.17
    evaluate(lm, words, "dev"); sample(lm, 10, seed=0)

Names: the lectures' ``n_embd`` is ``emb_dim``, ``n_hidden`` the entries of ``hidden``,
``max_steps`` is ``steps``; ``C`` is the embedding table (part 5's ``Embedding``), and the
``view`` of the flat MLP is part 5's ``Flatten``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from playground.core import ninja
from playground.core.charmlp_config import (  # noqa: F401 - the core API: charmlp.preset, ...
    FILE_FORMAT,
    PAD,
    PRESETS,
    CharMLPConfig,
    count_parameters,
    describe,
    expected_initial_loss,
    layer_sizes,
    preset,
    scheduled_lr,
    shape_key,
    with_changes,
)
from playground.core.charmlp_data import (  # noqa: F401 - the core API
    build_dataset,
    contexts,
    lecture_contexts,
    split_words,
    vocabulary,
    windows,
)
from playground.core.charmlp_layers import BatchNorm1d, FlattenConsecutive, Linear, Tanh
from playground.core.files import atomic_write
from playground.core.ninja import backprop_ninja  # noqa: F401 - the core API (part 4)

SATURATED = 0.97  # |tanh| above this passes almost no gradient


# --------------------------------------------------------------------------- model
class CharMLP(nn.Module):
    """Embedding table C, hidden layers (Linear, BatchNorm1d optional, Tanh), output logits.

    Part 3's network: ``C`` then ``layers``; with architecture "wavenet", part 5's: a
    ``FlattenConsecutive(2)`` before each hidden Linear.  ``steps_trained`` counts the
    steps of the lecture's loop it has been through (the loop's ``i``).
    """

    def __init__(self, config: CharMLPConfig, itos: Sequence[str], generator=None):
        super().__init__()
        self.config, self.itos = config, list(itos)
        g = generator if generator is not None else torch.Generator().manual_seed(config.seed)
        vocab_size = len(self.itos)
        self.C = nn.Parameter(torch.randn((vocab_size, config.emb_dim), generator=g))
        sizes = layer_sizes(config, vocab_size)
        layers: list[nn.Module] = []
        for fan_in, n_hidden in sizes[:-1]:
            if config.architecture == "wavenet":
                layers.append(FlattenConsecutive(2))
            # with BatchNorm the bias is useless (BatchNorm's beta shifts instead)
            layers.append(Linear(fan_in, n_hidden, bias=not config.batchnorm, generator=g))
            if config.batchnorm:
                layers.append(BatchNorm1d(n_hidden))
            layers.append(Tanh())
        layers.append(Linear(*sizes[-1], generator=g))
        self.layers = nn.ModuleList(layers)
        init(self, config)
        self.steps_trained = 0

    def __call__(self, idx: torch.Tensor) -> torch.Tensor:
        """idx int64 (B, block_size) -> logits (B, V).  ``__call__``, as part 5's Sequential
        writes it (nn.Module's would run its hook machinery first: ~5% of a step)."""
        emb = self.C[idx]  # (B, T, emb_dim)
        x = emb.view(emb.shape[0], -1) if self.config.architecture == "mlp" else emb  # (B, T*emb)
        for layer in self.layers:
            x = layer(x)
        return x

    forward = __call__

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


@torch.no_grad()
def init(model: CharMLP, config: CharMLPConfig) -> None:
    """Scale the weights drawn by ``randn`` for ``config.init`` (part 3, "fixing the initial
    loss" and "fixing the saturated tanh"):

    - "randn": as drawn (part 2);
    - "kaiming": hidden weights * (5/3)/sqrt(fan_in) (tanh's gain), biases * 0.01, the output
      layer * 1/sqrt(fan_in) with a zero bias;
    - ``last_layer_scale`` < 1: the output layer's weights shrunk, its bias zero
      ("make less confident"), so the first loss is near -ln(1/27) = 3.30.
    """
    *hidden, out = [m for m in model.layers if isinstance(m, Linear)]
    if config.init == "kaiming":
        for layer in hidden:
            layer.weight *= (5 / 3) / layer.weight.shape[0] ** 0.5
            if layer.bias is not None:
                layer.bias *= 0.01
        out.weight *= 1 / out.weight.shape[0] ** 0.5
        out.bias.zero_()
    if config.last_layer_scale != 1.0:
        out.weight *= config.last_layer_scale
        out.bias.zero_()


def make_model(config: CharMLPConfig, itos: Sequence[str], device: Any = "cpu") -> CharMLP:
    """A freshly initialised model on ``device`` (seeded by ``config.seed``)."""
    return CharMLP(config, itos).to(_device(device))


def _device(device: Any) -> torch.device:
    if isinstance(device, torch.device):
        return device
    from playground.core import devices

    return devices.resolve(device)


# --------------------------------------------------------------------------- training
class Trainer:
    """The lecture's training loop, one iteration per :meth:`step`, on ``model``.

    Holds the loop's variables: ``parameters``, the generator ``g`` that draws the
    minibatches (seeded with ``config.seed`` plus the steps already trained, so a run
    continues where it stopped), Adam's state if the config asks for Adam, and part 4's
    buffers if the gradients are written by hand.

    One named fast path: the SGD update ``p.data += -lr * p.grad`` is written
    ``p.data.add_(p.grad, alpha=-lr)``, one op per parameter instead of two (the same
    numbers but for the last bit: the product and the sum are rounded once, not twice;
    tests/core/test_charmlp.py checks the loop against the lecture's).  It buys 10-25%
    steps/s on the lecture preset (benchmarks/charmlp.py).
    """

    def __init__(
        self,
        model: CharMLP,
        Xtr: torch.Tensor,
        Ytr: torch.Tensor,
        optimizer: torch.optim.Optimizer | None = None,
    ):
        self.model, self.Xtr, self.Ytr = model, Xtr, Ytr
        self.config = cfg = model.config
        self.parameters = list(model.parameters())
        self.g = torch.Generator(device=model.device).manual_seed(cfg.seed + model.steps_trained)
        if cfg.optimizer == "adam" and optimizer is None:
            optimizer = torch.optim.Adam(self.parameters, lr=cfg.lr)
        self.optimizer = optimizer if cfg.optimizer == "adam" else None
        manual = cfg.backward == "manual"
        self.workspace = ninja.Workspace(model, cfg.batch_size) if manual else None
        self.lr = cfg.lr

    def step(self, base_lr: float | None = None) -> float:
        """One step: minibatch, forward, backward, update.  ``base_lr``: the rate before
        the step decay (default ``config.lr``).  Returns the minibatch's loss."""
        model, cfg, parameters = self.model, self.config, self.parameters
        Xtr, Ytr = self.Xtr, self.Ytr
        i = model.steps_trained  # the lecture's loop variable: steps done before this one
        # minibatch construct
        ix = torch.randint(0, Xtr.shape[0], (cfg.batch_size,), generator=self.g, device=Xtr.device)
        Xb, Yb = Xtr[ix], Ytr[ix]  # batch X,Y
        if self.workspace is not None:  # part 4: forward pass, then every p.grad by hand
            loss = ninja.forward_backward(model, Xb, Yb, self.workspace)
        else:
            # forward pass
            logits = model(Xb)
            loss = F.cross_entropy(logits, Yb)  # loss function
            # backward pass
            for p in parameters:
                p.grad = None
            loss.backward()
        # update: simple SGD (or Adam, from torch.optim)
        lr = self.lr = scheduled_lr(cfg, i + 1, base_lr)  # lr = 0.1 if i < 100000 else 0.01
        if self.optimizer is None:
            for p in parameters:
                p.data.add_(p.grad, alpha=-lr)  # p.data += -lr * p.grad, in one op (fast path)
        else:
            self.optimizer.param_groups[0]["lr"] = lr
            self.optimizer.step()
        # track stats
        model.steps_trained = i + 1
        return loss.item()


def fit(
    words: Sequence[str],
    config: CharMLPConfig | None = None,
    steps: int | None = None,
    device: Any = "cpu",
    backward: str | None = None,
) -> CharMLP:
    """Train a fresh model on the training split for ``steps`` (default ``config.steps``)
    and return it (a torch.nn.Module).  ``backward``: "autograd" or "manual" (makemore
    part 4: gradients by hand), instead of ``config.backward``.  A loss that blows up
    raises :class:`~playground.core.training.Diverged`."""
    from playground.core.training import DivergenceGuard, torch_threads

    config = config if config is not None else preset("lecture")
    if backward is not None:
        config = replace(config, backward=backward)
    model = make_model(config, vocabulary(words), device)
    Xtr, Ytr = (t.to(model.device) for t in build_dataset(words, config.block_size)["train"])
    trainer = Trainer(model, Xtr, Ytr)
    guard = DivergenceGuard("step", patience=50)
    with torch_threads(1, model.device):  # small batches run fastest on one thread
        for step in range(1, (config.steps if steps is None else steps) + 1):
            guard.check(trainer.step(), step)
    return model


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
    """``n`` names drawn from ``model`` (same seed -> same names), all at once.

    temperature < 1 sharpens the distribution (safer, more common names); > 1
    flattens it (stranger names).  0 always takes the most likely character.
    """
    was_training = model.training
    model.eval()
    dev = model.device
    g = torch.Generator(device=dev).manual_seed(int(seed))
    context = torch.zeros(n, model.config.block_size, dtype=torch.int64, device=dev)
    out = torch.zeros(n, max_len, dtype=torch.int64, device=dev)
    done = torch.zeros(n, dtype=torch.bool, device=dev)
    for t in range(max_len):
        logits = model(context)
        if temperature <= 1e-6:
            ix = logits.argmax(1)
        else:
            probs = F.softmax(logits / temperature, dim=1)
            ix = torch.multinomial(probs, 1, generator=g).squeeze(1)
        ix = torch.where(done, torch.zeros_like(ix), ix)
        out[:, t] = ix
        done |= ix == 0
        context = torch.cat([context[:, 1:], ix[:, None]], dim=1)  # shift the context window
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


# --------------------------------------------------------------------------- files
def save(model: CharMLP, path: str | Path) -> None:
    """Write weights, config and vocabulary to a .safetensors file."""
    from safetensors.torch import save_file

    # clone: training may go on in another thread meanwhile
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
