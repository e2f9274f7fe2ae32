"""Report sections for several objectives, outcome constraints and NB201's transfer question.

- Several objectives: the dominated hypervolume after n evaluations (mean and 95 % t-interval over
  seeds; objectives normalised to [0, 1] over the table, reference point 0: each objective's worst
  value, see :mod:`genhpo.benchmarks.pareto`), and a figure of the Pareto fronts each optimizer found
  (the non-dominated set of all its seeds' results) beside the table's own front.
- Constraints: the feasible fraction of the evaluations and the best feasible score after n.
- NB201 (any of its benchmarks with one objective): the final incumbent of each run looked up on the
  other two datasets, its accuracy and rank among the 15,625 cells there (1 = best), beside the best
  cell of that dataset: does the architecture found on one dataset carry over to the others?
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from genhpo.benchmarks import pareto
from genhpo.protocol import Trial, feasible
from genhpo.report.curves import RunCurves, constraints_of, mean_ci, objective_matrix, objectives_of, plus_minus
from genhpo.report.plots import colour


def _fmt(value: float, digits: int = 3) -> str:
    return "-" if value is None or not math.isfinite(value) else f"{value:.{digits}g}"


def hypervolume_section(info: dict[str, Any], curves: dict[str, list[RunCurves]], budgets: list[int]) -> list[str]:
    """Markdown: hypervolume (optimum - regret) after each budget, mean ± 95 % CI half-width."""
    objectives = objectives_of(info)
    names = ", ".join(f"{o.name} ({o.direction}{', ' + o.unit if o.unit else ''})" for o in objectives)
    intro = (f"Dominated hypervolume of the results after n evaluations, mean ± 95 % CI half-width over seeds (the mean alone for one run) "
             f"(objectives: {names}; each normalised to [0, 1] over the table, reference point: each objective's "
             f"worst value in the table; the table's own Pareto front has {info['optimum']:.4f}).")
    lines = [intro, "",
             "| optimizer (mean ± 95 % CI) | runs | " + " | ".join(f"HV@{b}" for b in budgets) + " |",
             "|---|---|" + "---|" * len(budgets)]
    for name, runs in curves.items():
        volume = info["optimum"] - np.stack([c.regret for c in runs])
        cells = []
        for b in budgets:
            mean, half, _ = mean_ci(volume[:, b - 1 : b])
            cells.append(plus_minus(f"{mean[0]:.4f}", half[0], f"{half[0]:.4f}"))
        lines.append(f"| {name} | {len(runs)} | " + " | ".join(cells) + " |")
    return lines + [""]


def pareto_plot(info: dict[str, Any], trials: dict[str, list[list[Trial]]], order: list[str], title: str,
                path: Path, table_front: np.ndarray | None = None) -> None:
    """Pareto fronts in the first two objectives, raw units: each optimizer's non-dominated results
    over all its runs; ``table_front`` (m, k) maximised form, the table's own front, in grey."""
    objectives = objectives_of(info)[:2]
    sign = np.array([1.0 if o.direction == "max" else -1.0 for o in objectives])
    fig, ax = plt.subplots(figsize=(8, 5.5), dpi=110)
    if table_front is not None:
        front = table_front[:, :2]
        front = front[pareto.pareto_mask(front)]
        raw = front * sign
        raw = raw[np.argsort(raw[:, 0])]
        ax.plot(raw[:, 0], raw[:, 1], color="0.6", lw=1.0, marker=".", label="table's Pareto front")
    for name, runs in trials.items():
        Y = np.vstack([objective_matrix(run, objectives) for run in runs])
        Y = Y[np.isfinite(Y).all(axis=1)]
        if not len(Y):
            continue
        raw = Y[pareto.pareto_mask(Y)] * sign
        raw = raw[np.argsort(raw[:, 0])]
        ax.plot(raw[:, 0], raw[:, 1], color=colour(name, order), lw=1.6, marker="o", ms=3,
                label=f"{name} ({len(runs)} {'seed' if len(runs) == 1 else 'seeds pooled'})")
    for axis, o in zip(("x", "y"), objectives):
        getattr(ax, f"set_{axis}label")(f"{o.name} ({'higher' if o.direction == 'max' else 'lower'} is better"
                                        f"{', ' + o.unit if o.unit else ''})")
    ax.grid(True, alpha=0.3)
    ax.set_title(title)
    ax.legend(fontsize=8, frameon=False)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def constrained_section(info: dict[str, Any], curves: dict[str, list[RunCurves]],
                        trials: dict[str, list[list[Trial]]], budgets: list[int]) -> list[str]:
    """Markdown: feasible fraction of the evaluations, and the best feasible score after each budget."""
    constraints = constraints_of(info)
    stated = ", ".join(f"{c.name} <= {c.upper:.6g}{' ' + c.unit if c.unit else ''}" for c in constraints)
    intro = (f"Constrained: {stated}. Best feasible score after n evaluations (mean ± sem; '-' while a seed has "
             f"none: its regret is then undefined) and the feasible fraction of all evaluations (mean ± sem over "
             f"runs); the best feasible score of the table is {info['optimum']:.4f}.")
    lines = [intro, "",
             "| optimizer | runs | feasible fraction | " + " | ".join(f"best feasible@{b}" for b in budgets) + " |",
             "|---|---|---|" + "---|" * len(budgets)]
    for name, runs in curves.items():
        fractions = np.array([np.mean([feasible(t, constraints) for t in run]) for run in trials[name]])
        f_mean, _, f_sem = mean_ci(fractions[:, None])
        incumbent = np.stack([c.incumbent for c in runs])
        cells = []
        for b in budgets:
            column = incumbent[:, b - 1]
            if np.isnan(column).any():
                cells.append(f"- ({int(np.isnan(column).sum())} without)")
                continue
            mean, _, sem = mean_ci(column[:, None])
            cells.append(plus_minus(_fmt(mean[0], 4), sem[0], _fmt(sem[0], 2)))
        lines.append(f"| {name} | {len(runs)} | {plus_minus(f'{f_mean[0]:.3f}', f_sem[0], f'{f_sem[0]:.3f}')} | "
                     + " | ".join(cells) + " |")
    return lines + [""]


def carry_over_section(dataset: str, curves: dict[str, list[RunCurves]], trials: dict[str, list[list[Trial]]],
                       info: dict[str, Any]) -> list[str]:
    """Markdown: each optimizer's final incumbents (found on ``dataset``) on the other NB201 datasets."""
    from genhpo.benchmarks.nb201 import DATASETS, cell_index, mean_accuracies
    from genhpo.spaces import nb201

    others = [d for d in DATASETS if d != dataset]
    constraints = constraints_of(info)
    tables = {d: mean_accuracies(d) for d in others}
    ranks = {d: np.argsort(np.argsort(-tables[d], kind="stable"), kind="stable") + 1 for d in others}
    header = " | ".join(f"{d}: accuracy (best cell {tables[d].max():.2f}) | {d}: rank" for d in others)
    intro = (f"Transfer of the architecture found on {dataset}: each run's final incumbent (best "
             f"{'feasible ' if constraints else ''}result) looked up on the other datasets, accuracy in % and "
             f"rank among the {nb201.N_CELLS:,} cells (1 = best); mean (sd) over runs.")
    lines = [intro, "",
             f"| optimizer | runs | {header} |", "|---|---|" + "---|---|" * len(others)]
    for name, runs in trials.items():
        cells = []
        for run in runs:
            ok = [t for t in run if feasible(t, constraints)]
            if ok:
                best = max(ok, key=lambda t: t.score)
                cells.append(cell_index(nb201.config_to_ops(best.config)))
        if not cells:
            continue
        parts = []
        for d in others:
            acc, rank = tables[d][cells], ranks[d][cells]
            spread = lambda v: f" ({np.std(v, ddof=1):.3g})" if len(v) > 1 else ""
            parts.append(f"{np.mean(acc):.2f}{spread(acc)} | {np.mean(rank):.0f}{spread(rank)}")
        lines.append(f"| {name} | {len(cells)} | " + " | ".join(parts) + " |")
    return lines + [""]
