"""Leave-one-dataset-out over the 12 offline HPO-B datasets, with genhpo's own commands.

    python research/hpob_lodo.py                        # everything not done yet, then the tables
    python research/hpob_lodo.py --modes pool --datasets car,kc1
    python research/hpob_lodo.py --tables-only          # score the stored results
    python research/hpob_lodo.py --optimizers genhpo --rerun   # only genhpo again (new settings), others kept

For each dataset D of the offline meta-dataset (8 HPOBench-MLP, 4 HPOLib-FCNet) and each mode:

1. ``genhpo data hpob-offline --holdout D --surrogates``: a root whose only meta-test task is D
   (``offline.splits``: one meta-validation dataset per space, the rest meta-train);
2. ``genhpo train hpob --root ROOT --search-space S --threads 1``: genhpo's checkpoint for D's space,
   trained on the meta-train tables only, kept in ``OUT/checkpoints/D/`` (deterministic with one
   thread, so the stored files are what the command writes);
3. ``genhpo compare --benchmark hpob --root ROOT --search-space S [--continuous] --seeds 5
   --trials 100 --genhpo-checkpoints OUT/checkpoints/D``: HPO-B's protocol (seeds test0..test4, the
   5 initial rows of ``bo-initializations.json``, 100 trials after them) for every optimizer;
4. ``genhpo report`` on it; its HPO-B results files (``report/hpob/<optimizer>.json``) are copied to
   ``OUT/<mode>/D/``.

A (dataset, mode) whose results are in ``OUT`` is skipped, so the command resumes across sessions.
``--optimizers`` runs only those (the others' stored files are kept); ``--rerun`` runs them again even
where their results are stored (after a settings change: their checkpoints' cards are refreshed from
the ``hpob`` recipe's optimizer settings first; the weights are kept), and replaces only their files.
The tables: HPO-B's normalised regret and average rank at 25/50/100 over the 12 tasks x 5 seeds
(``genhpo.benchmarks.hpob.scores``), and each method's rank as mean +- standard error over the 12
tasks (a task's rank = the mean over its 5 seeds), so the margin between methods has an uncertainty.
Experiments (run stores) go to ``--work`` (default: beside the offline roots in genhpo's cache), one per
(dataset, mode), and one per (dataset, mode, optimizers) for a run of some optimizers only.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import time
from pathlib import Path

import numpy as np

from genhpo.benchmarks.hpob import offline
from genhpo.benchmarks.hpob.offline_spaces import SPACES, space_of_dataset
from genhpo.benchmarks.hpob.scores import hpob_scores

OPTIMIZERS = ("genhpo", "transfer-topk", "tpe", "gp", "smac", "dehb", "re", "rs")
MODES = ("pool", "continuous")
DATASETS = tuple(d for space in SPACES.values() for d in space.datasets)
TRIALS = (25, 50, 100)
OUT = Path(__file__).resolve().parents[1] / "docs" / "results" / "hpob-lodo"


def _run(cmd: list[str]) -> None:
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True)


def checkpoint(dataset: str, root: Path, out: Path) -> Path:
    """Train (once) the checkpoint of ``dataset``'s space on ``root``'s meta-train split."""
    space = space_of_dataset(dataset).space_id
    folder = out / "checkpoints" / dataset
    if not (folder / f"hpob-{space}.pt").exists():
        tmp = folder.with_name(folder.name + ".partial")
        shutil.rmtree(tmp, ignore_errors=True)
        _run(["genhpo", "train", "hpob", "--root", str(root), "--search-space", space, "--threads", "1",
              "--quiet", "--out", str(tmp)])
        shutil.rmtree(folder, ignore_errors=True)
        tmp.rename(folder)
    return folder


def refresh_cards(folder: Path) -> None:
    """Set the suggestion settings of every card in ``folder`` to the ``hpob`` recipe's current ones."""
    from genhpo.metatrain.recipes import OPTIMIZER_SETTINGS

    for card_path in folder.glob("*.json"):
        card = json.loads(card_path.read_text())
        if card.get("optimizer") != OPTIMIZER_SETTINGS["hpob"]:
            card["optimizer"] = dict(OPTIMIZER_SETTINGS["hpob"])
            card_path.write_text(json.dumps(card, indent=2) + "\n")


def run(dataset: str, mode: str, out: Path, work: Path, workers: int, optimizers: tuple[str, ...] = OPTIMIZERS,
        rerun: bool = False) -> None:
    """One (held-out dataset, mode): build, train, compare, report; results copied to ``out``."""
    target = out / mode / dataset
    if target.exists() and not (rerun or any(not (target / f"{n}.json").exists() for n in optimizers)):
        print(f"{dataset} {mode}: done ({target})", flush=True)
        return
    start = time.perf_counter()
    root = offline.build(holdout=dataset, surrogates=mode == "continuous")
    folder = checkpoint(dataset, root, out)
    if rerun:
        refresh_cards(folder)
    space = space_of_dataset(dataset).space_id
    # a subset of the optimizers (a rerun) gets its own experiment: an experiment's optimizers are fixed
    subset = "" if set(optimizers) == set(OPTIMIZERS) else "-" + "-".join(sorted(optimizers))
    experiment = work / f"{dataset}-{mode}{subset}"
    cmd = ["genhpo", "compare", "--benchmark", "hpob", "--root", str(root), "--search-space", space,
           "--optimizers", ",".join(optimizers), "--seeds", "5", "--trials", "100",
           *(["--genhpo-checkpoints", str(folder)] if "genhpo" in optimizers else []),
           "--out", str(experiment), "--workers", str(workers), "--quiet"]
    _run(cmd + (["--continuous"] if mode == "continuous" else []))
    _run(["genhpo", "report", str(experiment)])
    tmp = target.with_name(target.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    if target.exists():
        shutil.copytree(target, tmp)
    tmp.mkdir(parents=True, exist_ok=True)
    for name in optimizers:
        shutil.copy(experiment / "report" / "hpob" / f"{name}.json", tmp / f"{name}.json")
    shutil.rmtree(target, ignore_errors=True)
    tmp.rename(target)
    print(f"{dataset} {mode}: {time.perf_counter() - start:.0f} s", flush=True)


def load(out: Path, mode: str) -> tuple[dict, dict]:
    """Merge the stored per-dataset results of ``mode``: ({method: results}, {space: [dataset]})."""
    results: dict[str, dict] = {}
    tasks: dict[str, list[str]] = {}
    for folder in sorted((out / mode).glob("*")):
        if not folder.is_dir() or folder.name.endswith(".partial"):
            continue
        space = space_of_dataset(folder.name).space_id
        tasks.setdefault(space, []).append(folder.name)
        for name in OPTIMIZERS:
            part = json.loads((folder / f"{name}.json").read_text())
            for sid, by_dataset in part.items():
                results.setdefault(name, {}).setdefault(sid, {}).update(by_dataset)
    return results, tasks


def tables(out: Path, mode: str) -> str:
    results, tasks = load(out, mode)
    if not tasks:
        return f"## {mode}\n\nno results yet\n"
    scores = hpob_scores(results, tasks)
    n_tasks = sum(len(v) for v in tasks.values())
    lines = [(f"## {mode} mode: {n_tasks} held-out tasks x 5 seeds "
              f"({', '.join(f'{s}: {len(d)}' for s, d in tasks.items())})"), "",
             ("HPO-B's normalised regret and average rank (1 = best) over the (task, seed) pairs; "
              "rank ± standard error over the tasks (a task's rank: the mean over its seeds)."), "",
             "| optimizer | " + " | ".join(f"regret@{t}" for t in TRIALS) + " | "
             + " | ".join(f"rank@{t}" for t in TRIALS) + " |",
             "|---|" + "---|" * (2 * len(TRIALS))]
    regret = scores.mean_regret()
    task_keys = sorted({(p[0], p[1]) for p in scores.pairs})
    per_task = np.array([scores.rank[[i for i, p in enumerate(scores.pairs) if (p[0], p[1]) == key]].mean(axis=0)
                         for key in task_keys])  # (n_tasks, n_methods, n_iters)
    mean = per_task.mean(axis=0)
    se = per_task.std(axis=0, ddof=1) / np.sqrt(len(task_keys)) if len(task_keys) > 1 else None
    order = np.argsort(mean[:, TRIALS[-1]])
    for m in order:
        cells = [f"{regret[m, t]:.4f}" for t in TRIALS] + [
            f"{mean[m, t]:.2f}" + (f" ± {se[m, t]:.2f}" if se is not None else "") for t in TRIALS]
        lines.append(f"| {scores.methods[m]} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default=",".join(DATASETS), help="comma-separated held-out datasets")
    parser.add_argument("--modes", default=",".join(MODES), help="comma-separated: pool, continuous (default: both)")
    parser.add_argument("--out", type=Path, default=OUT, help="results and checkpoints (default: %(default)s)")
    parser.add_argument("--work", type=Path, default=None, help="experiment directories")
    parser.add_argument("--workers", type=int, default=2, help="Dask workers of each compare")
    parser.add_argument("--tables-only", action="store_true", help="only print the tables of stored results")
    parser.add_argument("--optimizers", default=",".join(OPTIMIZERS), help="comma-separated: the ones to run")
    parser.add_argument("--rerun", action="store_true",
                        help="run --optimizers again where results are stored (cards refreshed to the recipe's settings)")
    args = parser.parse_args(argv)
    datasets = [d for d in args.datasets.split(",") if d]
    modes = [m for m in args.modes.split(",") if m]
    optimizers = tuple(n for n in args.optimizers.split(",") if n)
    bad = ([d for d in datasets if d not in DATASETS] + [m for m in modes if m not in MODES]
           + [n for n in optimizers if n not in OPTIMIZERS])
    if bad:
        parser.error(f"unknown {bad}; datasets: {', '.join(DATASETS)}; modes: {', '.join(MODES)}; "
                     f"optimizers: {', '.join(OPTIMIZERS)}")
    work = args.work or offline.cache_dir() / "lodo-experiments"
    if not args.tables_only:
        for mode in modes:
            for dataset in datasets:
                run(dataset, mode, args.out, work, args.workers, optimizers, args.rerun)
    for mode in modes:
        print(tables(args.out, mode))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
