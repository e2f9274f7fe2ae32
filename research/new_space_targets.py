"""Issue 17's targets on the stored new-space results: genhpo's mean regret against the best of TPE and GP.

    python research/new_space_targets.py [docs/results/functions.json docs/results/hpobench-mlp.json ...]

Reads files in the format of ``research/store_experiment.py`` (``{task: {optimizer: {"regret": (seeds, N)}}}``;
by default the stored ``functions``, ``hpobench-mlp`` and ``hpolib-fcnet`` results) and prints, per task and
budget (10, 25, 50, 100), the ratio of genhpo's mean regret over seeds to the lower of Optuna's TPE and
GP's (``genhpo-cold`` stands for genhpo where a file has it instead). The target (issue 17): a ratio <= 1
on at least 80 % of the tasks at every budget, and never above 1.5. A ratio is 1 where both regrets are
0, and infinite where only the best's is.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np

STORED = Path(__file__).resolve().parents[1] / "docs" / "results"
DEFAULT = ("functions.json", "hpobench-mlp.json", "hpolib-fcnet.json")
BUDGETS = (10, 25, 50, 100)


def ratio(ours: float, best: float) -> float:
    """``ours / best`` with 0 / 0 = 1 and x / 0 = inf for x > 0 (regrets are >= 0)."""
    if best <= 0:
        return 1.0 if ours <= 0 else math.inf
    return ours / best


def ratios(data: dict, budgets: tuple[int, ...] = BUDGETS) -> dict[str, dict[int, float]]:
    """{task: {budget: genhpo's mean regret / min(TPE's, GP's)}} for the tasks that have all three."""
    out: dict[str, dict[int, float]] = {}
    for task, optimizers in data.items():
        ours = optimizers.get("genhpo") or optimizers.get("genhpo-cold")
        if ours is None or "tpe" not in optimizers or "gp" not in optimizers:
            continue
        mean = {name: np.asarray(entry["regret"], dtype=float).mean(axis=0)
                for name, entry in (("ours", ours), ("tpe", optimizers["tpe"]), ("gp", optimizers["gp"]))}
        out[task] = {b: ratio(float(mean["ours"][b - 1]), float(min(mean["tpe"][b - 1], mean["gp"][b - 1])))
                     for b in budgets if b <= len(mean["ours"])}
    return out


def summary(table: dict[str, dict[int, float]], budgets: tuple[int, ...] = BUDGETS) -> list[str]:
    """Markdown: the ratio table, then per budget the share of tasks at <= 1 and the largest ratio."""
    lines = ["| task | " + " | ".join(f"@{b}" for b in budgets) + " |", "|---|" + "---|" * len(budgets)]
    for task, row in table.items():
        lines.append(f"| {task} | " + " | ".join(f"{row[b]:.2f}" if b in row else "-" for b in budgets) + " |")
    share = []
    for b in budgets:
        values = [row[b] for row in table.values() if b in row]
        if values:
            share.append(f"@{b}: {sum(v <= 1 for v in values)}/{len(values)} tasks at <= 1, largest {max(values):.2f}")
    met = all(
        sum(row[b] <= 1 for row in table.values() if b in row) >= 0.8 * sum(b in row for row in table.values())
        for b in budgets) and all(v <= 1.5 for row in table.values() for v in row.values())
    return lines + ["", "; ".join(share), (f"target (<= 1 on 80 % of tasks at every budget, never above 1.5): "
                                           f"{'met' if met and table else 'missed'}")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, help="stored result files (default: functions, hpobench-mlp, hpolib-fcnet)")
    args = parser.parse_args(argv)
    files = args.files or [STORED / name for name in DEFAULT if (STORED / name).exists()]
    if not files:
        parser.error(f"no stored result file found in {STORED}")
    table: dict[str, dict[int, float]] = {}
    for path in files:
        if not path.exists():
            parser.error(f"no file {path}")
        table.update({f"{path.stem}/{task}": row for task, row in ratios(json.loads(path.read_text())).items()})
    print("\n".join(summary(table)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
