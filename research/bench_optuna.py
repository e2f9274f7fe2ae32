"""NB201 through Optuna: genhpo's GenerativeSampler against Optuna's own samplers. Prints figures.

    python research/bench_optuna.py --seeds 20 --trials 100 [--json docs/results/nb201-optuna.json]

For each dataset (cifar10, cifar100, ImageNet16-120) and seed 0..N-1, one Optuna study per sampler
maximises NB201's validation accuracy over the six edges (declared with genhpo's edge names and op
order, so the generative sampler gets NB201's signature): ``genhpo`` = GenerativeSampler with the
``nb201-holdout-<dataset>`` checkpoint (never trained on that dataset), ``genhpo-cold`` = with the
space's cold-start checkpoint (``nb201-cold``), ``tpe`` = TPESampler, ``gp`` = GPSampler, ``random`` =
RandomSampler, each seeded with the seed. Regret = optimum - best value after n trials (mean and
standard error over seeds); overhead = the study's time per trial outside the objective (median over
runs of each run's mean), the sampler's cost. Runs go to 2 processes (``--workers``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

SAMPLERS = ("genhpo", "genhpo-cold", "tpe", "gp", "random")
DATASETS = ("cifar10", "cifar100", "ImageNet16-120")


def _sampler(name: str, dataset: str, seed: int):
    import optuna

    from genhpo.integrations.optuna import GenerativeSampler

    if name == "genhpo":
        return GenerativeSampler(seed=seed, checkpoint=f"nb201-holdout-{dataset}")
    if name == "genhpo-cold":
        return GenerativeSampler(seed=seed)
    return {"tpe": optuna.samplers.TPESampler, "gp": optuna.samplers.GPSampler,
            "random": optuna.samplers.RandomSampler}[name](seed=seed)


def one_run(task: tuple[str, str, int, int]) -> dict:
    """One study: the regret after every trial and the sampler's time per trial (s)."""
    import optuna

    from genhpo.benchmarks.nb201 import NB201Benchmark
    from genhpo.spaces import nb201

    name, dataset, seed, n_trials = task
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    bench = NB201Benchmark(dataset)
    inside = [0.0]

    def objective(trial):
        cell = {hp: trial.suggest_categorical(hp, list(nb201.OPS)) for hp in nb201.HP_NAMES}
        started = time.perf_counter()
        score = bench.evaluate(cell).score
        inside[0] += time.perf_counter() - started
        return score

    study = optuna.create_study(direction="maximize", sampler=_sampler(name, dataset, seed))
    started = time.perf_counter()
    study.optimize(objective, n_trials=n_trials)
    total = time.perf_counter() - started
    values = np.array([t.value for t in study.trials], dtype=float)
    return {"sampler": name, "dataset": dataset, "seed": seed,
            "regret": (bench.optimum - np.maximum.accumulate(values)).tolist(),
            "overhead": (total - inside[0]) / n_trials}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--samplers", default=",".join(SAMPLERS), help=f"of: {', '.join(SAMPLERS)}")
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", type=Path, default=None, help="also store every regret curve here")
    args = parser.parse_args(argv)
    samplers = [s for s in args.samplers.split(",") if s]
    unknown = sorted(set(samplers) - set(SAMPLERS))
    if unknown or args.seeds < 1 or args.trials < 1 or args.workers < 1:
        parser.error(f"unknown samplers {unknown} or non-positive --seeds/--trials/--workers")
    datasets = [d for d in args.datasets.split(",") if d]
    tasks = [(s, d, k, args.trials) for d in datasets for s in samplers for k in range(args.seeds)]
    started = time.perf_counter()
    with ProcessPoolExecutor(args.workers) as pool:
        runs = list(pool.map(one_run, tasks, chunksize=1))
    print(f"{len(runs)} studies in {time.perf_counter() - started:.0f} s; regret = optimum - best value "
          f"(accuracy points), mean (standard error) over {args.seeds} seeds")
    budgets = [b for b in (10, 25, 50, 100) if b <= args.trials]
    for dataset in datasets:
        print(f"\n{dataset}")
        print(f"  {'sampler':<12}" + "".join(f"{'@' + str(b):>16}" for b in budgets) + f"{'overhead (median)':>20}")
        for name in samplers:
            group = [r for r in runs if r["dataset"] == dataset and r["sampler"] == name]
            regret = np.array([r["regret"] for r in group])
            cells = [f"{regret[:, b - 1].mean():.3f} ({regret[:, b - 1].std(ddof=1) / np.sqrt(len(regret)) if len(regret) > 1 else 0:.3f})"
                     for b in budgets]
            overhead = np.median([r["overhead"] for r in group])
            print(f"  {name:<12}" + "".join(f"{c:>16}" for c in cells) + f"{1000 * overhead:>17.1f} ms")
    if args.json is not None:
        args.json.write_text(json.dumps(runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
