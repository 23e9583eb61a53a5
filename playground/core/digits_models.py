"""The three Digits classifiers behind one interface (``predict_proba``, ``save``).

- "scratch" (:class:`ScratchClassifier`): the numpy network of
  :mod:`playground.core.scratch`, the from-scratch lesson ("no machine learning
  libraries, only numpy and some maths"): dense layers, ReLU, softmax, the backward pass
  by hand.
- "mlp": the multi-layer perceptron of LeCun's MNIST table (a 2-layer MLP with 800 hidden
  units and cross-entropy: 98.4%) written as torch's ``nn.Sequential`` of ``nn.Linear``
  and ``nn.ReLU``: 784-512-256-10, with dropout.
- "cnn": LeNet-5's shape (LeCun et al. 1998: 5x5 convolution, subsampling, 5x5
  convolution, subsampling, dense layers) in today's torch form: ``nn.Conv2d``,
  ``nn.BatchNorm2d``, ``nn.ReLU``, ``nn.MaxPool2d``, dropout.

``arch`` describes a model's shape (enough to rebuild it from a file); torch is imported
only when a torch model is built, so the scratch model predicts with numpy alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from playground.core.digits_config import (
    DATASET_TITLES,
    DATASETS,
    FILE_FORMAT,
    FILE_VERSION,
    MODEL_TITLES,
    MODELS,
    TrainConfig,
    class_names,
)
from playground.core.digits_preprocess import as_float
from playground.core.files import atomic_write
from playground.core.scratch import ScratchNet


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
