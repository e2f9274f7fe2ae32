"""``genhpo report DIR``: figures, tables and HPO-B results files from an experiment's run store.

Writes ``DIR/report/``:
    <benchmark>_<dataset>_regret_evals.png      mean regret +- 95% CI over full evaluations
    <benchmark>_<dataset>_regret_wallclock.png  the same over simulated wall-clock
    <benchmark>_<dataset>_rank.png              average rank over the seeds every optimizer completed
    summary.md / summary.csv                    mean +- sem regret at 10/25/50/100/200 evaluations (the
                                                sem empty in the CSV for one run: undefined, not 0),
                                                hits of the optimum, overhead and wall-clock per trial;
                                                with several objectives the regret is hypervolume regret
                                                and the CSV also has hypervolume_mean/_sem@n
    hpob/<optimizer>.json                       HPO-B results format {space: {dataset: {"test<seed>":
                                                [incumbent, ...]}}}, incumbents min-max normalised on
                                                the benchmark's table so that HPO-B's 1 - x is regret;
                                                value t = after 1 + t evaluations, on an HPO-B task
                                                after 5 + t (HPO-B's initial design), keyed by its
                                                search space and dataset ids (else benchmark, dataset)
    hpob_scores.csv / .png, a summary section  on an HPO-B task only: normalised regret and average
                                                rank over tasks as HPO-B reports them (hpob_report)
Only runs with the experiment's full budget recorded enter curves and tables; the others are listed.
"""

from __future__ import annotations

import csv
import json
import logging
import math
from pathlib import Path
from typing import Any

import numpy as np

from genhpo import benchmarks
from genhpo.report import hpob_results, objectives, plots
from genhpo.report.curves import (
    RunCurves,
    average_ranks,
    benchmark_info,
    hits,
    is_full,
    load_records,
    mean_ci,
    normalised_incumbents,
    plus_minus,
    run_curves,
)
from genhpo.report.whole import replaced_whole
from genhpo.runner.manifest import load_experiment
from genhpo.runner.store import write_json_atomic

log = logging.getLogger(__name__)

BUDGETS = (10, 25, 50, 100, 200)


def budgets_for(n: int) -> list[int]:
    """The report's budgets a run of ``n`` evaluations reaches, and ``n`` itself (the run's end) when it
    is not one of them: 20 evaluations -> [10, 20]; 7 -> [7]."""
    reached = [b for b in BUDGETS if b <= n]
    return reached if n in reached else reached + [n]


def build_report(root: Path, *, log_scale: bool = False, published: Path | None = None) -> Path:
    """Write ``root/report`` from ``root/runs`` and return its path. ``published``: a folder of HPO-B
    results files (HPO-B's ``results/*.json``: RS, GP, DGP, FSBO, ...), scored beside the experiment's
    optimizers on the (task, seed) pairs they share (:func:`hpob_results.load_published`)."""
    root = Path(root)
    experiment = load_experiment(root)
    records = load_records(root)
    extra = hpob_results.load_published(published) if published is not None else {}
    with replaced_whole(root / "report") as out:
        _write_report(root, experiment, records, out, log_scale, extra)
    return root / "report"


def _write_report(root: Path, experiment: Any, records: list, out: Path, log_scale: bool,
                  published: dict[str, Any] | None = None) -> None:
    order = list(experiment.optimizers)
    rows: list[dict[str, Any]] = []
    notes: list[str] = []
    hpob: dict[str, dict[str, Any]] = {}
    hpob_tasks: dict[str, list[str]] = {}  # {space: [dataset]} of the HPO-B tasks scored
    extra: dict[tuple[str, str], list[str]] = {}  # per task: sections on objectives, constraints, transfer
    units: dict[tuple[str, str], str] = {}  # per task: what its score (and so its regret) measures
    evaluations = experiment.trials  # per run; under HPO-B's official protocol the 5 initial rows too
    official = False
    for dataset in experiment.datasets:
        info = benchmark_info(root, experiment.benchmark, dataset)
        official = info.get("protocol") == "hpob"
        evaluations = experiment.trials + (hpob_results.N_INITIAL if official else 0)
        optimum, score_min = info["optimum"], info.get("score_min")
        unit = units[(experiment.benchmark, dataset)] = info.get("score_unit") or ""  # absent in older experiments
        if optimum is None:
            raise ValueError(f"{experiment.benchmark}/{dataset} has no known optimum: regret is undefined")
        task = hpob_results.hpob_task(info, experiment.benchmark, dataset)
        space, task_id = task or (experiment.benchmark, dataset)
        n_initial = hpob_results.N_INITIAL if task else 1
        if task:
            hpob_tasks.setdefault(space, []).append(task_id)
        curves: dict[str, list[RunCurves]] = {}
        run_trials: dict[str, list[tuple[int, list]]] = {}  # optimizer -> (seed, the run's counted trials)
        for record in records:
            key = record.key
            if key.benchmark != experiment.benchmark or key.dataset != dataset or key.optimizer not in order:
                continue
            notes.extend(f"corrupt line skipped: {p}" for p in record.problems)
            c = run_curves(record, optimum, evaluations, info.get("fidelity"), info)
            if c is None:
                status = record.meta.get("status", "unknown")
                error = f" ({record.meta['error']})" if record.meta.get("error") else ""
                notes.append(f"{key.label}: incomplete, status {status}{error}; left out")
                continue
            curves.setdefault(key.optimizer, []).append(c)
            full = [t for t in record.trials if is_full(t, info.get("fidelity"))][:evaluations]
            run_trials.setdefault(key.optimizer, []).append((key.seed, full))
            hpob.setdefault(key.optimizer, {}).setdefault(space, {}).setdefault(task_id, {})[
                f"test{key.seed}"] = normalised_incumbents(c, optimum, score_min, n_initial)
        curves = {name: sorted(curves[name], key=lambda c: c.key.seed) for name in order if name in curves}
        if not curves:
            notes.append(f"{experiment.benchmark}/{dataset}: no complete run yet")
            continue
        trials = {name: [t for _, t in sorted(run_trials[name], key=lambda p: p[0])] for name in curves}
        prefix = f"{experiment.benchmark}_{dataset}"
        names = [o.name for o in objectives.objectives_of(info)]
        several = len(names) > 1
        task = f"{experiment.benchmark} ({', '.join(names)})" if several else experiment.benchmark
        title = (f"{task} {dataset}: hypervolume regret (table's front {optimum:.4g})" if several
                 else f"{experiment.benchmark} {dataset} (optimum {optimum:.4g}" + (f"; regret in {unit})" if unit else ")"))
        plots.regret_over_evaluations(curves, order, title, out / f"{prefix}_regret_evals.png", log_scale)
        plots.regret_over_wallclock(curves, order, title, out / f"{prefix}_regret_wallclock.png", log_scale)
        common = set.intersection(*({c.key.seed for c in runs} for runs in curves.values()))
        if len(curves) > 1 and common:
            picked = {n: np.stack([c.regret for c in runs if c.key.seed in common]) for n, runs in curves.items()}
            plots.average_rank(average_ranks(picked), len(common), order,
                               f"{task} {dataset}: average rank by {'hypervolume ' if several else ''}regret",
                               out / f"{prefix}_rank.png")
        rows.extend(_rows(experiment.benchmark, dataset, curves, records, optimum if several else None))
        extra[(experiment.benchmark, dataset)] = _objective_sections(experiment, dataset, info, curves, trials, order,
                                                                     out, prefix, task)
    _write_csv(out / "summary.csv", rows)
    section: list[str] = []
    if hpob_tasks and evaluations <= hpob_results.N_INITIAL:
        notes.append(f"HPO-B scores need more than {hpob_results.N_INITIAL} trials per run (its initial design)")
    elif hpob_tasks and hpob:
        clash = sorted(set(published or {}) & set(hpob))
        if clash:
            raise ValueError(f"--published: {', '.join(clash)} is also an optimizer of this experiment; rename the file")
        try:
            section = hpob_results.write_scores({**hpob, **(published or {})}, hpob_tasks, experiment.seeds,
                                                [*order, *sorted(published or {})], out, log_scale,
                                                official=official, length=evaluations - hpob_results.N_INITIAL + 1)
        except ValueError as exc:  # e.g. no (task, seed) that every optimizer completed yet
            notes.append(f"HPO-B scores not computed: {exc}")
    (out / "summary.md").write_text(_markdown(rows, notes, evaluations, root, section, extra, units))
    for name, data in hpob.items():
        write_json_atomic(out / "hpob" / f"{name}.json", data)
    if hpob_tasks:  # what HPO-B's own BenchmarkPlotter reads beside the results files
        write_json_atomic(out / "hpob" / "meta-test-tasks-per-space.json", hpob_tasks)


def _rows(benchmark: str, dataset: str, curves: dict[str, list[RunCurves]], records: list,
          front: float | None = None) -> list[dict[str, Any]]:
    """summary.csv's rows, one per optimizer; ``front``: on a multi-objective task the hypervolume of the
    table's Pareto front (the optimum), which adds the dominated hypervolume (front - regret) beside the
    hypervolume regret."""
    rows = []
    elapsed = {r.key: r.meta.get("finished_at", math.nan) - r.meta.get("started_at", math.nan) for r in records}
    setup = {r.key: r.meta.get("setup_seconds", math.nan) for r in records}
    repeats = {r.key: repeated_evaluations(r.trials) for r in records}
    for name, runs in curves.items():
        regret = np.stack([c.regret for c in runs])
        n_hits, first = hits(runs)
        reached = [f for f in first if f is not None]
        overhead = np.concatenate([c.overhead for c in runs])
        cost = np.concatenate([c.cost for c in runs])
        row: dict[str, Any] = {"benchmark": benchmark, "dataset": dataset, "optimizer": name, "runs": len(runs)}
        for budget in budgets_for(regret.shape[1]):
            if budget <= regret.shape[1]:
                mean, _, sem = mean_ci(regret[:, budget - 1 : budget])
                row[f"regret_mean@{budget}"], row[f"regret_sem@{budget}"] = float(mean[0]), float(sem[0])
                if front is not None:
                    row[f"hypervolume_mean@{budget}"] = float(front - mean[0])
                    row[f"hypervolume_sem@{budget}"] = float(sem[0])
        row["hits"] = n_hits
        row["repeats_mean"] = float(np.mean([repeats.get(c.key, 0) for c in runs]))
        row["median_evals_to_optimum"] = float(np.median(reached)) if reached else None
        row["overhead_median_s"] = float(np.median(overhead))
        row["overhead_mean_s"] = float(np.mean(overhead))
        row["cost_mean_s"] = float(np.mean(cost))
        row["sim_wallclock_per_trial_s"] = float(np.mean(cost + overhead))
        row["setup_median_s"] = _median([setup.get(c.key, math.nan) for c in runs])
        row["run_time_median_s"] = _median([elapsed.get(c.key, math.nan) for c in runs])
        rows.append(row)
    return rows


def repeated_evaluations(trials: list) -> int:
    """How many trials evaluated a configuration already evaluated earlier in the run at the same fidelity."""
    seen = set()
    for trial in trials:
        seen.add((tuple(sorted((k, repr(v)) for k, v in trial.config.items())), trial.fidelity))
    return len(trials) - len(seen)


def _median(values: list[float]) -> float | None:
    finite = [v for v in values if v is not None and math.isfinite(v)]
    return float(np.median(finite)) if finite else None


def _write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    columns: list[str] = []
    for row in rows:
        columns.extend(k for k in row if k not in columns)
    with open(path, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        writer.writerows({k: "" if isinstance(v, float) and math.isnan(v) else v for k, v in row.items()}
                         for row in rows)


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    return f"{value:.{digits}g}" if isinstance(value, float) else str(value)


def _objective_sections(experiment: Any, dataset: str, info: dict[str, Any], curves: dict[str, list[RunCurves]],
                        trials: dict[str, list[list]], order: list[str], out: Path, prefix: str,
                        task: str) -> list[str]:
    """The sections of :mod:`genhpo.report.objectives` that apply to this task (and its Pareto figure,
    titled with ``task``: the benchmark and, with several objectives, their names)."""
    budgets = budgets_for(min(len(c.regret) for runs in curves.values() for c in runs))
    lines: list[str] = []
    names = [o.name for o in objectives.objectives_of(info)]
    if len(names) > 1:
        lines += objectives.hypervolume_section(info, curves, budgets)
        bench = benchmarks.make(experiment.benchmark, dataset, **experiment.options)
        front = bench.pareto_front() if hasattr(bench, "pareto_front") else None
        objectives.pareto_plot(info, trials, order, f"{task} {dataset}: Pareto fronts found",
                               out / f"{prefix}_pareto.png", front)
        left_out = (f"; {', '.join(names[2:])} left out of the figure, counted in the hypervolume"
                    if len(names) > 2 else "")
        lines += [(f"Pareto fronts in {names[0]} and {names[1]}: `{prefix}_pareto.png` (each optimizer's "
                   f"non-dominated results in these two objectives"
                   f"{', its seeds pooled' if any(len(runs) > 1 for runs in curves.values()) else ''}{left_out})."), ""]
        return lines
    if objectives.constraints_of(info):
        lines += objectives.constrained_section(info, curves, trials, budgets)
    if info.get("benchmark", "").startswith("nb201"):
        lines += objectives.carry_over_section(dataset, curves, trials, info)
    return lines


def _markdown(rows: list[dict[str, Any]], notes: list[str], n_trials: int, root: Path,
              section: list[str] | None = None, extra: dict[tuple[str, str], list[str]] | None = None,
              units: dict[tuple[str, str], str] | None = None) -> str:
    budgets = budgets_for(n_trials)
    lines = [f"# Comparison report: {root}", ""]
    for (benchmark, dataset) in dict.fromkeys((r["benchmark"], r["dataset"]) for r in rows):
        group = [r for r in rows if (r["benchmark"], r["dataset"]) == (benchmark, dataset)]
        several = any(line.startswith("Dominated hypervolume") for line in (extra or {}).get((benchmark, dataset), []))
        lines += [f"## {benchmark} / {dataset}", "",
                  ("Several objectives: the incumbent is the dominated hypervolume of the results so far and the "
                   "optimum the hypervolume of the table's Pareto front (see below). " if several else "")
                  + ("Regret (optimum - incumbent"
                     + (f", in {units[(benchmark, dataset)]}" if (units or {}).get((benchmark, dataset)) else "")
                     + "), mean ± sem over seeds (the mean alone for one run), after n full evaluations; "
                   f"hits = runs that found the optimum within {n_trials} evaluations; repeats = evaluations of a "
                   f"configuration already evaluated in the run (mean per run)."), "",
                  "| optimizer (mean ± sem) | runs | " + " | ".join(f"@{b}" for b in budgets)
                  + " | hits | median evals to optimum | repeats |",
                  "|---|---|" + "---|" * len(budgets) + "---|---|---|"]
        for r in group:
            cells = [plus_minus(_fmt(r[f"regret_mean@{b}"]), r[f"regret_sem@{b}"], _fmt(r[f"regret_sem@{b}"], 2))
                     for b in budgets]
            lines.append(f"| {r['optimizer']} | {r['runs']} | " + " | ".join(cells)
                         + f" | {r['hits']}/{r['runs']} | {_fmt(r['median_evals_to_optimum'])} | "
                         f"{_fmt(r['repeats_mean'])} |")
        lines += ["", ("Per trial: optimizer overhead (ask + tell, measured) and recorded benchmark cost; "
                       "simulated wall-clock = cost + overhead. Per run: optimizer setup (construction, e.g. loading "
                       "a model; not in the overhead) and measured run time of the last attempt."), "",
                  ("| optimizer | overhead median (s) | overhead mean (s) | cost mean (s) | sim. wall-clock/trial (s) "
                   "| setup median (s) | run time median (s) |"), "|---|---|---|---|---|---|---|"]
        for r in group:
            lines.append(f"| {r['optimizer']} | {_fmt(r['overhead_median_s'])} | {_fmt(r['overhead_mean_s'])} | "
                         f"{_fmt(r['cost_mean_s'], 4)} | {_fmt(r['sim_wallclock_per_trial_s'], 4)} | "
                         f"{_fmt(r['setup_median_s'])} | {_fmt(r['run_time_median_s'])} |")
        lines.append("")
        lines += (extra or {}).get((benchmark, dataset), [])
    lines += section or []
    if notes:
        lines += ["## Notes", ""] + [f"- {n}" for n in notes] + [""]
    return "\n".join(lines)


def summary_rows(root: Path) -> list[dict[str, str]]:
    """The rows of an existing report's summary.csv (for printing and tests)."""
    with open(Path(root) / "report" / "summary.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def read_hpob(root: Path, optimizer: str) -> dict[str, Any]:
    """An optimizer's HPO-B results file from an existing report."""
    return json.loads((Path(root) / "report" / "hpob" / f"{optimizer}.json").read_text())
