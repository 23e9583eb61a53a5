"""The bigram model reproduces makemore part 1's numbers; sampling, scoring, the neural bigram."""

from __future__ import annotations

import math

import numpy as np
import pytest

from playground.core import bigram, data, training


@pytest.fixture(scope="module")
def words() -> list[str]:
    return data.load_words()


@pytest.fixture(scope="module")
def model(words) -> bigram.BigramModel:
    return bigram.BigramModel.from_words(words, smoothing=1)


def test_lecture_numbers(words, model):
    assert len(words) == 32_033
    assert model.n_bigrams == 228_146
    assert model.itos == ["."] + list("abcdefghijklmnopqrstuvwxyz")
    assert model.stoi["."] == 0 and model.stoi["e"] == 5
    assert model.counts.shape == (27, 27) and model.counts.dtype == np.int64
    assert model.probs.dtype == np.float32
    np.testing.assert_allclose(model.probs.sum(1), 1, atol=1e-6)
    # the lecture's printed values (float32 running sum), to 4 decimals
    assert f"{model.with_smoothing(0).nll(words):.4f}" == "2.4541"
    assert f"{model.nll(words):.4f}" == "2.4544"
    # exact float64 values
    assert model.with_smoothing(0).nll(words, exact=True) == pytest.approx(2.45401, abs=1e-5)
    assert model.nll(words, exact=True) == pytest.approx(2.45458, abs=1e-5)


def lecture_bigrams(words, stoi):
    """The lecture's dataset loop (part 2: xs, ys), the reference of bigram.encode."""
    xs, ys = [], []
    for w in words:
        chs = ["."] + list(w) + ["."]
        for ch1, ch2 in zip(chs, chs[1:], strict=False):
            ix1 = stoi[ch1]
            ix2 = stoi[ch2]
            xs.append(ix1)
            ys.append(ix2)
    return xs, ys


def test_lookup_is_the_lectures(words, model):
    chars = sorted(list(set("".join(words))))  # noqa: C414 - the lecture's line
    stoi = {s: i + 1 for i, s in enumerate(chars)}
    stoi["."] = 0
    itos = {i: s for s, i in stoi.items()}
    assert bigram.lookup(words) == (stoi, [itos[i] for i in range(len(itos))])
    assert model.stoi == stoi


@pytest.mark.parametrize("which", ["names", "odd"])
def test_fast_counting_equals_the_lectures_loop(words, model, which):
    """bigram.count and bigram.encode (fast paths) against the lecture's loops."""
    if which == "odd":  # other characters, one-letter words, a repeated word
        words = ["pikachu", "eevee", "flabébé", "ho-oh", "a", "zz", "eevee", "mr mime"]
    stoi, _ = bigram.lookup(words)
    np.testing.assert_array_equal(bigram.count(words, stoi), bigram.count_loop(words, stoi))
    seq = bigram.encode(words, stoi)
    xs, ys = lecture_bigrams(words, stoi)
    assert seq[:-1].tolist() == xs and seq[1:].tolist() == ys
    if which == "names":
        assert model.counts[model.stoi["e"], model.stoi["m"]] == 769  # the lecture's "em" cell
        assert model.counts[0, model.stoi["a"]] == 4410  # names starting with a


def test_fast_likelihood_equals_the_lectures_loop(words, model):
    """log_likelihood (a float32 running sum over every bigram at once) is the lecture's loop."""
    import torch

    sub = words[:3000]
    P = torch.from_numpy(model.probs)
    log_likelihood = 0.0
    n = 0
    for w in sub:
        chs = ["."] + list(w) + ["."]
        for ch1, ch2 in zip(chs, chs[1:], strict=False):
            prob = P[model.stoi[ch1], model.stoi[ch2]]
            logprob = torch.log(prob)
            log_likelihood += logprob
            n += 1
    assert model.log_likelihood(sub) == (log_likelihood.item(), n)
    assert model.nll(sub) == (-log_likelihood / n).item()


def test_lecture_samples(model):
    # torch 1.x multinomial (inverse CDF), same generator: the names the video prints
    assert model.sample(5) == ["mor", "axx", "minaymoryles", "kondlaisah", "anchshizarie"]


def test_todays_sampler_is_the_lectures_loop(model):
    """method="torch": the notebook's sampling cell, word for word, with today's torch."""
    import torch

    P = torch.from_numpy(model.probs)
    itos = model.itos
    g = torch.Generator().manual_seed(2147483647)
    names = []
    for _ in range(20):
        out = []
        ix = 0
        while True:
            p = P[ix]
            ix = torch.multinomial(p, num_samples=1, replacement=True, generator=g).item()
            out.append(itos[ix])
            if ix == 0:
                break
        names.append("".join(out))
    assert [f"{name}." for name in model.sample(20, method="torch", max_length=99)] == names


def test_sampling_is_deterministic_per_seed(model):
    assert model.sample(20, seed=7) == model.sample(20, seed=7)
    assert model.sample(20, seed=7) != model.sample(20, seed=8)
    assert model.sample(10, seed=3, method="torch") == model.sample(10, seed=3, method="torch")
    paths = model.sample_paths(10)
    assert all(p[-1] == 0 for p in paths)
    assert [model.decode(p) for p in paths] == model.sample(10)


def test_first_letters_match_first_row_chi_square(model):
    n = 20_000
    first = np.array([p[0] for p in model.sample_paths(n, seed=123)])
    observed = np.bincount(first, minlength=27).astype(float)
    expected = n * model.probs[0].astype(float)
    keep = expected >= 5  # merge the rare cells into one
    obs = np.append(observed[keep], observed[~keep].sum())
    exp = np.append(expected[keep], expected[~keep].sum())
    chi2 = float(((obs - exp) ** 2 / exp).sum())
    df = len(obs) - 1
    z = 3.09  # p = 0.001, Wilson-Hilferty approximation of the chi-square quantile
    critical = df * (1 - 2 / (9 * df) + z * math.sqrt(2 / (9 * df))) ** 3
    assert chi2 < critical, (chi2, critical)
    # and a wrong distribution is rejected by the same test
    uniform = np.full(len(obs), n / len(obs))
    assert float(((obs - uniform) ** 2 / uniform).sum()) > critical


def test_temperature(model):
    cold = model.sampling_probs(0.05)
    assert cold[model.stoi["q"]].argmax() == model.stoi["u"]
    assert cold[model.stoi["q"]].max() > 0.99
    hot = model.sampling_probs(100.0)
    assert hot.max() - hot.min() < 0.05
    assert model.sampling_probs(1.0) is model.probs
    assert all(len(w) <= bigram.MAX_SAMPLE_LENGTH for w in model.sample(5, temperature=0.01))
    with pytest.raises(ValueError):
        model.sampling_probs(0)


def test_score_and_minus_infinity(model):
    s = model.score("Andrejq")
    assert s.word == "andrejq"
    assert s.bigrams == [".a", "an", "nd", "dr", "re", "ej", "jq", "q."]
    assert math.isfinite(s.log_likelihood) and s.nll == pytest.approx(3.4834, abs=1e-3)
    s0 = model.with_smoothing(0).score("andrejq")
    assert s0.probs[6] == 0 and s0.log_likelihood == -math.inf and s0.nll == math.inf
    assert model.with_smoothing(0).nll(["andrejq"]) == math.inf
    with pytest.raises(ValueError, match="not in this model's alphabet"):
        model.score("zoë")


def test_smoothing_flattens(model):
    more = model.with_smoothing(100)
    assert more.probs.max() < model.probs.max()
    assert more.counts is model.counts


def test_uniform_model(model, words):
    u = bigram.BigramModel.uniform(model.itos)
    assert u.nll(words[:100]) == pytest.approx(math.log(27), rel=1e-5)
    assert model.nll(words) < u.nll(words)


def test_vocabulary_adapts():
    m = bigram.BigramModel.from_words(["pikachu", "eevee", "flabébé", "ho-oh"])
    assert m.itos[0] == "." and "é" in m.itos and "-" in m.itos
    assert m.vocab_size == len(set("pikachueeveeflabébého-oh")) + 1
    assert m.sample(3, seed=1) == m.sample(3, seed=1)
    with pytest.raises(ValueError, match="'.'"):
        bigram.BigramModel.from_words(["mr.mime"])
    with pytest.raises(ValueError, match="No words"):
        bigram.BigramModel.from_words([])


def test_neural_bigram_matches_counting(words):
    model0 = bigram.BigramModel.from_words(words, smoothing=0)
    settings = training.LiveSettings(lr=50.0, l2=0.0)
    job = bigram.neural_job(words, steps=400, settings=settings, method="counts")
    losses = [s.metrics["loss"] for s in job]
    assert losses[0] > 3.0 and losses[-1] < losses[0]
    assert abs(losses[-1] - model0.nll(words)) < 0.01
    # softmax(W) approaches P
    job = bigram.neural_job(words, steps=400, settings=settings, method="counts")
    last = training.run(job)
    probs = last.materialize()["probs"]
    assert probs.shape == (27, 27)
    assert np.abs(probs - model0.probs).max() < 0.05


def test_onehot_network_equals_count_trick(words):
    sub = words[:300]
    a = training.run(bigram.neural_job(sub, steps=4, method="onehot"))
    b = training.run(bigram.neural_job(sub, steps=4, method="counts"))
    assert a.metrics["loss"] == pytest.approx(b.metrics["loss"], abs=1e-5)
    np.testing.assert_allclose(a.materialize()["W"], b.materialize()["W"], atol=1e-4)


def test_regularization_is_live_and_smooths(words):
    sub = words[:2000]
    settings = training.LiveSettings(lr=50.0, l2=0.0)
    job = bigram.neural_job(sub, steps=None, settings=settings, method="counts")
    training.run(job, 150)
    settings.update(l2=1.0)  # strong pull towards W = 0: flatter rows
    snap = training.run(job, 150)
    assert snap.metrics["total"] > snap.metrics["loss"]
    W = snap.materialize()["W"]
    assert np.abs(W).max() < 3


def test_divergence_is_reported(words):
    job = bigram.neural_job(words[:200], settings=training.LiveSettings(lr=1e6, l2=0.0))
    with pytest.raises(training.Diverged, match="lower the learning rate"):
        training.run(job, 50)


def test_the_largest_learning_rate_diverges_loudly_and_never_yields_nan(words):
    """At lr 500 the loss climbs (3.76 -> 10.9) instead of falling: the guard stops it
    before a frame with non-finite weights exists."""
    job = bigram.neural_job(words, settings=training.LiveSettings(lr=500.0, l2=0.0))
    seen = []
    with pytest.raises(training.Diverged, match="twice its starting level"):
        for snap in job:
            seen.append(np.isfinite(snap.materialize()["probs"]).all())
    assert all(seen)


def test_rows_of_w_are_the_one_hot_product(words):
    """method="rows" (row x of W, the tab's default) gives the lecture's losses, step for step."""
    small = words[:2000]
    itos = bigram.vocabulary(small)

    def losses(method: str) -> list[float]:
        job = bigram.neural_job(
            small, itos, 5, training.LiveSettings(lr=50.0, l2=0.01), method=method
        )
        return [s.metrics["loss"] for s in job]

    np.testing.assert_allclose(losses("rows"), losses("onehot"), rtol=1e-5)
    np.testing.assert_allclose(losses("counts"), losses("onehot"), rtol=1e-5)
