"""Benchmark command: mean regret of each baseline on each NB201 dataset, and its optimizer overhead.

For every (optimizer, dataset, seed) it runs ``genhpo.loop.run`` for ``--trials`` evaluations and
prints, per dataset, the mean (and standard error) over seeds of the regret (optimum - incumbent
validation accuracy, in accuracy points) after 25/50/100/200 evaluations, the number of seeds that
found the optimum, and the median (and mean) optimizer overhead per trial (ask + tell, measured by
the loop; SMAC refits its model every few asks, so its mean is the fairer figure).
SMAC runs here without an output directory, so it skips its per-trial save of ``runhistory.json``.

    python -m research.bench_baselines --seeds 10 --trials 200 --optimizers rs,re,dehb,transfer-topk,smac
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import sys
import time
from pathlib import Path

import numpy as np

from genhpo.baselines import BASELINES, make_baseline
from genhpo.benchmarks.nb201 import DATASETS, NB201Benchmark
from genhpo.loop import run

CHECKPOINTS = (25, 50, 100, 200)


def run_one(task: tuple[str, str, int, int]) -> dict:
    """One run; returns its incumbent regret after every full evaluation and its overheads (s)."""
    name, dataset, seed, n_trials = task
    benchmark = NB201Benchmark(dataset)
    optimizer = make_baseline(name, benchmark, seed, n_trials=n_trials)
    started = time.perf_counter()
    trials = run(optimizer, benchmark, n_trials, seed=seed)
    best, regret = -math.inf, []
    for trial in trials:
        if trial.fidelity is not None:  # a low-fidelity trial does not count (none on NB201)
            continue
        if trial.status == "ok":
            best = max(best, trial.score)
        regret.append(benchmark.optimum - best)
    return {
        "optimizer": name,
        "dataset": dataset,
        "seed": seed,
        "regret": regret,
        "overheads": [t.overhead for t in trials],
        "wall": time.perf_counter() - started,
    }


def summarise(results: list[dict], checkpoints: tuple[int, ...]) -> str:
    """A Markdown table per dataset: mean +- sem regret at each checkpoint, hits, median overhead."""
    lines = []
    datasets = list(dict.fromkeys(r["dataset"] for r in results))
    optimizers = list(dict.fromkeys(r["optimizer"] for r in results))
    for dataset in datasets:
        lines += [f"\n### NB201 {dataset} (regret in accuracy points; mean +- sem over seeds)\n"]
        header = (
            ["optimizer", "seeds"] + [f"@{k}" for k in checkpoints] + ["optimum hit", "overhead/trial median (mean)"]
        )
        lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for name in optimizers:
            runs = [r for r in results if r["dataset"] == dataset and r["optimizer"] == name]
            if not runs:
                continue
            cells = [name, str(len(runs))]
            for k in checkpoints:
                values = np.array([r["regret"][k - 1] for r in runs if len(r["regret"]) >= k])
                if len(values) == 0:
                    cells.append("-")
                    continue
                sem = values.std(ddof=1) / math.sqrt(len(values)) if len(values) > 1 else 0.0
                cells.append(f"{values.mean():.3f} +- {sem:.3f}")
            hits = sum(r["regret"][-1] <= 1e-9 for r in runs)
            overheads = np.concatenate([r["overheads"] for r in runs])
            cells += [f"{hits}/{len(runs)}", f"{np.median(overheads) * 1000:.2f} ms ({overheads.mean() * 1000:.1f} ms)"]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=10, help="seeds 0..N-1 per (optimizer, dataset) (default 10)")
    parser.add_argument("--trials", type=int, default=200, help="evaluations per run (default 200)")
    parser.add_argument("--datasets", default=",".join(DATASETS), help=f"comma-separated, of: {', '.join(DATASETS)}")
    parser.add_argument(
        "--optimizers", default="rs,re,dehb,transfer-topk,smac", help=f"comma-separated, of: {', '.join(BASELINES)}"
    )
    parser.add_argument("--workers", type=int, default=2, help="processes, 1 or 2 (default 2)")
    parser.add_argument("--json", type=Path, default=None, help="also write every run's regret curve here")
    args = parser.parse_args(argv)
    datasets = [d for d in args.datasets.split(",") if d]
    optimizers = [o for o in args.optimizers.split(",") if o]
    for flag, values, accepted in (("--datasets", datasets, DATASETS), ("--optimizers", optimizers, BASELINES)):
        unknown = [v for v in values if v not in accepted]
        if unknown or not values:
            parser.error(f"{flag}: unknown or empty {unknown}; accepted: {', '.join(accepted)}")
    if args.seeds < 1 or args.trials < 1:
        parser.error(f"--seeds and --trials must be >= 1, got {args.seeds} and {args.trials}")
    if args.workers not in (1, 2):
        parser.error(f"--workers must be 1 or 2 (this machine has 2 shared cores), got {args.workers}")
    checkpoints = tuple(k for k in CHECKPOINTS if k <= args.trials) or (args.trials,)
    tasks = [(o, d, s, args.trials) for o in optimizers for d in datasets for s in range(args.seeds)]
    started = time.perf_counter()
    if args.workers == 1:
        results = [run_one(t) for t in tasks]
    else:
        with multiprocessing.get_context("spawn").Pool(args.workers) as pool:
            results = pool.map(run_one, tasks, chunksize=1)
    print(
        f"# Baselines on NB201: {args.seeds} seeds x {args.trials} evaluations; {len(tasks)} runs "
        f"in {time.perf_counter() - started:.0f} s with {args.workers} process(es)"
    )
    print(summarise(results, checkpoints))
    if args.json is not None:
        args.json.write_text(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
