"""Choosing the cold-start optimizer's settings on selection functions, never on the reported ones.

    python research/bench_new_spaces.py --variants '[{"local_scales": 1, "gp": 0}, {}]'
    python research/bench_new_spaces.py --variants '[{}, {"local_scales": 4, "gp": 30}]' --seeds 5 --trials 100
    python research/bench_new_spaces.py --variants '[{}, ...]' --seeds 10 --first-seed 10 --yardsticks tpe,gp

The selection tasks are BoTorch test functions that the ``functions`` benchmark (the one reported on,
issue 17) does not contain: Six-Hump Camel (2-d), Rastrigin-3, Powell-4, Styblinski-Tang-4, Shekel-10
(4-d), Hartmann-6, Dixon-Price-6, Griewank-8, Cosine-8, and (decision 023) Beale, Three-Hump Camel and
Dixon-Price-3; and (decision 031) the real tables of the new-space benchmarks that are not reported on, through
the same user-style spaces (:mod:`genhpo.benchmarks.user_spaces`): HPOLib-FCNet on naval_propulsion,
parkinsons_telemonitoring and slice_localization (9 hyperparameters, categoricals among them) and HPOBench-MLP
on australian, kc1 and phoneme (5), named ``<benchmark>/<dataset>``. Each variant is the cold-start generative
optimizer (``presets.for_space``: the space's quick cold model, trained on synthetic tasks only) with the
given suggestion settings over its card's (``{}`` = the card's own, ``recipes.quick_optimizer(space)``); it runs
``--trials`` evaluations per (function, seed).

Printed: per variant, the average rank among the variants (1 = best; ties share their mean rank) over
the (function, seed) pairs at 10, 25, 50 and 100 evaluations, with its standard error over the pairs,
and per function the mean regret. The rule, fixed before a grid runs: the variant with the best mean
of its ranks at 25, 50 and 100 is chosen, unless its rank at 10 is worse than the current settings'
(the first variant) by more than two standard errors (the early lead must stay). Also printed: each
variant paired against the first (the difference of their ranks per pair, at each budget and averaged
over the budgets from 25; printed when ``--trials`` reaches 25), which decision 024's stricter rule
reads. With ``--yardsticks tpe,gp``, Optuna's samplers run on the same functions and seeds, and a last
table reads issue 17's target there (decision 026): per variant and budget, the functions at ratio <= 1
and > 1.5 to the better yardstick's mean regret (:func:`research.new_space_targets.ratio`).

Two processes side by side (one per function subset) each need one BLAS thread
(``OMP_NUM_THREADS=1``): with two threads per process on 2 cores, a function took about six times as
long (decision 023).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from genhpo import presets
from genhpo.benchmarks.functions import FunctionBenchmark
from genhpo.loop import run
from research.new_space_targets import ratio

SELECTION = {
    "sixhumpcamel": ("SixHumpCamel", {}),
    "rastrigin3": ("Rastrigin", {"dim": 3}),
    "powell4": ("Powell", {"dim": 4}),
    "styblinskitang4": ("StyblinskiTang", {"dim": 4}),
    "shekel4": ("Shekel", {"m": 10}),
    "hartmann6": ("Hartmann", {"dim": 6}),
    "dixonprice6": ("DixonPrice", {"dim": 6}),
    "griewank8": ("Griewank", {"dim": 8}),
    "cosine8": ("Cosine8", {}),
    "beale": ("Beale", {}),
    "threehumpcamel": ("ThreeHumpCamel", {}),
    "dixonprice3": ("DixonPrice", {"dim": 3}),
}
#: real tables behind user-style spaces that no reported table contains (``research/new_space_targets.py``
#: reports hpobench-mlp segment and vehicle and hpolib-fcnet protein_structure)
TABLES = ("hpolib-fcnet/naval_propulsion", "hpolib-fcnet/parkinsons_telemonitoring", "hpolib-fcnet/slice_localization",
          "hpobench-mlp/australian", "hpobench-mlp/kc1", "hpobench-mlp/phoneme")
#: the reported new-space tasks (``research/new_space_targets.py``'s files), refused as selection tasks
REPORTED = ("branin", "hartmann3", "ackley5", "rosenbrock4", "levy10", "ackley-mixed10", "hpobench-mlp/segment",
            "hpobench-mlp/vehicle", "hpolib-fcnet/protein_structure")
BUDGETS = (10, 25, 50, 100)


class SelectionFunctions(FunctionBenchmark):
    """The selection functions (module doc) behind the same protocol as ``make("functions", ...)``."""

    name = "selection-functions"
    functions = SELECTION


def selection_task(name: str):
    """The selection task ``name``: a key of ``SELECTION`` or an entry of ``TABLES``."""
    if name in TABLES:
        from genhpo.benchmarks import make

        return make(*name.split("/"))
    return SelectionFunctions(name)


def regret_curve(variant: dict | str, function: str, seed: int, trials: int) -> np.ndarray:
    """``(trials,)`` regret of the incumbent on the selection task ``function`` (:func:`selection_task`);
    ``variant``: genhpo's settings over the card's, or the name of a yardstick baseline (``"tpe"``, ``"gp"``:
    Optuna's samplers, as the reported tables run them)."""
    bench = selection_task(function)
    if isinstance(variant, str):
        from genhpo.baselines import make_baseline

        optimizer = make_baseline(variant, bench, seed)
    else:
        optimizer = presets.for_space(bench.config_space, seed=seed, **variant)
    scores = [t.score for t in run(optimizer, bench, trials, seed=seed)]
    return bench.optimum - np.maximum.accumulate(scores)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", required=True, help="JSON list of settings overrides; the first is the reference")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--functions", default=",".join(SELECTION),
                        help="comma-separated selection tasks (default: all the functions): "
                             f"{', '.join((*SELECTION, *TABLES))}")
    parser.add_argument("--first-seed", type=int, default=0, help="seeds first-seed .. first-seed + seeds - 1")
    parser.add_argument("--yardsticks", default="",
                        help="comma-separated baselines (e.g. tpe,gp) run on the same functions and seeds; adds the "
                             "target table: per variant, functions at ratio <= 1 and > 1.5 to the better yardstick")
    args = parser.parse_args(argv)
    try:
        variants = json.loads(args.variants)
    except json.JSONDecodeError as error:
        parser.error(f"--variants is not valid JSON ({error}): {args.variants!r}")
    if not isinstance(variants, list) or not variants or not all(isinstance(v, dict) for v in variants):
        parser.error(f"--variants takes a JSON list of settings objects (the first is the reference), got {args.variants!r}")
    functions = args.functions.split(",")
    reported = [f for f in functions if f in REPORTED]
    if reported:
        parser.error(f"{reported} are reported tasks (research/new_space_targets.py), never selection tasks; "
                     f"selection tasks: {', '.join((*SELECTION, *TABLES))}")
    unknown = [f for f in functions if f not in (*SELECTION, *TABLES)]
    if unknown:
        parser.error(f"unknown selection task {unknown}; accepted: {', '.join((*SELECTION, *TABLES))}")
    from genhpo.metatrain.recipes import quick_optimizer
    from genhpo.suggest.config import SuggestConfig

    # a variant is refused before anything runs (not after the first variants have), read over the card of each
    # task's space as the runs will read it (e.g. ``late_after`` alone is valid over the small card's ``late``)
    tasks = {f: selection_task(f) for f in functions}  # built once for the checks below
    for f, task in tasks.items():
        card = SuggestConfig.from_card({"optimizer": quick_optimizer(task.config_space)})
        for variant in variants:
            try:
                card.replace(**variant)
            except (TypeError, ValueError) as error:
                parser.error(f"--variants: {json.dumps(variant)} on {f}: {error}")
    yardsticks = [y for y in args.yardsticks.split(",") if y]
    from genhpo.baselines import BASELINES, make_baseline

    for y in yardsticks:  # a baseline that cannot run on a plain task (fidelities, related tasks) is refused now
        try:
            make_baseline(y, tasks[functions[0]], args.first_seed)
        except ValueError as error:
            parser.error(f"yardstick {y!r} cannot run here: {error}; baselines: {', '.join(BASELINES)}")
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    budgets = [b for b in BUDGETS if b <= args.trials]
    curves = {}  # (variant, function, seed) -> regret after 1..trials evaluations
    for f in functions:
        started = time.perf_counter()
        for v, variant in enumerate([*variants, *yardsticks]):
            for seed in seeds:
                curves[v, f, seed] = regret_curve(variant, f, seed, args.trials)
        print(f"{f}: {time.perf_counter() - started:.0f} s", flush=True)
    ranks = {b: [] for b in budgets}
    for f in functions:
        for seed in seeds:
            for b in budgets:
                values = pd.Series([round(curves[v, f, seed][b - 1], 10) for v in range(len(variants))])
                ranks[b].append(values.rank().to_numpy())
    rows = []
    for v, variant in enumerate(variants):
        row = {"variant": json.dumps(variant)}
        for b in budgets:
            r = np.array(ranks[b])[:, v]
            row[f"rank@{b}"] = f"{r.mean():.2f} ± {r.std(ddof=1) / np.sqrt(len(r)):.2f}"
        rows.append(row)
    print(f"\n{len(functions)} functions x {args.seeds} seeds, {args.trials} evaluations; rank among the variants")
    print(pd.DataFrame(rows).to_string(index=False))
    late = [b for b in budgets if b >= 25]
    if len(variants) > 1 and late:
        print(f"\npaired against the reference (variant's rank - reference's, per pair; < 0: the variant is better), "
              f"mean ± standard error over the {len(ranks[budgets[0]])} pairs")
        paired = []
        for v in range(1, len(variants)):
            diff = {b: np.array(ranks[b])[:, v] - np.array(ranks[b])[:, 0] for b in budgets}
            mean_late = np.mean([diff[b] for b in late], axis=0)  # per pair: the mean over the budgets from 25
            row = {"variant": json.dumps(variants[v])}
            for b in budgets:
                row[f"diff@{b}"] = f"{diff[b].mean():+.2f} ± {diff[b].std(ddof=1) / np.sqrt(len(diff[b])):.2f}"
            row[f"diff, mean of {'/'.join(map(str, late))}"] = (
                f"{mean_late.mean():+.3f} ± {mean_late.std(ddof=1) / np.sqrt(len(mean_late)):.3f}")
            paired.append(row)
        print(pd.DataFrame(paired).to_string(index=False))
    print("\nmean regret per function at", budgets[-1])
    names = [json.dumps(v) for v in variants] + yardsticks
    table = {names[v]: {f: float(np.mean([curves[v, f, s][budgets[-1] - 1] for s in seeds])) for f in functions}
             for v in range(len(names))}
    print(pd.DataFrame(table).to_string(float_format=lambda x: f"{x:.4g}"))
    if yardsticks:
        print_target(curves, variants, yardsticks, functions, seeds, budgets)
    return 0


def print_target(curves: dict, variants: list, yardsticks: list[str], functions: list[str], seeds: range,
                 budgets: list[int]) -> None:
    """Issue 17's target read on the selection functions: per variant and budget, the functions whose mean
    regret over the seeds is at most the better yardstick's (ratio <= 1) and those above 1.5 times it."""
    def mean(v: int, f: str, b: int) -> float:
        return float(np.mean([curves[v, f, s][b - 1] for s in seeds]))

    first = len(variants)
    best = {(f, b): min(mean(first + k, f, b) for k in range(len(yardsticks))) for f in functions for b in budgets}
    rows = []
    for v, variant in enumerate(variants):
        row = {"variant": json.dumps(variant)}
        met_all = far_all = 0
        for b in budgets:
            ratios = [ratio(mean(v, f, b), best[f, b]) for f in functions]
            met, far = sum(r <= 1 for r in ratios), sum(r > 1.5 for r in ratios)
            row[f"@{b} <=1 / >1.5"] = f"{met} / {far}"
            if b >= 25:
                met_all, far_all = met_all + met, far_all + far
        row["from 25: <=1 / >1.5"] = f"{met_all} / {far_all}"
        rows.append(row)
    print(f"\ntarget on the selection functions: functions at ratio <= 1 / > 1.5 to the better of {', '.join(yardsticks)} "
          f"(mean regret over {len(seeds)} seeds), of {len(functions)}")
    print(pd.DataFrame(rows).to_string(index=False))


if __name__ == "__main__":
    raise SystemExit(main())
