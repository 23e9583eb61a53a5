"""Becoming a backprop ninja: makemore part 4, every gradient of the MLP written by hand.

Part 4's network is part 3's with one hidden layer of 64 units: block 3, emb 10,
BatchNorm, tanh.  The lecture's four exercises, as functions:

1. :func:`backprop_ninja`: the forward pass cut into its smallest steps (logprobs,
   probs, counts_sum_inv, ...), the gradient of each one written by hand, and the
   lecture's ``cmp`` table against autograd, one row per tensor in the lecture's order.
   Every row is exact here, bit for bit; in the lecture the rows from hpreact on are
   only approximate (maxdiff ~1e-9) because of how ``1 - h**2`` is rounded (see there).
2. :func:`cross_entropy_backward`: dlogits in one expression (softmax - onehot, / n).
3. :func:`batchnorm_backward`: dhprebn in one formula.
   :func:`check_one_go` checks both against autograd.
4. :func:`forward_backward`: one training step with every gradient by hand, for any flat
   CharMLP with or without BatchNorm; ``charmlp.fit(..., backward="manual")`` trains with
   it and never calls ``loss.backward()``.

    rows = backprop_ninja(words)   # [{"name": "logprobs", "exact": True, ...}, ...]
    check_one_go(words)            # exercises 2 and 3 against autograd

The tab shows each row's hand-written lines as a tooltip, read from this module's source
(``playground/ui/tabs/charmlp/formulas.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from playground.core.charmlp_config import CharMLPConfig
from playground.core.charmlp_data import build_dataset, vocabulary
from playground.core.charmlp_layers import BatchNorm1d, Linear

LECTURE_SEED = 2147483647
# the tensors of the cmp table, in the order the lecture prints them
ORDER = (
    "logprobs",
    "probs",
    "counts_sum_inv",
    "counts_sum",
    "counts",
    "norm_logits",
    "logit_maxes",
    "logits",
    "h",
    "W2",
    "b2",
    "hpreact",
    "bngain",
    "bnbias",
    "bnraw",
    "bnvar_inv",
    "bnvar",
    "bndiff2",
    "bndiff",
    "bnmeani",
    "hprebn",
    "embcat",
    "W1",
    "b1",
    "emb",
    "C",
)


# --------------------------------------------------------------------------- set-up
def lecture_parameters(
    vocab_size: int = 27,
    n_embd: int = 10,
    n_hidden: int = 64,
    block_size: int = 3,
    seed: int = LECTURE_SEED,
) -> tuple[dict[str, torch.Tensor], torch.Generator]:
    """Part 4's parameters, initialised as in the lecture, and the generator that made them
    (the lecture draws its batch from it next).

    The init is deliberately non-standard (small random biases, a gain near 1) because
    zeros could mask a wrong backward pass.  The lecture draws bngain and bnbias from
    torch's global generator; here a second seeded one does, so the table is repeatable
    and ``g``'s draws (C, W1, b1, W2, b2, then the batch) stay the lecture's.
    """
    g = torch.Generator().manual_seed(seed)
    fan_in = n_embd * block_size
    C = torch.randn((vocab_size, n_embd), generator=g)
    # Layer 1
    W1 = torch.randn((fan_in, n_hidden), generator=g) * (5 / 3) / (fan_in**0.5)
    b1 = torch.randn(n_hidden, generator=g) * 0.1  # useless because of BN, kept "just for fun"
    # Layer 2
    W2 = torch.randn((n_hidden, vocab_size), generator=g) * 0.1
    b2 = torch.randn(vocab_size, generator=g) * 0.1
    # BatchNorm parameters
    gbn = torch.Generator().manual_seed(seed + 1)
    bngain = torch.randn((1, n_hidden), generator=gbn) * 0.1 + 1.0
    bnbias = torch.randn((1, n_hidden), generator=gbn) * 0.1
    p = {"C": C, "W1": W1, "b1": b1, "W2": W2, "b2": b2, "bngain": bngain, "bnbias": bnbias}
    return p, g


def model_parameters(model: nn.Module) -> dict[str, torch.Tensor | None]:
    """A flat one-hidden-layer CharMLP's parameters under the lecture's names, as CPU copies
    (the model is left alone).  Without BatchNorm bngain and bnbias are None; a model with
    BatchNorm has no b1 (it would be useless), so b1 is zeros that need no gradient."""
    cfg = model.config
    if cfg.architecture != "mlp" or len(cfg.hidden) != 1:
        raise ValueError(
            "The backprop ninja table follows makemore part 4's network: a flat MLP with one "
            f"hidden layer (this model has {len(cfg.hidden)}, architecture {cfg.architecture!r})."
        )
    lin1, out = model.layers[0], model.layers[-1]
    copy = lambda t: t.detach().cpu().clone()  # noqa: E731
    bn = model.layers[1] if cfg.batchnorm else None
    H = lin1.weight.shape[1]
    return {
        "C": copy(model.C),
        "W1": copy(lin1.weight),
        "b1": copy(lin1.bias) if lin1.bias is not None else torch.zeros(H),
        "W2": copy(out.weight),
        "b2": copy(out.bias),
        "bngain": copy(bn.gamma).view(1, H) if bn is not None else None,
        "bnbias": copy(bn.beta).view(1, H) if bn is not None else None,
    }


def _setup(
    words: Sequence[str], seed: int, model: nn.Module | None, batch_size: int
) -> tuple[dict[str, torch.Tensor | None], torch.Tensor, torch.Tensor]:
    """(parameters, Xb, Yb): the lecture's, or ``model``'s and a batch of its training split."""
    if model is None:
        itos = vocabulary(words)
        p, g = lecture_parameters(len(itos))
        block_size = 3
    else:
        itos, block_size = model.itos, model.config.block_size
        p = model_parameters(model)
        g = torch.Generator().manual_seed(model.config.seed)
    Xtr, Ytr = build_dataset(words, block_size, seed, itos)["train"]
    for name, t in p.items():
        if t is not None:  # a model with BatchNorm has no b1: its zeros need no gradient
            t.requires_grad = not (name == "b1" and model is not None and model.config.batchnorm)
    ix = torch.randint(0, Xtr.shape[0], (batch_size,), generator=g)
    return p, Xtr[ix], Ytr[ix]  # batch X,Y


def cmp(name: str, dt: torch.Tensor, t: torch.Tensor) -> dict[str, Any]:
    """The lecture's cmp: is the hand-written ``dt`` autograd's ``t.grad`` bit for bit
    (exact), within ``torch.allclose`` (approx), and the largest difference."""
    same_shape = dt.shape == t.grad.shape
    exact = same_shape and bool(torch.all(dt == t.grad))
    approx = same_shape and torch.allclose(dt, t.grad)
    maxdiff = (dt - t.grad).abs().max().item()
    return {"name": name, "exact": exact, "approx": approx, "maxdiff": maxdiff}


# --------------------------------------------------------------------------- exercise 1
def backprop_ninja(
    words: Sequence[str],
    seed: int = 42,
    model: nn.Module | None = None,
    batch_size: int = 32,
) -> list[dict[str, Any]]:
    """Exercise 1: backprop through the whole network by hand, one variable at a time.

    One batch of ``batch_size`` from the training split (the lecture's: ``seed`` shuffles
    the words, as ``random.seed(42)`` does there) goes through part 4's network with the
    lecture's init, or through ``model`` (a flat CharMLP with one hidden layer, with or
    without BatchNorm; it is not changed).  Returns the cmp table: one
    {"name", "exact", "approx", "maxdiff"} per tensor, in the lecture's order (rows of
    tensors the model lacks are left out).
    """
    p, Xb, Yb = _setup(words, seed, model, batch_size)
    C, W1, b1, W2, b2 = p["C"], p["W1"], p["b1"], p["W2"], p["b2"]
    bngain, bnbias = p["bngain"], p["bnbias"]
    bn = bngain is not None
    n = Xb.shape[0]

    # forward pass, "chunkated" into smaller steps that are possible to backward one at a time
    emb = C[Xb]  # (n, block, n_embd) embed the characters into vectors
    embcat = emb.view(emb.shape[0], -1)  # (n, block * n_embd) concatenate the vectors
    # Linear layer 1
    hprebn = embcat @ W1 + b1  # (n, n_hidden) hidden layer pre-activation
    # BatchNorm layer
    if bn:
        bnmeani = 1 / n * hprebn.sum(0, keepdim=True)  # (1, n_hidden)
        bndiff = hprebn - bnmeani
        bndiff2 = bndiff**2
        bnvar = 1 / (n - 1) * (bndiff2).sum(0, keepdim=True)  # Bessel's correction: n-1, not n
        bnvar_inv = (bnvar + 1e-5) ** -0.5
        bnraw = bndiff * bnvar_inv
        hpreact = bngain * bnraw + bnbias
    else:
        hpreact = hprebn  # part 2's network: no BatchNorm
    # Non-linearity
    h = torch.tanh(hpreact)  # (n, n_hidden) hidden layer
    # Linear layer 2
    logits = h @ W2 + b2  # (n, vocab_size) output layer
    # cross entropy loss (same as F.cross_entropy(logits, Yb))
    logit_maxes = logits.max(1, keepdim=True).values
    norm_logits = logits - logit_maxes  # subtract max for numerical stability
    counts = norm_logits.exp()
    counts_sum = counts.sum(1, keepdim=True)
    counts_sum_inv = counts_sum**-1  # with 1.0 / counts_sum the backward is not bit exact
    probs = counts * counts_sum_inv
    logprobs = probs.log()
    loss = -logprobs[range(n), Yb].mean()

    # PyTorch backward pass
    tensors = [logprobs, probs, counts, counts_sum, counts_sum_inv, norm_logits, logit_maxes]
    tensors += [logits, h, hpreact, embcat, emb]
    if bn:
        tensors += [bnraw, bnvar_inv, bnvar, bndiff2, bndiff, hprebn, bnmeani]
    for t in tensors:
        t.retain_grad()
    loss.backward()

    # by hand, in the reverse order of the forward pass
    with torch.no_grad():
        dlogprobs = torch.zeros_like(logprobs)
        dlogprobs[range(n), Yb] = -1.0 / n
        dprobs = (1.0 / probs) * dlogprobs
        dcounts_sum_inv = (counts * dprobs).sum(1, keepdim=True)
        dcounts = counts_sum_inv * dprobs
        dcounts_sum = (-(counts_sum**-2)) * dcounts_sum_inv
        dcounts += torch.ones_like(counts) * dcounts_sum
        dnorm_logits = counts * dcounts
        dlogits = dnorm_logits.clone()
        dlogit_maxes = (-dnorm_logits).sum(1, keepdim=True)
        dlogits += F.one_hot(logits.max(1).indices, num_classes=logits.shape[1]) * dlogit_maxes
        dh = dlogits @ W2.T
        dW2 = h.T @ dlogits
        db2 = dlogits.sum(0)
        # tanh: the lecture writes (1.0 - h**2) * dh, which rounds h**2, then 1 - h**2; autograd
        # rounds 1 - h*h once (a fused multiply-add), as addcmul_ does.  The lecture's way, the
        # rows from hpreact on are approximate (maxdiff ~1e-9, as printed there), and where
        # units saturate (|h| near 1: part 2's init) cancellation makes some not even that.
        dhpreact = torch.ones_like(h).addcmul_(h, h, value=-1.0) * dh  # (1.0 - h**2) * dh
        if bn:
            dbngain = (bnraw * dhpreact).sum(0, keepdim=True)
            dbnraw = bngain * dhpreact
            dbnbias = dhpreact.sum(0, keepdim=True)
            dbndiff = bnvar_inv * dbnraw
            dbnvar_inv = (bndiff * dbnraw).sum(0, keepdim=True)
            dbnvar = (-0.5 * (bnvar + 1e-5) ** -1.5) * dbnvar_inv
            dbndiff2 = (1.0 / (n - 1)) * torch.ones_like(bndiff2) * dbnvar
            dbndiff += (2 * bndiff) * dbndiff2
            dhprebn = dbndiff.clone()
            dbnmeani = (-dbndiff).sum(0, keepdim=True)
            dhprebn += 1.0 / n * (torch.ones_like(hprebn) * dbnmeani)
        else:
            dhprebn = dhpreact
        dembcat = dhprebn @ W1.T
        dW1 = embcat.T @ dhprebn
        db1 = dhprebn.sum(0)
        demb = dembcat.view(emb.shape)
        dC = torch.zeros_like(C)
        for k in range(Xb.shape[0]):
            for j in range(Xb.shape[1]):
                ix = Xb[k, j]
                dC[ix] += demb[k, j]

        rows = [
            cmp("logprobs", dlogprobs, logprobs),
            cmp("probs", dprobs, probs),
            cmp("counts_sum_inv", dcounts_sum_inv, counts_sum_inv),
            cmp("counts_sum", dcounts_sum, counts_sum),
            cmp("counts", dcounts, counts),
            cmp("norm_logits", dnorm_logits, norm_logits),
            cmp("logit_maxes", dlogit_maxes, logit_maxes),
            cmp("logits", dlogits, logits),
            cmp("h", dh, h),
            cmp("W2", dW2, W2),
            cmp("b2", db2, b2),
            cmp("hpreact", dhpreact, hpreact),
        ]
        if bn:
            rows += [
                cmp("bngain", dbngain, bngain),
                cmp("bnbias", dbnbias, bnbias),
                cmp("bnraw", dbnraw, bnraw),
                cmp("bnvar_inv", dbnvar_inv, bnvar_inv),
                cmp("bnvar", dbnvar, bnvar),
                cmp("bndiff2", dbndiff2, bndiff2),
                cmp("bndiff", dbndiff, bndiff),
                cmp("bnmeani", dbnmeani, bnmeani),
                cmp("hprebn", dhprebn, hprebn),
            ]
        rows += [cmp("embcat", dembcat, embcat), cmp("W1", dW1, W1)]
        if b1.requires_grad:
            rows.append(cmp("b1", db1, b1))
        rows += [cmp("emb", demb, emb), cmp("C", dC, C)]
    return rows


# --------------------------------------------------------------------------- exercises 2, 3
def cross_entropy_backward(logits: torch.Tensor, Yb: torch.Tensor) -> torch.Tensor:
    """Exercise 2: dloss/dlogits of ``F.cross_entropy(logits, Yb)`` in one expression:
    softmax(logits) - onehot(Yb), over n (the mean over the batch)."""
    n = logits.shape[0]
    onehot = torch.zeros_like(logits).scatter_(1, Yb[:, None], 1.0)  # F.one_hot(Yb) as floats
    dlogits = (F.softmax(logits, 1) - onehot) / n  # (n, vocab_size)
    return dlogits


def batchnorm_backward(
    dhpreact: torch.Tensor, bngain: torch.Tensor, bnvar_inv: torch.Tensor, bnraw: torch.Tensor
) -> torch.Tensor:
    """Exercise 3: dhprebn from dhpreact through BatchNorm (batch statistics, Bessel's n-1)
    in one formula, given the forward's bngain, bnvar_inv = 1/sqrt(var + eps) and bnraw."""
    n = dhpreact.shape[0]
    # fmt: off
    dhprebn = bngain * bnvar_inv / n * (
        n * dhpreact - dhpreact.sum(0) - n / (n - 1) * bnraw * (dhpreact * bnraw).sum(0))
    # fmt: on
    return dhprebn


def one_go_name(name: str) -> str:
    """The row name of an all-in-one-go gradient: "logits" -> "logits (exercise 2)"."""
    return f"{name} (exercise {2 if name == 'logits' else 3})"


def check_one_go(
    words: Sequence[str],
    seed: int = 42,
    model: nn.Module | None = None,
    batch_size: int = 32,
) -> list[dict[str, Any]]:
    """Exercises 2 and 3 against autograd, on the batch and network of :func:`backprop_ninja`:
    rows "logits (exercise 2)" and (with BatchNorm) "hprebn (exercise 3)"."""
    p, Xb, Yb = _setup(words, seed, model, batch_size)
    C, W1, b1, W2, b2 = p["C"], p["W1"], p["b1"], p["W2"], p["b2"]
    bngain, bnbias = p["bngain"], p["bnbias"]
    bn = bngain is not None
    # forward pass, the short way
    embcat = C[Xb].view(Xb.shape[0], -1)  # (n, block * n_embd)
    hprebn = embcat @ W1 + b1  # (n, n_hidden)
    if bn:
        mean, var = hprebn.mean(0, keepdim=True), hprebn.var(0, keepdim=True, unbiased=True)
        hpreact = bngain * (hprebn - mean) / torch.sqrt(var + 1e-5) + bnbias
    else:
        hpreact = hprebn
    logits = torch.tanh(hpreact) @ W2 + b2  # (n, vocab_size)
    loss = F.cross_entropy(logits, Yb)
    for t in (logits, hpreact, hprebn):
        t.retain_grad()
    loss.backward()
    with torch.no_grad():
        rows = [cmp(one_go_name("logits"), cross_entropy_backward(logits, Yb), logits)]
        if bn:
            bnvar_inv = (var + 1e-5) ** -0.5
            bnraw = (hprebn - mean) * bnvar_inv
            dhprebn = batchnorm_backward(hpreact.grad, bngain, bnvar_inv, bnraw)
            rows.append(cmp(one_go_name("hprebn"), dhprebn, hprebn))
    return rows


# --------------------------------------------------------------------------- exercise 4
def check_supported(config: CharMLPConfig) -> None:
    """ValueError unless :func:`forward_backward` can train this architecture."""
    if config.architecture != "mlp":
        raise ValueError(
            "The hand-written backward (makemore part 4) covers the flat MLP, with or without "
            f"BatchNorm, not the {config.architecture!r} architecture: use autograd for it."
        )


class Workspace:
    """What :func:`forward_backward` reuses from one step to the next, for one model and one
    batch size (a trainer keeps one, :class:`playground.core.charmlp.Trainer`): detached
    aliases of the parameters (the same storage, no autograd: the ops on them record
    nothing, so no ``torch.no_grad()`` is needed on the training path) and a preallocated
    tensor for each of the batch's intermediates, written with ``out=``.

    The arithmetic is the same as with fresh tensors, bit for bit; only the allocations, the
    transposed views and the grad-mode switch per step are saved.  :meth:`fits` is False
    once a parameter's storage changed (e.g. after ``model.to(device)``): then
    :func:`forward_backward` builds a fresh one.
    """

    def __init__(self, model: nn.Module, n: int):
        self.owner = model.layers
        self.params = list(model.parameters())
        self.key = workspace_key(self.params, n)
        C = model.C
        kw = {"dtype": C.dtype, "device": C.device}
        self.C = C.detach()
        block, n_embd = model.config.block_size, C.shape[1]
        self.emb = torch.empty(n * block, n_embd, **kw)  # C[Xb] as (n * block, n_embd) rows
        self.embcat = self.emb.view(n, block * n_embd)  # the same numbers, (n, block * n_embd)
        self.demb = torch.empty(n, block * n_embd, **kw)
        self.minus_one = torch.full((n, 1), -1.0, **kw)  # for dlogits[range(n), Yb] -= 1
        self.one = torch.ones((), **kw)  # for 1 - h**2
        # per layer: (layer, its detached parameters, its input transposed, its output,
        # the gradient of its input); None where the layer allocates its own
        self.layers: list[tuple[Any, ...]] = []
        x = self.embcat
        for layer in model.layers:
            if isinstance(layer, Linear):
                W = layer.weight.detach()
                b = layer.bias.detach() if layer.bias is not None else None
                out = torch.empty(n, W.shape[1], **kw)
                dx = self.demb if x is self.embcat else torch.empty_like(x)
                self.layers.append((layer, (W, W.t(), b), x.t(), out, dx))
            elif isinstance(layer, BatchNorm1d):
                params = (layer.gamma.detach(), layer.beta.detach())
                self.layers.append((layer, params, None, None, None))
                out = x  # BatchNorm's forward allocates (not on the lecture preset's path)
            else:  # Tanh
                out = torch.empty_like(x)
                self.layers.append((layer, None, None, out, torch.empty_like(x)))
            x = out

    def fits(self, model: nn.Module, n: int) -> bool:
        """Made for ``model`` and batches of ``n``, and its parameters still where they were."""
        return self.owner is model.layers and self.key == workspace_key(self.params, n)


def workspace_key(params: list[torch.Tensor], n: int) -> tuple:
    """What a :class:`Workspace` depends on: the batch size and each parameter's storage."""
    return (n, *(p.data_ptr() for p in params))


def grad_buffer(p: torch.Tensor) -> torch.Tensor:
    """``p.grad``, to be overwritten in place (``out=``); a new one if it has none that fits."""
    g = p.grad
    if g is None or g.shape != p.shape or not g.is_contiguous() or g.requires_grad:
        g = p.grad = torch.empty_like(p, memory_format=torch.contiguous_format)
    return g


def forward_backward(
    model: nn.Module, Xb: torch.Tensor, Yb: torch.Tensor, workspace: Workspace | None = None
) -> torch.Tensor:
    """Exercise 4: one training step's forward pass and, by hand, every parameter's gradient.

    Works for any flat CharMLP (1-3 hidden layers, BatchNorm or not): the same forward as
    ``model(Xb)`` (in training mode, BatchNorm's running estimates updated as there), then
    the gradients of the mean cross-entropy with exercises 2 and 3, written into each
    parameter's ``.grad`` (in place when it has one).  No autograd graph is built: the ops
    run on detached aliases of the parameters, into the buffers of ``workspace`` (a fresh
    one when it is None or does not fit).  Returns the loss (a 0-d tensor).
    """
    check_supported(model.config)
    n = Xb.shape[0]
    ws = workspace if workspace is not None and workspace.fits(model, n) else Workspace(model, n)
    C, idx = ws.C, Xb.reshape(-1)
    torch.index_select(C, 0, idx, out=ws.emb)  # emb = C[Xb], (n * block, n_embd)
    x = ws.embcat  # (n, block * n_embd)
    tape = []  # (its workspace entry, what its backward needs), in forward order
    for entry in ws.layers:
        layer, params, _, out, _ = entry
        if isinstance(layer, Linear):
            W, _, b = params
            tape.append((entry, x))  # its input (the workspace has its transpose)
            x = torch.mm(x, W, out=out)  # x @ W
            if b is not None:
                x += b
        elif isinstance(layer, BatchNorm1d):  # as BatchNorm1d.forward
            bngain, bnbias = params
            bnmean, bnvar = x.mean(0), x.var(0)
            bnraw = (x - bnmean) / torch.sqrt(bnvar + layer.eps)
            layer.running_mean.lerp_(bnmean, layer.momentum)
            layer.running_var.lerp_(bnvar, layer.momentum)
            tape.append((entry, (bngain, bnraw, (bnvar + layer.eps) ** -0.5)))
            x = bngain * bnraw + bnbias
        else:  # Tanh
            x = torch.tanh(x, out=out)
            tape.append((entry, x))  # its output, h
    logits = x  # (n, vocab_size)
    loss = F.cross_entropy(logits, Yb)

    # exercise 2 as the lecture writes it: softmax, minus 1 at the targets, over n; the
    # same numbers as cross_entropy_backward(logits, Yb), in three ops instead of five
    dx = F.softmax(logits, 1)
    dx.scatter_add_(1, Yb.reshape(n, 1), ws.minus_one)  # dlogits[range(n), Yb] -= 1
    dx /= n  # dlogits (n, vocab_size)
    for (layer, params, xT, _, dinput), saved in reversed(tape):
        if isinstance(layer, Linear):
            _, WT, b = params
            torch.mm(xT, dx, out=grad_buffer(layer.weight))  # dW = x.T @ dout
            if b is not None:
                torch.sum(dx, 0, out=grad_buffer(layer.bias))  # db
            dx = torch.mm(dx, WT, out=dinput)  # dx = dout @ W.T, the layer below's output's
        elif isinstance(layer, BatchNorm1d):
            bngain, bnraw, bnvar_inv = saved
            torch.sum(bnraw * dx, 0, out=grad_buffer(layer.gamma))  # dbngain
            torch.sum(dx, 0, out=grad_buffer(layer.beta))  # dbnbias
            dx = batchnorm_backward(dx, bngain, bnvar_inv, bnraw)  # dhprebn, exercise 3
        else:
            h = saved  # dhpreact = (1 - h**2) * dh, as in exercise 1
            dx = torch.addcmul(ws.one, h, h, value=-1.0, out=dinput).mul_(dx)
    # exercise 1's loop dC[Xb[k, j]] += demb[k, j], in one call
    dC = grad_buffer(model.C).zero_()
    dC.index_add_(0, idx, dx.view(-1, C.shape[1]))
    return loss
