"""MNIST / Fashion-MNIST: three classifiers, drawing preprocessing, evaluation.

    images, labels = load_dataset("mnist", "test")          # uint8 (N,28,28), int64 (N,)
    clf = load_pretrained("mnist")                           # shipped weights, no data needed
    clf.predict_proba(images.astype("float32") / 255)        # (N,10)
    preprocess(drawing)                                      # HxW ink in [0,1] -> (28,28)
    clf = fit("mnist", model="cnn", epochs=3)                # "scratch" | "mlp" | "cnn"
    report = evaluate(clf, images, labels)                   # accuracy, confusion, mistakes

Three models, one interface (``predict_proba``, ``save``, :func:`load_model`):

- "scratch": :mod:`playground.core.scratch`, numpy only, backward pass by hand,
  SGD with momentum and a learning rate that decays every epoch.
- "mlp": a torch multi-layer perceptron (784-512-256-10, dropout), Adam.
- "cnn": a small LeNet-like torch CNN (conv 5x5 x32, pool, conv 5x5 x32, pool, 128, 10)
  with batch normalisation after each convolution, Adam.

Training is a generator of :class:`playground.core.training.Snapshot` (see
:func:`train_job`), so the ui worker can run, pause and stop it.  Models are
saved as safetensors with a small metadata header; loading never unpickles.
torch is imported only when a torch model is built or loaded: the scratch
model (the shipped default) predicts with numpy alone.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from playground.core import data
from playground.core.files import atomic_write
from playground.core.scratch import SGD, ScratchNet
from playground.core.training import (
    DivergenceGuard,
    LiveSettings,
    Snapshot,
    check_finite,
    job_cores,
    torch_threads,
)

DATASETS = ("mnist", "fashion-mnist")
DATASET_TITLES = {"mnist": "MNIST", "fashion-mnist": "Fashion-MNIST"}
MODELS = ("scratch", "mlp", "cnn")
MODEL_TITLES = {
    "scratch": "From scratch (numpy)",
    "mlp": "MLP (torch)",
    "cnn": "CNN (torch)",
}
CLASS_NAMES = {
    "mnist": [str(i) for i in range(10)],
    "fashion-mnist": [
        "T-shirt/top",
        "Trouser",
        "Pullover",
        "Dress",
        "Coat",
        "Sandal",
        "Shirt",
        "Sneaker",
        "Bag",
        "Ankle boot",
    ],
}
RESOURCES = Path(__file__).resolve().parents[1] / "resources"
FILE_FORMAT = "neural-playground-digits"
FILE_VERSION = "1"


# --------------------------------------------------------------------------- data
def load_dataset(name: str, split: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """(images uint8 (N,28,28), labels int64 (N,)) of "mnist"/"fashion-mnist", "train"/"test".

    Raises :class:`playground.core.data.DataMissing` (with what to do) if the files are absent.
    """
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}")
    return data.load_images(name, split)


def class_names(dataset: str) -> list[str]:
    """The ten class names of a dataset ("0".."9" for MNIST)."""
    return list(CLASS_NAMES[dataset])


def as_float(images: np.ndarray) -> np.ndarray:
    """uint8 images (0..255) -> float32 in [0,1]; float input is returned as float32."""
    if images.dtype == np.uint8:
        return images.astype(np.float32) / 255.0
    return np.asarray(images, dtype=np.float32)


# --------------------------------------------------------------------------- preprocessing
def _resample_matrix(n_in: int, n_out: int) -> np.ndarray:
    """(n_out, n_in) weights of an anti-aliased (triangle filter) 1-D resize, rows sum to 1.

    Shrinking widens the filter to the input pixels each output pixel covers (like
    PIL's antialiased bilinear), so thin strokes turn grey instead of vanishing.
    """
    scale = n_in / n_out
    support = max(scale, 1.0)
    centres = (np.arange(n_out) + 0.5) * scale  # output pixel centres, in input coordinates
    x = np.arange(n_in) + 0.5
    w = np.maximum(0.0, 1.0 - np.abs(x[None, :] - centres[:, None]) / support)
    return (w / w.sum(axis=1, keepdims=True)).astype(np.float32)


def resize(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """Anti-aliased resize of a 2-D float image to (height, width)."""
    ry = _resample_matrix(image.shape[0], height)  # (height, H)
    rx = _resample_matrix(image.shape[1], width)  # (width, W)
    return ry @ image.astype(np.float32) @ rx.T


def ink_box(drawing: np.ndarray, threshold: float = 0.05) -> tuple[int, int, int, int] | None:
    """(top, left, bottom, right) (exclusive) of the ink in a drawing, or None if it is empty."""
    mask = np.asarray(drawing) > threshold
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if len(rows) == 0:
        return None
    return int(rows[0]), int(cols[0]), int(rows[-1]) + 1, int(cols[-1]) + 1


def centre_of_mass(image: np.ndarray) -> tuple[float, float]:
    """(row, column) centre of mass of a 2-D non-negative image, in pixel-index coordinates."""
    total = float(image.sum())
    if total <= 0:
        return (image.shape[0] - 1) / 2, (image.shape[1] - 1) / 2
    rows = float(image.sum(axis=1) @ np.arange(image.shape[0])) / total
    cols = float(image.sum(axis=0) @ np.arange(image.shape[1])) / total
    return rows, cols


def preprocess(
    drawing: np.ndarray, box: int = 20, size: int = 28, centre: str = "mass"
) -> np.ndarray:
    """Turn any HxW drawing (float ink in [0,1], 1 = ink) into a 28x28 MNIST-style image.

    As MNIST was made: crop to the ink's bounding box, scale it (anti-aliased) so its
    longer side is 20 pixels keeping the aspect ratio, then place it in the 28x28 field
    so that its centre of mass is at the field's centre (row, column 14, 14: where the
    real MNIST digits' centres of mass are on average).  Ink is rescaled so its
    darkest pixel is 1.  An empty drawing gives all zeros.  ``centre="box"`` centres
    the bounding box instead (Fashion-MNIST's way, see :func:`preprocess_for`).
    """
    a = np.clip(np.asarray(drawing, dtype=np.float32), 0.0, 1.0)
    out = np.zeros((size, size), dtype=np.float32)
    bounds = ink_box(a)
    if bounds is None:
        return out
    top, left, bottom, right = bounds
    crop = a[top:bottom, left:right]
    h, w = crop.shape
    scale = box / max(h, w)
    nh, nw = max(1, round(h * scale)), max(1, round(w * scale))
    digit = np.clip(resize(crop, nh, nw), 0.0, 1.0)
    if centre == "box":
        cy, cx = (nh - 1) / 2, (nw - 1) / 2
    else:
        cy, cx = centre_of_mass(digit)
    row = int(np.clip(round(size / 2 - cy), 0, size - nh))
    col = int(np.clip(round(size / 2 - cx), 0, size - nw))
    out[row : row + nh, col : col + nw] = digit
    peak = out.max()
    return out / peak if peak > 0 else out


def preprocess_for(dataset: str, drawing: np.ndarray) -> np.ndarray:
    """Preprocess a drawing the way ``dataset``'s images were made.

    MNIST: fit 20x20, centre by mass (:func:`preprocess`).  Fashion-MNIST's product
    photos were trimmed, resized so the longer side is 28 and centred: fit 28x28,
    centre the bounding box.
    """
    if dataset == "fashion-mnist":
        return preprocess(drawing, box=28, centre="box")
    return preprocess(drawing)


# --------------------------------------------------------------------------- configs
@dataclass
class TrainConfig:
    """How to train one model; the tab's defaults are :data:`DEFAULTS`."""

    model: str = "mlp"
    epochs: int = 10
    batch_size: int = 128
    lr: float = 1e-3
    lr_decay: float = 0.9  # the learning rate is multiplied by this after every epoch
    momentum: float = 0.9  # scratch (SGD) only
    hidden: tuple[int, ...] = (512, 256)  # scratch and mlp
    dropout: float = 0.2  # mlp and cnn
    seed: int = 0
    train_limit: int | None = None  # use only the first N training images (tests, demos)
    test_limit: int | None = None


DEFAULTS: dict[str, TrainConfig] = {
    "scratch": TrainConfig(
        "scratch", epochs=15, batch_size=64, lr=0.05, lr_decay=0.85, hidden=(256, 128)
    ),
    "mlp": TrainConfig("mlp", epochs=15, batch_size=128, lr=1e-3, lr_decay=0.85, hidden=(512, 256)),
    "cnn": TrainConfig("cnn", epochs=8, batch_size=128, lr=1e-3, lr_decay=0.75, dropout=0.3),
}


def config_for(model: str, **overrides: Any) -> TrainConfig:
    """The tab's default config for ``model`` with some fields replaced (None values ignored)."""
    if model not in MODELS:
        raise ValueError(f"unknown model {model!r}; choose one of {', '.join(MODELS)}")
    changes = {k: v for k, v in overrides.items() if v is not None}
    if "hidden" in changes:
        changes["hidden"] = tuple(int(h) for h in changes["hidden"])
    return replace(DEFAULTS[model], **changes)


# --------------------------------------------------------------------------- models
class ModelFileError(ValueError):
    """A model file that is missing, corrupt, or not a digits model; the message says which."""


@dataclass
class Classifier:
    """The one interface of the three models.  Subclasses: :class:`ScratchClassifier`,
    :class:`TorchClassifier`.  ``arch`` describes the shape (enough to rebuild it)."""

    kind: str
    dataset: str
    arch: dict[str, Any] = field(default_factory=dict)
    info: dict[str, str] = field(default_factory=dict)  # e.g. test accuracy when saved

    @property
    def class_names(self) -> list[str]:
        return class_names(self.dataset)

    @property
    def title(self) -> str:
        return f"{MODEL_TITLES[self.kind]} on {DATASET_TITLES[self.dataset]}"

    def predict_proba(self, images: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        """Class probabilities (N,10) of float images in [0,1]: (N,28,28), (28,28) or (N,784)."""
        raise NotImplementedError

    def predict(self, images: np.ndarray) -> np.ndarray:
        """The most likely class (N,) of each image."""
        return self.predict_proba(images).argmax(axis=1)

    def n_params(self) -> int:  # pragma: no cover - abstract
        raise NotImplementedError

    def arrays(self) -> dict[str, np.ndarray]:  # pragma: no cover - abstract
        """Every parameter as a float32 numpy array (what :meth:`save` writes)."""
        raise NotImplementedError

    def save(self, path: str | Path, half: bool = False) -> None:
        """Write the weights and a metadata header as safetensors (float16 with ``half``)."""
        from safetensors.numpy import save_file

        tensors = {
            k: np.ascontiguousarray(v.astype(np.float16 if half else np.float32))
            for k, v in self.arrays().items()
        }
        meta = {
            "format": FILE_FORMAT,
            "version": FILE_VERSION,
            "kind": self.kind,
            "dataset": self.dataset,
            "arch": json.dumps(self.arch),
            **{f"info.{k}": str(v) for k, v in self.info.items()},
        }
        atomic_write(path, lambda tmp: save_file(tensors, str(tmp), metadata=meta))

    # views for "what the network sees"
    def first_layer(self) -> np.ndarray | None:
        """First-layer weights as images (units, 28, 28), for the MLPs; else None."""
        return None

    def unit_contributions(self, image: np.ndarray, cls: int) -> np.ndarray | None:
        """How much each first-layer unit adds to class ``cls``'s logit for this image (units,).

        contribution_j = h_j * d logit_cls / d h_j (activation times gradient), for the MLPs.
        """
        return None

    def feature_maps(self, image: np.ndarray) -> np.ndarray | None:
        """The first convolution's feature maps (channels, 28, 28) after ReLU, for the CNN."""
        return None


def _flat(images: np.ndarray) -> np.ndarray:
    x = as_float(np.asarray(images))
    if x.ndim == 2 and x.shape == (28, 28):
        x = x[None]
    return x.reshape(len(x), 784)


class ScratchClassifier(Classifier):
    """The numpy network of :mod:`playground.core.scratch` (no torch needed)."""

    def __init__(self, dataset: str, hidden: tuple[int, ...] = (256, 128), seed: int = 0, **kw):
        super().__init__("scratch", dataset, {"hidden": list(hidden)}, dict(kw.get("info", {})))
        self.net = ScratchNet([784, *hidden, 10], seed=seed)

    def predict_proba(self, images: np.ndarray) -> np.ndarray:
        return self.net.predict_proba(_flat(images))

    def n_params(self) -> int:
        return sum(v.size for v in self.net.params.values())

    def arrays(self) -> dict[str, np.ndarray]:
        return self.net.state_dict()

    def first_layer(self) -> np.ndarray:
        return self.net.params["W0"].T.reshape(-1, 28, 28).copy()

    def unit_contributions(self, image: np.ndarray, cls: int) -> np.ndarray:
        x = _flat(image)[:1]
        _, cache = self.net.forward(x, keep=True)
        # backward from d logit_cls = 1 down to the first hidden layer's activations
        g = np.zeros((1, 10), np.float32)
        g[0, cls] = 1.0
        for i in reversed(range(1, self.net.n_layers)):
            g = g @ self.net.params[f"W{i}"].T  # d logit / d h_i (input of layer i)
            if i > 1:
                g = g * (cache[i] > 0)
        h1 = cache[1]  # first hidden layer activations (1, units)
        return (h1 * g)[0]


class TorchClassifier(Classifier):
    """A torch model ("mlp" or "cnn") on a device; predictions return numpy."""

    def __init__(self, kind: str, dataset: str, arch: dict[str, Any], device: Any = "cpu", **kw):
        super().__init__(kind, dataset, dict(arch), dict(kw.get("info", {})))
        import torch

        seed = int(kw.get("seed", 0))
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            self.module = build_module(kind, arch)
        self.device = torch.device(device)
        self.module.to(self.device).eval()

    def _input(self, images: np.ndarray):
        import torch

        x = torch.from_numpy(np.ascontiguousarray(_flat(images))).to(self.device)
        return x.view(-1, 1, 28, 28) if self.kind == "cnn" else x

    def predict_proba(self, images: np.ndarray, batch: int = 2048) -> np.ndarray:
        import torch

        x = _flat(images)
        self.module.eval()
        out = []
        with torch.inference_mode():
            for i in range(0, len(x), batch):
                logits = self.module(self._input(x[i : i + batch]))
                out.append(torch.softmax(logits.float(), dim=1).cpu().numpy())
        return np.concatenate(out) if out else np.zeros((0, 10), np.float32)

    def n_params(self) -> int:
        return sum(p.numel() for p in self.module.parameters())

    def arrays(self) -> dict[str, np.ndarray]:
        return {k: v.detach().float().cpu().numpy() for k, v in self.module.state_dict().items()}

    def first_layer(self) -> np.ndarray | None:
        if self.kind != "mlp":
            return None
        return self.module[1].weight.detach().float().cpu().numpy().reshape(-1, 28, 28)

    def unit_contributions(self, image: np.ndarray, cls: int) -> np.ndarray | None:
        if self.kind != "mlp":
            return None
        import torch

        self.module.eval()
        x = self._input(image[None] if np.asarray(image).ndim == 2 else image)[:1]
        h1 = self.module[2](self.module[1](self.module[0](x)))  # first hidden layer, after ReLU
        h1 = h1.detach().requires_grad_(True)
        logits = self.module[3:](h1)
        (grad,) = torch.autograd.grad(logits[0, cls], h1)
        return (h1 * grad)[0].detach().cpu().numpy()

    def feature_maps(self, image: np.ndarray) -> np.ndarray | None:
        if self.kind != "cnn":
            return None
        import torch

        self.module.eval()
        with torch.inference_mode():
            maps = self.module[:3](self._input(image)[:1])  # conv1 -> batchnorm -> ReLU
        return maps[0].float().cpu().numpy()


def build_module(kind: str, arch: dict[str, Any]):
    """The torch network of a kind: an ``nn.Sequential`` (indexable for the views)."""
    from torch import nn

    dropout = float(arch.get("dropout", 0.0))
    if kind == "mlp":
        sizes = [784, *[int(h) for h in arch["hidden"]]]
        layers: list[nn.Module] = [nn.Flatten()]
        for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
            layers += [nn.Linear(n_in, n_out), nn.ReLU(), nn.Dropout(dropout)]
        layers.append(nn.Linear(sizes[-1], 10))
        return nn.Sequential(*layers)
    if kind == "cnn":
        c1, c2, fc = (int(v) for v in arch.get("channels", (32, 32, 128)))
        return nn.Sequential(
            nn.Conv2d(1, c1, 5, padding=2),  # (N,c1,28,28)
            nn.BatchNorm2d(c1),  # normalised activations: trains several times faster
            nn.ReLU(),
            nn.MaxPool2d(2),  # (N,c1,14,14)
            nn.Conv2d(c1, c2, 5),  # (N,c2,10,10)
            nn.BatchNorm2d(c2),
            nn.ReLU(),
            nn.MaxPool2d(2),  # (N,c2,5,5)
            nn.Flatten(),
            nn.Linear(c2 * 25, fc),
            nn.ReLU(),
            nn.Dropout(dropout),
            nn.Linear(fc, 10),
        )
    raise ValueError(f"unknown torch model kind {kind!r}")


def new_model(dataset: str, config: TrainConfig, device: Any = "cpu") -> Classifier:
    """A freshly initialised model of ``config.model`` for ``dataset``."""
    if dataset not in DATASETS:
        raise ValueError(f"unknown dataset {dataset!r}")
    if config.model == "scratch":
        return ScratchClassifier(dataset, tuple(config.hidden), seed=config.seed)
    arch: dict[str, Any] = {"dropout": config.dropout}
    if config.model == "mlp":
        arch["hidden"] = list(config.hidden)
    elif config.model == "cnn":
        arch["channels"] = [32, 32, 128]
    else:
        raise ValueError(f"unknown model {config.model!r}; choose one of {', '.join(MODELS)}")
    return TorchClassifier(config.model, dataset, arch, device, seed=config.seed)


# --------------------------------------------------------------------------- files
def load_model(path: str | Path, device: Any = "cpu") -> Classifier:
    """Read a model saved by :meth:`Classifier.save` (safetensors: never unpickles).

    Raises :class:`ModelFileError` with a message for the user if the file is missing,
    is not a safetensors file, is corrupt, or is not a digits model.
    """
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"There is no file {path}.")
    try:
        from safetensors import safe_open

        with safe_open(str(path), framework="numpy") as f:
            meta = f.metadata() or {}
            tensors = {k: f.get_tensor(k) for k in f.keys()}  # noqa: SIM118 - safe_open API
    except Exception as exc:  # noqa: BLE001 - any parse failure means "not a valid file"
        raise ModelFileError(
            f"{path.name} is not a readable model file (expected safetensors saved by the "
            f"Digits tab); it may be corrupt or of another kind. ({type(exc).__name__}: {exc})"
        ) from None
    if meta.get("format") != FILE_FORMAT:
        raise ModelFileError(
            f"{path.name} is a safetensors file but not a Digits model "
            "(it has no Neural Playground digits header)."
        )
    kind, dataset = meta.get("kind"), meta.get("dataset")
    if kind not in MODELS or dataset not in DATASETS:
        raise ModelFileError(f"{path.name}: unknown model kind {kind!r} or dataset {dataset!r}.")
    try:
        arch = json.loads(meta.get("arch", "{}"))
        info = {k[5:]: v for k, v in meta.items() if k.startswith("info.")}
        tensors = {k: v.astype(np.float32) for k, v in tensors.items()}
        if kind == "scratch":
            clf: Classifier = ScratchClassifier(dataset, tuple(arch["hidden"]), info=info)
            clf.net.load_state_dict(tensors)
        else:
            import torch

            clf = TorchClassifier(kind, dataset, arch, device, info=info)
            state = {k: torch.from_numpy(v) for k, v in tensors.items()}
            clf.module.load_state_dict(state, strict=True)
            clf.module.to(clf.device)
    except Exception as exc:  # noqa: BLE001 - shapes/keys that do not match the header
        raise ModelFileError(
            f"{path.name} looks like a Digits model but its weights do not match its "
            f"description; the file is damaged. ({type(exc).__name__}: {exc})"
        ) from None
    return clf


def pretrained_path(dataset: str) -> Path:
    """Where the shipped default model of a dataset lives."""
    return RESOURCES / f"digits-{dataset}.safetensors"


def load_pretrained(dataset: str = "mnist") -> Classifier:
    """The shipped default model (made by scripts/make_pretrained.py); needs no dataset."""
    if dataset not in DATASETS:
        raise ValueError(f"unknown dataset {dataset!r}; choose one of {', '.join(DATASETS)}")
    return load_model(pretrained_path(dataset))


# --------------------------------------------------------------------------- training
def _subset(images: np.ndarray, labels: np.ndarray, limit: int | None):
    return (images, labels) if limit is None else (images[:limit], labels[:limit])


def train_job(
    clf: Classifier,
    train: tuple[np.ndarray, np.ndarray],
    test: tuple[np.ndarray, np.ndarray] | None,
    config: TrainConfig,
    live: LiveSettings | None = None,
    reports_per_epoch: int = 50,
) -> Iterator[Snapshot]:
    """Train ``clf`` in place; a generator of Snapshots (unit "batch").

    train/test: (uint8 images (N,28,28), int64 labels).  Every ~1/50 epoch it yields
    metrics {epoch (fractional), batch, batches, loss, acc (since the last report),
    lr, elapsed (training seconds)}; after each epoch also {train_loss, train_acc,
    test_loss, test_acc} (test only if ``test`` is given).  ``live.lr``, if set,
    replaces the base learning rate while running.
    """
    x, y = _subset(*train, config.train_limit)
    if test is not None:
        test = _subset(*test, config.test_limit)
    if len(x) == 0:
        raise ValueError("no training images")
    if clf.kind == "scratch":
        return _train_scratch(clf, x, y, test, config, live, reports_per_epoch)
    return _in_threads(_train_torch(clf, x, y, test, config, live, reports_per_epoch), clf.device)


def _in_threads(job: Iterator[Snapshot], device: Any) -> Iterator[Snapshot]:
    """``job`` with torch on :func:`~playground.core.training.job_cores` threads: on two
    cores the GUI keeps one (a second torch thread took it while the curves painted)."""
    with torch_threads(job_cores(), device):
        yield from job


def _lr(config: TrainConfig, live: LiveSettings | None, epoch: int) -> float:
    base = float(getattr(live, "lr", config.lr)) if live is not None else config.lr
    return base * config.lr_decay**epoch


def _train_scratch(clf, x, y, test, config, live, reports_per_epoch) -> Iterator[Snapshot]:
    net: ScratchNet = clf.net
    opt = SGD(net.params, lr=config.lr, momentum=config.momentum)
    rng = np.random.default_rng(config.seed)
    n, bs = len(x), config.batch_size
    batches = math.ceil(n / bs)
    total = config.epochs * batches
    every = max(1, batches // reports_per_epoch)
    elapsed, step = 0.0, 0
    guard = _guard()
    for epoch in range(config.epochs):
        t0 = time.perf_counter()
        opt.lr = _lr(config, live, epoch)
        order = rng.permutation(n)
        loss_sum = correct = seen = 0.0
        win_loss = win_correct = win_seen = 0.0
        for b in range(batches):
            idx = order[b * bs : (b + 1) * bs]
            xb = x[idx].reshape(len(idx), 784).astype(np.float32) / 255.0
            yb = y[idx]
            with np.errstate(over="ignore", invalid="ignore"):  # check_finite reports it
                loss, grads, logits = net.loss_and_grads(xb, yb)
            check_finite(loss, epoch + 1, "epoch")
            opt.step(grads)
            hits = float((logits.argmax(1) == yb).sum())
            loss_sum += loss * len(idx)
            correct += hits
            seen += len(idx)
            win_loss += loss * len(idx)
            win_correct += hits
            win_seen += len(idx)
            step += 1
            if (b + 1) % every == 0 or b == batches - 1:
                metrics = {
                    "epoch": epoch + (b + 1) / batches,
                    "batch": b + 1,
                    "batches": batches,
                    "loss": guard.check(win_loss / win_seen, epoch + 1),
                    "acc": win_correct / win_seen,
                    "lr": opt.lr,
                }
                win_loss = win_correct = win_seen = 0.0
                if b == batches - 1:
                    metrics.update(train_loss=loss_sum / seen, train_acc=correct / seen)
                    if test is not None:
                        metrics.update(_test_metrics(clf, *test))
                elapsed += time.perf_counter() - t0
                metrics["elapsed"] = elapsed
                yield Snapshot(step, total, metrics, unit="batch")
                t0 = time.perf_counter()
                opt.lr = _lr(config, live, epoch)


def _guard() -> DivergenceGuard:
    """Diverged: a window's loss above twice chance level (2 ln 10) twice in a row, or NaN.
    Collapsed: back at chance level (ln 10) for 10 windows (1/5 epoch) after leaving it."""
    return DivergenceGuard("epoch", patience=2, start=math.log(10), chance=math.log(10))


def _test_metrics(clf: Classifier, images: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    ev = evaluate(clf, images, labels)
    return {"test_loss": ev.loss, "test_acc": ev.accuracy}


def _train_torch(clf, x, y, test, config, live, reports_per_epoch) -> Iterator[Snapshot]:
    import torch
    import torch.nn.functional as F

    model, device = clf.module, clf.device
    opt = torch.optim.Adam(model.parameters(), lr=config.lr)
    g = torch.Generator().manual_seed(config.seed)
    xs = torch.from_numpy(np.array(x, copy=True)).to(device)  # uint8 (N,28,28): 4x smaller
    ys = torch.from_numpy(np.ascontiguousarray(y)).to(device)
    n, bs = len(xs), config.batch_size
    batches = math.ceil(n / bs)
    total = config.epochs * batches
    every = max(1, batches // reports_per_epoch)
    elapsed, step = 0.0, 0
    guard = _guard()
    shape = (-1, 1, 28, 28) if clf.kind == "cnn" else (-1, 784)
    for epoch in range(config.epochs):
        t0 = time.perf_counter()
        for group in opt.param_groups:
            group["lr"] = _lr(config, live, epoch)
        model.train()
        order = torch.randperm(n, generator=g).to(device)
        loss_sum = torch.zeros((), device=device)
        correct = torch.zeros((), device=device, dtype=torch.long)
        win_loss, win_correct, win_seen, seen = loss_sum.clone(), correct.clone(), 0, 0
        for b in range(batches):
            idx = order[b * bs : (b + 1) * bs]
            xb = xs[idx].view(shape).float().div_(255.0)
            yb = ys[idx]
            logits = model(xb)
            loss = F.cross_entropy(logits, yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            with torch.no_grad():  # accumulate on the device: no sync every batch
                win_loss += loss.detach() * len(idx)
                win_correct += (logits.argmax(1) == yb).sum()
            win_seen += len(idx)
            step += 1
            if (b + 1) % every == 0 or b == batches - 1:
                window_loss = guard.check(float(win_loss) / win_seen, epoch + 1)
                metrics = {
                    "epoch": epoch + (b + 1) / batches,
                    "batch": b + 1,
                    "batches": batches,
                    "loss": window_loss,
                    "acc": float(win_correct) / win_seen,
                    "lr": opt.param_groups[0]["lr"],
                }
                loss_sum += win_loss
                correct += win_correct
                seen += win_seen
                win_loss.zero_(), win_correct.zero_()
                win_seen = 0
                if b == batches - 1:
                    metrics.update(
                        train_loss=float(loss_sum) / seen, train_acc=float(correct) / seen
                    )
                    if test is not None:
                        metrics.update(_test_metrics(clf, *test))
                    model.train()
                elapsed += time.perf_counter() - t0
                metrics["elapsed"] = elapsed
                yield Snapshot(step, total, metrics, unit="batch")
                t0 = time.perf_counter()
                for group in opt.param_groups:
                    group["lr"] = _lr(config, live, epoch)
    model.eval()


def fit(
    dataset: str = "mnist",
    model: str = "mlp",
    epochs: int | None = None,
    device: Any = "cpu",
    data_sets: dict[str, tuple[np.ndarray, np.ndarray]] | None = None,
    **overrides: Any,
) -> Classifier:
    """Train a model with the tab's defaults (any :class:`TrainConfig` field can be overridden).

    ``data_sets`` may hold {"train": (images, labels), "test": ...} already loaded.
    """
    config = config_for(model, epochs=epochs, **overrides)
    data_sets = data_sets or {}
    train = data_sets.get("train") or load_dataset(dataset, "train")
    test = data_sets.get("test")
    clf = new_model(dataset, config, device)
    for _ in train_job(clf, train, test, config):
        pass
    return clf


# --------------------------------------------------------------------------- evaluation
@dataclass
class Evaluation:
    """A model's results on a labelled set.

    confusion[t, p] counts images of true class t predicted as p.  ``mistakes`` are the
    indices of misclassified images, most confident mistakes first.
    """

    accuracy: float
    loss: float
    confusion: np.ndarray  # int64 (10,10)
    predictions: np.ndarray  # int64 (N,)
    confidence: np.ndarray  # float32 (N,), probability of the predicted class
    mistakes: np.ndarray  # int64 (M,)


def evaluate(clf: Classifier, images: np.ndarray, labels: np.ndarray) -> Evaluation:
    """Accuracy, mean cross-entropy, confusion matrix and mistakes of ``clf`` on a labelled set."""
    p = clf.predict_proba(as_float(images))
    pred = p.argmax(1).astype(np.int64)
    conf = p[np.arange(len(pred)), pred].astype(np.float32)
    confusion = np.zeros((10, 10), dtype=np.int64)
    np.add.at(confusion, (labels, pred), 1)
    wrong = np.flatnonzero(pred != labels)
    mistakes = wrong[np.argsort(-conf[wrong], kind="stable")]
    loss = float(-np.log(p[np.arange(len(labels)), labels] + 1e-12).mean())
    return Evaluation(float((pred == labels).mean()), loss, confusion, pred, conf, mistakes)


def top_class(probs: np.ndarray) -> tuple[int, float]:
    """(class index, probability) of the most likely class of one probability vector."""
    i = int(np.argmax(probs))
    return i, float(probs[i])


__all__ = [
    "CLASS_NAMES",
    "DATASETS",
    "DEFAULTS",
    "MODELS",
    "Classifier",
    "Evaluation",
    "ModelFileError",
    "ScratchClassifier",
    "TorchClassifier",
    "TrainConfig",
    "class_names",
    "config_for",
    "evaluate",
    "fit",
    "load_dataset",
    "load_model",
    "load_pretrained",
    "new_model",
    "preprocess",
    "preprocess_for",
    "train_job",
]
