"""Character MLP benchmark: trainer overhead and each preset's losses and wall time.

    python benchmarks/charmlp.py            # quick: short runs (a minute or two)
    python benchmarks/charmlp.py --full     # every preset at its full length (many minutes)
    python benchmarks/charmlp.py --full --preset wavenet --skip-speed

1. Speed: steps/s of the tab's training generator (``charmlp.Run.train``, with
   its periodic dev evaluation; once more with ``detail()`` called 10 times a
   second as the tab asks for it) against a plain torch loop on the same model, in the
   same process, interleaved rounds, best round of each.  Target ratio >= 0.9.
2. Presets: wall time and final train/dev/test loss of ``charmlp.fit``.
   Targets at full length: lecture dev <= 2.19, batchnorm <= 2.12, wavenet <= 2.03.

Prints a JSON object, then a table.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TARGETS = {"lecture": 2.19, "batchnorm": 2.12, "wavenet": 2.03}
QUICK_STEPS = {"lecture": 5000, "batchnorm": 5000, "tiny": 5000, "wavenet": 2000}


def plain_loop(model, Xtr, Ytr, config, steps: int) -> float:
    """The loop from the lecture, nothing else: returns steps/s."""
    import torch
    import torch.nn.functional as F

    g = torch.Generator().manual_seed(0)
    opt = torch.optim.SGD(model.parameters(), lr=config.lr)
    t0 = time.perf_counter()
    for step in range(1, steps + 1):
        ix = torch.randint(0, len(Ytr), (config.batch_size,), generator=g)
        loss = F.cross_entropy(model(Xtr[ix]), Ytr[ix])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        lr = config.lr if step <= config.decay_step else config.lr * config.decay_factor
        for group in opt.param_groups:
            group["lr"] = lr
        opt.step()
        loss.item()
    return steps / (time.perf_counter() - t0)


def generator_loop(run, steps: int, with_detail: bool) -> float:
    """The tab's generator driven like the worker drives it: returns steps/s.

    The dev loss is measured as often as on a full-length run of the preset (every
    5,000 steps for 200k); the closing evaluation of the three splits (once per run,
    not per step) is not timed.
    """
    t0 = time.perf_counter()
    last_detail = t_end = t0
    n = 0
    from playground.core import charmlp

    dev_every = charmlp.default_dev_every(run.config.steps)
    for snap in run.train(steps, dev_every=dev_every):
        if "loss" not in snap.metrics:
            break  # the closing snapshot (final split losses) is not a step
        n += 1
        if with_detail and time.perf_counter() - last_detail > 1 / 10:  # the tab draws at 10 Hz
            snap.materialize()
            last_detail = time.perf_counter()
        t_end = time.perf_counter()
    return n / (t_end - t0)


def speed(words, preset_name: str, steps: int, rounds: int) -> dict:
    """Interleaved rounds (the CPU is shared): best round of each, and the median ratio."""
    import statistics

    from playground.core import charmlp

    cfg = charmlp.preset(preset_name)
    run = charmlp.Run(words, cfg)
    Xtr, Ytr = run.prepare()["train"]
    plain_model = charmlp.make_model(cfg, run.model.itos)
    rates: dict[str, list[float]] = {"plain": [], "generator": [], "generator+detail": []}
    for i in range(rounds):  # alternate the order, so neither always goes first
        if i % 2 == 0:
            rates["plain"].append(plain_loop(plain_model, Xtr, Ytr, cfg, steps))
        rates["generator"].append(generator_loop(run, steps, False))
        if i % 2 == 1:
            rates["plain"].append(plain_loop(plain_model, Xtr, Ytr, cfg, steps))
        rates["generator+detail"].append(generator_loop(run, steps, True))
    best = {k: max(v) for k, v in rates.items()}
    pairs = zip(rates["generator"], rates["plain"], strict=True)
    return {
        "preset": preset_name,
        "steps_per_round": steps,
        "rounds": rounds,
        "plain_steps_per_s": round(best["plain"], 1),
        "generator_steps_per_s": round(best["generator"], 1),
        "generator_detail_steps_per_s": round(best["generator+detail"], 1),
        "ratio": round(best["generator"] / best["plain"], 3),
        "median_round_ratio": round(statistics.median(g / p for g, p in pairs), 3),
        "ratio_with_detail": round(best["generator+detail"] / best["plain"], 3),
    }


def train_preset(words, name: str, steps: int | None) -> dict:
    from playground.core import charmlp

    cfg = charmlp.preset(name)
    steps = cfg.steps if steps is None else steps
    run = charmlp.Run(words, cfg)
    run.prepare()
    t0 = time.perf_counter()
    first = None
    for snap in run.train(steps):
        if first is None:
            first = snap.metrics["loss"]
        if "dev_loss" in snap.metrics and snap.step % 10_000 == 0:  # progress, to stderr
            elapsed = time.perf_counter() - t0
            print(
                f"{name} step {snap.step:,} dev {snap.metrics['dev_loss']:.4f} {elapsed:.0f} s",
                file=sys.stderr,
                flush=True,
            )
    wall = time.perf_counter() - t0
    row = {
        "preset": name,
        "parameters": charmlp.count_parameters(cfg),
        "steps": steps,
        "wall_s": round(wall, 1),
        "steps_per_s": round(steps / wall, 1),
        "first_loss": round(first, 3),
        "train": round(run.final["train"], 4),
        "dev": round(run.final["dev"], 4),
        "test": round(run.final["test"], 4),
        "target_dev": TARGETS.get(name),
    }
    if steps == cfg.steps and name in TARGETS:
        row["meets_target"] = run.final["dev"] <= TARGETS[name]
    return row


def table(rows: list[dict]) -> str:
    keys = list(dict.fromkeys(k for r in rows for k in r))
    cells = [[str(r.get(k, "")) for k in keys] for r in rows]
    widths = [max(len(k), *(len(c[i]) for c in cells)) for i, k in enumerate(keys)]
    line = lambda vals: "  ".join(v.rjust(w) for v, w in zip(vals, widths, strict=False))  # noqa: E731
    return "\n".join([line(keys), line(["-" * w for w in widths])] + [line(c) for c in cells])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--full", action="store_true", help="train every preset at its full length")
    p.add_argument("--preset", action="append", help="only these presets (repeatable)")
    p.add_argument("--skip-speed", action="store_true", help="skip the overhead measurement")
    p.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    args = p.parse_args(argv)
    os.environ.setdefault(
        "PLAYGROUND_DATA_DIR", str(Path(__file__).resolve().parents[2] / "shared" / "data")
    )
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    from playground.core import charmlp, data

    words = data.load_words()
    names = args.preset or list(charmlp.PRESETS)
    result: dict = {
        "torch_threads": torch.get_num_threads(),
        "mode": "full" if args.full else "quick",
    }
    if not args.skip_speed:
        result["speed"] = [speed(words, "lecture", 2500, 8)]
    result["presets"] = [
        train_preset(words, n, None if args.full else QUICK_STEPS.get(n, 5000)) for n in names
    ]
    print(json.dumps(result, indent=2))
    try:
        from benchmarks.common import report  # shared helper, if present
    except ImportError:
        report = None
    for title, rows in (("speed", result.get("speed", [])), ("presets", result["presets"])):
        if not rows:
            continue
        if report is not None:
            report(f"charmlp {title}", rows)
        else:
            print(f"\ncharmlp {title}\n" + table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
