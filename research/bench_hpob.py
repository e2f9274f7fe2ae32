"""Optimizers on the offline HPO-B-format meta-test tasks, through HPO-B's official pool protocol.

    python research/bench_hpob.py                                   # every optimizer available, 100 trials
    python research/bench_hpob.py --optimizers rs,re --trials 50 --out /tmp/hpob-results
    python research/bench_hpob.py --split validation --optimizers genhpo --genhpo-settings '{"local": 3}'

Builds (or reuses) the offline data in the cache (``genhpo data hpob-offline``), then for every
meta-test task and seed test0..test4 calls ``HPOBHandler.evaluate(method, space, dataset, seed,
n_trials)``: baselines run as :class:`AskTellMethod` around ``baselines.make_baseline`` (optimizer
seed k for seed "test<k>"); the generative optimizer (if ``genhpo.optimizer`` exists) answers
``observe_and_suggest`` itself in pool mode, with the checkpoint ``genhpo.presets.for_benchmark``
picks (``pretrained/hpob-offline-<space>``, trained on the meta-train split only); ``for_benchmark``
also sets its row translator, so it reads the task's rows in HPO-B's scaling and re-encodes them to
the ``SpaceEncoder`` encoding its checkpoint was trained on (``genhpo.benchmarks.hpob.task_rows``).
Prints HPO-B's normalised regret and average rank at 25/50/100 trials (``genhpo.benchmarks.hpob.scores``);
``--out`` also writes one HPO-B results file ``<optimizer>.json`` per optimizer (and
``genhpo.settings.json``: the settings genhpo ran with), and ``--load DIR`` scores such files
instead of running.

``--continuous`` runs HPO-B's continuous protocol (``evaluate_continuous``, the official stop) on the
tasks' XGBoost surrogates instead of the pool; the surrogates of the test and validation tasks are
trained into the offline root first if missing (10-25 s per task on 2 cores).

``--split validation`` runs the same protocol on the meta-validation tasks instead (for choosing
settings without looking at meta-test): :class:`SplitHandler`, with the initial designs of
:func:`genhpo.benchmarks.hpob.offline.initial_design` (the generator that wrote the meta-test ones).
``--genhpo-settings JSON`` overrides genhpo's suggestion settings (keys of
``genhpo.suggest.config.SuggestConfig``; unset ones come from the checkpoint card's ``optimizer`` entry).
``--genhpo-checkpoint PATH`` makes genhpo choose its checkpoint among PATH's instead of the shipped
ones (a ``.json``/``.pt`` pair, with or without suffix, or a folder of them, e.g. a ``genhpo train
--out`` folder), by the same rule (trained on this benchmark with the task in its holdout, same space
signature); a task none of them is for is a usage error, never a silent fallback. The results'
``genhpo.settings.json`` names the checkpoint file and its SHA-256.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from genhpo.baselines import BASELINES
from genhpo.benchmarks.hpob import SEEDS, HPOBHandler, offline
from genhpo.benchmarks.hpob.ask_tell_method import AskTellMethod
from genhpo.benchmarks.hpob.scores import hpob_scores
from genhpo.benchmarks.hpob.task_benchmark import OfflineHPOBBenchmark
from genhpo.runner.registry import make_optimizer

SPLITS = ("test", "validation")


class SplitHandler(HPOBHandler):
    """An :class:`HPOBHandler` that evaluates the tasks of another split of an offline root.

    ``evaluate`` runs the official protocol unchanged on the tasks of ``split`` (e.g. the
    meta-validation ones); their initial designs come from :func:`offline.initial_design`, never
    from the root's ``bo-initializations.json``, whose meaning (the meta-test seeds) stays as is.
    (For an offline root that file holds the same designs for every task, tested.)"""

    def __init__(self, root: str | Path, split: str) -> None:
        if split not in ("train", "validation", "test"):
            raise ValueError(f"unknown split {split!r}; accepted: train, validation, test")
        super().__init__(root, "v3")
        self.evaluation_split = split
        self._inits: dict | None = None

    @property
    def meta_test_data(self) -> dict:
        if self._eval is None:
            self._eval = self.split(self.evaluation_split)
        return self._eval

    @property
    def bo_initializations(self) -> dict:
        if self._inits is None:
            self._inits = {space: {d: offline.initial_design(space, d, len(task["X"])) for d, task in tasks.items()}
                           for space, tasks in self.meta_test_data.items()}
        return self._inits


def handler_for(root: Path, split: str) -> HPOBHandler:
    """The official v3-test handler for ``split="test"``, else a :class:`SplitHandler`."""
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; accepted: {', '.join(SPLITS)}")
    return HPOBHandler(root, "v3-test") if split == "test" else SplitHandler(root, split)


def genhpo_settings(text: str | None) -> dict:
    """``--genhpo-settings``: a JSON object whose keys are genhpo suggestion settings."""
    from genhpo.cli import json_object
    from genhpo.suggest.config import SuggestConfig

    settings = json_object(text, "--genhpo-settings")
    unknown = sorted(set(settings) - set(SuggestConfig.accepted()))
    if unknown:
        raise ValueError(f"unknown genhpo settings {unknown}; accepted: {', '.join(SuggestConfig.accepted())}")
    return settings


def checkpoint_cards(path: str | Path | None) -> list[dict] | None:
    """``--genhpo-checkpoint``: the cards of one checkpoint or of every checkpoint in a folder (files
    there that are not model cards are skipped); None -> None (the shipped checkpoints)."""
    if path is None:
        return None
    from genhpo.model.checkpoint import list_cards, read_card

    if not Path(path).is_dir():
        return [read_card(path)]  # ValueError naming the path and the shipped names
    cards = list_cards(path)
    if not cards:
        raise ValueError(f"--genhpo-checkpoint {path}: no model cards (<name>.json next to <name>.pt) in this folder")
    return cards


OPTIMIZERS = (*BASELINES, "genhpo")


def method_for(name: str, bench: OfflineHPOBBenchmark, seed: int, n_trials: int, settings: dict | None = None,
               cards: list[dict] | None = None):
    """An HPO-B method for one (task, seed) run; ``settings``: genhpo's suggestion settings; ``cards``:
    the checkpoints genhpo chooses from (:func:`checkpoint_cards`; None: the shipped ones)."""
    if name == "genhpo":
        optimizer = make_optimizer("genhpo", bench, seed, Path("."), n_trials=n_trials, cards=cards, **(settings or {}))
        if cards is not None and optimizer.card.get("_path") not in {c["_path"] for c in cards}:
            offered = ", ".join(f"{c['_path']} (holdout {c.get('holdout')})" for c in cards)
            raise ValueError(f"--genhpo-checkpoint: none of the checkpoints is for {bench.name} task "
                             f"{bench.dataset!r} (needs it in the card's holdout and the same space); offered: {offered}")
        if seed == 0:
            print(f"  genhpo on {bench.dataset}: checkpoint {optimizer.card.get('name', 'none (untrained)')}"
                  + (f" ({optimizer.card['_path']})" if "_path" in optimizer.card else ""))
        return optimizer
    # no output folder: SMAC then skips writing its runhistory after every trial
    return AskTellMethod(lambda space, s: make_optimizer(name, bench, s, Path("."), n_trials=n_trials,
                                                         output_directory=None), seed, codec=bench.codec)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--optimizers", default=",".join(OPTIMIZERS),
                        help="comma-separated (default: every baseline, and genhpo)")
    parser.add_argument("--trials", type=int, default=100, help="trials after the 5 initial rows")
    parser.add_argument("--seeds", type=int, default=5, help="first N of test0..test4")
    parser.add_argument("--split", default="test", choices=SPLITS,
                        help="tasks to run on: meta-test (default) or meta-validation (for choosing settings)")
    parser.add_argument("--genhpo-settings", default=None, metavar="JSON",
                        help="genhpo suggestion settings overriding the card's, e.g. '{\"local\": 3, \"temperature\": 0}'")
    parser.add_argument("--genhpo-checkpoint", default=None, metavar="PATH",
                        help="genhpo's checkpoint(s): a .json/.pt pair or a folder of them (default: the shipped ones)")
    parser.add_argument("--continuous", action="store_true",
                        help="continuous mode on the tasks' surrogates (default: pool mode)")
    parser.add_argument("--out", type=Path, default=None, help="folder for HPO-B results files")
    parser.add_argument("--load", type=Path, default=None,
                        help="score the results files <optimizer>.json in this folder instead of running")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    names = [n for n in args.optimizers.split(",") if n]
    unknown = [n for n in names if n not in OPTIMIZERS]
    if unknown:
        parser.error(f"unknown optimizers {unknown}; accepted: {', '.join(OPTIMIZERS)}")
    seeds = list(SEEDS[: args.seeds])
    try:
        settings = genhpo_settings(args.genhpo_settings)
        cards = checkpoint_cards(args.genhpo_checkpoint) if "genhpo" in names and args.load is None else None
    except ValueError as exc:
        parser.error(str(exc))

    root = offline.build(surrogates=args.continuous, surrogate_splits=SPLITS)
    handler = handler_for(root, args.split)
    tasks = {s: handler.get_datasets(s) for s in handler.get_search_spaces()}
    print(f"offline HPO-B root: {root}")
    print(f"meta-{args.split} tasks: {tasks}; seeds {seeds}; {args.trials} trials; "
          f"{'continuous' if args.continuous else 'pool'} mode")
    if settings:
        print(f"genhpo settings: {json.dumps(settings)}")
    benches = {d: OfflineHPOBBenchmark(d) for datasets in tasks.values() for d in datasets}
    results: dict[str, dict] = {}
    for name in names:
        if args.load is not None:
            path = args.load / f"{name}.json"
            if not path.is_file():
                parser.error(f"--load {args.load}: no results file {path.name} for optimizer {name!r} "
                             f"(choose the optimizers with --optimizers)")
            results[name] = json.loads(path.read_text())
            continue
        started = time.perf_counter()
        results[name], ran_with = {}, {}
        for space, datasets in tasks.items():
            for dataset in datasets:
                bench = benches[dataset]
                for k, seed in enumerate(seeds):
                    try:
                        method = method_for(name, bench, k, args.trials, settings, cards)
                    except ValueError as exc:
                        parser.error(str(exc))
                    if name == "genhpo" and k == 0:
                        ran_with[f"{space}/{dataset}"] = {**method.settings(), "seed": None,
                                                          "checkpoint_path": method.card.get("_path")}
                    evaluate = handler.evaluate_continuous if args.continuous else handler.evaluate
                    curve = evaluate(method, space, dataset, seed, args.trials)
                    results[name].setdefault(space, {}).setdefault(dataset, {})[seed] = curve
        elapsed = time.perf_counter() - started
        print(f"  {name:14s} {elapsed:7.1f} s")
        if args.out is not None:
            args.out.mkdir(parents=True, exist_ok=True)
            (args.out / f"{name}.json").write_text(json.dumps(results[name]))
            if ran_with:
                info = {"split": args.split, "mode": "continuous" if args.continuous else "pool", "trials": args.trials, "seeds": seeds, "overrides": settings,
                        "checkpoints": args.genhpo_checkpoint, "runs": ran_with}
                (args.out / f"{name}.settings.json").write_text(json.dumps(info, indent=1))

    scores = hpob_scores(results, tasks, seeds=seeds)
    marks = [t for t in (25, 50, 100) if t <= args.trials]
    print(f"\n{len(scores.pairs)} (task, seed) pairs; regret = 1 - normalised incumbent; rank 1 = best")
    print(scores.table(marks).to_string(float_format=lambda v: f"{v:.4f}"))
    for space in tasks:
        print(f"\n{space}:")
        print(scores.table(marks, space=space).to_string(float_format=lambda v: f"{v:.4f}"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
