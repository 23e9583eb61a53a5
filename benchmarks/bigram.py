"""Bigram benchmark: counting, sampling, and the neural bigram's trainer overhead.

    python benchmarks/bigram.py            # about a minute on 2 busy cores
    python benchmarks/bigram.py --rounds 5 --steps 40

1. Counting names.txt (228,146 bigrams) with ``BigramModel.from_words``; the
   lecture's Python loop (``bigram.count_loop``) for reference.  Target < 50 ms.
2. Sampling 10,000 names (the lecture's method; today's torch.multinomial for
   reference).  Target < 1 s.
3. Neural bigram, full batch on all bigrams (the lecture's one-hot net): steps/s of
   the tab's generator (``bigram.neural_job``, with ``detail()`` called ~30 times a
   second as the ui does) against the lecture's own loop (:func:`lecture_neural_loop`,
   the notebook's cells), same process, interleaved rounds, best round of each.
   Target ratio >= 0.9.  Also: the count trick's steps/s and the loss after 500 steps
   against the counting model's NLL.

Prints a JSON object, then a table.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def best_time(fn, repeat: int) -> float:
    """Smallest wall time of ``repeat`` calls (seconds)."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def job_rate(words, steps: int, method: str) -> float:
    """Steps/s of bigram.neural_job, calling detail() at most every 33 ms like the worker."""
    from playground.core import bigram

    job = bigram.neural_job(words, steps=steps, method=method)
    t0 = time.perf_counter()
    last_detail = t0
    for snap in job:
        now = time.perf_counter()
        if now - last_detail > 0.033:
            snap.materialize()
            last_detail = now
    return steps / (time.perf_counter() - t0)


def lecture_neural_loop(words: list[str], steps: int) -> float:
    """The lecture's neural bigram, cells "create the dataset" and "gradient descent" as the
    notebook writes them (only ``range(1)`` -> ``range(steps)``, and ``loss.item()``
    instead of printing it); returns the last loss."""
    import torch
    import torch.nn.functional as F

    chars = sorted(list(set("".join(words))))  # noqa: C414 - the lecture's line
    stoi = {s: i + 1 for i, s in enumerate(chars)}
    stoi["."] = 0

    # create the dataset
    xs, ys = [], []
    for w in words:
        chs = ["."] + list(w) + ["."]
        for ch1, ch2 in zip(chs, chs[1:], strict=False):
            ix1 = stoi[ch1]
            ix2 = stoi[ch2]
            xs.append(ix1)
            ys.append(ix2)
    xs = torch.tensor(xs)
    ys = torch.tensor(ys)
    num = xs.nelement()

    # initialize the 'network'
    g = torch.Generator().manual_seed(2147483647)
    W = torch.randn((27, 27), generator=g, requires_grad=True)

    # gradient descent
    last = float("nan")
    for _k in range(steps):
        # forward pass
        xenc = F.one_hot(xs, num_classes=27).float()  # input to the network: one-hot encoding
        logits = xenc @ W  # predict log-counts
        counts = logits.exp()  # counts, equivalent to N
        probs = counts / counts.sum(1, keepdims=True)  # probabilities for next character
        loss = -probs[torch.arange(num), ys].log().mean() + 0.01 * (W**2).mean()
        last = loss.item()

        # backward pass
        W.grad = None  # set to zero the gradient
        loss.backward()

        # update
        W.data += -50 * W.grad
    return last


def plain_rate(words, steps: int) -> float:
    """Steps/s of the lecture's loop (its dataset loop excluded: the job builds it too,
    before its first step, which job_rate does not time either)."""
    t0 = time.perf_counter()
    lecture_neural_loop(words, 0)
    setup = time.perf_counter() - t0
    t0 = time.perf_counter()
    lecture_neural_loop(words, steps)
    return steps / (time.perf_counter() - t0 - setup)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=3, help="interleaved speed rounds")
    p.add_argument("--steps", type=int, default=20, help="neural steps per round")
    args = p.parse_args(argv)

    import torch

    from benchmarks.common import ensure_datasets
    from playground.core import bigram, data, training

    ensure_datasets("names")
    t0 = time.perf_counter()
    words = data.load_words()
    load_s = time.perf_counter() - t0
    count_s = best_time(lambda: bigram.BigramModel.from_words(words), 7)
    stoi, _ = bigram.lookup(words)
    loop_s = best_time(lambda: bigram.count_loop(words, stoi), 1)
    model = bigram.BigramModel.from_words(words, smoothing=1)
    nll_s = best_time(lambda: model.nll(words), 3)
    sample_s = best_time(lambda: model.sample(10_000), 3)
    sample_torch_s = best_time(lambda: model.sample(10_000, method="torch"), 1)

    # one untimed warm-up of each, then interleaved rounds
    job_rate(words, 3, "onehot")
    plain_rate(words, 3)
    jobs, plains = [], []
    for _ in range(args.rounds):
        jobs.append(job_rate(words, args.steps, "onehot"))
        plains.append(plain_rate(words, args.steps))
    trick = job_rate(words, 500, "counts")

    settings = training.LiveSettings(lr=50.0, l2=0.0)
    t0 = time.perf_counter()
    snap = training.run(bigram.neural_job(words, steps=500, settings=settings, method="counts"))
    fit_s = time.perf_counter() - t0
    counting_nll = model.with_smoothing(0).nll(words)

    # the tab's default: row x of W (= one-hot(x) @ W), lr 50, lambda 0.01: time to within 0.01
    settings = training.LiveSettings(lr=50.0, l2=0.01)
    t0 = time.perf_counter()
    reached_step, reached_s = None, None
    for snap_rows in bigram.neural_job(words, steps=500, settings=settings, method="rows"):
        if snap_rows.metrics["loss"] - counting_nll <= 0.01:
            reached_step, reached_s = snap_rows.step, time.perf_counter() - t0
            break

    result = {
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "words": len(words),
        "bigrams": model.n_bigrams,
        "nll_k0": counting_nll,
        "nll_k1": model.nll(words),
        "load_words_ms": 1000 * load_s,
        "count_ms": 1000 * count_s,
        "count_lecture_loop_ms": 1000 * loop_s,
        "nll_ms": 1000 * nll_s,
        "sample_10k_s": sample_s,
        "sample_10k_torch_multinomial_s": sample_torch_s,
        "neural_job_steps_per_s": max(jobs),
        "plain_loop_steps_per_s": max(plains),
        "ratio": max(jobs) / max(plains),
        "count_trick_steps_per_s": trick,
        "neural_500_steps_loss": snap.metrics["loss"],
        "neural_500_steps_s": fit_s,
        "default_reaches_0.01_at_step": reached_step,
        "default_reaches_0.01_s": reached_s,
        "first_names": model.sample(5),
    }
    print(json.dumps(result, indent=2))

    rows = [
        ("count names.txt (228,146 bigrams)", f"{result['count_ms']:.1f} ms", "< 50 ms"),
        ("  the lecture's Python loop", f"{result['count_lecture_loop_ms']:.0f} ms", ""),
        ("mean NLL of all bigrams", f"{result['nll_ms']:.1f} ms", ""),
        ("sample 10,000 names", f"{result['sample_10k_s']:.3f} s", "< 1 s"),
        ("  with torch.multinomial", f"{result['sample_10k_torch_multinomial_s']:.3f} s", ""),
        ("neural job, one-hot, full batch", f"{result['neural_job_steps_per_s']:.1f} steps/s", ""),
        ("plain lecture loop", f"{result['plain_loop_steps_per_s']:.1f} steps/s", ""),
        ("ratio job / plain", f"{result['ratio']:.2f}", ">= 0.9"),
        ("neural job, count trick", f"{result['count_trick_steps_per_s']:.0f} steps/s", ""),
        (
            "loss after 500 steps (count trick)",
            f"{result['neural_500_steps_loss']:.4f} in {fit_s:.2f} s",
            f"counting NLL {counting_nll:.4f}",
        ),
        (
            "tab's default (rows, lr 50, l2 0.01): within 0.01",
            f"step {reached_step} in {reached_s:.2f} s" if reached_step else "not in 500 steps",
            "< 10 s",
        ),
    ]
    try:
        from benchmarks.common import report  # shared helper, if present
    except ImportError:
        report = None
    if report is not None:
        report("bigram", rows)
    else:
        print()
        width = max(len(r[0]) for r in rows)
        print(f"{'bigram':<{width}}  {'measured':>28}  target")
        for name, value, target in rows:
            print(f"{name:<{width}}  {value:>28}  {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
