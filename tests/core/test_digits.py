"""Digits core: IDX files, preprocessing, the three models, files, the shipped defaults."""

from __future__ import annotations

import gzip
import json
import struct

import numpy as np
import pytest

from playground.core import data, digits
from playground.core.training import Diverged, run


@pytest.fixture(scope="module")
def mnist():
    return {s: digits.load_dataset("mnist", s) for s in ("train", "test")}


# ----------------------------------------------------------------------------- data
def test_read_idx_parses_header_dtype_and_shape(tmp_path):
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    raw = struct.pack(">BBBB", 0, 0, 0x08, 3) + struct.pack(">III", 2, 3, 4) + images.tobytes()
    path = tmp_path / "x-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(raw))
    np.testing.assert_array_equal(data.read_idx(path), images)
    ints = np.array([1, -2, 300], dtype=">i4")
    (tmp_path / "y.idx").write_bytes(struct.pack(">BBBBI", 0, 0, 0x0C, 1, 3) + ints.tobytes())
    np.testing.assert_array_equal(data.read_idx(tmp_path / "y.idx"), [1, -2, 300])
    (tmp_path / "short.idx").write_bytes(raw[:-5])
    with pytest.raises(ValueError, match="truncated"):
        data.read_idx(tmp_path / "short.idx")
    (tmp_path / "bad.idx").write_bytes(b"PK\x03\x04junk")
    with pytest.raises(ValueError, match="not an IDX"):
        data.read_idx(tmp_path / "bad.idx")


def test_load_dataset_shapes_and_class_names(mnist):
    images, labels = mnist["test"]
    assert images.shape == (10_000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (10_000,) and labels.dtype == np.int64
    assert mnist["train"][0].shape == (60_000, 28, 28)
    assert np.bincount(labels).tolist()[:3] == [980, 1135, 1032]
    fashion = digits.load_dataset("fashion-mnist", "test")
    assert fashion[0].shape == (10_000, 28, 28)
    assert digits.class_names("fashion-mnist")[0] == "T-shirt/top"
    assert digits.class_names("fashion-mnist")[9] == "Ankle boot"
    assert digits.class_names("mnist") == [str(i) for i in range(10)]


# ----------------------------------------------------------------------------- preprocessing
def _draw(image: np.ndarray, scale: int, top: int, left: int, side: int = 400) -> np.ndarray:
    """A 28x28 digit scaled up ``scale`` times and placed on a big canvas at (top, left)."""
    canvas = np.zeros((side, side), np.float32)
    big = np.kron(image.astype(np.float32) / 255, np.ones((scale, scale), np.float32))
    canvas[top : top + big.shape[0], left : left + big.shape[1]] = big
    return canvas


def test_preprocess_centres_a_large_off_centre_digit(mnist):
    digit = mnist["test"][0][0]  # a 7
    drawing = _draw(digit, scale=12, top=60, left=50, side=500)  # 336 px, far from centre
    x = digits.preprocess(drawing)
    assert x.shape == (28, 28) and x.dtype == np.float32
    assert x.max() == pytest.approx(1.0) and x.min() >= 0
    top, left, bottom, right = digits.ink_box(x)
    assert max(bottom - top, right - left) == 20  # longer side fits the 20x20 box
    assert bottom - top <= 20 and right - left <= 20
    cy, cx = digits.centre_of_mass(x)
    assert abs(cy - 14) <= 0.5 and abs(cx - 14) <= 0.5  # centred by mass


def test_preprocess_keeps_aspect_ratio_and_handles_empty_and_tiny():
    bar = np.zeros((300, 300), np.float32)
    bar[50:250, 140:160] = 1.0  # a tall stroke 200x20: becomes 20x2
    x = digits.preprocess(bar)
    top, left, bottom, right = digits.ink_box(x)
    assert bottom - top == 20 and right - left <= 3
    assert not digits.preprocess(np.zeros((50, 80))).any()
    # Fashion-MNIST's photos fill the 28x28 frame: longer side 28, box centred
    top, left, bottom, right = digits.ink_box(digits.preprocess_for("fashion-mnist", bar))
    assert (top, bottom) == (0, 28) and right - left <= 4 and abs((left + right) / 2 - 14) <= 1
    dot = np.zeros((100, 100))
    dot[10, 90] = 1.0
    assert digits.centre_of_mass(digits.preprocess(dot)) == pytest.approx((14, 14), abs=0.6)


def test_big_small_and_off_centre_drawings_are_recognised_like_centred_ones(mnist):
    clf = digits.load_pretrained("mnist")
    images, labels = mnist["test"][0][:300], mnist["test"][1][:300]
    base = (clf.predict(digits.as_float(images)) == labels).mean()
    layouts = {"big": (13, 10, 20), "small": (3, 300, 30), "off-centre": (6, 5, 220)}
    for name, (scale, top, left) in layouts.items():
        drawn = np.stack([digits.preprocess(_draw(im, scale, top, left)) for im in images])
        acc = (clf.predict(drawn) == labels).mean()
        assert acc >= base - 0.02, f"{name}: {acc:.3f} vs centred {base:.3f}"


# ----------------------------------------------------------------------------- shipped models
@pytest.mark.parametrize(("dataset", "target"), [("mnist", 0.975), ("fashion-mnist", 0.87)])
def test_shipped_default_accuracy_on_the_real_test_set(dataset, target):
    clf = digits.load_pretrained(dataset)
    assert clf.kind == "scratch" and clf.dataset == dataset
    report = digits.evaluate(clf, *digits.load_dataset(dataset, "test"))
    assert report.accuracy >= target
    assert report.confusion.sum() == 10_000
    assert np.trace(report.confusion) == round(report.accuracy * 10_000)
    conf = report.confidence[report.mistakes]
    assert len(report.mistakes) == 10_000 - np.trace(report.confusion)
    assert np.all(np.diff(conf) <= 0)  # most confident mistakes first


def test_pretrained_loads_without_torch():
    import subprocess
    import sys

    code = (
        "import sys\nfrom playground.core import digits\nimport numpy as np\n"
        "p = digits.load_pretrained('mnist').predict_proba(np.zeros((2, 28, 28), np.float32))\n"
        "assert p.shape == (2, 10) and abs(p.sum() - 2) < 1e-4\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# ----------------------------------------------------------------------------- training
@pytest.mark.parametrize(("model", "floor"), [("scratch", 0.85), ("mlp", 0.7), ("cnn", 0.6)])
def test_each_model_learns_on_a_small_subset(mnist, model, floor):
    """One epoch on 3,000 images (24-47 steps): far above chance (10%)."""
    config = digits.config_for(model, epochs=1, train_limit=3000, test_limit=1000)
    clf = digits.new_model("mnist", config)
    snaps = list(digits.train_job(clf, mnist["train"], mnist["test"], config))
    last = snaps[-1].metrics
    batches = -(-3000 // config.batch_size)
    assert snaps[-1].step == snaps[-1].total == batches
    assert snaps[-1].unit == "batch" and last["epoch"] == pytest.approx(1.0)
    assert {"loss", "acc", "train_loss", "train_acc", "test_loss", "test_acc", "elapsed"} <= set(
        last
    )
    assert snaps[0].metrics["loss"] > last["loss"]
    assert last["test_acc"] >= floor
    assert (
        clf.predict(digits.as_float(mnist["test"][0][:1000])) == mnist["test"][1][:1000]
    ).mean() >= floor
    x = digits.as_float(mnist["test"][0][0])
    if model == "cnn":
        assert clf.feature_maps(x).shape == (32, 28, 28)
        assert clf.first_layer() is None
    else:
        contrib = clf.unit_contributions(x, 7)
        assert contrib.shape == (clf.first_layer().shape[0],)
        assert clf.first_layer().shape[1:] == (28, 28)


def test_live_learning_rate_and_divergence_message(mnist):
    from playground.core.training import LiveSettings

    config = digits.config_for("scratch", epochs=1, train_limit=640, lr=0.05)
    live = LiveSettings(lr=1e4)  # the ui raised the learning rate far too much
    clf = digits.new_model("mnist", config)
    with pytest.raises(Diverged, match="lower the learning rate"):
        run(digits.train_job(clf, mnist["train"], None, config, live))


def test_mlp_unit_contributions_sum_like_the_logit(mnist):
    """For a 1-hidden-layer net, activation x gradient sums to the logit minus the bias."""
    clf = digits.ScratchClassifier("mnist", hidden=(32,))
    x = digits.as_float(mnist["test"][0][0])
    contrib = clf.unit_contributions(x, 3)
    logits, _ = clf.net.forward(x.reshape(1, 784))
    assert contrib.sum() == pytest.approx(logits[0, 3] - clf.net.params["b1"][3], rel=1e-4)


# ----------------------------------------------------------------------------- files
@pytest.mark.parametrize("model", ["scratch", "mlp", "cnn"])
def test_save_and_load_round_trip(tmp_path, model):
    clf = digits.new_model("fashion-mnist", digits.config_for(model))
    x = np.random.default_rng(0).random((3, 28, 28)).astype(np.float32)
    path = tmp_path / "m.safetensors"
    clf.save(path)
    back = digits.load_model(path)
    assert (back.kind, back.dataset) == (model, "fashion-mnist")
    np.testing.assert_allclose(back.predict_proba(x), clf.predict_proba(x), rtol=1e-5, atol=1e-6)
    clf.save(path, half=True)
    np.testing.assert_allclose(
        digits.load_model(path).predict_proba(x), clf.predict_proba(x), atol=0.02
    )


def test_wrong_or_corrupt_files_get_a_clear_message(tmp_path):
    junk = tmp_path / "junk.safetensors"
    junk.write_bytes(b"\x00garbage" * 50)
    with pytest.raises(digits.ModelFileError, match="not a readable model file"):
        digits.load_model(junk)
    with pytest.raises(digits.ModelFileError, match="no file"):
        digits.load_model(tmp_path / "absent.safetensors")
    from safetensors.numpy import save_file

    other = tmp_path / "other.safetensors"
    save_file({"w": np.zeros(3, np.float32)}, str(other))
    with pytest.raises(digits.ModelFileError, match="not a Digits model"):
        digits.load_model(other)
    good = tmp_path / "good.safetensors"
    digits.load_pretrained("mnist").save(good)
    truncated = tmp_path / "truncated.safetensors"
    truncated.write_bytes(good.read_bytes()[:-1000])
    with pytest.raises(digits.ModelFileError):
        digits.load_model(truncated)
    # the header says 784-256-128-10 but the weights are of another shape
    meta = {
        "format": "neural-playground-digits",
        "version": "1",
        "kind": "scratch",
        "dataset": "mnist",
        "arch": json.dumps({"hidden": [256, 128]}),
    }
    save_file({"W0": np.zeros((3, 3), np.float32)}, str(other), metadata=meta)
    with pytest.raises(digits.ModelFileError, match="damaged"):
        digits.load_model(other)


@pytest.mark.parametrize("kind", ["mlp", "cnn"])
def test_lr_2_diverges_instead_of_training_on(mnist, kind):
    """At lr 2 Adam's first steps throw the loss to 1e3-1e5 (chance is ln 10 = 2.3)."""
    config = digits.config_for(kind, epochs=1, train_limit=2048, lr=2.0)
    clf = digits.new_model("mnist", config)
    with pytest.raises(Diverged, match="starting level"):
        run(digits.train_job(clf, mnist["train"], None, config))


def test_lr_2_on_the_numpy_network_never_trains_on_at_chance(mnist):
    """Issue 18: the default model at lr 2 on all of MNIST threw the loss to 14.5, then sat at
    chance (ln 10 = 2.30, 11% right) for 15 epochs without a word.  Whatever the seed, the
    run now stops in its first epoch: diverged, or collapsed back to chance."""
    from playground.core.training import Collapsed

    for seed in (0, 1, 2):
        config = digits.config_for("scratch", lr=2.0, seed=seed)
        clf = digits.new_model("mnist", config)
        with pytest.raises(Diverged) as stopped:
            run(digits.train_job(clf, mnist["train"], None, config))
        assert stopped.value.step == 1 and "lower the learning rate" in str(stopped.value)
        if seed == 0:  # the run: 14.53, 3.965, 2.56, 2.39, ... at chance
            assert isinstance(stopped.value, Collapsed)
            assert "the network now guesses" in str(stopped.value)


def test_train_config_checks_its_declared_limits():
    """TrainConfig declares each setting's limits once (the tab's state takes them from it)."""
    assert digits.config_for("mlp", hidden=[64, "32"]).hidden == (64, 32)
    with pytest.raises(ValueError) as e:
        digits.TrainConfig("rnn", epochs=0, batch_size=4)
    text = str(e.value)
    assert "epochs: 0 is below the minimum 1" in text and "batch_size" in text
    assert "model: 'rnn' is not one of scratch, mlp, cnn" in text
    with pytest.raises(ValueError, match="train_limit"):
        digits.config_for("scratch", train_limit=0)
