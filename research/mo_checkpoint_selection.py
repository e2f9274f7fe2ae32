"""Does a multi-objective transfer checkpoint serve ``nb201-mo`` better than the cold-start model?
``python research/mo_checkpoint_selection.py [--seeds 10] [--trials 50] [--out DIR] [--variants JSON]
[--objectives a,b] [--holdout D,...]`` (docs/decisions/018, 022).

Nested, so the choice for held-out dataset D never reads D's tables: for each ordered pair (A, B) of
the other two datasets, a checkpoint is trained by the ``nb201-mo-holdout-D`` recipe on A's tables
alone (same settings: 1,000 steps, seed 0) and run on ``nb201-mo`` of B, beside the cold-start model
(``nb201-cold``, the current choice) on B. Prints, per D, the mean hypervolume regret at 10 / 25 / 50
± its standard error over (pair, seed), and the rule's choice: the model with the lowest mean over the
three budgets. ``--variants``: a JSON list of suggestion-setting overrides both models are run with
(default ``[{}]``: their cards' settings only). With ``--out``, inner checkpoints already
trained there are reused (the same seed gives the same weights).

``--objectives`` (two of accuracy, latency, model_size; default all three): the runs are on those
objectives, the transfer checkpoint is trained on exactly them (the ``nb201-mo-<a>-<b>-holdout-D``
recipe), and a third model joins: ``three-objective``, the three-objective recipe trained on A alone
(what served such runs before decision 022).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from genhpo import loop, presets
from genhpo.benchmarks.nb201 import OBJECTIVES, NB201MultiObjective
from genhpo.benchmarks.pareto import hypervolume
from genhpo.metatrain.recipes import NB201_DATASETS, OPTIMIZER_SETTINGS, TRAIN_SETTINGS, nb201_mo_holdout_recipe
from genhpo.metatrain.train import TrainConfig, train
from genhpo.model.checkpoint import save_checkpoint
from genhpo.model.network import ModelConfig

BUDGETS = (10, 25, 50)


def hv_regret(bench: NB201MultiObjective, checkpoint: str, seed: int, trials: int, **overrides: Any) -> np.ndarray:
    """(len(BUDGETS),) the table front's hypervolume minus the run's after each budget."""
    optimizer = presets.for_benchmark(bench, seed, checkpoint=checkpoint, **overrides)
    runs = loop.run(optimizer, bench, trials, seed=seed)
    Y = bench.normalised(np.array([[o.maximised(t) for o in bench.objectives] for t in runs]))
    zero = np.zeros(len(bench.objectives))
    return np.array([bench.optimum - hypervolume(Y[:n], zero) for n in BUDGETS])


def inner_checkpoint(holdout: str, source: str, folder: Path, objectives: tuple[str, ...] = tuple(OBJECTIVES)) -> str:
    """Train the nb201-mo recipe of ``objectives`` holding out ``holdout`` on ``source``'s tables alone;
    the checkpoint's path."""
    pair = "" if len(objectives) == len(OBJECTIVES) else "-".join(["", *objectives])
    name = f"nb201-mo{pair}-holdout-{holdout}"
    out = folder / f"{name}-on-{source}"
    if out.with_suffix(".pt").exists() and out.with_suffix(".json").exists():
        return str(out)
    three = f"nb201-mo-holdout-{holdout}"  # every pair recipe has the three-objective recipe's settings
    config = TrainConfig.from_dict(TRAIN_SETTINGS[three])
    recipe = nb201_mo_holdout_recipe(holdout, config.seed, sources=[source], objectives=objectives)
    result = train(recipe.layout, recipe.source, recipe.val_tasks, ModelConfig(), config, progress=False)
    save_checkpoint(result.model, out, {"recipe": name, "kind": "transfer", "benchmark": "selection", "holdout": [],
                                        "data": recipe.data, "optimizer": OPTIMIZER_SETTINGS[three]})
    return str(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--trials", type=int, default=50)
    parser.add_argument("--out", type=Path, help="keep the inner checkpoints here (default: a temporary folder)")
    parser.add_argument("--variants", default="[{}]", help="JSON list of setting overrides both models run with")
    parser.add_argument("--objectives", default=",".join(OBJECTIVES), help="two or three of " + ", ".join(OBJECTIVES))
    parser.add_argument("--holdout", default=",".join(NB201_DATASETS),
                        help="the held-out datasets to run, comma-separated (default all: " + ", ".join(NB201_DATASETS) + ")")
    args = parser.parse_args(argv)
    holdouts = args.holdout.split(",")
    if not holdouts or any(d not in NB201_DATASETS for d in holdouts):
        parser.error(f"--holdout must name datasets of {', '.join(NB201_DATASETS)}, got {args.holdout!r}")
    objectives = tuple(o for o in OBJECTIVES if o in args.objectives.split(","))
    if len(objectives) < 2 or len(objectives) != len(args.objectives.split(",")):
        parser.error(f"--objectives must name two or three distinct objectives of {', '.join(OBJECTIVES)}")
    kinds = ("transfer", "cold") if len(objectives) == len(OBJECTIVES) else ("transfer", "three-objective", "cold")
    try:
        variants = json.loads(args.variants)
    except json.JSONDecodeError as exc:
        parser.error(f"--variants is not JSON: {exc}")
    if not isinstance(variants, list) or not variants or not all(isinstance(v, dict) for v in variants):
        parser.error("--variants must be a non-empty JSON list of objects, e.g. '[{}, {\"gp\": 10}]'")
    models = [(model + (f" {json.dumps(v, sort_keys=True)}" if v else ""), model, v)
              for model in kinds for v in variants]
    if args.seeds < 1 or args.trials < max(BUDGETS):
        parser.error(f"--seeds must be >= 1 and --trials >= {max(BUDGETS)}")
    folder = args.out or Path(tempfile.mkdtemp(prefix="genhpo-mo-selection-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"| held out | model | {' | '.join(f'HV regret@{n}' for n in BUDGETS)} | mean | choice |")
    print("|---|---|" + "---|" * (len(BUDGETS) + 2))
    for holdout in holdouts:
        others = [d for d in NB201_DATASETS if d != holdout]
        rows: dict[str, list[np.ndarray]] = {label: [] for label, _, _ in models}
        for source, target in (others, others[::-1]):
            checkpoints = {"transfer": inner_checkpoint(holdout, source, folder, objectives), "cold": "nb201-cold",
                           "three-objective": inner_checkpoint(holdout, source, folder)}
            bench = NB201MultiObjective(target, objectives)
            for seed in range(args.seeds):
                for label, model, overrides in models:
                    rows[label].append(hv_regret(bench, checkpoints[model], seed, args.trials, **overrides))
        means = {model: float(np.mean(r)) for model, r in rows.items()}
        choice = min(means, key=means.get)
        for model, r in rows.items():
            r = np.array(r)
            cells = [f"{m:.4f} ± {s:.4f}" for m, s in zip(r.mean(0), r.std(0, ddof=1) / np.sqrt(len(r)), strict=True)]
            print(f"| {holdout} | {model} | {' | '.join(cells)} | {means[model]:.4f} | {'**chosen**' if model == choice else ''} |",
                  flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
