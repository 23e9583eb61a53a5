"""Dataset registry: locate, download, verify and load names.txt, MNIST, Fashion-MNIST and
Tiny Shakespeare.

Lookup order for a dataset's files: ``$PLAYGROUND_DATA_DIR``, the repository's
``data/`` folder, then the user cache directory (``$PLAYGROUND_CACHE_DIR``, else
platformdirs' user cache, which follows ``$XDG_CACHE_HOME`` on Linux).  Every file
is checked against its known size and SHA-256; a verified (path, size, mtime) is
remembered (in memory and in ``verified.json`` in the cache) so a 26 MB file is
hashed once, not on every call.

``locate(name, download=True, progress=..., cancel=...)`` fetches what is missing,
truncated or corrupt with pooch from the canonical host into the user cache,
reports ``progress(done_bytes, total_bytes)`` (a first ``progress(0, total)`` is
sent before any connection is made, so a caller knows a download is starting),
and stops when the ``cancel`` event is set.  ``$PLAYGROUND_DATA_URL`` replaces the
canonical host (the file at ``{PLAYGROUND_DATA_URL}/{relative path}``), for tests
and mirrors.  Every failure is a :class:`DataMissing` whose message says which
files are missing and where to put them; never a traceback.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from playground.core.files import atomic_write_text

REPO_DATA = Path(__file__).resolve().parents[2] / "data"


@dataclass(frozen=True)
class Dataset:
    """One registered dataset: its files (relative path -> sha256) and where they come from.

    ``sizes`` (relative path -> bytes) lets truncated files be told apart quickly and
    progress be reported against a known total.
    """

    name: str
    files: dict[str, str]
    base_url: str
    description: str
    sizes: dict[str, int] = field(default_factory=dict)

    def url(self, rel: str) -> str:
        """Where file ``rel`` is downloaded from (``$PLAYGROUND_DATA_URL`` overrides the host)."""
        mirror = os.environ.get("PLAYGROUND_DATA_URL")
        if mirror:
            return f"{mirror.rstrip('/')}/{rel}"
        return self.base_url + rel.split("/")[-1]


REGISTRY: dict[str, Dataset] = {
    "names": Dataset(
        "names",
        {"names.txt": "0a30b5557f192f32ab962680889aac5f6fda0f4cecf40a6d0b5694f58ea8cc4d"},
        "https://raw.githubusercontent.com/karpathy/makemore/master/",
        "32,033 first names (makemore, MIT)",
        {"names.txt": 228_145},
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
        {
            "mnist/train-images-idx3-ubyte.gz": 9_912_422,
            "mnist/train-labels-idx1-ubyte.gz": 28_881,
            "mnist/t10k-images-idx3-ubyte.gz": 1_648_877,
            "mnist/t10k-labels-idx1-ubyte.gz": 4_542,
        },
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
        {
            "fashion-mnist/train-images-idx3-ubyte.gz": 26_421_880,
            "fashion-mnist/train-labels-idx1-ubyte.gz": 29_515,
            "fashion-mnist/t10k-images-idx3-ubyte.gz": 4_422_102,
            "fashion-mnist/t10k-labels-idx1-ubyte.gz": 5_148,
        },
    ),
    "tinyshakespeare": Dataset(
        "tinyshakespeare",
        {
            "tinyshakespeare/input.txt": "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed"
        },
        "https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/",
        "Tiny Shakespeare, 1,115,394 characters (char-rnn, Andrej Karpathy)",
        {"tinyshakespeare/input.txt": 1_115_394},
    ),
}

Progress = Callable[[int, int], None]


class DataMissing(FileNotFoundError):
    """A dataset could not be found or fetched; the message says what to do."""


class DownloadCancelled(DataMissing):
    """The caller's cancel event was set during a download."""


# ---------------------------------------------------------------- where files live
def search_dirs() -> list[Path]:
    """Folders searched for dataset files, in order."""
    dirs = []
    if os.environ.get("PLAYGROUND_DATA_DIR"):
        dirs.append(Path(os.environ["PLAYGROUND_DATA_DIR"]).expanduser().absolute())
    dirs.append(REPO_DATA)
    dirs.append(cache_dir())
    return dirs


def cache_dir() -> Path:
    """The per-user download cache (``$PLAYGROUND_CACHE_DIR`` overrides it)."""
    override = os.environ.get("PLAYGROUND_CACHE_DIR")
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("neural-playground", appauthor=False))


# ---------------------------------------------------------------- verification
def sha256(path: Path) -> str:
    """Hex SHA-256 of a file."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


_verified_lock = threading.Lock()
_verified: dict[str, str] | None = None  # "path|size|mtime_ns" -> sha256 seen for it


def _verified_file() -> Path:
    return cache_dir() / "verified.json"


def _load_verified() -> dict[str, str]:
    global _verified
    if _verified is None:
        try:
            _verified = dict(json.loads(_verified_file().read_text()))
        except (OSError, ValueError, TypeError):
            _verified = {}
    return _verified


def _remember(key: str, digest: str) -> None:
    with _verified_lock:
        table = _load_verified()
        table[key] = digest
        try:
            _verified_file().parent.mkdir(parents=True, exist_ok=True)
            atomic_write_text(_verified_file(), json.dumps(table))
        except OSError:
            pass  # a read-only cache only costs a re-hash next time


def check_file(path: Path, expected_sha: str, expected_size: int | None = None) -> str | None:
    """None if ``path`` holds the expected bytes, else why not ("truncated: ..." etc.)."""
    try:
        st = path.stat()
    except OSError:
        return "missing"
    if expected_size is not None and st.st_size != expected_size:
        if st.st_size < expected_size:
            return f"truncated ({st.st_size:,} of {expected_size:,} bytes)"
        return f"the wrong size ({st.st_size:,} bytes, expected {expected_size:,})"
    key = f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}"
    with _verified_lock:
        known = _load_verified().get(key)
    if known is None:
        try:
            known = sha256(path)
        except OSError as exc:
            return f"unreadable ({exc.strerror or exc})"
        _remember(key, known)
    return None if known == expected_sha else "corrupt (its SHA-256 does not match)"


def status(name: str) -> dict[str, tuple[Path | None, str | None]]:
    """For each file of dataset ``name``: (verified path or None, problem or None).

    The first folder of :func:`search_dirs` holding a good copy wins; if none does,
    the problem of the first bad copy found (or "missing") is reported.
    """
    ds = _dataset(name)
    out: dict[str, tuple[Path | None, str | None]] = {}
    for rel, digest in ds.files.items():
        problem: str | None = None
        for d in search_dirs():
            p = d / rel
            if not p.is_file():
                continue
            why = check_file(p, digest, ds.sizes.get(rel))
            if why is None:
                out[rel] = (p, None)
                break
            problem = problem or f"{p} is {why}"
        else:
            out[rel] = (None, problem or "missing")
    return out


def missing(name: str) -> list[str]:
    """Relative paths of dataset ``name`` that have no verified copy (need a download)."""
    return [rel for rel, (path, _) in status(name).items() if path is None]


def _dataset(name: str) -> Dataset:
    try:
        return REGISTRY[name]
    except KeyError:
        raise DataMissing(
            f"There is no dataset called {name!r}; known: {', '.join(REGISTRY)}."
        ) from None


def _where_to_put(ds: Dataset, rels: list[str], problems: dict[str, str] | None = None) -> str:
    """What the user can do about ``rels``: replace each bad local copy (named, with where it
    is and what is wrong), and download the missing ones into one of the search folders."""
    problems = problems or {}
    bad = [r for r in rels if problems.get(r, "missing") != "missing"]
    absent = [r for r in rels if r not in bad]
    out = [
        f"{problems[r]}: replace it with a good copy of {ds.url(r)}, or delete it so that "
        "the app downloads it again."
        for r in bad
    ]
    if absent:
        dirs = ", ".join(str(d) for d in search_dirs())
        urls = " ".join(ds.url(r) for r in absent)
        them = "it" if len(absent) == 1 else "them"
        out.append(
            f"Download {urls} and put {them} (as {', '.join(absent)}) in one of: {dirs}; "
            f"or set PLAYGROUND_DATA_DIR to a folder that holds {them}."
        )
    return " ".join(out)


# ---------------------------------------------------------------- locate / download
def locate(
    name: str,
    download: bool = False,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> dict[str, Path]:
    """Paths of every file of dataset ``name`` (relative name -> absolute path), verified.

    With ``download=True`` files that are missing, truncated or corrupt are fetched
    into :func:`cache_dir`; ``progress(done_bytes, total_bytes)`` follows the
    download and setting ``cancel`` stops it (:class:`DownloadCancelled`).
    Raises :class:`DataMissing` with a message saying what to do.
    """
    ds = _dataset(name)
    found = status(name)
    need = [rel for rel, (path, _) in found.items() if path is None]
    if need and not download:
        absent = [rel for rel in need if found[rel][1] == "missing"]
        missing_part = f" ({', '.join(absent)} missing)" if absent else ""
        raise DataMissing(  # the bad copies are named (with where and why) by _where_to_put
            f"The {name} dataset is not complete{missing_part}. "
            f"{_where_to_put(ds, need, {r: found[r][1] for r in need})}"
        )
    if need:
        fetched = _download(ds, need, progress, cancel, {r: found[r][1] for r in need})
        found.update({rel: (path, None) for rel, path in fetched.items()})
    return {rel: path for rel, (path, _) in found.items() if path is not None}


class _ProgressHook:
    """pooch's tqdm-like progress-bar interface -> ``progress(done, total)`` over all files."""

    def __init__(self, progress: Progress | None, cancel: threading.Event | None, total: int):
        self.progress, self.cancel = progress, cancel
        self.grand_total = total
        self.before = 0  # bytes of files already finished
        self.size = 0  # expected bytes of the current file
        self.n = 0
        self.total = 0  # pooch sets this from Content-Length

    def start_file(self, size: int) -> None:
        self.size, self.n = size, 0
        self._check()

    def finish_file(self) -> None:
        self.before += self.size
        self.size = self.n = 0

    def update(self, n: int) -> None:
        self._check()
        self.n = min(self.n + n, self.size or (self.n + n))
        if self.progress is not None:
            self.progress(min(self.before + self.n, self.grand_total), self.grand_total)

    def reset(self) -> None:
        self.n = 0

    def close(self) -> None:
        pass

    def _check(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise DownloadCancelled("Download cancelled.")


RETRIES = 1  # a download that broke off or came wrong is redone once from the start


def _retrieve(url: str, dest: Path, digest: str, size: int, hook: _ProgressHook) -> None:
    """Download ``url`` to ``dest`` with pooch, checking its SHA-256 (pooch writes a temporary
    file and keeps it only if the hash matches: a failed download leaves nothing behind)."""
    import pooch
    import requests

    for attempt in range(1 + RETRIES):
        hook.start_file(size)
        downloader = pooch.HTTPDownloader(progressbar=hook, chunk_size=1 << 16, timeout=(10, 60))
        try:
            pooch.retrieve(
                url,
                known_hash=f"sha256:{digest}",
                fname=dest.name,
                path=dest.parent,
                downloader=downloader,
            )
            return
        except (requests.exceptions.ChunkedEncodingError, ValueError):
            if attempt == RETRIES:  # broke off, or the bytes were wrong: once more
                raise


def _download(
    ds: Dataset,
    rels: list[str],
    progress: Progress | None,
    cancel: threading.Event | None,
    problems: dict[str, str] | None = None,
) -> dict[str, Path]:
    import pooch
    import requests

    pooch.get_logger().setLevel("WARNING")  # the app shows its own progress

    target = cache_dir()
    total = sum(ds.sizes.get(r, 0) for r in rels)
    hook = _ProgressHook(progress, cancel, total)
    if progress is not None:
        progress(0, total)
    fetched: dict[str, Path] = {}
    for rel in rels:
        url = ds.url(rel)
        dest = target / rel
        try:
            _retrieve(url, dest, ds.files[rel], ds.sizes.get(rel, 0), hook)
        except DownloadCancelled:
            raise DownloadCancelled(
                f"Download of the {ds.name} dataset cancelled; nothing was saved for {rel}."
            ) from None
        except requests.exceptions.ChunkedEncodingError:
            raise DataMissing(
                f"Could not download {rel} for the {ds.name} dataset: the connection to "
                f"{url} broke off before the end ({1 + RETRIES} tries; nothing of it was "
                f"kept). Check your internet connection and try again, or: "
                f"{_where_to_put(ds, rels, problems)}"
            ) from None
        except requests.exceptions.HTTPError as exc:
            code = exc.response.status_code if exc.response is not None else "?"
            raise DataMissing(
                f"Could not download {rel} for the {ds.name} dataset: the server answered "
                f"HTTP {code} for {url}. {_where_to_put(ds, rels, problems)}"
            ) from None
        except requests.exceptions.RequestException as exc:
            raise DataMissing(
                f"Could not download {rel} for the {ds.name} dataset: no connection to "
                f"{url} ({type(exc).__name__}). Check your internet connection, or: "
                f"{_where_to_put(ds, rels, problems)}"
            ) from None
        except ValueError:  # pooch: the downloaded file's hash does not match
            raise DataMissing(
                f"The downloaded {rel} is corrupt (its SHA-256 does not match the published "
                f"file; the server {url} may have changed it). {_where_to_put(ds, rels, problems)}"
            ) from None
        except OSError as exc:
            raise DataMissing(
                f"Could not save {rel} to {dest.parent}: {exc.strerror or exc}. "
                f"Set PLAYGROUND_CACHE_DIR to a writable folder, or: {_where_to_put(ds, rels, problems)}"
            ) from None
        hook.finish_file()
        # remember the verification (pooch just checked the hash)
        st = dest.stat()
        _remember(f"{dest.resolve()}|{st.st_size}|{st.st_mtime_ns}", ds.files[rel])
        fetched[rel] = dest
    if progress is not None:
        progress(total, total)
    return fetched


# ---------------------------------------------------------------- loading
MAX_WORD_LENGTH = 64
MAX_FILE_BYTES = 20_000_000
EXTRA_CHARACTERS = " -'"  # allowed besides letters (of any alphabet)


def load_words(path: str | Path | None = None) -> list[str]:
    """The words of names.txt (or of any one-word-per-line text file), lowercased, stripped.

    A file of your own must be UTF-8 text with one word per line; letters of any
    alphabet are accepted, plus space, hyphen and apostrophe inside a word.  Anything
    else raises ValueError with a message that names the problem and the line.
    """
    path = Path(path) if path is not None else locate("names")["names.txt"]
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ValueError(
                f"{path.name} is {size / 1e6:.0f} MB; a word list should be under "
                f"{MAX_FILE_BYTES / 1e6:.0f} MB."
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise ValueError(f"Could not read {path}: {exc.strerror or exc}.") from None
    return parse_words(raw, path.name)


def parse_words(raw: bytes, source: str = "the file") -> list[str]:
    """Validate and split the bytes of a word list (see :func:`load_words`)."""
    if b"\x00" in raw[:65536]:
        raise ValueError(f"{source} looks like a binary file, not text with one word per line.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(
            f"{source} is not UTF-8 text (a binary file?); save it as UTF-8 with one word per line."
        ) from None
    words = []
    for number, line in enumerate(text.splitlines(), start=1):
        word = line.strip().lower()
        if not word:
            continue
        if len(word) > MAX_WORD_LENGTH:
            raise ValueError(
                f"Line {number} of {source} has {len(word):,} characters; expected one word "
                f"per line (at most {MAX_WORD_LENGTH} characters each)."
            )
        bad = next((c for c in word if not (c.isalpha() or c in EXTRA_CHARACTERS)), None)
        if bad is not None:
            raise ValueError(
                f"Line {number} of {source} ({word[:30]!r}) contains {bad!r}, which is not a "
                f"letter. Allowed: letters of any alphabet, plus space, hyphen and apostrophe."
            )
        words.append(word)
    if not words:
        raise ValueError(f"{source} has no words in it; expected one word per line.")
    return words


def read_idx(path: str | Path) -> np.ndarray:
    """Parse an IDX file (optionally gzip'd) into a numpy array of its dtype and shape.

    Raises ValueError for anything that is not a well-formed IDX file.
    """
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError, zlib.error) as exc:  # gzip.BadGzipFile is an OSError
        raise ValueError(
            f"{path.name} could not be read ({exc}): it is damaged or truncated."
        ) from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise ValueError(f"{path.name} is not an IDX file.")
    dtypes = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
    if raw[2] not in dtypes:
        raise ValueError(f"{path.name}: unknown IDX type 0x{raw[2]:02x}.")
    ndim = raw[3]
    if ndim == 0 or len(raw) < 4 + 4 * ndim:
        raise ValueError(f"{path.name}: the IDX header is incomplete.")
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    dtype = np.dtype(dtypes[raw[2]])
    body = len(raw) - 4 - 4 * ndim
    if body % dtype.itemsize:
        raise ValueError(f"{path.name}: {body} data bytes is not a whole number of values.")
    data = np.frombuffer(raw, dtype=dtype, offset=4 + 4 * ndim)
    if data.size != int(np.prod(shape)):
        raise ValueError(f"{path.name}: expected {shape} values, found {data.size} (truncated?).")
    return data.reshape(shape)


def load_text(name: str = "tinyshakespeare") -> str:
    """The whole text of a text dataset (Tiny Shakespeare: 1,115,394 characters)."""
    files = locate(name)
    (path,) = files.values()
    return path.read_text(encoding="utf-8")


def load_images(name: str, split: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """(images uint8 (N,28,28), labels int64 (N,)) of ``mnist`` or ``fashion-mnist``."""
    files = locate(name)
    prefix = {"train": "train", "test": "t10k"}[split]
    images = read_idx(files[f"{name}/{prefix}-images-idx3-ubyte.gz"])
    labels = read_idx(files[f"{name}/{prefix}-labels-idx1-ubyte.gz"]).astype(np.int64)
    return images, labels
