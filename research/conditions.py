"""Which method where: the conditions study (issue 18, item 6).

    python research/conditions.py --out results/conditions            # run what is missing, then the figure
    python research/conditions.py --out results/conditions --only 1-categorical-nas,3-noisy
    python research/conditions.py --out results/conditions --figure-only

One experiment file per condition in ``research/configs/conditions/`` (reduced sizes, stated in each):
categorical NAS, many evaluations, noisy evaluations, a mixed tabular space, continuous functions, a
large conditional space, multi-fidelity, several objectives, constraints. Each runs through
``genhpo compare`` into ``OUT/<condition>/`` (resumable) with two Dask workers (each with one BLAS
thread: Dask's ``distributed.nanny.pre-spawn-environ`` sets ``OMP_NUM_THREADS=1``).

Scoring, per condition, task (dataset) and seed, at each budget of 10, 25, 50 and 200 evaluations the
condition reaches: each optimizer's regret (``genhpo.report.curves``: hypervolume regret for several
objectives, best feasible score for constraints); on a noisy condition the regret of the incumbent's
noise-free score (the configuration with the best observed score, evaluated without noise); on a
multi-fidelity condition, at equal simulated wall-clock instead of equal counts (the median time
random search took for n full evaluations). Ranks among the condition's optimizers (1 = best, ties
averaged, NaN regret last), averaged over (task, seed) pairs, with a 95 % t-interval over them.

Writes ``OUT/conditions.csv`` (condition, budget, optimizer, mean rank, half-width, pairs),
``OUT/conditions.md`` (the table, and each condition's wall-clock from ``OUT/timings.json``, where every
run of this command records the seconds each condition took and its worker count) and ``OUT/conditions.png`` (a heat map: optimizers x (condition,
budget), average rank; blank where an optimizer does not run in a condition).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from genhpo import benchmarks
from genhpo.report.curves import benchmark_info, load_records, on_grid, run_curves
from genhpo.runner import experiment_files
from genhpo.runner.manifest import load_experiment

CONFIGS = Path(__file__).resolve().parent / "configs" / "conditions"
BUDGETS = (10, 25, 50, 200)


def conditions() -> list[Path]:
    return sorted(CONFIGS.glob("*.toml"))


def _timing(entry: float | dict) -> tuple[float, int | None]:
    """(seconds, workers) of a ``timings.json`` entry; an entry written before the worker count was
    recorded is a bare number of seconds (workers unknown)."""
    return (float(entry), None) if isinstance(entry, (int, float)) else (float(entry["seconds"]), entry["workers"])


def run(config: Path, out: Path, workers: int) -> float:
    """``genhpo compare`` of one condition into ``out``; returns the seconds it took."""
    started = time.perf_counter()
    cmd = [sys.executable, "-m", "genhpo.cli", "compare", "--config", str(config), "--out", str(out),
           "--workers", str(workers), "--quiet"]
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True)
    return time.perf_counter() - started


def _noise_free_regret(record, bench, optimum: float, n: int) -> np.ndarray:
    """(n,) regret of the incumbent's noise-free score after each of the first n evaluations."""
    best, out, regret = -math.inf, [], math.nan
    for trial in record.trials[:n]:
        if trial.status == "ok" and trial.score > best:
            best = trial.score
            regret = optimum - bench.evaluate(trial.config).score
        out.append(regret)
    return np.array(out)


def regrets(root: Path) -> dict[int, dict[str, np.ndarray]]:
    """{budget: {optimizer: (pairs,) regret}} over the condition's (dataset, seed) pairs every optimizer ran."""
    experiment = load_experiment(root)
    records = load_records(root)
    out: dict[int, dict[str, list[float]]] = {}
    budgets = [b for b in BUDGETS if b <= experiment.trials]
    for dataset in experiment.datasets:
        info = benchmark_info(root, experiment.benchmark, dataset)
        bench = benchmarks.make(experiment.benchmark, dataset, **experiment.options) if experiment.noisy else None
        curves = {}
        for r in records:
            if r.key.dataset != dataset or r.key.optimizer not in experiment.optimizers:
                continue
            c = run_curves(r, info["optimum"], experiment.trials, info.get("fidelity"), info)
            if c is None:
                continue
            if bench is not None:
                c.regret = _noise_free_regret(r, bench, info["optimum"], experiment.trials)
            curves[(r.key.optimizer, r.key.seed)] = c
        seeds = sorted({s for _, s in curves})
        seeds = [s for s in seeds if all((n, s) in curves for n in experiment.optimizers)]
        if info.get("fidelity"):  # equal simulated wall-clock: the time random search took for n
            reference = "rs" if "rs" in experiment.optimizers else experiment.optimizers[-1]
            times = {b: float(np.median([curves[(reference, s)].clock[b - 1] for s in seeds])) for b in budgets}
        for b in budgets:
            for name in experiment.optimizers:
                for s in seeds:
                    c = curves[(name, s)]
                    value = (on_grid([c], np.array([times[b]]))[0, 0] if info.get("fidelity")
                             else c.regret[b - 1])
                    out.setdefault(b, {}).setdefault(name, []).append(value)
    return {b: {n: np.array(v, dtype=float) for n, v in by.items()} for b, by in out.items()}


def ranks(by_optimizer: dict[str, np.ndarray]) -> dict[str, tuple[float, float, int]]:
    """{optimizer: (mean rank, 95 % half-width, pairs)}: ranks per pair (regret rounded to 1e-8 as HPO-B
    does, ties averaged, NaN last), then mean and t-interval over the pairs."""
    names = list(by_optimizer)
    stacked = np.stack([np.round(by_optimizer[n], 8) for n in names])  # (optimizers, pairs)
    stacked = np.where(np.isnan(stacked), np.inf, stacked)
    rank = stats.rankdata(stacked, axis=0)
    pairs = rank.shape[1]
    out = {}
    for i, name in enumerate(names):
        mean = float(rank[i].mean())
        half = float(stats.t.ppf(0.975, pairs - 1) * rank[i].std(ddof=1) / math.sqrt(pairs)) if pairs > 1 else math.nan
        out[name] = (mean, half, pairs)
    return out


def figure(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    columns = list(dict.fromkeys((r["condition"], r["budget"]) for r in rows))
    optimizers = list(dict.fromkeys(r["optimizer"] for r in rows))
    grid = np.full((len(optimizers), len(columns)), np.nan)
    text = np.full(grid.shape, "", dtype=object)
    for r in rows:
        i, j = optimizers.index(r["optimizer"]), columns.index((r["condition"], r["budget"]))
        grid[i, j] = r["rank"]
        text[i, j] = f"{r['rank']:.1f}\n±{r['half_width']:.1f}"
    # at least 9 inches wide, so that the title and the colour bar's label fit a study of one condition
    fig, ax = plt.subplots(figsize=(max(9.0, 1.0 * len(columns) + 3), 0.55 * len(optimizers) + 2.5), dpi=110)
    image = ax.imshow(grid, cmap="viridis_r", aspect="auto")
    for i in range(grid.shape[0]):
        for j in range(grid.shape[1]):
            if text[i, j]:
                ax.text(j, i, text[i, j], ha="center", va="center", fontsize=6.5,
                        color="white" if grid[i, j] > np.nanmean(grid) else "black")
    ax.set_xticks(range(len(columns)), [f"{c.split('-', 1)[1]}\n@{b}" for c, b in columns], rotation=60,
                  ha="right", fontsize=7)
    ax.set_yticks(range(len(optimizers)), optimizers)
    fig.colorbar(image, ax=ax, label="average rank among the\ncondition's optimizers (1 = best)")
    ax.set_title("Which method where: average rank per condition and budget\n(± 95 % CI over task x seed)")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="one experiment directory per condition, and the figure")
    parser.add_argument("--only", default=None,
                        help="comma-separated condition names (file stems) to run; the figure covers every condition run")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--figure-only", action="store_true", help="score the existing experiments only")
    args = parser.parse_args(argv)
    chosen = every = conditions()
    if args.only:
        names = set(args.only.split(","))
        unknown = names - {c.stem for c in chosen}
        if unknown:
            parser.error(f"unknown condition(s) {sorted(unknown)}; accepted: {', '.join(c.stem for c in chosen)}")
        chosen = [c for c in chosen if c.stem in names]
    for config in chosen:
        experiment_files.load(str(config))  # a malformed file fails before anything runs
    seconds = {}
    timings_path = args.out / "timings.json"
    timings = json.loads(timings_path.read_text()) if timings_path.exists() else {}
    if not args.figure_only:
        for config in chosen:
            seconds[config.stem] = run(config, args.out / config.stem, args.workers)
            print(f"{config.stem}: {seconds[config.stem]:.0f} s", flush=True)
            timings[config.stem] = {"seconds": round(seconds[config.stem], 1), "workers": args.workers}
            timings_path.write_text(json.dumps(timings, indent=1))
    rows = []
    for config in every:  # the figure covers every condition run so far, not only those just run
        root = args.out / config.stem
        if not (root / "experiment.json").exists():
            print(f"{config.stem}: not run yet", flush=True)
            continue
        for budget, by_optimizer in regrets(root).items():
            for name, (mean, half, pairs) in ranks(by_optimizer).items():
                rows.append({"condition": config.stem, "budget": budget, "optimizer": name, "rank": mean,
                             "half_width": half, "pairs": pairs})
    if not rows:
        parser.error("no condition has results yet")
    with open(args.out / "conditions.csv", "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    lines = ["| condition | budget | optimizer: average rank ± 95 % CI (pairs) |", "|---|---|---|"]
    for (condition, budget) in dict.fromkeys((r["condition"], r["budget"]) for r in rows):
        group = sorted((r for r in rows if (r["condition"], r["budget"]) == (condition, budget)), key=lambda r: r["rank"])
        cells = ", ".join(f"{r['optimizer']} {r['rank']:.2f} ± {r['half_width']:.2f}" for r in group)
        lines.append(f"| {condition} | {budget} | {cells} ({group[0]['pairs']}) |")
    scored = {r["condition"] for r in rows}
    timed = {c.stem: _timing(timings[c.stem]) for c in every if c.stem in timings and c.stem in scored}
    if timed:
        workers = {w for _, w in timed.values()}
        said = (f" ({workers.pop()} worker(s))" if len(workers) == 1 and None not in workers else "")
        lines += ["", f"Wall-clock on this machine{said}, as the command measured it: "
                      f"{sum(t for t, _ in timed.values()) / 60:.1f} min in all; "
                  + ", ".join(f"{c} {t:.0f} s" + (f" ({w} worker(s))" if not said and w else "")
                              for c, (t, w) in timed.items()) + "."]
    (args.out / "conditions.md").write_text("\n".join(lines) + "\n")
    figure(rows, args.out / "conditions.png")
    print("\n".join(lines))
    if seconds:
        print(f"\nwall-clock: {sum(seconds.values()) / 60:.1f} min for {len(seconds)} condition(s): "
              + ", ".join(f"{k} {v:.0f} s" for k, v in seconds.items()))
    print(f"wrote {args.out / 'conditions.png'}, conditions.md, conditions.csv")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
