"""Which checkpoint serves ``nb201-constrained``: the accuracy one or the multi-objective one?
``python research/constrained_checkpoint.py [--seeds 10] [--trials 50]`` (docs/decisions/018).

For each held-out dataset D, genhpo with ``nb201-holdout-D`` (accuracy) and with
``nb201-mo-holdout-D`` (scalarised accuracy, latency and size) runs on ``nb201-constrained`` (latency
<= the 25 % quantile) of the *other two* datasets: the checkpoints' own source tables, never D's
(the reported grid's table for these checkpoints). Prints, per checkpoint family and budget, the mean
regret of the best feasible accuracy ± its standard error over (D, task, seed) and the number of runs
without a feasible result; a run without one at n scores the regret of the worst feasible cell.
Family ``handover`` (decision 018): the multi-objective checkpoint asks until a told result is feasible,
the accuracy checkpoint after it; both are told every result.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from genhpo import loop, presets
from genhpo.benchmarks.nb201 import NB201Constrained, mean_accuracies
from genhpo.metatrain.recipes import NB201_DATASETS
from genhpo.protocol import Optimizer, Result, feasible

BUDGETS = (10, 25, 50)
FAMILIES = {"accuracy": "nb201-holdout-{}", "multi-objective": "nb201-mo-holdout-{}", "handover": None}


class HandOver(Optimizer):
    """``first`` asks until a told result meets the constraints, ``then`` after it; both are told everything."""

    name = "genhpo-handover"

    def __init__(self, first: Optimizer, then: Optimizer, constraints) -> None:
        super().__init__(first.config_space, first.seed)
        self.first, self.then, self.constraints, self.found = first, then, constraints, False

    def ask(self):
        return (self.then if self.found else self.first).ask()

    def _tell(self, config, result: Result) -> None:
        self.first.tell(config, result)
        self.then.tell(config, result)
        self.found = self.found or feasible(result, self.constraints)


def build(bench: NB201Constrained, family: str, holdout: str, seed: int) -> Optimizer:
    if family != "handover":
        return presets.for_benchmark(bench, seed, checkpoint=FAMILIES[family].format(holdout))
    return HandOver(build(bench, "multi-objective", holdout, seed), build(bench, "accuracy", holdout, seed),
                    bench.constraints)


def regrets(bench: NB201Constrained, family: str, holdout: str, seed: int,
            trials: int) -> tuple[np.ndarray, np.ndarray]:
    """(regret at each budget, whether a feasible result was found by then)."""
    optimizer = build(bench, family, holdout, seed)
    bound = bench.constraints[0].upper
    accuracy = np.array([t.score if t.metrics["latency"] <= bound else -np.inf
                         for t in loop.run(optimizer, bench, trials, seed=seed)])
    best = np.maximum.accumulate(accuracy)
    worst_feasible = float(mean_accuracies(bench.dataset)[bench.feasible_cells].min())
    at = np.array([best[n - 1] for n in BUDGETS])
    found = np.isfinite(at)
    return bench.optimum - np.where(found, at, worst_feasible), found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--trials", type=int, default=50)
    args = parser.parse_args(argv)
    if args.seeds < 1 or args.trials < max(BUDGETS):
        parser.error(f"--seeds must be >= 1 and --trials >= {max(BUDGETS)}")
    results: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {family: [] for family in FAMILIES}
    for holdout in NB201_DATASETS:
        for task in (d for d in NB201_DATASETS if d != holdout):
            bench = NB201Constrained(task, latency_quantile=0.25)
            for family in FAMILIES:
                for seed in range(args.seeds):
                    results[family].append(regrets(bench, family, holdout, seed, args.trials))
            print(f"done: checkpoints holding out {holdout}, task {task}", flush=True)
    print(f"\n| checkpoint | {' | '.join(f'regret@{n}' for n in BUDGETS)} | mean | runs without a feasible result @{' / @'.join(map(str, BUDGETS))} |")
    print("|---|" + "---|" * (len(BUDGETS) + 2))
    for family, runs in results.items():
        regret = np.array([r for r, _ in runs])
        found = np.array([f for _, f in runs])
        cells = [f"{m:.3f} ± {s:.3f}" for m, s in zip(regret.mean(0), regret.std(0, ddof=1) / np.sqrt(len(regret)), strict=True)]
        print(f"| {family} | {' | '.join(cells)} | {regret.mean():.3f} | {' / '.join(str(int((~f).sum())) for f in found.T)} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
