"""Export: a standalone PyTorch script that retraces the tab's run.

The script a learner can run and read without this app, in the plain PyTorch of the
lectures' notebooks: ``nn.Linear`` layers in an ``nn.Sequential``, the loss,
``optimizer.zero_grad()``, ``loss.backward()``, ``optimizer.step()`` with ``torch.optim``
(whose steps :mod:`.optim` matches).  The points are embedded exactly; the input scaling
(:mod:`.inputs`), the initial weights (same seed, same draws as :mod:`.model`) and the
order of the batches (:mod:`.loop`) are the app's, so on the CPU the script ends where
the app does.  torch-free itself: it only writes text.
"""

from __future__ import annotations

import numpy as np

from playground.core.toy.config import (
    GAIN,
    MOMENTUM,
    OPTIMIZER_LABELS,
    ToyConfig,
    check_features,
)
from playground.core.toy.datasets import DEFAULT_EXTENT
from playground.core.toy.inputs import INPUT_RANGE, input_scaling


def _numbers(a: np.ndarray, per_line: int = 10) -> str:
    """Python source for a list of numbers (or of [x, y] pairs), exact float32 text."""
    a = np.asarray(a)
    if a.dtype.kind == "f":
        text = [str(np.float32(v)) for v in a.astype(np.float32).ravel()]
    else:
        text = [str(int(v)) for v in a.ravel()]
    if a.ndim == 2:  # points: one [x, y] pair each
        text = [f"[{text[i]}, {text[i + 1]}]" for i in range(0, len(text), 2)]
    lines = [", ".join(text[i : i + per_line]) for i in range(0, len(text), per_line)]
    return "[\n    " + ",\n    ".join(lines) + ",\n]" if lines else "[]"


_SCRIPT = '''"""A decision-boundary experiment exported from Neural Playground.

{summary}

Run it as is:  python {filename}    (needs only torch and numpy)
It trains the same model on the same points as the app (same initial weights, same
batches), printing the training loss as it falls and the held-out accuracy.
"""

import math

import numpy as np
import torch
from torch import nn

torch.set_num_threads(1)  # tiny matrices: more threads only wait for each other

# --- the points, in plane coordinates, with their class labels (0..{last_class})
X_train = np.array({X_train}, dtype=np.float32).reshape(-1, 2)  # [x, y] per point
y_train = np.array({y_train}, dtype=np.int64)
X_test = np.array({X_test}, dtype=np.float32).reshape(-1, 2)
y_test = np.array({y_test}, dtype=np.int64)

# --- inputs: the plane {plane} is scaled onto [-{input_range}, {input_range}]^2, then
# the chosen features are computed from the scaled coordinates x1, x2
CENTRE = torch.tensor({centre}, dtype=torch.float32)
FACTOR = torch.tensor({factor}, dtype=torch.float32)
FEATURES = {features}


def features(X):
    """(n, 2) plane points -> (n, k) network inputs."""
    u = (torch.as_tensor(X, dtype=torch.float32) - CENTRE) * FACTOR
    x1, x2 = u[:, 0], u[:, 1]
    table = {{
        "x1": lambda: x1,
        "x2": lambda: x2,
        "x1^2": lambda: x1 * x1,
        "x2^2": lambda: x2 * x2,
        "x1*x2": lambda: x1 * x2,
        "sin x1": lambda: torch.sin(x1),
        "sin x2": lambda: torch.sin(x2),
    }}
    return torch.stack([table[name]() for name in FEATURES], 1)


# --- the model: {architecture}
HIDDEN = {hidden}
N_CLASSES = {n_classes}  # 2 classes: one sigmoid output; more: softmax
N_OUT = 1 if N_CLASSES == 2 else N_CLASSES
ACTIVATION = {activation}
GAIN = {gain}  # initial weights: uniform, Xavier/He scaled; biases start at 0
SEED = {seed}

sizes = [len(FEATURES), *HIDDEN, N_OUT]
linears = [nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
g = torch.Generator().manual_seed(SEED)
with torch.no_grad():
    for i, layer in enumerate(linears):
        gain = 1.0 if i == len(linears) - 1 else GAIN
        bound = gain * math.sqrt(6.0 / (layer.in_features + layer.out_features))
        w = torch.rand(layer.out_features, layer.in_features, generator=g) * 2 - 1
        layer.weight.copy_(w * bound)
        layer.bias.zero_()
layers = []
for layer in linears[:-1]:
    layers += [layer, ACTIVATION]
model = nn.Sequential(*layers, linears[-1])


def data_loss(logits, y):
    """Cross-entropy: binary (sigmoid) for 2 classes, softmax otherwise."""
    if N_OUT == 1:
        return nn.functional.binary_cross_entropy_with_logits(logits[:, 0], y.float())
    return nn.functional.cross_entropy(logits, y)


@torch.no_grad()
def loss_and_accuracy(F, y):
    logits = model(F)
    pred = (logits[:, 0] > 0).long() if N_OUT == 1 else logits.argmax(1)
    return data_loss(logits, y).item(), (pred == y).float().mean().item()


# --- training: {optimizer_label}, lr = {lr} * {decay}**epoch, batch {batch_size}
EPOCHS = {epochs}
LR, DECAY, BATCH = {lr}, {decay}, {batch_size}
L1, L2 = {l1}, {l2}  # penalty on the weights (not biases): L1*sum|w| + L2/2*sum w^2
optimizer = {optimizer}

F_train, Y_train = features(X_train), torch.as_tensor(y_train)
F_test, Y_test = features(X_test), torch.as_tensor(y_test)
order = torch.Generator().manual_seed(SEED + 1)  # the order of the batches
n = len(F_train)
for epoch in range(EPOCHS):
    for group in optimizer.param_groups:
        group["lr"] = LR * DECAY**epoch
    model.train()
    perm = torch.randperm(n, generator=order)
    F_perm, Y_perm = F_train[perm], Y_train[perm]
    for i in range(0, n, BATCH):
        loss = data_loss(model(F_perm[i : i + BATCH]), Y_perm[i : i + BATCH])
        if L1 or L2:
            for layer in linears:
                w = layer.weight
                loss = loss + L1 * w.abs().sum() + 0.5 * L2 * (w * w).sum()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    train_loss, train_acc = loss_and_accuracy(F_train, Y_train)
    if not math.isfinite(train_loss):
        raise SystemExit(f"Training diverged at epoch {{epoch + 1}}: lower the learning rate.")
    if epoch == 0 or (epoch + 1) % {every} == 0 or epoch + 1 == EPOCHS:
        line = f"epoch {{epoch + 1:5d}}  loss {{train_loss:.4f}}  accuracy {{train_acc:.3f}}"
        if len(F_test):
            test_loss, test_acc = loss_and_accuracy(F_test, Y_test)
            line += f"  test loss {{test_loss:.4f}}  test accuracy {{test_acc:.3f}}"
        print(line)
'''

_ACTIVATION_SOURCE = {
    "relu": "nn.ReLU()",
    "tanh": "nn.Tanh()",
    "sigmoid": "nn.Sigmoid()",
    "linear": "nn.Identity()",
}
_OPTIMIZER_SOURCE = {
    "sgd": "torch.optim.SGD(model.parameters(), lr=LR)",
    "momentum": f"torch.optim.SGD(model.parameters(), lr=LR, momentum={MOMENTUM})",
    "rmsprop": "torch.optim.RMSprop(model.parameters(), lr=LR)",
    "adagrad": "torch.optim.Adagrad(model.parameters(), lr=LR)",
    "adam": "torch.optim.Adam(model.parameters(), lr=LR)",
}


def export_script(
    config: ToyConfig,
    X_train: np.ndarray,
    y_train: np.ndarray,
    X_test: np.ndarray,
    y_test: np.ndarray,
    epochs: int = 300,
    dataset: str | None = None,
    filename: str = "boundary_experiment.py",
) -> str:
    """A standalone PyTorch script (torch + numpy only) that trains this model on these points.

    The points are embedded exactly; the input scaling, the initial weights (same seed,
    same draws) and the order of the batches are those of :func:`train`, so on the CPU
    the script retraces the app's run.  It prints the loss every few epochs.
    ``dataset`` only names the data in the docstring.
    """
    centre, factor = input_scaling(config.extent)
    hidden = list(config.hidden)
    arch = (
        "a single neuron (logistic regression)"
        if not hidden and config.n_classes == 2
        else f"{len(hidden)} hidden layer(s) {hidden}, {config.activation}"
    )
    plane = config.extent or DEFAULT_EXTENT
    summary = (
        f"Data: {dataset or 'your points'}, {len(X_train)} training and {len(X_test)} test "
        f"points, {config.n_classes} classes.\nModel: {arch}; inputs {', '.join(config.features)}."
    )
    return _SCRIPT.format(
        summary=summary,
        filename=filename,
        last_class=config.n_classes - 1,
        X_train=_numbers(np.asarray(X_train, np.float32).reshape(-1, 2), 4),
        y_train=_numbers(np.asarray(y_train, np.int64), 30),
        X_test=_numbers(np.asarray(X_test, np.float32).reshape(-1, 2), 4),
        y_test=_numbers(np.asarray(y_test, np.int64), 30),
        plane=f"x {plane[0]:g}..{plane[1]:g}, y {plane[2]:g}..{plane[3]:g}",
        input_range=f"{INPUT_RANGE:g}",
        centre=list(centre),
        factor=list(factor),
        features=list(check_features(config.features)),
        architecture=arch,
        hidden=hidden,
        n_classes=config.n_classes,
        activation=_ACTIVATION_SOURCE[config.activation],
        gain=GAIN[config.activation],
        seed=int(config.seed),
        optimizer_label=OPTIMIZER_LABELS[config.optimizer],
        optimizer=_OPTIMIZER_SOURCE[config.optimizer],
        lr=float(config.lr),
        decay=float(config.decay),
        batch_size=int(config.batch_size),
        l1=float(config.l1),
        l2=float(config.l2),
        epochs=int(epochs),
        every=max(1, int(epochs) // 20),
    )
