"""Dataset registry: locate, (download,) verify and load names.txt, MNIST, Fashion-MNIST.

Lookup order for a dataset's files: ``$PLAYGROUND_DATA_DIR``, the repository's
``data/`` folder, then the user cache directory (platformdirs).  Every file is
checked against its known SHA-256.

NOTE: first version; the download path (pooch, progress, corrupt files) is
completed by the Bigram/dataset-layer issue.
"""

from __future__ import annotations

import gzip
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO_DATA = Path(__file__).resolve().parents[2] / "data"


@dataclass(frozen=True)
class Dataset:
    """One registered dataset: its files (relative path -> sha256) and where they come from."""

    name: str
    files: dict[str, str]
    base_url: str
    description: str


REGISTRY: dict[str, Dataset] = {
    "names": Dataset(
        "names",
        {"names.txt": "0a30b5557f192f32ab962680889aac5f6fda0f4cecf40a6d0b5694f58ea8cc4d"},
        "https://raw.githubusercontent.com/karpathy/makemore/master/",
        "32,033 first names (makemore, MIT)",
    ),
    "mnist": Dataset(
        "mnist",
        {
            "mnist/train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
            "mnist/train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
            "mnist/t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
            "mnist/t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
        },
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "MNIST handwritten digits (LeCun, Cortes, Burges; CC BY-SA 3.0)",
    ),
    "fashion-mnist": Dataset(
        "fashion-mnist",
        {
            "fashion-mnist/train-images-idx3-ubyte.gz": "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
            "fashion-mnist/train-labels-idx1-ubyte.gz": "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
            "fashion-mnist/t10k-images-idx3-ubyte.gz": "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
            "fashion-mnist/t10k-labels-idx1-ubyte.gz": "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
        },
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        "Fashion-MNIST article images (Zalando Research, MIT)",
    ),
}


class DataMissing(FileNotFoundError):
    """A dataset could not be found or fetched; the message says what to do."""


def search_dirs() -> list[Path]:
    """Folders searched for dataset files, in order."""
    dirs = []
    if os.environ.get("PLAYGROUND_DATA_DIR"):
        dirs.append(Path(os.environ["PLAYGROUND_DATA_DIR"]).expanduser())
    dirs.append(REPO_DATA)
    dirs.append(cache_dir())
    return dirs


def cache_dir() -> Path:
    """The per-user download cache."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("neural-playground", appauthor=False))


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def locate(name: str) -> dict[str, Path]:
    """Paths of every file of dataset ``name`` (relative name -> absolute path)."""
    ds = REGISTRY[name]
    found: dict[str, Path] = {}
    for rel in ds.files:
        for d in search_dirs():
            p = d / rel
            if p.is_file():
                found[rel] = p
                break
    missing = [rel for rel in ds.files if rel not in found]
    if missing:
        where = ", ".join(str(d) for d in search_dirs())
        raise DataMissing(
            f"The {name} dataset is missing {', '.join(missing)}. Put the files in one of: {where}."
        )
    return found


def load_words(path: str | Path | None = None) -> list[str]:
    """The words of names.txt (or of any one-word-per-line text file), lowercased, stripped."""
    path = Path(path) if path is not None else locate("names")["names.txt"]
    text = path.read_text(encoding="utf-8")
    return [w.strip().lower() for w in text.splitlines() if w.strip()]


def read_idx(path: str | Path) -> np.ndarray:
    """Parse an IDX file (optionally gzip'd) into a numpy array of its dtype and shape."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        raw = f.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise ValueError(f"{path.name} is not an IDX file.")
    dtypes = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
    if raw[2] not in dtypes:
        raise ValueError(f"{path.name}: unknown IDX type 0x{raw[2]:02x}.")
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    data = np.frombuffer(raw, dtype=dtypes[raw[2]], offset=4 + 4 * ndim)
    if data.size != int(np.prod(shape)):
        raise ValueError(f"{path.name}: expected {shape} values, found {data.size} (truncated?).")
    return data.reshape(shape)


def load_images(name: str, split: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """(images uint8 (N,28,28), labels int64 (N,)) of ``mnist`` or ``fashion-mnist``."""
    files = locate(name)
    prefix = {"train": "train", "test": "t10k"}[split]
    images = read_idx(files[f"{name}/{prefix}-images-idx3-ubyte.gz"])
    labels = read_idx(files[f"{name}/{prefix}-labels-idx1-ubyte.gz"]).astype(np.int64)
    return images, labels
