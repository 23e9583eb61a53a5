"""Make the Digits tab's shipped default models from the real MNIST / Fashion-MNIST data.

    nice -n 5 python scripts/make_pretrained.py

writes playground/resources/digits-mnist.safetensors and digits-fashion-mnist.safetensors:
the from-scratch numpy network (784-256-128-10, the tab's "scratch" defaults: SGD with
momentum, 15 epochs, batch 64, lr 0.05 decayed x0.85 per epoch, seed 0) stored as float16
(about 0.45 MB each).  The script re-loads each saved file and checks its test accuracy
(>= 97.5% for MNIST, >= 87% for Fashion-MNIST) before it reports success.

Options: --dataset mnist|fashion-mnist (default both), --epochs N, --out DIR.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from playground.core import digits
from playground.core.training import run

TARGETS = {"mnist": 0.975, "fashion-mnist": 0.87}


def make(dataset: str, epochs: int | None, out: Path) -> tuple[float, float]:
    """Train, save as float16, reload and evaluate; returns (test accuracy, seconds)."""
    train = digits.load_dataset(dataset, "train")
    test = digits.load_dataset(dataset, "test")
    config = digits.config_for("scratch", epochs=epochs)
    clf = digits.new_model(dataset, config)
    t0 = time.perf_counter()
    last = run(digits.train_job(clf, train, test, config))
    seconds = time.perf_counter() - t0
    print(
        f"{dataset}: trained {config.epochs} epochs in {seconds:.1f} s, "
        f"float32 test accuracy {last.metrics['test_acc']:.4f}"
    )
    clf.info = {"test_acc": f"{last.metrics['test_acc']:.4f}", "epochs": str(config.epochs)}
    path = out / digits.pretrained_path(dataset).name
    clf.save(path, half=True)
    path.chmod(0o644)  # package data: readable by everyone
    loaded = digits.load_model(path)
    acc = digits.evaluate(loaded, *test).accuracy
    print(
        f"{dataset}: wrote {path} ({path.stat().st_size / 1e6:.2f} MB), "
        f"float16 test accuracy {acc:.4f}"
    )
    return acc, seconds


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dataset", choices=digits.DATASETS, action="append")
    p.add_argument("--epochs", type=int, default=None)
    p.add_argument("--out", type=Path, default=digits.RESOURCES)
    args = p.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    ok = True
    for dataset in args.dataset or digits.DATASETS:
        acc, _ = make(dataset, args.epochs, args.out)
        if acc < TARGETS[dataset]:
            print(f"{dataset}: below the target {TARGETS[dataset]:.3f}!", file=sys.stderr)
            ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
