"""Research drives genhpo's own runner: an experiment is run by ``genhpo.runner.compare`` into a run
store, and regret comes from ``genhpo.report.curves``, the code behind ``genhpo report``.

``run(experiment, out)`` resumes a finished or interrupted experiment directory like ``genhpo compare``
does (finished runs of the same optimizer settings are skipped), so a grid can be stopped and
continued. Benchmarks outside the package (the selection tasks) are named ``"module:Class"``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np

from genhpo.report.curves import benchmark_info, load_records, run_curves
from genhpo.runner.compare import compare
from genhpo.runner.manifest import Experiment

ROOT = Path(__file__).resolve().parents[1]


def run(experiment: Experiment, out: str | Path, workers: int | None = None,
        progress: bool = False) -> dict[tuple[str, str], tuple[np.ndarray, float]]:
    """Run ``experiment`` into ``out``; ``{(dataset, optimizer): (regret (seeds, trials), mean overhead s)}``.

    Raises RuntimeError naming the failed runs (their tracebacks are in each run's meta.json)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    # the Dask workers import the selection tasks' module too
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    outcomes = compare(experiment, Path(out), n_workers=workers, force=True, progress=progress)
    failed = [f"{o.key.label}: {o.error}" for o in outcomes if o.status == "failed"]
    if failed:
        raise RuntimeError(f"{len(failed)} run(s) failed: " + "; ".join(failed[:5]))
    return regrets(experiment, out)


def regrets(experiment: Experiment, out: str | Path) -> dict[tuple[str, str], tuple[np.ndarray, float]]:
    """Regret curves of a finished experiment directory, seeds in order."""
    grouped: dict[tuple[str, str], list] = {}
    for record in load_records(Path(out)):
        key = record.key
        if key.dataset not in experiment.datasets or key.optimizer not in experiment.optimizers:
            continue
        info = benchmark_info(Path(out), key.benchmark, key.dataset)
        curves = run_curves(record, info["optimum"], experiment.trials, info.get("fidelity"), info)
        if curves is None:
            raise RuntimeError(f"{key.label} has fewer than {experiment.trials} full evaluations")
        grouped.setdefault((key.dataset, key.optimizer), []).append(curves)
    result = {}
    for name, curves in grouped.items():
        curves.sort(key=lambda c: c.key.seed)
        result[name] = (np.array([c.regret for c in curves]), float(np.mean(np.concatenate([c.overhead for c in curves]))))
    return result
