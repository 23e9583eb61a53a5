"""The dataset layer: lookup, verification, real downloads from a local HTTP server, parsing."""

from __future__ import annotations

import functools
import gzip
import http.server
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest

from playground.core import data


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass


@pytest.fixture
def server(data_dir):
    """An HTTP server on 127.0.0.1 serving the datasets: stands in for the canonical host."""
    handler = functools.partial(_QuietHandler, directory=str(data_dir))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """Empty data dir and cache; the repo's data/ folder hidden."""
    data_dir, cache = tmp_path / "data", tmp_path / "cache"
    data_dir.mkdir()
    monkeypatch.setenv("PLAYGROUND_DATA_DIR", str(data_dir))
    monkeypatch.setenv("PLAYGROUND_CACHE_DIR", str(cache))
    monkeypatch.setattr(data, "REPO_DATA", tmp_path / "no-repo-data")
    monkeypatch.setattr(data, "_verified", None)
    return data_dir, cache


def test_every_registered_file_is_found_verified_with_its_size(data_dir):
    for ds in data.REGISTRY.values():
        files = data.locate(ds.name)
        assert sorted(files) == sorted(ds.files) == sorted(ds.sizes)
        for rel, path in files.items():
            assert path.stat().st_size == ds.sizes[rel]
            assert (data_dir / rel).resolve() == path.resolve()
    assert len(data.locate("mnist")) == 4


def test_canonical_urls(monkeypatch):
    monkeypatch.delenv("PLAYGROUND_DATA_URL", raising=False)
    assert (
        data.REGISTRY["names"].url("names.txt")
        == "https://raw.githubusercontent.com/karpathy/makemore/master/names.txt"
    )
    assert (
        data.REGISTRY["mnist"].url("mnist/t10k-labels-idx1-ubyte.gz")
        == "https://ossci-datasets.s3.amazonaws.com/mnist/t10k-labels-idx1-ubyte.gz"
    )
    assert data.REGISTRY["tinyshakespeare"].url("tinyshakespeare/input.txt") == (
        "https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt"
    )


def test_cache_dir_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.delenv("PLAYGROUND_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert data.cache_dir() == tmp_path / "neural-playground"
    monkeypatch.setenv("PLAYGROUND_CACHE_DIR", str(tmp_path / "x"))
    assert data.cache_dir() == tmp_path / "x"


def test_missing_without_download_names_files_and_folders(isolated):
    data_dir, _ = isolated
    with pytest.raises(data.DataMissing) as err:
        data.locate("names")
    msg = str(err.value)
    assert "names.txt" in msg and str(data_dir) in msg and "missing" in msg
    assert data.missing("names") == ["names.txt"]


def test_missing_file_is_downloaded_and_verified(isolated, server, monkeypatch):
    _, cache = isolated
    monkeypatch.setenv("PLAYGROUND_DATA_URL", server)
    seen = []
    files = data.locate("names", download=True, progress=lambda d, t: seen.append((d, t)))
    path = files["names.txt"]
    assert path == cache / "names.txt"
    assert data.sha256(path) == data.REGISTRY["names"].files["names.txt"]
    assert seen[0] == (0, 228_145) and seen[-1] == (228_145, 228_145)
    assert all(b >= a for (a, _), (b, _) in zip(seen, seen[1:], strict=False))
    # found again without a download, and without re-hashing (verification remembered)
    monkeypatch.setattr(data, "sha256", lambda p: pytest.fail("re-hashed a verified file"))
    assert data.locate("names") == files
    assert data.missing("names") == []


def test_dataset_in_subfolder_downloads(isolated, server, monkeypatch, data_dir):
    _, cache = isolated
    monkeypatch.setenv("PLAYGROUND_DATA_URL", server)
    # only the small label files are missing: put the images in place first
    for rel in data.REGISTRY["mnist"].files:
        if "images" in rel:
            (cache / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(data_dir / rel, cache / rel)
    assert sorted(data.missing("mnist")) == [
        "mnist/t10k-labels-idx1-ubyte.gz",
        "mnist/train-labels-idx1-ubyte.gz",
    ]
    files = data.locate("mnist", download=True)
    assert files["mnist/t10k-labels-idx1-ubyte.gz"] == cache / "mnist/t10k-labels-idx1-ubyte.gz"
    images, labels = data.load_images("mnist", "test")
    assert images.shape == (10_000, 28, 28) and labels.shape == (10_000,)


@pytest.mark.parametrize("damage", ["corrupt", "truncated"])
def test_damaged_file_is_detected_and_fetched_again(
    isolated, server, monkeypatch, damage, data_dir
):
    _, cache = isolated
    cache.mkdir()
    good = (data_dir / "names.txt").read_bytes()
    bad = good[:1000] if damage == "truncated" else good.replace(b"emma", b"emmx", 1)
    (cache / "names.txt").write_bytes(bad)
    with pytest.raises(data.DataMissing) as err:
        data.locate("names")
    assert ("truncated" if damage == "truncated" else "corrupt") in str(err.value)
    monkeypatch.setenv("PLAYGROUND_DATA_URL", server)
    path = data.locate("names", download=True)["names.txt"]
    assert path.read_bytes() == good


def test_corrupt_copy_in_data_dir_is_skipped_for_a_good_one(isolated, server, monkeypatch):
    data_dir, cache = isolated
    (data_dir / "names.txt").write_bytes(b"x" * 228_145)  # right size, wrong bytes
    monkeypatch.setenv("PLAYGROUND_DATA_URL", server)
    path = data.locate("names", download=True)["names.txt"]
    assert path == cache / "names.txt"
    assert (data_dir / "names.txt").read_bytes() == b"x" * 228_145  # the user's file untouched


def test_404_gives_a_clear_message(isolated, server, monkeypatch):
    monkeypatch.setenv("PLAYGROUND_DATA_URL", server + "/nowhere")
    with pytest.raises(data.DataMissing) as err:
        data.locate("names", download=True)
    msg = str(err.value)
    assert "HTTP 404" in msg and "names.txt" in msg and "PLAYGROUND_DATA_DIR" in msg


def test_server_down_gives_a_clear_message(isolated, monkeypatch):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("PLAYGROUND_DATA_URL", f"http://127.0.0.1:{port}")
    with pytest.raises(data.DataMissing) as err:
        data.locate("names", download=True)
    msg = str(err.value)
    assert "no connection" in msg and "names.txt" in msg
    assert not any(isolated[1].glob("**/names.txt"))


def test_wrong_bytes_from_the_server_are_rejected(isolated, tmp_path, monkeypatch):
    fake = tmp_path / "fake"
    fake.mkdir()
    (fake / "names.txt").write_bytes(b"y" * 228_145)
    handler = functools.partial(_QuietHandler, directory=str(fake))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("PLAYGROUND_DATA_URL", f"http://127.0.0.1:{httpd.server_address[1]}")
        with pytest.raises(data.DataMissing) as err:
            data.locate("names", download=True)
        assert "corrupt" in str(err.value)
        assert not (isolated[1] / "names.txt").exists()
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_cancel_stops_the_download_and_saves_nothing(isolated, server, monkeypatch):
    _, cache = isolated
    monkeypatch.setenv("PLAYGROUND_DATA_URL", server)
    cancel = threading.Event()

    def progress(done, total):
        if done > 0:
            cancel.set()

    with pytest.raises(data.DownloadCancelled) as err:
        data.locate("names", download=True, progress=progress, cancel=cancel)
    assert "cancelled" in str(err.value)
    assert isinstance(err.value, data.DataMissing)
    assert not (cache / "names.txt").exists()
    assert [p.name for p in cache.glob("*") if p.name != "verified.json"] == []


def test_unknown_dataset():
    with pytest.raises(data.DataMissing, match="no dataset called"):
        data.locate("cifar")


# ---------------------------------------------------------------- IDX parsing
def _idx(tmp_path: Path, raw: bytes, name="x.idx", gz=False) -> Path:
    p = tmp_path / (name + (".gz" if gz else ""))
    p.write_bytes(gzip.compress(raw) if gz else raw)
    return p


def test_read_idx_roundtrip(tmp_path):
    arr = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    raw = bytes([0, 0, 0x08, 3]) + b"".join(n.to_bytes(4, "big") for n in arr.shape)
    out = data.read_idx(_idx(tmp_path, raw + arr.tobytes(), gz=True))
    assert out.shape == (2, 3, 4) and (out == arr).all()
    ints = np.array([1, -2, 300], dtype=">i4")
    raw = bytes([0, 0, 0x0C, 1]) + (3).to_bytes(4, "big") + ints.tobytes()
    assert data.read_idx(_idx(tmp_path, raw)).tolist() == [1, -2, 300]


@pytest.mark.parametrize(
    "raw, message",
    [
        (b"", "not an IDX"),
        (b"\x01\x02\x08\x01", "not an IDX"),
        (b"\x00\x00\x42\x01\x00\x00\x00\x01x", "unknown IDX type"),
        (b"\x00\x00\x08\x03\x00\x00", "header is incomplete"),
        (b"\x00\x00\x08\x01\x00\x00\x00\x05abc", "truncated"),
        (b"\x00\x00\x0c\x01\x00\x00\x00\x01abc", "whole number"),
    ],
)
def test_read_idx_rejects_malformed(tmp_path, raw, message):
    with pytest.raises(ValueError, match=message):
        data.read_idx(_idx(tmp_path, raw))


def test_read_idx_truncated_gzip(tmp_path):
    full = gzip.compress(bytes([0, 0, 8, 1, 0, 0, 0, 200]) + bytes(range(200)))
    p = tmp_path / "t.idx.gz"
    p.write_bytes(full[: len(full) // 2])
    with pytest.raises(ValueError, match="truncated"):
        data.read_idx(p)


def test_real_mnist_labels():
    labels = data.read_idx(data.locate("mnist")["mnist/t10k-labels-idx1-ubyte.gz"])
    assert labels.shape == (10_000,) and labels[:5].tolist() == [7, 2, 1, 0, 4]


# ---------------------------------------------------------------- word lists
def test_load_words_names():
    words = data.load_words()
    assert len(words) == 32_033 and words[:3] == ["emma", "olivia", "ava"]


@pytest.mark.parametrize(
    "raw, message",
    [
        (b"", "no words"),
        (b"\n  \n\n", "no words"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (b"abc\xff\xfe\n", "not UTF-8"),
        (b"word " * 500, "one word per line"),
        (b"anna\nbob\nr2d2\n", "Line 3"),
        (b"anna\nmr. mime\n", "'.'"),
    ],
)
def test_bad_word_files_get_clear_messages(tmp_path, raw, message):
    p = tmp_path / "words.txt"
    p.write_bytes(raw)
    with pytest.raises(ValueError, match=message):
        data.load_words(p)


def test_own_words_accept_other_alphabets(tmp_path):
    p = tmp_path / "pokemon.txt"
    p.write_text("Flabébé\nHo-Oh\nfarfetch'd\nMr Mime\n", encoding="utf-8")
    assert data.load_words(p) == ["flabébé", "ho-oh", "farfetch'd", "mr mime"]


def test_read_idx_damaged_gzip_is_a_value_error_naming_the_file(tmp_path):
    """A damaged deflate stream raises zlib.error inside gzip: reported as ValueError."""
    full = bytearray(gzip.compress(bytes([0, 0, 8, 1, 0, 0, 1, 0]) + bytes(range(256)) * 64))
    for i in range(20, 40):
        full[i] ^= 0xFF
    p = tmp_path / "train-images-idx3-ubyte.gz"
    p.write_bytes(bytes(full))
    with pytest.raises(ValueError, match="train-images-idx3-ubyte.gz .*damaged"):
        data.read_idx(p)


def test_offline_with_a_corrupt_local_copy_names_it_and_says_what_to_do(isolated, monkeypatch):
    import socket

    data_dir, _ = isolated
    bad = data_dir / "names.txt"
    bad.write_bytes(b"x" * 228_145)  # right size, wrong bytes
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("PLAYGROUND_DATA_URL", f"http://127.0.0.1:{port}")
    for download in (False, True):
        with pytest.raises(data.DataMissing) as err:
            data.locate("names", download=download)
        msg = str(err.value)
        assert f"{bad} is corrupt" in msg and "replace it with a good copy" in msg, msg
        assert "put it" not in msg  # not: "put it in a folder that already holds it"


def test_load_text_tinyshakespeare():
    text = data.load_text("tinyshakespeare")
    assert len(text) == 1_115_394 and text.startswith("First Citizen:")
    assert len(set(text)) == 65


# ---------------------------------------------------------------- downloads that break off
class _BreakingHandler(_QuietHandler):
    """Announces the whole file but sends only half of it, then hangs up, ``breaks`` times."""

    breaks = 1
    served: list[str] = []

    def copyfile(self, source, outputfile):
        self.served.append(self.path)
        if len(self.served) <= self.breaks:
            outputfile.write(source.read()[:100_000])
            self.close_connection = True
            return
        super().copyfile(source, outputfile)


@pytest.fixture
def breaking_server(data_dir, monkeypatch):
    def start(breaks: int) -> list[str]:
        handler_class = type("H", (_BreakingHandler,), {"breaks": breaks, "served": []})
        handler = functools.partial(handler_class, directory=str(data_dir))
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        servers.append(httpd)
        monkeypatch.setenv("PLAYGROUND_DATA_URL", f"http://127.0.0.1:{httpd.server_address[1]}")
        return handler_class.served

    servers: list = []
    yield start
    for httpd in servers:
        httpd.shutdown()
        httpd.server_close()


def test_a_download_that_breaks_off_is_redone_from_the_start(isolated, breaking_server):
    _, cache = isolated
    served = breaking_server(breaks=1)
    files = data.locate("names", download=True)
    assert served == ["/names.txt", "/names.txt"]  # the broken one, then the whole file again
    assert data.sha256(files["names.txt"]) == data.REGISTRY["names"].files["names.txt"]


def test_a_download_that_keeps_breaking_off_says_so_and_keeps_nothing(isolated, breaking_server):
    _, cache = isolated
    breaking_server(breaks=99)
    with pytest.raises(data.DataMissing) as err:
        data.locate("names", download=True)
    assert "broke off" in str(err.value) and "names.txt" in str(err.value)
    assert [p.name for p in cache.rglob("*") if p.name != "verified.json"] == []
    # the next try, with a good connection, fills the cache
    breaking_server(breaks=0)
    assert data.locate("names", download=True)["names.txt"] == cache / "names.txt"


def test_a_fresh_cache_is_filled_from_a_mirror_then_reused(isolated, server, monkeypatch):
    """What a fresh machine gets: every dataset downloaded once, verified, then found."""
    from tests.conftest import locate_all  # the tests' own start-up, end to end

    _, cache = isolated
    monkeypatch.setenv("PLAYGROUND_DATA_URL", server)
    said: list[str] = []
    assert locate_all(said.append) == ""
    assert len(said) == len(data.REGISTRY)  # one "Downloading ..." line per dataset
    for ds in data.REGISTRY.values():
        for rel in ds.files:
            assert (cache / rel).stat().st_size == ds.sizes[rel]
    said.clear()
    assert locate_all(said.append) == "" and said == []  # found: nothing fetched again


def test_offline_with_no_data_one_message_names_everything(isolated, monkeypatch):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens there
    monkeypatch.setenv("PLAYGROUND_DATA_URL", f"http://127.0.0.1:{port}")
    from tests.conftest import locate_all

    message = locate_all(lambda _line: None)
    for name in data.REGISTRY:
        assert name in message
    data_dir, cache = isolated
    assert str(data_dir) in message and str(cache) in message
    assert "PLAYGROUND_DATA_DIR" in message and "no connection" in message
