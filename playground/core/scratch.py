"""A neural network from scratch: "no machine learning libraries, only numpy and some maths".

The from-scratch lesson's MNIST network, written out by hand so every step can be read
(the Digits tab's "From scratch (numpy)" model; its shipped weights reach 98.2% on MNIST):

    forward   z = h @ W + b per layer, h = relu(z) on hidden layers   x (N,784) -> logits (N,10)
    loss      p = softmax(logits); loss = mean(-log p[y])               (cross-entropy)
    backward  dz = (p - onehot(y)) / N at the logits, then per layer:
              dW = h.T @ dz, db = dz.sum(0), dh = dz @ W.T, dz = dh * (h > 0)
    update    v = momentum * v - lr * g; w += v                         (SGD with momentum)

Names: ``W{i}``/``b{i}`` the weights (fan_in, fan_out) and biases of layer i, ``h`` a
layer's input, ``z`` its pre-activation, ``dz``/``dh`` the gradients of the loss with
respect to them.  No autograd; a test checks the hand-written gradients against torch's.

    net = ScratchNet([784, 256, 128, 10], seed=0)
    loss, grads, logits = net.loss_and_grads(x, y)   # x float32 (N,784), y int64 (N,)
    opt = SGD(net.params, lr=0.05, momentum=0.9)
    opt.step(grads)
"""

from __future__ import annotations

import numpy as np


class ScratchNet:
    """A multi-layer perceptron with ReLU hidden layers, in plain numpy (float32).

    ``sizes`` = [inputs, hidden..., classes].  Parameters live in ``params``, a
    dict name -> array ("W0", "b0", "W1", ...), W of shape (fan_in, fan_out).
    """

    def __init__(self, sizes: list[int], seed: int = 0):
        self.sizes = list(sizes)
        rng = np.random.default_rng(seed)
        self.params: dict[str, np.ndarray] = {}
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
            # He (Kaiming) initialisation: keeps the ReLU activations' variance constant
            w = rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / n_in)
            self.params[f"W{i}"] = w.astype(np.float32)
            self.params[f"b{i}"] = np.zeros(n_out, dtype=np.float32)

    @property
    def n_layers(self) -> int:
        return len(self.sizes) - 1

    def forward(self, x: np.ndarray, keep: bool = False) -> tuple[np.ndarray, list[np.ndarray]]:
        """Logits (N,classes) of x (N,inputs); with ``keep`` each layer's input too (backward)."""
        h = x.astype(np.float32, copy=False)
        cache = []
        for i in range(self.n_layers):
            if keep:
                cache.append(h)
            z = h @ self.params[f"W{i}"] + self.params[f"b{i}"]  # (N, fan_out)
            h = np.maximum(z, 0) if i < self.n_layers - 1 else z  # ReLU on hidden layers
        return h, cache

    def predict_proba(self, x: np.ndarray, batch: int = 4096) -> np.ndarray:
        """Class probabilities (N,classes) of x (N,inputs)."""
        out = [softmax(self.forward(x[i : i + batch])[0]) for i in range(0, len(x), batch)]
        return np.concatenate(out) if out else np.zeros((0, self.sizes[-1]), np.float32)

    def loss_and_grads(
        self, x: np.ndarray, y: np.ndarray
    ) -> tuple[float, dict[str, np.ndarray], np.ndarray]:
        """Mean cross-entropy of (x, y), the gradient of every parameter, and the logits."""
        logits, cache = self.forward(x, keep=True)
        n = len(x)
        p = softmax(logits)  # (N, C)
        loss = float(-np.log(p[np.arange(n), y] + 1e-12).mean())
        # d loss / d logits of softmax + cross-entropy: (p - onehot(y)) / N
        dz = p
        dz[np.arange(n), y] -= 1
        dz /= n
        grads: dict[str, np.ndarray] = {}
        for i in reversed(range(self.n_layers)):
            h = cache[i]  # this layer's input (N, fan_in)
            grads[f"W{i}"] = h.T @ dz  # (fan_in, fan_out)
            grads[f"b{i}"] = dz.sum(0)
            if i > 0:
                dh = dz @ self.params[f"W{i}"].T  # (N, fan_in)
                dz = dh * (h > 0)  # back through the previous layer's ReLU (h = relu(z))
        return loss, grads, logits

    def state_dict(self) -> dict[str, np.ndarray]:
        return dict(self.params)

    def load_state_dict(self, state: dict[str, np.ndarray]) -> None:
        """Copy arrays in (shapes must match)."""
        for k, v in self.params.items():
            if k not in state or state[k].shape != v.shape:
                raise ValueError(f"parameter {k}: expected shape {v.shape}")
            self.params[k] = np.asarray(state[k], dtype=np.float32).copy()


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax, stable (subtracts the row max)."""
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


class SGD:
    """Stochastic gradient descent with (heavy-ball) momentum, updating arrays in place.

    v = momentum * v - lr * g;  w += v
    """

    def __init__(self, params: dict[str, np.ndarray], lr: float = 0.05, momentum: float = 0.9):
        self.params, self.lr, self.momentum = params, lr, momentum
        self.velocity = {k: np.zeros_like(v) for k, v in params.items()}

    def step(self, grads: dict[str, np.ndarray]) -> None:
        for k, g in grads.items():
            v = self.velocity[k]
            v *= self.momentum
            v -= self.lr * g
            self.params[k] += v
