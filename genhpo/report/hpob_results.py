"""HPO-B scores in ``genhpo report``: normalised regret and average rank over tasks, as HPO-B reports them.

An experiment is scored this way when its benchmark is an HPO-B task: ``benchmark.json`` records the
task's ``hpob_space`` (``hpob-offline``, or any benchmark with a ``search_space_id``). The input is
the report's own HPO-B results dicts ``{optimizer: {space: {dataset: {"test<k>": [incumbent, ...]}}}}``,
made by the one converter from trials.jsonl (``curves.normalised_incumbents``): y min-max normalised
over the task's whole table, value t = the incumbent after the run's first 5 evaluations (HPO-B's
initial design) plus t trials. In ``genhpo compare`` every optimizer picks its first 5 evaluations
itself (HPO-B's protocol takes them from ``bo-initializations.json``) and run seed k is reported as
HPO-B seed "test<k>". Regret and ranks come from :func:`genhpo.benchmarks.hpob.scores.hpob_scores`.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from genhpo.benchmarks.hpob.files import N_INITIAL
from genhpo.benchmarks.hpob.scores import Scores, hpob_scores
from genhpo.report import plots

#: HPO-B's reporting budgets (trials after the initial design); the last available one is added.
BUDGETS = (25, 50, 100)


def hpob_task(info: Mapping[str, Any], benchmark: str, dataset: str) -> tuple[str, str] | None:
    """(search space id, dataset id) of an HPO-B task from its benchmark.json, else None."""
    space = info.get("hpob_space")
    if space is None and benchmark == "hpob-offline":  # benchmark.json written before the ids were recorded
        from genhpo.benchmarks.hpob.offline_spaces import space_of_dataset

        space = space_of_dataset(dataset).space_id
    if space is None:
        return None
    return str(space), str(info.get("hpob_dataset") or dataset)


def budgets(n_iters: int) -> list[int]:
    """Trial counts to tabulate for curves of ``n_iters`` values (index 0..n_iters-1)."""
    last = n_iters - 1
    chosen = [t for t in BUDGETS if t <= last]
    return chosen if last in chosen else [*chosen, last]


def score_experiment(results: Mapping[str, Any], tasks: Mapping[str, Sequence[str]], n_seeds: int,
                     order: Sequence[str], length: int = 101) -> Scores:
    """HPO-B scores of the optimizers in ``results`` (report order) on ``tasks`` ({space: [dataset]}),
    curves cut to their first ``length`` values (published ones run to 101)."""
    methods = {name: results[name] for name in order if name in results}
    return hpob_scores(methods, tasks, seeds=[f"test{k}" for k in range(n_seeds)], max_bo_iters=length)


def load_published(folder: str | Path) -> dict[str, Any]:
    """HPO-B results files ``<method>.json`` (``{space: {dataset: {seed: [incumbent, ...]}}}``, as in HPO-B's
    ``results/`` folder) by method name. ValueError for a folder without such files or a malformed one."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(f"--published {folder}: no such folder (HPO-B's results/ folder holds RS.json, GP.json, ...)")
    out: dict[str, Any] = {}
    for path in sorted(folder.glob("*.json")):
        if path.name == "meta-test-tasks-per-space.json":
            continue
        try:
            data = json.loads(path.read_text())
            ok = isinstance(data, dict) and all(
                isinstance(tasks, dict) and all(isinstance(seeds, dict) and all(
                    isinstance(curve, list) and all(isinstance(v, (int, float)) for v in curve)
                    for curve in seeds.values()) for seeds in tasks.values()) for tasks in data.values())
        except (OSError, json.JSONDecodeError) as exc:
            raise ValueError(f"--published: {path} is not readable JSON ({exc})") from None
        if not ok:
            raise ValueError(f"--published: {path} is not an HPO-B results file {{space: {{dataset: {{seed: [values]}}}}}}")
        out[path.stem] = data
    if not out:
        raise ValueError(f"--published {folder}: no HPO-B results file (*.json) in it")
    return out


def task_rows(scores: Scores, at: Sequence[int]) -> list[dict[str, Any]]:
    """CSV rows: scope "all" (HPO-B's table) and one per task (mean over that task's seeds)."""
    scopes: dict[str, list[int]] = {"all": list(range(len(scores.pairs)))}
    for i, (space, dataset, _) in enumerate(scores.pairs):
        scopes.setdefault(f"{space}/{dataset}", []).append(i)
    rows = []
    for scope, picked in scopes.items():
        regret = np.nanmean(scores.regret[picked], axis=0)  # (methods, iters)
        rank = np.nanmean(scores.rank[picked], axis=0)
        for m, name in enumerate(scores.methods):
            row: dict[str, Any] = {"scope": scope, "optimizer": name, "pairs": len(picked)}
            row.update({f"regret@{t}": float(regret[m, t]) for t in at})
            row.update({f"rank@{t}": float(rank[m, t]) for t in at})
            rows.append(row)
    return rows


def write_scores(results: Mapping[str, Any], tasks: Mapping[str, Sequence[str]], n_seeds: int,
                 order: Sequence[str], out: Path, log_scale: bool = False, official: bool = False,
                 length: int = 101) -> list[str]:
    """Write ``out/hpob_scores.csv`` and ``out/hpob_scores.png``; return the summary.md section.
    ``official``: the runs followed HPO-B's protocol (initial rows from bo-initializations.json)."""
    scores = score_experiment(results, tasks, n_seeds, order, length)
    at = budgets(scores.regret.shape[2])
    rows = task_rows(scores, at)
    with open(out / "hpob_scores.csv", "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    n_tasks = len({p[:2] for p in scores.pairs})
    plots.hpob_scores(scores.mean_regret(), scores.mean_rank(), list(scores.methods), list(order),
                      f"HPO-B scores over {n_tasks} task(s), {len(scores.pairs)} (task, seed) pairs",
                      out / "hpob_scores.png", log_scale)
    head = "| " + " | ".join(f"regret@{t}" for t in at) + " | " + " | ".join(f"rank@{t}" for t in at) + " |"
    rule = "|---" * (2 * len(at)) + "|"
    lines = ["## HPO-B scores", "",
             (f"As HPO-B's plotting code (genhpo.benchmarks.hpob.scores): normalised regret (1 - incumbent, y "
              f"min-max normalised over the task's whole table) and average rank (1 = best), mean over "
              f"{len(scores.pairs)} (task, seed) pairs that every optimizer completed; @t = after the run's first "
              f"{N_INITIAL} evaluations (HPO-B's initial design, "
              f"{'the seed' + chr(39) + 's rows of bo-initializations.json' if official else 'here chosen by each optimizer'})"
              " + t trials. "
              "Files: hpob_scores.csv (also per task), hpob_scores.png, hpob/<optimizer>.json."), "",
             "| optimizer " + head, "|---" + rule]
    for row in rows:
        if row["scope"] == "all":
            cells = [f"{row[f'regret@{t}']:.4f}" for t in at] + [f"{row[f'rank@{t}']:.2f}" for t in at]
            lines.append(f"| {row['optimizer']} | " + " | ".join(cells) + " |")
    lines += ["", "Per task (mean over its seeds):", "", "| task | optimizer " + head, "|---|---" + rule]
    for row in rows:
        if row["scope"] != "all":
            cells = [f"{row[f'regret@{t}']:.4f}" for t in at] + [f"{row[f'rank@{t}']:.2f}" for t in at]
            lines.append(f"| {row['scope']} | {row['optimizer']} | " + " | ".join(cells) + " |")
    return [*lines, ""]


def read_scores(root: Path) -> list[dict[str, str]]:
    """The rows of an existing report's hpob_scores.csv."""
    with open(Path(root) / "report" / "hpob_scores.csv", newline="") as fh:
        return list(csv.DictReader(fh))
