"""Store an experiment's regret curves for docs/results.md:
``python research/store_experiment.py DIR OUT.json [--trials N] [--update]``.

Reads the run store of a ``genhpo compare`` experiment (``genhpo.report.curves``) and writes
``{dataset: {optimizer: {"regret": (seeds, N) list, "overhead": mean seconds per trial, "settings": the
optimizer's settings as its first run recorded them (seed left out), "versions": the packages it ran
with}}}``, the format ``research/results_page.py`` renders (as ``research/bench_generative.py --json``
writes for NB201), so a stored curve says what produced it.
Runs with fewer than N full evaluations are left out (ValueError if a (dataset, optimizer) has none).
``--update``: OUT.json exists and keeps its other optimizers; the experiment's (dataset, optimizer)
curves replace its own, e.g. after re-running only genhpo with new settings (the baselines are
deterministic given the seed, so re-running them would give the same curves).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from genhpo.report.curves import benchmark_info, load_records, run_curves
from genhpo.runner.manifest import load_experiment


def store(root: Path, trials: int) -> dict:
    experiment = load_experiment(root)
    records = load_records(root)
    out: dict = {}
    for dataset in experiment.datasets:
        info = benchmark_info(root, experiment.benchmark, dataset)
        for name in experiment.optimizers:
            runs = [r for r in records if r.key.dataset == dataset and r.key.optimizer == name]
            curves = [run_curves(r, info["optimum"], trials, info.get("fidelity"), info) for r in runs]
            curves = sorted((c for c in curves if c is not None), key=lambda c: c.key.seed)
            if not curves:
                raise ValueError(f"{dataset}/{name}: no run with {trials} full evaluations in {root}")
            meta = next(r.meta for r in runs if r.key == curves[0].key)  # the first stored run's
            out.setdefault(dataset, {})[name] = {
                "regret": [[float(f"{v:.6g}") for v in c.regret] for c in curves],  # 6 significant digits
                "overhead": float(np.mean(np.concatenate([c.overhead for c in curves]))),
                "settings": {k: v for k, v in (meta.get("optimizer") or {}).items() if k != "seed"},
                "versions": meta.get("versions") or {},
            }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Store an experiment's regret curves for docs/results.md.")
    parser.add_argument("dir", type=Path, help="experiment directory written by `genhpo compare`")
    parser.add_argument("out", type=Path, help="the JSON file to write")
    parser.add_argument("--trials", type=int, default=100, help="evaluations per curve (default 100)")
    parser.add_argument("--update", action="store_true",
                        help="replace this experiment's curves in the existing OUT.json, keep the rest")
    args = parser.parse_args(argv)
    if args.trials < 1:
        parser.error(f"--trials must be >= 1, got {args.trials}")
    try:
        data = store(args.dir, args.trials)
    except ValueError as exc:  # e.g. no run that long, or not an experiment directory
        parser.error(str(exc))
    if args.update:
        if not args.out.exists():
            parser.error(f"--update: no file {args.out} to update")
        old = json.loads(args.out.read_text())
        for dataset, optimizers in data.items():
            old.setdefault(dataset, {}).update(optimizers)
        data = old
    args.out.write_text(json.dumps(data))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
