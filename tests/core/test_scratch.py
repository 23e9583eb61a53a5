"""The from-scratch numpy network: hand-written gradients against torch autograd."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from playground.core.scratch import SGD, ScratchNet, softmax


def _torch_loss(net: ScratchNet, x: np.ndarray, y: np.ndarray):
    params = {
        k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in net.params.items()
    }
    h = torch.tensor(x, dtype=torch.float64)
    for i in range(net.n_layers):
        h = h @ params[f"W{i}"] + params[f"b{i}"]
        if i < net.n_layers - 1:
            h = torch.relu(h)
    loss = torch.nn.functional.cross_entropy(h, torch.tensor(y))
    loss.backward()
    return float(loss.detach()), {k: p.grad.numpy() for k, p in params.items()}


@pytest.mark.parametrize("sizes", [[12, 5], [20, 16, 5], [30, 16, 12, 10]])
def test_gradients_match_torch_autograd(sizes):
    rng = np.random.default_rng(1)
    net = ScratchNet(sizes, seed=3)
    for k in net.params:  # non-zero biases so every term of the backward pass is exercised
        net.params[k] += 0.1 * rng.standard_normal(net.params[k].shape).astype(np.float32)
    x = rng.standard_normal((32, sizes[0])).astype(np.float32)
    y = rng.integers(0, sizes[-1], 32)
    loss, grads, logits = net.loss_and_grads(x, y)
    ref_loss, ref_grads = _torch_loss(net, x, y)
    assert loss == pytest.approx(ref_loss, rel=1e-5)
    assert logits.shape == (32, sizes[-1])
    assert set(grads) == set(ref_grads)
    for k, g in grads.items():
        assert g.shape == net.params[k].shape
        np.testing.assert_allclose(g, ref_grads[k], rtol=1e-4, atol=1e-6, err_msg=k)


def test_softmax_is_stable_and_normalised():
    p = softmax(np.array([[1000.0, 1000.0], [0.0, -1000.0]]))
    assert np.all(np.isfinite(p))
    np.testing.assert_allclose(p.sum(1), 1.0)
    np.testing.assert_allclose(p[0], [0.5, 0.5])


def test_sgd_momentum_matches_torch():
    rng = np.random.default_rng(0)
    w = rng.standard_normal((4, 3)).astype(np.float32)
    params = {"W0": w.copy()}
    opt = SGD(params, lr=0.1, momentum=0.9)
    tw = torch.tensor(w.copy(), requires_grad=True)
    topt = torch.optim.SGD([tw], lr=0.1, momentum=0.9)
    for _ in range(3):
        g = rng.standard_normal((4, 3)).astype(np.float32)
        opt.step({"W0": g})
        tw.grad = torch.tensor(g)
        topt.step()
    np.testing.assert_allclose(params["W0"], tw.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_training_lowers_the_loss_on_a_toy_problem():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((256, 2)).astype(np.float32)
    y = (x[:, 0] * x[:, 1] > 0).astype(np.int64)  # xor-like: needs the hidden layer
    net = ScratchNet([2, 16, 2], seed=0)
    opt = SGD(net.params, lr=0.1, momentum=0.9)
    first, _, _ = net.loss_and_grads(x, y)
    for _ in range(300):
        loss, grads, _ = net.loss_and_grads(x, y)
        opt.step(grads)
    assert loss < 0.3 * first
    assert (net.predict_proba(x).argmax(1) == y).mean() > 0.9


def test_state_dict_round_trip_and_shape_check():
    a, b = ScratchNet([6, 4, 3], seed=0), ScratchNet([6, 4, 3], seed=1)
    b.load_state_dict(a.state_dict())
    x = np.ones((2, 6), np.float32)
    np.testing.assert_array_equal(a.forward(x)[0], b.forward(x)[0])
    with pytest.raises(ValueError, match="shape"):
        ScratchNet([6, 5, 3]).load_state_dict(a.state_dict())
