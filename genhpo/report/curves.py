"""Anytime curves from the run store's trial records (never from an optimizer's own logs).

Per run: the incumbent after each full-fidelity evaluation (a failed trial carries the previous
incumbent; before the first success there is none: NaN; on a constrained benchmark only feasible
results count; on a multi-objective one the incumbent is the dominated hypervolume of the results so
far), its regret (optimum - incumbent), and the
simulated wall-clock at which it was reached (the optimizer's measured setup time, e.g. loading or
training its model, plus the recorded benchmark cost and measured optimizer overhead of every trial
so far, low-fidelity ones included).
Across seeds: mean, 95% t-confidence interval, standard error, average rank (HPO-B: ranks of
regrets rounded to 1e-8, ties averaged, 1 = best).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

from genhpo.benchmarks import pareto
from genhpo.protocol import Constraint, Objective, Trial, feasible
from genhpo.runner.store import BENCHMARK_INFO, RunKey, iter_runs, read_json

log = logging.getLogger(__name__)


@dataclass
class RunRecord:
    """One run as the report sees it."""

    key: RunKey
    trials: list[Trial]
    meta: dict[str, Any]
    problems: list[str]


@dataclass
class RunCurves:
    """Anytime curves of one run over its first ``n`` full-fidelity evaluations."""

    key: RunKey
    incumbent: np.ndarray  # (n,) best score so far, NaN before the first success
    regret: np.ndarray  # (n,) optimum - incumbent
    clock: np.ndarray  # (n,) simulated wall-clock (s) when each full evaluation finished
    overhead: np.ndarray  # (n_all,) optimizer overhead per trial (s), every trial
    cost: np.ndarray  # (n_all,) benchmark cost per trial (s), every trial


def load_records(root: Path) -> list[RunRecord]:
    """Every run under ``root/runs``; unreadable lines are logged as file:line and skipped."""
    records = []
    for run in iter_runs(Path(root)):
        found = run.read_trials()
        for problem in found.problems:
            log.warning("skipping corrupt trial record %s", problem)
        try:
            meta = run.meta() or {}
        except ValueError as exc:
            log.warning("%s", exc)
            meta = {}
        records.append(RunRecord(run.key, found.trials, meta, found.problems))
    return records


def benchmark_info(root: Path, benchmark: str, dataset: str) -> dict[str, Any]:
    """The benchmark.json written when the experiment started (optimum, score range, space)."""
    path = Path(root) / "runs" / benchmark / dataset / BENCHMARK_INFO
    if not path.exists():
        raise ValueError(f"{path} is missing; re-run `genhpo compare` on this directory to restore it")
    return read_json(path)


def is_full(trial: Trial, fidelity: dict[str, Any] | None) -> bool:
    """A full-fidelity trial under ``fidelity`` (benchmark.json's range; None: every trial is full)."""
    return trial.fidelity is None or fidelity is None or trial.fidelity >= fidelity["upper"]


def run_curves(record: RunRecord, optimum: float, n: int, fidelity: dict[str, Any] | None = None,
               info: dict[str, Any] | None = None) -> RunCurves | None:
    """Curves over the first ``n`` full evaluations, or None if the run has fewer.

    ``info`` (the benchmark's benchmark.json) decides what the incumbent is: the best score by
    default; on a constrained benchmark the best *feasible* score (NaN before the first feasible
    result); on a multi-objective one the dominated hypervolume of the results so far
    (:func:`incumbent_of`)."""
    clock = float(record.meta.get("setup_seconds") or 0.0)
    full, clk = [], []
    for trial in record.trials:
        clock += trial.cost + trial.overhead
        if not is_full(trial, fidelity):
            continue
        full.append(trial)
        clk.append(clock)
        if len(full) == n:
            break
    if len(full) < n:
        return None
    incumbent = incumbent_of(full, info)
    trials = record.trials
    return RunCurves(
        key=record.key,
        incumbent=incumbent,
        regret=optimum - incumbent,
        clock=np.array(clk),
        overhead=np.array([t.overhead for t in trials]),
        cost=np.array([t.cost for t in trials]),
    )


def objectives_of(info: dict[str, Any] | None) -> list[Objective]:
    """The benchmark's objectives recorded in benchmark.json (one, the score, if none are)."""
    return [Objective(**o) for o in (info or {}).get("objectives") or [{"name": "score"}]]


def constraints_of(info: dict[str, Any] | None) -> list[Constraint]:
    """The benchmark's outcome constraints recorded in benchmark.json."""
    return [Constraint(**c) for c in (info or {}).get("constraints") or []]


def objective_matrix(trials: list[Trial], objectives: list[Objective]) -> np.ndarray:
    """(n, k) each trial's objectives, maximised form; NaN rows for failed trials."""
    return np.array([[o.maximised(t) for o in objectives] if t.status == "ok" else [math.nan] * len(objectives)
                     for t in trials], dtype=float).reshape(len(trials), len(objectives))


def incumbent_of(trials: list[Trial], info: dict[str, Any] | None = None) -> np.ndarray:
    """(n,) the incumbent after each of ``trials`` (see :func:`run_curves`)."""
    objectives, constraints = objectives_of(info), constraints_of(info)
    if len(objectives) > 1:
        volume = (info or {})["hypervolume"]
        Y = pareto.normalise(objective_matrix(trials, objectives), volume["lower"], volume["upper"])
        return pareto.hypervolume_curve(Y, np.zeros(len(objectives)))
    best, out = math.nan, []
    for trial in trials:
        if feasible(trial, constraints) and not best >= trial.score:  # also true while best is NaN
            best = trial.score
        out.append(best)
    return np.array(out, dtype=float)


def mean_ci(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """values: (seeds, T) -> mean, half-width of the 95% t-interval, standard error, each (T,).

    With one seed the spread is undefined: the half-width and the standard error are NaN (not 0, which
    would claim a certainty one run cannot give); tables then print the mean alone and plots no band."""
    n = values.shape[0]
    mean = np.mean(values, axis=0)
    if n < 2:
        undefined = np.full_like(mean, np.nan, dtype=float)
        return mean, undefined, undefined
    sem = np.std(values, axis=0, ddof=1) / math.sqrt(n)
    return mean, stats.t.ppf(0.975, n - 1) * sem, sem


def plus_minus(mean: str, spread: float, spread_text: str) -> str:
    """``mean ± spread_text``, or ``mean`` alone where the spread is undefined (NaN or None: one run)."""
    return mean if spread is None or not math.isfinite(spread) else f"{mean} ± {spread_text}"


def on_grid(curves: list[RunCurves], grid: np.ndarray) -> np.ndarray:
    """Regret of each run at each wall-clock time of ``grid``: (seeds, len(grid)), NaN before its first result."""
    out = np.full((len(curves), len(grid)), np.nan)
    for i, c in enumerate(curves):
        done = np.searchsorted(c.clock, grid, side="right")  # evaluations finished by each time
        has = done > 0
        out[i, has] = c.regret[done[has] - 1]
    return out


def average_ranks(regrets: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """regrets: optimizer -> (seeds, T) on common seeds -> optimizer -> (T,) mean rank (1 = best).

    As HPO-B's plotting code: regrets rounded to 8 decimals, ties get the average rank; a NaN
    regret (no successful evaluation yet) ranks last.
    """
    names = list(regrets)
    stacked = np.stack([np.round(regrets[n], 8) for n in names])  # (opt, seeds, T)
    stacked = np.where(np.isnan(stacked), np.inf, stacked)
    ranks = stats.rankdata(stacked, axis=0)  # rank across optimizers for each (seed, T)
    return {name: ranks[i].mean(axis=0) for i, name in enumerate(names)}


def hits(curves: list[RunCurves], tol: float = 1e-9) -> tuple[int, list[int | None]]:
    """How many runs reached the optimum, and after how many evaluations each did (None: never)."""
    first = []
    for c in curves:
        reached = np.flatnonzero(c.regret <= tol)
        first.append(int(reached[0]) + 1 if reached.size else None)
    return sum(f is not None for f in first), first


def normalised_incumbents(c: RunCurves, optimum: float, score_min: float | None,
                          n_initial: int = 1) -> list[float | None]:
    """HPO-B results values: (incumbent - min) / (optimum - min), so 1 - value is normalised regret.

    Counted as HPO-B counts: value 0 is the incumbent after the run's first ``n_initial`` full
    evaluations (its initial design), value t after ``n_initial + t`` (HPO-B: 5 initial rows, then t
    trials; the default 1 gives value t after t + 1 evaluations). Before the first successful
    evaluation there is no incumbent; HPO-B lists must be numbers, so it counts as the worst score
    (0). Without a known score range the raw incumbents are returned (None before the first success).
    """
    if not isinstance(n_initial, int) or n_initial < 1:
        raise ValueError(f"n_initial must be a positive int (evaluations in the initial design), got {n_initial!r}")
    incumbent = c.incumbent[n_initial - 1 :]
    if score_min is None or not optimum > score_min:
        return [float(x) if math.isfinite(x) else None for x in incumbent]
    norm = (incumbent - score_min) / (optimum - score_min)
    return [float(x) for x in np.nan_to_num(norm, nan=0.0)]
