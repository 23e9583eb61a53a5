"""The layers of makemore parts 3 and 5, as the lectures write them.

makemore_part3_bn.ipynb, section "summary + PyTorch-ifying the code" (``Linear``,
``BatchNorm1d``, ``Tanh``), and makemore_part5_cnn1.ipynb, the cell "Near copy paste of the
layers we have developed in Part 3" (``FlattenConsecutive``).  Each is a thin
``torch.nn.Module`` with the lecture's names and code, so that a model moves to a device,
switches ``train()``/``eval()`` and saves its ``state_dict`` (the lecture's ``training``
flag and ``parameters()`` list are nn.Module's).  Differences, each for a reason:

- ``Linear`` takes the generator (``g``) and draws part 2's plain ``randn`` weights and
  biases; the model scales them for the chosen init (:func:`playground.core.charmlp.init`).
- ``BatchNorm1d`` reduces without ``keepdim`` (the buffers keep their (dim,) shape in the
  saved files; broadcasting does the rest) and updates its running buffers in place,
  only while gradients are on (a view's probe pass leaves them alone).
- Each layer defines ``__call__`` as the lecture's classes do (no ``forward`` and hence no
  nn.Module hook machinery per call), and only ``Tanh`` keeps its output in ``self.out``
  (the activation views read it): the lecture keeps every layer's, for its plots, but
  setting a tensor attribute on an nn.Module goes through its ``__setattr__`` checks, a
  few microseconds per layer and step.
"""

from __future__ import annotations

import torch
from torch import nn


class Linear(nn.Module):
    """x @ W + b, with W (fan_in, fan_out) as in the lectures."""

    def __init__(self, fan_in: int, fan_out: int, bias: bool = True, generator=None):
        super().__init__()
        self.weight = nn.Parameter(torch.randn((fan_in, fan_out), generator=generator))
        self.bias = nn.Parameter(torch.randn(fan_out, generator=generator)) if bias else None

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        out = x @ self.weight
        if self.bias is not None:
            out += self.bias
        return out


class BatchNorm1d(nn.Module):
    """Normalise each unit over the batch (and positions), then scale (gamma) and shift (beta).

    Training: batch statistics, and the running estimates updated with ``momentum``.
    Evaluation: the running estimates, so one example can be scored.
    """

    def __init__(self, dim: int, eps: float = 1e-5, momentum: float = 0.01):
        super().__init__()
        self.eps = eps
        self.momentum = momentum
        # parameters (trained with backprop)
        self.gamma = nn.Parameter(torch.ones(dim))
        self.beta = nn.Parameter(torch.zeros(dim))
        # buffers (trained with a running 'momentum update')
        self.register_buffer("running_mean", torch.zeros(dim))
        self.register_buffer("running_var", torch.ones(dim))

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        # calculate the forward pass
        if self.training:
            dim = 0 if x.ndim == 2 else (0, 1)  # (B, C) or (B, T, C): statistics per channel
            xmean = x.mean(dim)  # batch mean
            xvar = x.var(dim)  # batch variance
        else:
            xmean = self.running_mean
            xvar = self.running_var
        xhat = (x - xmean) / torch.sqrt(xvar + self.eps)  # normalize to unit variance
        out = self.gamma * xhat + self.beta
        # update the buffers
        if self.training and torch.is_grad_enabled():
            with torch.no_grad():
                # running = (1 - momentum) * running + momentum * batch, in place
                self.running_mean.lerp_(xmean, self.momentum)
                self.running_var.lerp_(xvar, self.momentum)
        return out


class Tanh(nn.Module):
    """tanh, keeping its last output (``out``) for the activation statistics."""

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        self.out = torch.tanh(x)
        return self.out


class FlattenConsecutive(nn.Module):
    """(B, T, C) -> (B, T/n, C*n): fuse n neighbouring positions (part 5)."""

    def __init__(self, n: int):
        super().__init__()
        self.n = n

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        B, T, C = x.shape
        x = x.view(B, T // self.n, C * self.n)
        if x.shape[1] == 1:
            x = x.squeeze(1)
        return x
