"""Benchmark of the generative optimizer on NB201: transfer, cold start, overhead. Prints figures.

    python research/bench_generative.py transfer --seeds 20          # vs TransferTopK, 25 evaluations
    python research/bench_generative.py cold --seeds 20 --baselines re,smac --budgets 50,100,200
    python research/bench_generative.py overhead
    python research/bench_generative.py overhead --settings '{"local": 0}'   # rank the whole pool every time
    python research/bench_generative.py cold --settings '{"temperature": 1e9}'   # ablation: random ranking
    python research/bench_generative.py transfer --checkpoint /tmp/my-ckpt.pt --datasets ImageNet16-120
    python research/bench_generative.py cold-select --grid '[{"temperature": 0.1}, {"temperature": 1.0}]'
    python research/bench_generative.py transfer-select --grid '[{}, {"ridge": 1.0}]'
    python research/bench_generative.py transfer-select --first-task 30000   # fresh tasks, to confirm a choice
    python research/bench_generative.py transfer-calibrate --interactions    # the task scale the sources suggest
    python research/bench_generative.py transfer-select --interactions --task-scale 0.25

``cold-select`` compares cold-start suggestion settings on *synthetic* tasks over the NB201 space
(held-out draws of the functions the cold checkpoint is trained on; no NB201 score is read), so that
choosing the cold start's settings never looks at the benchmark it is reported on. ``transfer-select``
does the same for a transfer checkpoint on new tasks built from its own source tables
(``research/selection_tasks.py``). ``transfer-calibrate`` prints, per checkpoint, how far the new
tasks' optima rank in the sources' mean ranking at each ``--task-scale``, next to how far the
sources' optima rank in each other's ranking, and the scale that matches them best.

Every run goes through genhpo's runner (``research/runs.py``: ``genhpo.runner.compare`` into a run
store under ``--out``, resumed when re-run; regret by ``genhpo.report.curves``), seeds 0..N-1, the
optimizers built by its registry: ``genhpo`` = ``genhpo.presets.for_benchmark`` (the checkpoint whose
holdout is the dataset), ``genhpo-cold`` = the space's cold-start model (``nb201-cold``: synthetic
tasks only, no NB201 scores); ``--checkpoint`` gives genhpo another checkpoint. Selection tasks are
the runner benchmark ``research.selection_tasks:SelectionTask``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from genhpo import presets
from genhpo.benchmarks.nb201 import NB201Benchmark
from genhpo.cli import json_object
from genhpo.runner.manifest import Experiment
from genhpo.suggest.config import SuggestConfig
from research import runs
from research.selection_tasks import mixture_name, synthetic_name

DATASETS = ("cifar10", "cifar100", "ImageNet16-120")


SELECTION = "research.selection_tasks:SelectionTask"


def _genhpo(cold: bool, settings: dict, checkpoint: str | None) -> tuple[str, dict]:
    """The runner's optimizer name and settings for genhpo: ``genhpo`` (for_benchmark's holdout
    checkpoint) or ``genhpo-cold`` (the space's cold-start model), or ``genhpo`` with ``checkpoint``."""
    if checkpoint:
        return "genhpo", {**settings, "checkpoint": checkpoint}
    return ("genhpo-cold" if cold else "genhpo"), dict(settings)


def _table(dataset: str, results: dict, budgets: list[int]) -> None:
    print(f"\n{dataset}: mean regret (standard error) over seeds; overhead = mean s per trial")
    print(f"  {'optimizer':<14}" + "".join(f"{'@' + str(b):>16}" for b in budgets) + f"{'overhead':>10}")
    for name, (curves, overhead) in results.items():
        cells = []
        for b in budgets:
            r = curves[:, b - 1]
            cells.append(f"{r.mean():.3f} ({r.std(ddof=1) / np.sqrt(len(r)) if len(r) > 1 else 0:.3f})")
        print(f"  {name:<14}" + "".join(f"{c:>16}" for c in cells) + f"{overhead:>10.3f}")
    for name, (curves, _) in results.items():
        hit = (curves <= 1e-9)
        first = [int(np.argmax(h)) + 1 if h.any() else None for h in hit]
        at = budgets[-1]
        print(f"  {name}: regret 0 by {at} evals in {hit[:, at - 1].mean():.0%} of seeds; first hit per seed {first}")


def compare(args, cold: bool) -> None:
    """genhpo and the baselines on NB201 through the runner (``--out``/transfer or /cold), a table per dataset."""
    budgets = [int(b) for b in args.budgets.split(",")]
    name, settings = _genhpo(cold, args.settings, args.checkpoint)
    baselines = tuple(n for n in args.baselines.split(",") if n)
    datasets = tuple(d for d in args.datasets.split(",") if d)
    experiment = Experiment("nb201", datasets, (name, *baselines), args.seeds, max(budgets),
                            settings={name: settings} if settings else {})
    started = time.perf_counter()
    results = runs.run(experiment, args.out / ("cold" if cold else "transfer"), workers=args.workers)
    print(f"[{len(experiment.run_keys())} runs in {time.perf_counter() - started:.0f} s; run store "
          f"{args.out / ('cold' if cold else 'transfer')}]", flush=True)
    for dataset in datasets:
        _table(dataset, {o: results[(dataset, o)] for o in experiment.optimizers}, budgets)
    if args.json:
        saved = json.loads(args.json.read_text()) if args.json.exists() else {}
        for (dataset, optimizer), (curves, mean_overhead) in results.items():
            saved.setdefault(dataset, {})[optimizer] = {"regret": curves.tolist(), "overhead": mean_overhead}
        args.json.write_text(json.dumps(saved))


def settings_grid(text: str) -> list[dict]:
    """``--grid``: a non-empty JSON list of objects naming only genhpo settings; ValueError otherwise."""
    try:
        grid = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"--grid is not valid JSON ({exc}): {text!r}") from None
    if not isinstance(grid, list) or not grid or not all(isinstance(g, dict) for g in grid):
        raise ValueError(f"--grid must be a non-empty JSON list of objects such as '[{{}}, {{\"ridge\": 1.0}}]', got {text!r}")
    unknown = sorted({key for g in grid for key in g} - set(SuggestConfig.accepted()))
    if unknown:
        raise ValueError(f"--grid names unknown settings {unknown}; accepted: {', '.join(SuggestConfig.accepted())}")
    return grid


def select(args, cold: bool) -> None:
    """Mean regret on held-out selection tasks (``research/selection_tasks.py``) for each genhpo setting
    of ``--grid``: synthetic tasks with the cold checkpoint, or, per dataset of ``--datasets``, new
    tasks built from the ``nb201-holdout-<dataset>`` checkpoint's source tables with that checkpoint.
    Each setting overrides only the keys it names: the rest come from the checkpoint's card (so
    ``{}`` is the card's own settings, and ``{"ridge": 0.0}`` is needed to switch its ridge term off)."""
    grid = args.grid
    budgets = [int(b) for b in (args.budgets or ("50,100,200" if cold else "5,10,15,20,25")).split(",")]
    seeds = max(1, args.seeds // args.tasks)
    first = args.first_task if args.first_task is not None else (10_000 if cold else 20_000)
    groups = ({"synthetic": ([synthetic_name(first + k) for k in range(args.tasks)], args.checkpoint or "nb201-cold")}
              if cold else
              {d: ([mixture_name(d, first + k, args.task_scale, args.interactions) for k in range(args.tasks)],
                   args.checkpoint or f"nb201-holdout-{d}") for d in args.datasets.split(",")})
    baselines = tuple(n for n in args.baselines.split(",") if n)
    for group, (tasks, checkpoint) in groups.items():
        print(f"{group}: {len(tasks)} tasks x {seeds} seeds, {max(budgets)} trials; mean regret (score range 0..100)")
        rows = [(json.dumps(g, sort_keys=True), ("genhpo",), {"genhpo": {**g, "checkpoint": checkpoint}})
                for g in grid]
        rows += [(name, (name,), {}) for name in baselines]
        for k, (label, optimizers, settings) in enumerate(rows):
            experiment = Experiment(SELECTION, tuple(tasks), optimizers, seeds, max(budgets), settings=settings)
            results = runs.run(experiment, args.out / "select" / group / f"row-{k}", workers=args.workers)
            curves = np.concatenate([results[(task, optimizers[0])][0] for task in tasks])
            hits = int((curves[:, -1] <= 1e-9).sum())
            print(f"  {label:<44}" + "".join(f"  @{b} {curves[:, b - 1].mean():7.3f}" for b in budgets)
                  + f"  optimum by {max(budgets)}: {hits}/{len(curves)}", flush=True)


def calibrate(args) -> None:
    """Per dataset of ``--datasets``: the calibration of the selection tasks' scale (see the module doc)."""
    from research.selection_tasks import calibrated_scale, cross_rank, scale_ranks

    kind = "with interactions" if args.interactions else "main effects only"
    for dataset in args.datasets.split(","):
        first = args.first_task if args.first_task is not None else 40_000
        ranks = scale_ranks(dataset, args.interactions, args.tasks, first)
        print(f"nb201-holdout-{dataset} ({kind}): sources' optima rank {cross_rank(dataset):g} (median) in each "
              f"other's ranking; new tasks' optima, median over {args.tasks} tasks, in the sources' mean ranking:")
        print("  " + "  ".join(f"scale {scale:g}: {rank:g}" for scale, rank in ranks.items()))
        print(f"  calibrated scale: {calibrated_scale(dataset, ranks=ranks):g}", flush=True)


def overhead(args) -> None:
    """Median observe_and_suggest time with 200 observations: pools and continuous; the card's
    suggestion settings, with ``--settings`` over them (e.g. ``{"local": 0}`` to rank the
    whole pool instead of the neighbourhood of the best results)."""
    bench = NB201Benchmark("cifar10")
    rng = np.random.default_rng(0)
    print(f"observe_and_suggest, 200 observations, torch threads = {torch.get_num_threads()}, median of {args.calls}, "
          f"settings over the card's: {args.settings}")
    opt = presets.from_pretrained("nb201-holdout-cifar10", bench.config_space, seed=0, **args.settings)
    pool = opt._pool  # all 15,625 cells, encoded
    for m in (1000, 5000, len(pool) - 200, None):
        times = []
        for _ in range(args.calls):
            rows = rng.choice(len(pool), size=200 + (m or 0), replace=False)
            X_obs, X_pen = pool[rows[:200]], (pool[rows[200:]] if m else None)
            y_obs = rng.random((200, 1))
            started = time.perf_counter()
            opt.observe_and_suggest(X_obs, y_obs, X_pen)
            times.append(time.perf_counter() - started)
        label = f"pool of {m}" if m else "continuous (no pool)"
        print(f"  {label:<40} median {1000 * np.median(times):7.1f} ms   (p90 {1000 * np.quantile(times, 0.9):.1f} ms)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("part", choices=["transfer", "cold", "cold-select", "transfer-select", "transfer-calibrate",
                                         "overhead"])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument("--baselines", default=None, help="comma-separated baseline names "
                        "(default: transfer-topk for transfer, re,smac for cold)")
    parser.add_argument("--budgets", default=None, help="default 5,10,15,20,25 (transfer) or 50,100,200 (cold)")
    parser.add_argument("--calls", type=int, default=30, help="overhead: calls per setting")
    parser.add_argument("--threads", type=int, default=1, help="overhead: torch threads")
    parser.add_argument("--workers", type=int, default=None, help="runner: local Dask workers (default: one per core)")
    parser.add_argument("--out", type=Path, default=Path("results/research"),
                        help="runner: where the run stores go (resumed when re-run; default %(default)s)")
    parser.add_argument("--json", type=Path, default=None, help="also store every regret curve here (merged per dataset)")
    parser.add_argument("--grid", default='[{}]', help="*-select: JSON list of genhpo settings to compare "
                        "(each over the checkpoint card's settings)")
    parser.add_argument("--tasks", type=int, default=None, help="*-select: selection tasks per group, seeds split over "
                        "them (default 10); transfer-calibrate: tasks per scale (default 30)")
    parser.add_argument("--first-task", type=int, default=None, help="*-select: seed of the first selection task "
                        "(default 10,000 for cold-select, 20,000 for transfer-select); another range gives fresh "
                        "tasks, e.g. to confirm a choice made on the default ones")
    parser.add_argument("--interactions", action="store_true", help="transfer-select: the new tasks also differ "
                        "from the sources by pairwise interactions and per-cell shifts (research/selection_tasks.py)")
    parser.add_argument("--task-scale", type=float, default=2.0, help="transfer-select: how far new tasks sit from "
                        "the sources, in units of the sources' own difference (default 2, the earlier sessions' "
                        "protocol; transfer-calibrate prints the scale the sources suggest)")
    parser.add_argument("--settings", default=None, help='genhpo suggestion settings as JSON, e.g. \'{"temperature": 0}\'')
    parser.add_argument("--checkpoint", default=None, help="genhpo checkpoint name or path (default: for_benchmark's "
                        "holdout checkpoint for transfer, nb201-cold for cold)")
    args = parser.parse_args(argv)
    try:
        args.settings = json_object(args.settings, "--settings")
        args.grid = settings_grid(args.grid)
    except ValueError as exc:
        parser.error(str(exc))
    if args.seeds < 1:
        parser.error("--seeds must be >= 1")
    if args.tasks is not None and args.tasks < 1:
        parser.error("--tasks must be >= 1")
    if not (np.isfinite(args.task_scale) and args.task_scale >= 0):
        parser.error(f"--task-scale must be a finite number >= 0, got {args.task_scale}")
    torch.set_num_threads(args.threads)
    if args.part == "overhead":
        overhead(args)
        return 0
    if args.part == "transfer-calibrate":
        args.tasks = args.tasks or 30
        calibrate(args)
        return 0
    if args.part in ("cold-select", "transfer-select"):
        args.baselines = args.baselines if args.baselines is not None else "re"
        args.tasks = args.tasks or 10
        select(args, args.part == "cold-select")
        return 0
    cold = args.part == "cold"
    args.baselines = args.baselines if args.baselines is not None else ("re,smac" if cold else "transfer-topk")
    args.budgets = args.budgets or ("50,100,200" if cold else "5,10,15,20,25")
    compare(args, cold)
    return 0


if __name__ == "__main__":
    sys.exit(main())
