"""The toy 2-D classifier core: datasets, model, training, files, exported script."""

from __future__ import annotations

import math
import re
import subprocess
import sys

import numpy as np
import pytest

from playground.core import toy
from playground.core.training import Diverged, run


def data(name="fruit", n=200, noise=0.1, seed=0, n_classes=2, test_fraction=0.5):
    X, y = toy.make_dataset(name, n=n, noise=noise, seed=seed, n_classes=n_classes)
    return toy.split(X, y, test_fraction, seed=seed)


# ---------------------------------------------------------------------- datasets
@pytest.mark.parametrize("name", toy.DATASETS)
def test_datasets_shapes_labels_and_plane(name):
    X, y = toy.make_dataset(name, n=301, noise=0.1, seed=3)
    assert X.shape == (301, 2) and X.dtype == np.float32
    assert y.shape == (301,) and y.dtype == np.int64
    assert set(np.unique(y)) == {0, 1}
    xmin, xmax, ymin, ymax = toy.extent(name)
    inside = (X[:, 0] >= xmin) & (X[:, 0] <= xmax) & (X[:, 1] >= ymin) & (X[:, 1] <= ymax)
    assert inside.mean() > 0.97  # the plane shown holds (nearly) every point
    assert np.isfinite(X).all()


@pytest.mark.parametrize("name", toy.DATASETS)
def test_datasets_are_seeded(name):
    X1, y1 = toy.make_dataset(name, n=100, seed=7)
    X2, y2 = toy.make_dataset(name, n=100, seed=7)
    X3, _ = toy.make_dataset(name, n=100, seed=8)
    assert np.array_equal(X1, X2) and np.array_equal(y1, y2)
    assert not np.array_equal(X1, X3)


@pytest.mark.parametrize("name", ["gauss", "spiral"])
@pytest.mark.parametrize("k", [3, 5])
def test_multiclass_datasets_have_balanced_classes(name, k):
    X, y = toy.make_dataset(name, n=100, seed=0, n_classes=k)
    assert np.bincount(y).tolist() == [100 // k + (i < 100 % k) for i in range(k)]


def test_dataset_arguments_are_checked():
    with pytest.raises(ValueError, match="Unknown dataset 'banana'"):
        toy.make_dataset("banana")
    with pytest.raises(ValueError, match="n_classes"):
        toy.make_dataset("gauss", n_classes=6)
    assert toy.make_dataset("circle", n_classes=4)[1].max() == 1  # circle is 2-class
    for name in toy.DATASETS:
        X, y = toy.make_dataset(name, n=0)
        assert X.shape == (0, 2) and y.shape == (0,)


def test_fruit_story_and_noise():
    assert toy.extent("fruit") == (0.0, 10.0, 0.0, 10.0)
    assert toy.axis_labels("fruit") == ("size of the orange spots", "length of the spikes")
    assert toy.class_names("fruit", 2) == ["safe", "poisonous"]
    assert toy.class_names("gauss", 3) == ["class 0", "class 1", "class 2"]
    assert toy.axis_labels("spiral") == ("x1", "x2")
    X, y = toy.make_dataset("fruit", n=400, noise=0.0, seed=0)
    above = X[:, 1] > toy.fruit_boundary(X[:, 0])
    assert np.array_equal(y, above.astype(np.int64))  # no noise: the curve decides
    X, y = toy.make_dataset("fruit", n=400, noise=0.1, seed=0)
    above = X[:, 1] > toy.fruit_boundary(X[:, 0])
    assert 0.85 < (y == above).mean() < 1.0  # a little label noise near the curve


def test_split_and_grid():
    X, y = toy.make_dataset("moons", n=100, seed=0)
    Xtr, ytr, Xte, yte = toy.split(X, y, test_fraction=0.3, seed=1)
    assert len(Xtr) == 70 and len(Xte) == 30 and len(ytr) == 70 and len(yte) == 30
    both = np.concatenate([Xtr, Xte])
    assert sorted(map(tuple, both.tolist())) == sorted(map(tuple, X.tolist()))
    assert len(toy.split(X, y, test_fraction=1.0)[0]) == 1  # one point is kept to train on
    g = toy.make_grid((0, 10, -6, 6), res=4)
    assert g.shape == (16, 2) and g.dtype == np.float32
    assert np.allclose(g[:4, 1], -4.5) and np.allclose(g[:4, 0], [1.25, 3.75, 6.25, 8.75])
    assert np.allclose(g[::4, 1], [-4.5, -1.5, 1.5, 4.5])  # rows go bottom to top


def test_features_scale_the_plane():
    F = toy.features(np.array([[0, 0], [10, 10], [5, 5]], np.float32), toy.FEATURES, (0, 10, 0, 10))
    assert F.shape == (3, 7) and F.dtype == np.float32
    r = toy.INPUT_RANGE
    assert np.allclose(F[0, :2], -r) and np.allclose(F[1, :2], r) and np.allclose(F[2], 0)
    assert np.allclose(F[1], [r, r, r * r, r * r, r * r, math.sin(r), math.sin(r)])
    X = np.array([[1.5, -2.0]], np.float32)
    assert np.allclose(toy.features(X, ("x2", "x1*x2")), [[-2.0, -3.0]])  # -6..6: identity
    assert set(toy.FEATURE_LABELS) == set(toy.FEATURES)


# ------------------------------------------------------------------------ model
def test_model_shapes_and_maps():
    cfg = toy.ToyConfig(hidden=(5, 3), n_classes=3, features=("x1", "x2", "sin x1"))
    model = toy.ToyModel(cfg)
    X, _ = toy.make_dataset("gauss", n=20, n_classes=3)
    p = model.predict_proba(X)
    assert p.shape == (20, 3) and p.dtype == np.float32
    assert np.allclose(p.sum(1), 1, atol=1e-5)
    assert [(W.shape, b.shape) for W, b in model.weights()] == [
        ((5, 3), (5,)),
        ((3, 5), (3,)),
        ((3, 3), (3,)),
    ]
    maps = toy.neuron_maps(model, toy.make_grid(toy.extent("gauss"), 10))
    assert [m.shape for m in maps] == [(3, 100), (5, 100), (3, 100), (3, 100)]
    binary = toy.ToyModel(toy.ToyConfig(hidden=()))
    assert binary.predict_proba(X).shape == (20, 2)
    assert [m.shape for m in toy.neuron_maps(binary, X)] == [(2, 20), (1, 20)]
    assert np.allclose(toy.neuron_maps(binary, X)[-1][0], binary.predict_proba(X)[:, 1], atol=1e-6)
    with pytest.raises(ValueError, match="hidden: expected 0 to 6 items, got 7"):
        toy.ToyConfig(hidden=(4,) * 7)
    with pytest.raises(ValueError, match="hidden: 33 is above the maximum 32"):
        toy.ToyConfig(hidden=(33,))
    with pytest.raises(ValueError, match="batch_size: 0 is below the minimum 1"):
        toy.ToyConfig(batch_size=0)
    with pytest.raises(ValueError, match="optimizer: 'lbfgs' is not one of sgd, momentum"):
        toy.ToyConfig(optimizer="lbfgs")
    with pytest.raises(ValueError, match="features: 'x3' is not one of x1, x2"):
        toy.ToyConfig(features=("x3",))
    with pytest.raises(ValueError, match="extent: the plane .* is empty"):
        toy.ToyConfig(extent=(0, 0, 0, 1))
    with pytest.raises(ValueError, match=r"Invalid toy classifier settings: lr: .*; decay"):
        toy.ToyConfig(lr=-1, decay=2)  # every problem at once
    assert toy.ToyConfig(features=["x2", "x1"], hidden=[3.0]).features == ("x1", "x2")


def test_init_is_seeded_and_set_weights_checks_shapes():
    a = toy.ToyModel(toy.ToyConfig(seed=1)).weights()
    b = toy.ToyModel(toy.ToyConfig(seed=1)).weights()
    c = toy.ToyModel(toy.ToyConfig(seed=2)).weights()
    assert all(np.array_equal(w1, w2) for (w1, _), (w2, _) in zip(a, b, strict=True))
    assert not np.array_equal(a[0][0], c[0][0])
    model = toy.ToyModel(toy.ToyConfig(seed=2))
    model.set_weights(a)
    assert np.array_equal(model.weights()[1][0], a[1][0])
    with pytest.raises(ValueError, match="Layer 0"):
        model.set_weights([(np.zeros((3, 2)), np.zeros(3))] + a[1:])


def test_single_neuron_is_a_line_in_plane_coordinates():
    model = toy.ToyModel(toy.ToyConfig(hidden=(), extent=toy.extent("fruit")))
    model.set_weights([(np.array([[1.5, 2.0]]), np.array([-0.5]))])
    a1, a2, a0 = model.line()
    X = np.random.default_rng(0).uniform(0, 10, (200, 2)).astype(np.float32)
    side = a1 * X[:, 0] + a2 * X[:, 1] + a0 > 0
    assert np.array_equal(side, model.predict_proba(X)[:, 1] > 0.5)
    plain = toy.ToyModel(toy.ToyConfig(hidden=()))  # the -6..6 plane: w1*x1 + w2*x2 + b
    plain.set_weights([(np.array([[1.5, 2.0]]), np.array([-0.5]))])
    assert np.allclose(plain.line(), (1.5, 2.0, -0.5))
    assert toy.ToyModel(toy.ToyConfig(hidden=(2,))).line() is None


# --------------------------------------------------------------------- training
@pytest.mark.parametrize("optimizer", toy.OPTIMIZERS)
def test_each_optimizer_lowers_the_loss(optimizer):
    Xtr, ytr, Xte, yte = data("moons", n=200)
    lr = {"sgd": 0.1, "momentum": 0.03, "rmsprop": 0.01, "adagrad": 0.1, "adam": 0.01}[optimizer]
    model = toy.ToyModel(toy.ToyConfig(hidden=(6,), optimizer=optimizer, lr=lr))
    before, _ = toy.evaluate(model, Xtr, ytr)
    last = run(toy.train(model, Xtr, ytr, Xte, yte, epochs=15))
    assert last.step == 15 and last.unit == "epoch" and last.total == 15
    assert set(last.metrics) == {"loss", "test_loss", "acc", "test_acc", "lr"}
    assert last.metrics["loss"] < 0.75 * before
    assert last.metrics["loss"] == pytest.approx(toy.evaluate(model, Xtr, ytr)[0], rel=1e-5)
    assert last.metrics["test_acc"] == pytest.approx(toy.evaluate(model, Xte, yte)[1])


@pytest.mark.parametrize("optimizer", toy.OPTIMIZERS)
def test_each_update_rule_takes_torch_optims_steps(optimizer):
    import torch

    torch.manual_seed(0)
    mine = [torch.nn.Parameter(torch.randn(4, 3)), torch.nn.Parameter(torch.randn(4))]
    theirs = [torch.nn.Parameter(p.detach().clone()) for p in mine]
    reference = {
        "sgd": lambda ps: torch.optim.SGD(ps, lr=0.05),
        "momentum": lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=toy.MOMENTUM),
        "rmsprop": lambda ps: torch.optim.RMSprop(ps, lr=0.05),
        "adagrad": lambda ps: torch.optim.Adagrad(ps, lr=0.05),
        "adam": lambda ps: torch.optim.Adam(ps, lr=0.05),
    }[optimizer](theirs)
    ours = toy.Optimizer(mine, optimizer, 0.05)
    for _ in range(50):
        x = torch.randn(4, 3)
        for ps, opt in ((mine, ours), (theirs, reference)):
            opt.zero_grad()
            ((ps[0] * x).sum() ** 2 + ps[1].pow(3).sum()).backward()
            opt.step()
        for a, b in zip(mine, theirs, strict=True):  # the same steps, to float rounding
            assert torch.allclose(a, b, rtol=1e-5, atol=1e-6)
            a.data.copy_(b)  # so that rounding cannot add up over the steps


def test_single_neuron_separates_separable_data():
    X, y = toy.make_dataset("gauss", n=200, noise=0.0, seed=1)
    model = toy.fit(X, y, toy.ToyConfig(hidden=(), lr=0.1), epochs=20)
    assert toy.evaluate(model, X, y)[1] == 1.0
    assert (model.predict(X) == y).all()


def test_fruit_single_neuron_nearly_but_not_quite():
    Xtr, ytr, Xte, yte = data("fruit", n=400, noise=0.0)
    ext = toy.extent("fruit")
    line = toy.ToyModel(toy.ToyConfig(hidden=(), optimizer="adam", lr=0.05, extent=ext))
    run(toy.train(line, Xtr, ytr, Xte, yte, epochs=60))
    acc = toy.evaluate(line, Xtr, ytr)[1]
    assert 0.9 < acc < 1.0  # a straight line nearly fits the curved boundary


def test_spiral_needs_hidden_layers_and_an_8_8_tanh_net_learns_it():
    Xtr, ytr, Xte, yte = data("spiral", n=800, noise=0.1)  # 400 to train, 400 held out
    line = toy.fit(Xtr, ytr, toy.ToyConfig(hidden=(), optimizer="adam"), epochs=10)
    assert toy.evaluate(line, Xte, yte)[1] < 0.75  # a line cannot follow the arms
    cfg = toy.ToyConfig(hidden=(8, 8), activation="tanh", optimizer="adam", lr=0.03, batch_size=25)
    model = toy.ToyModel(cfg)
    last = run(toy.train(model, Xtr, ytr, Xte, yte, epochs=150))
    assert last.metrics["test_acc"] >= 0.9, last.metrics


def test_multiclass_softmax_trains():
    Xtr, ytr, Xte, yte = data("gauss", n=300, n_classes=4)
    model = toy.ToyModel(toy.ToyConfig(hidden=(6,), n_classes=4, optimizer="adam", lr=0.03))
    last = run(toy.train(model, Xtr, ytr, Xte, yte, epochs=15))
    assert last.metrics["test_acc"] > 0.9
    grid = toy.make_grid(toy.extent("gauss"), 8)
    weights = next(toy.train(model, Xtr, ytr, Xte, yte, epochs=1)).materialize()["weights"]
    d = toy.grid_views(weights, model.inputs(grid), "tanh")
    assert d["probs"].shape == (64, 4) and len(d["maps"]) == 3 and len(weights) == 2


def test_detail_views_match_the_model():
    Xtr, ytr, Xte, yte = data("circle", n=100)
    model = toy.ToyModel(toy.ToyConfig(hidden=(3,)))
    grid = toy.make_grid(toy.extent("circle"), 12)
    snap = next(toy.train(model, Xtr, ytr, Xte, yte))
    d = snap.materialize()
    d.update(toy.grid_views(d["weights"], model.inputs(grid), model.config.activation))
    assert snap.total is None  # no epochs given: runs until stopped
    assert d["probs"].shape == (144, 2) and d["probs"].dtype == np.float32
    assert np.allclose(d["probs"], model.predict_proba(grid), atol=1e-6)
    assert np.array_equal(d["weights"][0][0], model.weights()[0][0])
    assert [m.shape for m in d["maps"]] == [(2, 144), (3, 144), (1, 144)]


def test_training_leaves_the_config_as_it_was():
    Xtr, ytr, Xte, yte = data("fruit", n=50)
    cfg = toy.ToyConfig(extent=toy.extent("fruit"))
    model = toy.ToyModel(cfg)
    before = cfg.to_dict()
    run(toy.train(model, Xtr, ytr, Xte, yte, epochs=2, view_every=0.0))
    assert model.config.to_dict() == before  # the plane belongs to the view, not to training


def test_live_settings_reach_a_running_job_and_keep_the_weights():
    Xtr, ytr, Xte, yte = data("moons", n=100)
    model = toy.ToyModel(toy.ToyConfig(hidden=(4,), lr=0.03))
    settings = toy.live_settings(model.config)
    job = toy.train(model, Xtr, ytr, Xte, yte, settings=settings)
    assert next(job).metrics["lr"] == pytest.approx(0.03)
    before = model.weights()
    settings.update(lr=0.5, l2=0.01, batch_size=25)
    snap = next(job)
    assert snap.step == 2 and snap.metrics["lr"] == pytest.approx(0.5)
    after = model.weights()  # trained on from where it was, not re-initialised
    assert np.abs(after[0][0] - before[0][0]).max() < 1.0
    settings.update(lr=0.1, decay=0.5)
    assert next(job).metrics["lr"] == pytest.approx(0.1 * 0.5**2)  # lr0 * decay**epoch (0-based)
    settings.update(lr=0.0, decay=1.0, l2=0.0)
    frozen = model.weights()
    next(job)
    assert all(np.array_equal(a, b) for (a, _), (b, _) in zip(frozen, model.weights(), strict=True))


def test_regularization_shrinks_weights_but_the_reported_loss_is_pure():
    Xtr, ytr, Xte, yte = data("moons", n=100)
    plain = toy.ToyModel(toy.ToyConfig(hidden=(8,), optimizer="adam", lr=0.03))
    reg = toy.ToyModel(toy.ToyConfig(hidden=(8,), optimizer="adam", lr=0.03, l2=0.05))
    l1 = toy.ToyModel(toy.ToyConfig(hidden=(8,), optimizer="adam", lr=0.03, l1=0.01))
    for m in (plain, reg, l1):
        last = run(toy.train(m, Xtr, ytr, Xte, yte, epochs=20))
        assert last.metrics["loss"] == pytest.approx(toy.evaluate(m, Xtr, ytr)[0], rel=1e-5)
    norm = {id(m): sum(np.abs(W).sum() for W, _ in m.weights()) for m in (plain, reg, l1)}
    assert norm[id(reg)] < norm[id(plain)] and norm[id(l1)] < norm[id(plain)]


def test_divergence_at_lr_10_says_so_plainly_and_keeps_good_weights():
    Xtr, ytr, Xte, yte = data("fruit", n=400)  # the tab's defaults, but lr = 10
    model = toy.ToyModel(toy.ToyConfig(lr=10.0, extent=toy.extent("fruit")))
    with pytest.raises(Diverged) as info:
        run(toy.train(model, Xtr, ytr, Xte, yte, epochs=50))
    message = str(info.value)
    assert re.search(r"diverged at epoch \d+", message) and "ower the learning rate" in message
    assert info.value.unit == "epoch"
    assert all(np.isfinite(W).all() and np.isfinite(b).all() for W, b in model.weights())


def test_nan_weights_diverge_at_once():
    Xtr, ytr, Xte, yte = data("circle", n=50)
    model = toy.ToyModel(toy.ToyConfig(hidden=()))
    model.set_weights([(np.full((1, 2), np.nan), np.zeros(1))])
    with pytest.raises(Diverged, match="diverged at epoch 1"):
        run(toy.train(model, Xtr, ytr, Xte, yte, epochs=5))


def test_bad_labels_and_empty_data_are_explained():
    X, y = toy.make_dataset("gauss", n=30, n_classes=3)
    model = toy.ToyModel(toy.ToyConfig())
    with pytest.raises(ValueError, match="labels go from 0 to 2 but the model has 2 classes"):
        next(toy.train(model, X, y, X, y))
    with pytest.raises(ValueError, match="no training points"):
        next(toy.train(model, X[:0], y[:0], X, y))
    assert all(math.isnan(v) for v in toy.evaluate(model, X[:0], y[:0]))


# ------------------------------------------------------------------------ files
def test_experiment_round_trips_exactly(tmp_path):
    Xtr, ytr, Xte, yte = data("spiral", n=60, n_classes=3)
    cfg = toy.ToyConfig(hidden=(5, 4), n_classes=3, features=("x1", "x2", "sin x2"), l1=1e-4)
    model = toy.ToyModel(cfg)
    run(toy.train(model, Xtr, ytr, Xte, yte, epochs=3))
    exp = {
        "config": cfg.to_dict(),
        "dataset": {"name": "spiral", "n": 60, "noise": 0.1, "seed": 0, "test_fraction": 0.5},
        "X": Xtr,
        "y": ytr,
        "X_test": Xte,
        "y_test": yte,
        "weights": model.weights(),
        "epoch": 3,
        "ui": {"discretize": True, "zoom": [1, 2]},
    }
    path = tmp_path / "run.json"
    toy.save_experiment(path, exp)
    back = toy.load_experiment(path)
    assert back["config"] == exp["config"] and back["dataset"] == exp["dataset"]
    assert back["epoch"] == 3 and back["ui"] == exp["ui"]
    for key in ("X", "y", "X_test", "y_test"):
        assert back[key].dtype == exp[key].dtype and np.array_equal(back[key], exp[key])
    again = toy.ToyModel(toy.ToyConfig.from_dict(back["config"]))
    again.set_weights(back["weights"])
    for (W1, b1), (W2, b2) in zip(model.weights(), again.weights(), strict=True):
        assert W1.tobytes() == W2.tobytes() and b1.tobytes() == b2.tobytes()  # bit-identical
    grid = toy.make_grid(toy.extent("spiral"), 20)
    assert np.array_equal(model.predict_proba(grid), again.predict_proba(grid))


def test_bad_experiment_files_are_explained(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("not json")
    with pytest.raises(ValueError, match="not a Neural Playground experiment"):
        toy.load_experiment(bad)
    bad.write_text('{"hello": 1}')
    with pytest.raises(ValueError, match="not a Neural Playground decision-boundary experiment"):
        toy.load_experiment(bad)


def _good_experiment(tmp_path):
    """A small valid experiment file (2 classes, 2 -> 3 -> 1) and its JSON."""
    import json

    Xtr, ytr, Xte, yte = data("fruit", n=20)
    cfg = toy.ToyConfig(hidden=(3,), extent=toy.extent("fruit"))
    exp = {
        "config": cfg.to_dict(),
        "dataset": {"name": "fruit", "n": 20, "noise": 0.1, "seed": 0, "test_fraction": 0.5},
        "X": Xtr,
        "y": ytr,
        "X_test": Xte,
        "y_test": yte,
        "weights": toy.ToyModel(cfg).weights(),
        "epoch": 2,
    }
    path = tmp_path / "exp1.json"
    toy.save_experiment(path, exp)
    return path, json.loads(path.read_text())


def _cut_weights(doc):
    W = doc["weights"][0]["W"]  # (3, 2) -> (2, 3): the same numbers, the wrong shape
    W["shape"] = [2, 3]


BAD_EXPERIMENTS = {  # what is spoiled -> what the message must say
    "label beyond the classes": (
        lambda d: d["y"]["data"].__setitem__(0, 2),
        "exp1.json: y: label 2 is not a class 0 to 1",
    ),
    "NaN in X": (
        lambda d: d["X"]["data"].__setitem__(3, float("nan")),
        "exp1.json: X: every coordinate must be a finite number",
    ),
    "inf in X_test": (
        lambda d: d["X_test"]["data"].__setitem__(0, float("inf")),
        "exp1.json: X_test: every coordinate must be a finite number",
    ),
    "weights cut to a wrong shape": (
        _cut_weights,
        "exp1.json: weights: layer 1 has W (2, 3) and b (3,), but the network 2 -> 3 -> 1 "
        "needs W (3, 2)",
    ),
    "a layer of weights missing": (
        lambda d: d["weights"].pop(),
        "exp1.json: weights: 1 layers, but the network 2 -> 3 -> 1 has 2",
    ),
    "y shorter than X": (
        lambda d: (d["y"]["data"].pop(), d["y"].update(shape=[len(d["y"]["data"])])),
        "exp1.json: y: 9 labels for 10 points in X",
    ),
    "y_test without X_test": (lambda d: d.pop("X_test"), "exp1.json: X_test: missing"),
    "dataset not a mapping": (
        lambda d: d.update(dataset=5),
        "exp1.json: dataset: expected a mapping, got int",
    ),
    "unknown dataset": (
        lambda d: d["dataset"].update(name="tulips"),
        "exp1.json: dataset: unknown dataset 'tulips'",
    ),
    "config not a mapping": (
        lambda d: d.update(config=[1, 2]),
        "exp1.json: config: expected a mapping, got list",
    ),
    "a bad setting": (
        lambda d: d["config"].update(hidden=[0]),
        "exp1.json: config: an invalid model configuration",
    ),
    "seed not whole": (
        lambda d: d["config"].update(seed=1.5),
        "exp1.json: config.seed: expected a whole number, got 1.5",
    ),
    "epoch not a number": (
        lambda d: d.update(epoch="ten"),
        "exp1.json: epoch: expected a whole number, got 'ten'",
    ),
    "ui not a mapping": (lambda d: d.update(ui="x"), "exp1.json: ui: expected a mapping"),
    "array damaged": (lambda d: d["X"].update(data="abc"), "exp1.json: X: damaged"),
}


@pytest.mark.parametrize("kind", list(BAD_EXPERIMENTS))
def test_the_loader_refuses_what_a_model_cannot_use_and_names_file_and_field(tmp_path, kind):
    import json

    path, doc = _good_experiment(tmp_path)
    assert toy.load_experiment(path)["epoch"] == 2  # the unspoiled file loads
    spoil, message = BAD_EXPERIMENTS[kind]
    spoil(doc)
    path.write_text(json.dumps(doc))
    with pytest.raises(ValueError, match=re.escape(message)):
        toy.load_experiment(path)


def test_a_missing_experiment_file_is_a_value_error_naming_it(tmp_path):
    with pytest.raises(ValueError, match=re.escape("gone.json: cannot be read")):
        toy.load_experiment(tmp_path / "gone.json")


def test_points_csv_round_trips_exactly(tmp_path):
    X, y = toy.make_dataset("gauss", n=50, seed=4, n_classes=5)
    path = tmp_path / "points.csv"
    toy.save_points_csv(path, X, y)
    assert path.read_text().splitlines()[0] == "x1,x2,label"
    X2, y2 = toy.load_points_csv(path)
    assert X2.dtype == np.float32 and y2.dtype == np.int64
    assert np.array_equal(X, X2) and np.array_equal(y, y2)


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "is empty"),
        ("\n\n", "is empty"),
        ("x,y,class\n1,2,0\n", "expected exactly x1,x2,label"),
        ("x1,x2\n1,2\n", "expected exactly x1,x2,label"),
        ("x1,x2,label\n", "no points"),
        ("x1,x2,label\n1,2,0\n1,two,1\n", "line 3: '1,two,1' is not three numbers"),
        ("x1,x2,label\n1,2\n", "line 2: expected 3 values"),
        ("x1,x2,label\n1,2,7\n", "label 7 is not a class number from 0 to 4"),
        ("x1,x2,label\n1,2,-1\n", "label -1 is not a class number"),
        ("x1,x2,label\n1,2,0.5\n", "label 0.5 is not a class number"),
        ("x1,x2,label\nnan,2,0\n", "finite"),
        ("x1,x2,label\n1e39,2,0\n", "line 2: coordinates must be finite numbers below 3.4e+38"),
        ("x1,x2,label\n1,-1e300,0\n", "found 1, -1e300"),
        ("x1,x2,label\n1,inf,0\n", "finite"),
        ("x1,x2,label\n1,2,inf\n", "label inf is not a class number"),
        ("x1,x2,label\n1,2,nan\n", "label nan is not a class number"),
        ("x1,x2,label\n1,2,1e400\n", "is not a class number"),
    ],
)
def test_bad_csv_files_are_explained(tmp_path, text, message):
    path = tmp_path / "points.csv"
    path.write_text(text)
    with pytest.raises(ValueError, match=re.escape(message)):
        toy.load_points_csv(path)


def test_csv_accepts_blank_lines_and_spaces(tmp_path):
    path = tmp_path / "points.csv"
    path.write_text("x1, x2, label\n1.5, 2, 1\n\n-3,4e-1,0\n")
    X, y = toy.load_points_csv(path)
    assert np.array_equal(X, np.array([[1.5, 2], [-3, 0.4]], np.float32))
    assert y.tolist() == [1, 0]


# ----------------------------------------------------------------------- export
def test_exported_script_runs_and_retraces_the_app(tmp_path):
    Xtr, ytr, Xte, yte = data("fruit", n=120)
    cfg = toy.ToyConfig(
        hidden=(4,), features=("x1", "x2", "x1*x2"), optimizer="momentum", lr=0.01, l2=1e-3,
        extent=toy.extent("fruit"),
    )  # fmt: skip
    source = toy.export_script(cfg, Xtr, ytr, Xte, yte, epochs=20, dataset="fruit")
    assert "import torch" in source and "playground" not in source.replace("Neural Playground", "")
    path = tmp_path / "boundary_experiment.py"
    path.write_text(source)
    out = subprocess.run(
        [sys.executable, str(path)], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert out.returncode == 0, out.stderr
    losses = [float(v) for v in re.findall(r"epoch +\d+ +loss (\S+)", out.stdout)]
    assert len(losses) >= 3 and losses[-1] < losses[0]
    assert "test accuracy" in out.stdout
    model = toy.ToyModel(cfg)  # the app's run with the same settings ends at the same loss
    last = run(toy.train(model, Xtr, ytr, Xte, yte, epochs=20))
    assert losses[-1] == pytest.approx(last.metrics["loss"], abs=2e-4)


def test_exported_script_multiclass_single_neuron_compiles():
    Xtr, ytr, Xte, yte = data("gauss", n=40, n_classes=3)
    for cfg in (
        toy.ToyConfig(hidden=(), n_classes=3, optimizer="adagrad", activation="relu"),
        toy.ToyConfig(hidden=(3, 3), activation="linear", optimizer="rmsprop", decay=0.99),
    ):
        y_tr = ytr if cfg.n_classes == 3 else (ytr > 0).astype(np.int64)
        y_te = yte if cfg.n_classes == 3 else (yte > 0).astype(np.int64)
        compile(toy.export_script(cfg, Xtr, y_tr, Xte, y_te, epochs=5), "script.py", "exec")


def test_views_from_inside_an_epoch_are_partial_and_change_nothing():
    Xtr, ytr, Xte, yte = data("spiral", n=400)
    grid = toy.make_grid(toy.extent("spiral"), 10)
    cfg = toy.ToyConfig(hidden=(8, 8), batch_size=5)
    a, b = toy.ToyModel(cfg), toy.ToyModel(toy.ToyConfig(**cfg.to_dict()))
    plain = list(toy.train(a, Xtr, ytr, Xte, yte, epochs=3))
    snaps = list(toy.train(b, Xtr, ytr, Xte, yte, epochs=3, view_every=0.0))
    full = [s for s in snaps if not s.partial]
    parts = [s for s in snaps if s.partial]
    assert [s.step for s in full] == [1, 2, 3] and len(parts) >= 3 * (len(Xtr) // 5 - 1) - 3
    assert {s.step for s in parts} == {0, 1, 2}  # the epochs completed when it was taken
    assert parts[-1].metrics == full[1].metrics  # the last epoch's numbers
    for p, q in zip(plain, full, strict=True):  # the same training, to the bit
        assert p.metrics == q.metrics
    weights = parts[-1].materialize()["weights"]  # copied weights, like a full snapshot
    d = toy.grid_views(weights, b.inputs(grid), "tanh")
    assert d["probs"].shape == (100, 2) and len(d["maps"]) == 4


def test_weights_set_by_hand_mid_epoch_restart_the_divergence_guard():
    Xtr, ytr, Xte, yte = data("circle", n=200)
    model = toy.ToyModel(toy.ToyConfig(hidden=(4,), batch_size=5))
    job = toy.train(model, Xtr, ytr, Xte, yte, epochs=3, view_every=0.0)
    snap = next(job)
    assert snap.partial
    bad = [(10 * W, b + 5) for W, b in model.weights()]  # far worse than where it started
    model.set_weights(bad)
    steps = [s.step for s in job if not s.partial]  # measured from there: no "diverged"
    assert steps == [1, 2, 3]


def test_grid_views_from_weights_alone_match_the_model():
    for hidden, act, classes in (((5, 3), "tanh", 2), ((4,), "relu", 3), ((), "sigmoid", 2)):
        model = toy.ToyModel(toy.ToyConfig(hidden=hidden, activation=act, n_classes=classes))
        grid = toy.make_grid(toy.extent("gauss"), 9)
        views = toy.grid_views(model.weights(), model.inputs(grid).cpu(), act)
        assert np.allclose(views["probs"], model.predict_proba(grid), atol=1e-6)
        assert [m.shape[0] for m in views["maps"]] == [2, *hidden, 1 if classes == 2 else 3]


def test_the_grids_tanh_is_torch_tanh():
    import torch

    from playground.core.toy.views import tanh_by_sigmoid

    z = torch.linspace(-30, 30, 100_001)
    assert torch.allclose(tanh_by_sigmoid(z.clone()), torch.tanh(z), rtol=0, atol=3e-7)
