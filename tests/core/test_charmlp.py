"""The Character MLP core: windows, the lecture's split, the model, training, lr finder, files."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from playground.core import charmlp, charmlp_checks, charmlp_lr, charmlp_run, data
from playground.core.training import LiveSettings, torch_threads


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Tiny matrices: one torch thread is fastest, and fair to a shared CI machine."""
    with torch_threads(1):
        yield


@pytest.fixture(scope="module")
def words() -> list[str]:
    return data.load_words()


def test_emma_gives_the_lectures_five_windows():
    itos = charmlp.vocabulary(["emma"])
    stoi = {s: i for i, s in enumerate(itos)}
    xs, ys = charmlp.windows("emma", 3, stoi)
    contexts = ["".join(itos[i] for i in x) for x in xs]
    assert contexts == ["...", "..e", ".em", "emm", "mma"]
    assert "".join(itos[i] for i in ys) == "emma."


def test_split_sizes_match_the_lecture(words):
    ds = charmlp.build_dataset(words, block_size=3, seed=42)
    sizes = {k: len(Y) for k, (X, Y) in ds.items()}
    assert sizes == {"train": 182_625, "dev": 22_655, "test": 22_866}
    X, Y = ds["train"]
    assert X.shape == (182_625, 3) and X.dtype == torch.int64 and Y.dtype == torch.int64
    assert int(X.max()) == 26 and int(Y.min()) == 0
    # the split is by words: no dev word is also a training word unless it repeats in names.txt
    split = charmlp.split_words(words)
    assert [len(v) for v in split.values()] == [25_626, 3_203, 3_204]


def test_lecture_preset_has_11897_parameters():
    config = charmlp.preset("lecture")
    model = charmlp.make_model(config, charmlp.vocabulary(["abcdefghijklmnopqrstuvwxyz"]))
    assert sum(p.numel() for p in model.parameters()) == 11_897
    assert charmlp.count_parameters(config) == 11_897
    assert (config.block_size, config.emb_dim, config.hidden, config.batch_size) == (
        3,
        10,
        (200,),
        32,
    )
    assert config.steps == 200_000 and config.decay_step == 100_000
    assert charmlp.scheduled_lr(config, 100_000) == 0.1
    assert math.isclose(charmlp.scheduled_lr(config, 100_001), 0.01)


@pytest.mark.parametrize("name", list(charmlp.PRESETS))
def test_presets_build_and_count_their_parameters(name):
    config = charmlp.preset(name)
    model = charmlp.make_model(config, charmlp.vocabulary(["abcdefghijklmnopqrstuvwxyz"]))
    n = sum(p.numel() for p in model.parameters())
    assert n == charmlp.count_parameters(config)
    X = torch.zeros(5, config.block_size, dtype=torch.int64)
    assert model(X).shape == (5, 27)
    if name == "tiny":
        assert config.emb_dim == 2 and 3_300 < n < 3_600


def test_bad_settings_raise_a_plain_message():
    with pytest.raises(ValueError, match="block size of 8"):
        charmlp.CharMLPConfig(architecture="wavenet", block_size=3, hidden=(64, 64, 64))
    with pytest.raises(ValueError, match="hidden: expected 1 to 3 items, got 4"):
        charmlp.CharMLPConfig(hidden=(10, 10, 10, 10))


def test_initialisation_lesson(words):
    """randn init starts far above ln(27); a shrunken last layer starts close to it."""
    ds = charmlp.build_dataset(words)
    X, Y = ds["train"]
    expected = charmlp.expected_initial_loss(27)
    assert math.isclose(expected, 3.2958, abs_tol=1e-4)
    wild = charmlp.make_model(charmlp.preset("lecture"), charmlp.vocabulary(words))
    calm = charmlp.make_model(charmlp.preset("batchnorm"), charmlp.vocabulary(words))
    assert charmlp.split_loss(wild, X[:2000], Y[:2000]) > 10
    assert abs(charmlp.split_loss(calm, X[:2000], Y[:2000]) - expected) < 0.1


def test_training_makes_the_loss_fall_and_reports_views(words):
    config = charmlp.preset("tiny")
    run = charmlp_run.Run(words, config)
    settings = LiveSettings(lr=0.1, stop=False)
    snaps = list(run.train(steps=400, settings=settings, dev_every=200))
    steps = [s for s in snaps if "loss" in s.metrics]
    assert [s.step for s in steps] == list(range(1, 401))
    assert all(s.metrics["lr"] == 0.1 for s in steps)
    early = np.mean([s.metrics["loss"] for s in steps[:20]])
    late = np.mean([s.metrics["loss"] for s in steps[-50:]])
    assert late < early - 0.3
    devs = [s.metrics["dev_loss"] for s in steps if "dev_loss" in s.metrics]
    assert len(devs) == 2 and devs[-1] < 3.0
    final = snaps[-1].metrics
    assert set(final) == {"final_train", "final_dev", "final_test"}
    assert final["final_dev"] == pytest.approx(charmlp.evaluate(run.model, words, "dev"))
    d = snaps[-1].materialize()
    assert d["embedding"].shape == (27, 2) and d["embedding_2d"].shape == (27, 2)
    assert d["axes"] == ("dim 1", "dim 2")
    (act,) = d["activations"]
    assert act["counts"].shape == (50,) and act["counts"].sum() == 1024 * 100
    assert 0 <= act["saturated"] <= 1
    assert [r["name"] for r in d["ratios"]] == ["C", "W1", "W out"]
    assert all(r["grad_data"] > 0 for r in d["ratios"])
    assert len(d["samples"]) == 8 and all(isinstance(s, tuple) for s in d["samples"])


def lecture_loop(model, Xtr, Ytr, steps: int) -> list[float]:
    """makemore's training loop as the notebooks type it (part 3/5: model(Xb), parameters)."""
    import torch.nn.functional as F

    g = torch.Generator().manual_seed(model.config.seed)
    parameters = list(model.parameters())
    lossi = []
    for i in range(steps):
        # minibatch construct
        ix = torch.randint(0, Xtr.shape[0], (32,), generator=g)
        Xb, Yb = Xtr[ix], Ytr[ix]  # batch X,Y
        # forward pass
        logits = model(Xb)
        loss = F.cross_entropy(logits, Yb)  # loss function
        # backward pass
        for p in parameters:
            p.grad = None
        loss.backward()
        # update: simple SGD
        lr = 0.1 if i < 100000 else 0.01  # step learning rate decay
        for p in parameters:
            p.data += -lr * p.grad
        # track stats
        lossi.append(loss.item())
    return lossi


@pytest.mark.parametrize("name", ["batchnorm", "wavenet"])
def test_the_trainer_is_the_lectures_loop(words, name):
    """Trainer.step and its one fast path (the update in one op) against the lecture's loop:
    the same batches, the same first loss, the same curve and weights to float rounding."""
    config = charmlp.preset(name)
    itos = charmlp.vocabulary(words)
    Xtr, Ytr = charmlp.build_dataset(words, config.block_size)["train"]
    ours, theirs = charmlp.make_model(config, itos), charmlp.make_model(config, itos)
    trainer = charmlp.Trainer(ours, Xtr, Ytr)
    curve = [trainer.step() for _ in range(100)]
    lecture = lecture_loop(theirs, Xtr, Ytr, 100)
    assert curve[0] == lecture[0] and ours.steps_trained == 100
    np.testing.assert_allclose(curve, lecture, rtol=1e-5)
    for p, q in zip(ours.parameters(), theirs.parameters(), strict=True):
        torch.testing.assert_close(p, q, rtol=1e-4, atol=1e-6)


def test_live_learning_rate_and_stop(words):
    run = charmlp_run.Run(words, charmlp.preset("tiny"))
    settings = LiveSettings(lr=0.1, stop=False)
    job = run.train(steps=1000, settings=settings)
    next(job)
    settings.lr = 0.02
    assert next(job).metrics["lr"] == 0.02
    settings.stop = True
    rest = list(job)
    assert len(rest) == 1 and "final_dev" in rest[0].metrics  # no more steps, just the losses
    assert run.model.steps_trained == 2
    # continuing goes on from where it stopped
    snap = next(run.train(steps=10))
    assert snap.step == 3 and snap.total == 12


def test_pca_view_for_wider_embeddings(words):
    run = charmlp_run.Run(words, charmlp.preset("lecture"))
    d = next(run.train(steps=1)).materialize()
    assert d["embedding"].shape == (27, 10) and d["embedding_2d"].shape == (27, 2)
    assert d["axes"][0].startswith("PC 1")


def test_sampling_is_seeded(words):
    model = charmlp.fit(words, charmlp.preset("tiny"), steps=200)
    a = charmlp.sample(model, 10, seed=3)
    assert a == charmlp.sample(model, 10, seed=3)
    assert a != charmlp.sample(model, 10, seed=4)
    assert len(a) == 10 and all(set(name) <= set("abcdefghijklmnopqrstuvwxyz") for name in a)
    cold = charmlp.sample(model, 5, seed=1, temperature=0)
    assert len(set(cold)) == 1  # greedy: every draw the same


def test_lr_finder_curve_has_a_minimum(words):
    exps, losses, suggested = charmlp_lr.find_lr(words, charmlp.preset("tiny"), steps=600)
    assert exps[0] == pytest.approx(-3.0) and len(exps) == len(losses) > 300
    smooth = charmlp_lr.smoothed(losses, 30)
    i = int(np.argmin(smooth))
    assert 0 < i < len(smooth) - 1  # an interior minimum
    assert smooth[i] < smooth[0] - 0.3
    assert 1e-3 <= suggested <= 1.0


def test_save_and_load_round_trip(words, tmp_path):
    model = charmlp.fit(words, charmlp.preset("batchnorm"), steps=50)
    path = tmp_path / "m.safetensors"
    charmlp.save(model, path)
    back = charmlp.load(path)
    assert back.config == model.config and back.steps_trained == 50
    X = charmlp.build_dataset(words)["dev"][0][:100]
    model.eval()
    back.eval()
    assert torch.equal(model(X), back(X))
    assert charmlp.sample(back, 5, seed=1) == charmlp.sample(model, 5, seed=1)


def test_corrupt_or_wrong_file_gives_a_clear_message(tmp_path):
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"this is not a model")
    with pytest.raises(ValueError, match="not a Character MLP model file"):
        charmlp.load(bad)
    from safetensors.torch import save_file

    other = tmp_path / "other.safetensors"
    save_file({"w": torch.zeros(2)}, str(other))
    with pytest.raises(ValueError, match="no Character MLP header"):
        charmlp.load(other)
    with pytest.raises(ValueError, match="does not exist"):
        charmlp.load(tmp_path / "missing.safetensors")


def _write(path, tensors: dict, meta: dict) -> None:
    """A .safetensors file with these tensors and metadata (any shapes)."""
    from safetensors.torch import save_file

    save_file(tensors, str(path), metadata=meta)


def _header(path) -> tuple[dict, bytes]:
    import json

    raw = path.read_bytes()
    n = int.from_bytes(raw[:8], "little")
    return json.loads(raw[8 : 8 + n]), raw[8 + n :]


def _rewrite(path, header: dict, data: bytes) -> None:
    import json

    text = json.dumps(header).encode()
    path.write_bytes(len(text).to_bytes(8, "little") + text + data)


@pytest.mark.parametrize(
    "config",
    [
        *charmlp.PRESETS.values(),
        charmlp.CharMLPConfig(hidden=(30, 20, 10), batchnorm=True),
        charmlp.CharMLPConfig(block_size=4, hidden=(16, 8), architecture="wavenet"),
    ],
)
def test_expected_tensors_are_the_models_own(config):
    itos = charmlp.vocabulary(["abcdefghijklmnopqrstuvwxyz"])
    model = charmlp.make_model(config, itos)
    want = charmlp_checks.expected_tensors(config, len(itos))
    assert {k: e.shape for k, e in want.items()} == {
        k: tuple(v.shape) for k, v in model.state_dict().items()
    }
    assert list(want) == list(model.state_dict())


def test_a_file_with_wrong_shapes_says_which_tensor_in_words(tmp_path):
    model = charmlp.make_model(
        charmlp.preset("lecture"), charmlp.vocabulary(["abcdefghijklmnopqrstuvwxyz"])
    )
    path = tmp_path / "m.safetensors"
    charmlp.save(model, path)
    header, data = _header(path)
    meta = header.pop("__metadata__")
    tensors = {k: v.detach().clone() for k, v in model.state_dict().items()}
    # the file: C cut to 3x3
    wrong = tmp_path / "wrong.safetensors"
    _write(wrong, {**tensors, "C": torch.zeros(3, 3)}, meta)
    with pytest.raises(ValueError) as err:
        charmlp_checks.check_file(wrong)
    assert str(err.value) == (
        "wrong.safetensors does not match its own settings: C is 3x3 in the file, but a "
        "model with vocabulary 27 and embedding 10 needs 27x10."
    )
    with pytest.raises(ValueError, match="C is 3x3 in the file"):
        charmlp.load(wrong)  # the loader says the same, not PyTorch's size mismatch
    # a hidden layer's bias
    _write(wrong, {**tensors, "layers.0.bias": torch.zeros(100)}, meta)
    with pytest.raises(
        ValueError,
        match=r"b1 \(layers.0.bias\) is a vector of 100 in the file, but "
        r"a model with 200 units in hidden layer 1 needs a vector of 200\.",
    ):
        charmlp.load(wrong)
    # settings edited in the header: the weights no longer fit them
    edited = tmp_path / "edited.safetensors"
    header["__metadata__"] = {
        **meta,
        "config": charmlp.with_changes(model.config, block_size=4).to_json(),
    }
    _rewrite(edited, header, data)
    with pytest.raises(
        ValueError,
        match=r"W1 \(layers.0.weight\) is 30x200 in the file, but a "
        r"model with block size 4 and embedding 10 and 200 units in hidden layer 1 "
        r"needs 40x200",
    ):
        charmlp.load(edited)
    # a tensor missing, another one too many, another dtype
    _write(wrong, {k: v for k, v in tensors.items() if k != "layers.2.bias"}, meta)
    with pytest.raises(ValueError, match=r"lacks b out \(layers.2.bias\)"):
        charmlp.load(wrong)
    _write(wrong, {**tensors, "layers.1.gamma": torch.ones(200)}, meta)
    with pytest.raises(ValueError, match="holds layers.1.gamma, which a model"):
        charmlp.load(wrong)
    _write(wrong, {**tensors, "C": tensors["C"].double()}, meta)
    with pytest.raises(ValueError, match="C is stored as F64"):
        charmlp.load(wrong)


def test_a_truncated_or_padded_file_is_refused_from_its_header(tmp_path):
    model = charmlp.make_model(
        charmlp.preset("tiny"), charmlp.vocabulary(["abcdefghijklmnopqrstuvwxyz"])
    )
    path = tmp_path / "m.safetensors"
    charmlp.save(model, path)
    raw = path.read_bytes()
    cut = tmp_path / "cut.safetensors"
    cut.write_bytes(raw[: len(raw) - 1000])
    with pytest.raises(
        ValueError, match=r"cut.safetensors is cut short: its weights need 13,924 bytes"
    ):
        charmlp_checks.check_file(cut)
    with pytest.raises(ValueError, match="cut short"):
        charmlp.load(cut)
    cut.write_bytes(raw[:100])  # inside the header
    with pytest.raises(ValueError, match="not a Character MLP model file"):
        charmlp.load(cut)
    padded = tmp_path / "padded.safetensors"
    padded.write_bytes(raw + b"\0" * 16)
    with pytest.raises(ValueError, match="16 bytes more than its weights"):
        charmlp.load(padded)
    header, data = _header(path)
    header["__metadata__"]["config"] = '{"emb_dim": 0}'
    _rewrite(padded, header, data)
    with pytest.raises(
        ValueError, match="its settings are not valid: .*emb_dim: 0 is below the minimum 1"
    ):
        charmlp.load(padded)
    assert charmlp_checks.check_file(path)[0] == model.config  # the sound file passes


def test_adam_option_trains_too(words):
    config = charmlp.with_changes(charmlp.preset("tiny"), optimizer="adam", lr=0.01)
    run = charmlp_run.Run(words, config)
    losses = [s.metrics["loss"] for s in run.train(300) if "loss" in s.metrics]
    assert np.mean(losses[-50:]) < np.mean(losses[:20]) - 0.3
    assert 2.0 < run.final["dev"] < 3.0
    # training on continues with Adam's moments, not fresh ones
    first = next(iter(run.model.parameters()))
    assert int(run._opt.state[first]["step"]) == 300
    for _ in run.train(20):
        pass
    assert int(run._opt.state[first]["step"]) == 320


def test_a_learning_rate_of_10_diverges_with_a_plain_message(words):
    """Lecture preset at lr 10: the loss climbs from 27 to ~200 and stays there."""
    import dataclasses

    from playground.core.training import Diverged

    config = dataclasses.replace(charmlp.preset("lecture"), lr=10.0)
    with pytest.raises(Diverged, match="twice its starting level.*lower the learning rate"):
        charmlp.fit(words, config, steps=2000)


def test_the_lectures_batchnorm_is_torchs():
    """BatchNorm1d as parts 3 and 5 write it (batch mean, x.var with Bessel's n-1, the running
    estimates moved by momentum 0.01) over (B, C) and part 5's (B, T, C), against the same
    statistics from torch.var_mean."""
    from playground.core.charmlp_layers import BatchNorm1d

    g = torch.Generator().manual_seed(0)
    for shape in ((32, 64), (32, 4, 64)):
        x = torch.randn(*shape, generator=g) * 3 + 1
        bn = BatchNorm1d(64)
        with torch.no_grad():
            bn.gamma.copy_(torch.randn(64, generator=g))
            bn.beta.copy_(torch.randn(64, generator=g))
        flat = x.reshape(-1, 64)
        var, mean = torch.var_mean(flat, 0)  # unbiased, as x.var
        want = (flat - mean) / torch.sqrt(var + 1e-5) * bn.gamma + bn.beta
        torch.testing.assert_close(bn(x).reshape(-1, 64), want, rtol=1e-5, atol=1e-5)
        torch.testing.assert_close(bn.running_mean, 0.01 * mean)
        torch.testing.assert_close(bn.running_var, 0.99 + 0.01 * var)
        bn.eval()  # evaluation: the running estimates
        torch.testing.assert_close(
            bn(x), (x - bn.running_mean) / torch.sqrt(bn.running_var + 1e-5) * bn.gamma + bn.beta
        )


@pytest.mark.parametrize("block_size", [1, 3, 8])
def test_the_fast_contexts_are_the_lectures_loop(block_size):
    """contexts() (numpy) makes exactly what the lecture's loop makes: names.txt, odd words."""
    words = data.load_words()
    stoi = {s: i for i, s in enumerate(charmlp.vocabulary(words))}
    for ws in (words, ["a"], ["ab", "", "c"], []):
        X, Y = charmlp.lecture_contexts(ws, block_size, stoi)
        fX, fY = charmlp.contexts(ws, block_size, stoi)
        assert fX.dtype == X.dtype == torch.int64 and fY.dtype == Y.dtype
        assert torch.equal(fX, X) and torch.equal(fY, Y)
    for make in (charmlp.lecture_contexts, charmlp.contexts):
        with pytest.raises(ValueError, match="'aé' has a character the model does not know: 'é'"):
            make(["ab", "aé"], block_size, stoi)
