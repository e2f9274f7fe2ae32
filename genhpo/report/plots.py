"""Report figures (matplotlib, Agg backend): regret over evaluations and wall-clock, average rank.

Each optimizer keeps one colour across every figure; shaded bands are 95% t-intervals over seeds.
On a log regret axis (``log=True``) a symmetric-log scale is used, linear below 0.01, so that a
mean regret of exactly 0 (every seed found the optimum) stays visible instead of vanishing.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import LogFormatterSciNotation

from genhpo.report.curves import RunCurves, mean_ci, on_grid

_COLORS = plt.get_cmap("tab10").colors


def _finish(fig, ax, title: str, path: Path) -> None:
    """Title, legend outside the axes on the right, save to ``path`` and free the figure."""
    ax.set_title(title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9, frameon=False)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def log_time_axis(ax: plt.Axes) -> None:
    """A log x axis whose ticks between powers of ten are labelled while it spans under two decades
    (a fast benchmark's wall-clock often holds one power of ten, or none)."""
    ax.set_xscale("log")
    ax.xaxis.set_minor_formatter(LogFormatterSciNotation(labelOnlyBase=False, minor_thresholds=(2, 0.5)))


def colour(name: str, order: list[str]) -> tuple[float, float, float]:
    return _COLORS[order.index(name) % len(_COLORS)] if name in order else (0.3, 0.3, 0.3)


def _regret_axis(ax: plt.Axes, log: bool, means: list[np.ndarray]) -> None:
    """Label and scale the regret axis; on a linear axis the top follows the mean curves after the
    first 10% of the x range, so a wide early confidence band (few seeds) does not flatten the rest."""
    tails = [m[len(m) // 10 :] for m in means if len(m)]
    top = max((float(np.nanmax(t)) for t in tails if np.isfinite(t).any()), default=0.0)
    if log:
        ax.set_yscale("symlog", linthresh=0.01)
        ax.set_ylim(0, top * 3 if top > 0 else 1.0)
        ax.set_ylabel("regret (symlog; linear below 0.01)")
    else:
        ax.set_ylim(0, top * 1.25 if top > 0 else 1.0)
        ax.set_ylabel("regret (optimum - incumbent)")
    ax.grid(True, which="both", alpha=0.3)


def _label(name: str, n_runs: int) -> str:
    """Legend entry: the optimizer, its number of seeds and, with several, what its band is."""
    return f"{name} (1 seed)" if n_runs == 1 else f"{name} ({n_runs} seeds; band: 95 % CI of the mean)"


def regret_over_evaluations(curves: dict[str, list[RunCurves]], order: list[str], title: str, path: Path,
                            log: bool = False) -> None:
    """Mean regret (95% CI band) against the number of full evaluations."""
    fig, ax = plt.subplots(figsize=(10, 5), dpi=110)
    means = []
    for name, runs in curves.items():
        values = np.stack([c.regret for c in runs])
        mean, half, _ = mean_ci(values)
        means.append(mean)
        x = np.arange(1, values.shape[1] + 1)
        ax.step(x, mean, where="post", color=colour(name, order), lw=1.8, label=_label(name, len(runs)))
        ax.fill_between(x, np.maximum(mean - half, 0), mean + half, step="post", color=colour(name, order),
                        alpha=0.12, lw=0)
    ax.set_xlabel("full evaluations")
    _regret_axis(ax, log, means)
    _finish(fig, ax, title, path)


def regret_over_wallclock(curves: dict[str, list[RunCurves]], order: list[str], title: str, path: Path,
                          log: bool = False) -> None:
    """Mean regret against simulated wall-clock (benchmark cost + optimizer overhead), log time axis.

    Each optimizer's mean starts where all its seeds have at least one finished evaluation.
    """
    ends = [c.clock[-1] for runs in curves.values() for c in runs]
    starts = [c.clock[0] for runs in curves.values() for c in runs]
    grid = np.geomspace(max(min(starts), 1e-3), max(max(ends), 2e-3), 300)
    fig, ax = plt.subplots(figsize=(10, 5), dpi=110)
    means = []
    for name, runs in curves.items():
        values = on_grid(runs, grid)
        ok = ~np.isnan(values).any(axis=0)
        if not ok.any():
            continue
        mean, half, _ = mean_ci(values[:, ok])
        means.append(mean)
        ax.plot(grid[ok] / 3600, mean, color=colour(name, order), lw=1.8, label=_label(name, len(runs)))
        ax.fill_between(grid[ok] / 3600, np.maximum(mean - half, 0), mean + half, color=colour(name, order),
                        alpha=0.12, lw=0)
    log_time_axis(ax)
    ax.set_xlabel("simulated wall-clock (hours: recorded training cost + optimizer overhead)")
    _regret_axis(ax, log, means)
    _finish(fig, ax, title, path)


def average_rank(ranks: dict[str, np.ndarray], n_seeds: int, order: list[str], title: str, path: Path) -> None:
    """Average rank across optimizers (1 = best) against the number of full evaluations."""
    fig, ax = plt.subplots(figsize=(10, 5), dpi=110)
    for name, rank in ranks.items():
        ax.plot(np.arange(1, len(rank) + 1), rank, color=colour(name, order), lw=1.8, label=name)
    ax.set_xlabel("full evaluations")
    ax.set_ylabel(f"average rank over {n_seeds} common seeds (1 = best)")
    ax.set_ylim(0.9, max(len(ranks), 2) + 0.1)
    ax.grid(True, alpha=0.3)
    _finish(fig, ax, title, path)


def hpob_scores(regret: np.ndarray, rank: np.ndarray, methods: list[str], order: list[str], title: str,
                path: Path, log: bool = False) -> None:
    """HPO-B's two figures side by side: mean normalised regret and average rank, each (methods, T),
    against trials after the initial design (index t = after t trials)."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 4.8), dpi=110)
    x = np.arange(regret.shape[1])
    for m, name in enumerate(methods):
        left.plot(x, regret[m], color=colour(name, order), lw=1.8, label=name)
        right.plot(x, rank[m], color=colour(name, order), lw=1.8, label=name)
    if log:
        left.set_yscale("symlog", linthresh=0.01)
    left.set_ylabel("normalised regret" + (" (symlog; linear below 0.01)" if log else ""))
    right.set_ylabel("average rank (1 = best)")
    right.set_ylim(0.9, max(len(methods), 2) + 0.1)
    for ax in (left, right):
        ax.set_xlabel("trials after the initial design")
        ax.grid(True, which="both", alpha=0.3)
    fig.suptitle(title)
    right.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9, frameon=False)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
