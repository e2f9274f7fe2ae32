"""The comparison runner: every (optimizer, benchmark, dataset, seed) run is one Dask task.

By default a ``distributed.LocalCluster`` sized to the machine (one single-threaded worker process
per core); ``scheduler="tcp://host:8786"`` uses an existing cluster instead. Workers write straight
into the run store (see :mod:`genhpo.runner.execute`), so the store must be on a filesystem that the
client and every worker see at the same path. Progress: one bar over runs, one over trials; the
trial bar counts lines of the runs' trials.jsonl files on that same filesystem, so no Dask
coordination primitive is needed and a lost progress update can never affect a run.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tqdm import tqdm

from genhpo import benchmarks
from genhpo.runner.execute import RunOutcome, RunSpec, describe_benchmark, execute_run, is_finished
from genhpo.runner.manifest import Experiment, experiment_lock, open_experiment
from genhpo.runner.registry import check_names, identity
from genhpo.runner.store import BENCHMARK_INFO, TRIALS, RunDir, write_json_atomic

log = logging.getLogger(__name__)

#: Slow optimizers are submitted first so that they do not end up alone at the tail of the queue.
_SUBMIT_ORDER = {"smac": 0, "smac-bb": 0, "genhpo": 1, "dehb": 2}


def specs_for(experiment: Experiment) -> list[RunSpec]:
    """One RunSpec per run of ``experiment``."""
    return [
        RunSpec(key, experiment.trials, dict(experiment.settings.get(key.optimizer, {})), experiment.noisy,
                dict(experiment.options))
        for key in experiment.run_keys()
    ]


def check_settings(experiment: Experiment) -> None:
    """Build each optimizer's identity once (first dataset, seed 0, in a scratch directory), so that a bad
    setting is refused before experiment.json records it; ValueError naming the optimizer."""
    bench = benchmarks.make(experiment.benchmark, experiment.datasets[0], **experiment.options)
    with tempfile.TemporaryDirectory(prefix="genhpo-check-") as scratch:
        for name in experiment.optimizers:
            try:
                identity(name, bench, 0, Path(scratch) / name, n_trials=experiment.trials,
                         **dict(experiment.settings.get(name, {})))
            except (ValueError, TypeError) as exc:
                raise ValueError(f"settings of {name}: {exc}") from None


def prepare_experiment(experiment: Experiment, root: Path, *, force: bool = False) -> list[RunSpec]:
    """Validate names, open (or resume) ``root`` and write each dataset's benchmark.json."""
    check_names(experiment.optimizers)
    benchmarks.check_datasets(experiment.benchmark, experiment.datasets, **experiment.options)  # names the accepted
    check_settings(experiment)
    open_experiment(root, experiment, force=force)
    for dataset in experiment.datasets:
        bench = benchmarks.make(experiment.benchmark, dataset, **experiment.options)
        write_json_atomic(Path(root) / "runs" / experiment.benchmark / dataset / BENCHMARK_INFO, describe_benchmark(bench))
    return specs_for(experiment)


@contextmanager
def dask_client(scheduler: str | None = None, n_workers: int | None = None) -> Iterator[object]:
    """A client on ``scheduler``, or on a LocalCluster of ``n_workers`` single-threaded processes."""
    from distributed import Client, LocalCluster

    if scheduler is not None:
        if n_workers is not None:
            raise ValueError("--workers sizes the local cluster only; do not combine it with --scheduler")
        with Client(scheduler, timeout="30s") as client:
            yield client
        return
    n = n_workers if n_workers is not None else (os.cpu_count() or 1)
    if not isinstance(n, int) or n <= 0:
        raise ValueError(f"--workers must be a positive integer, got {n!r}")
    # dashboard on a free port (":0"), so that concurrent experiments on one machine never collide
    with _workers_ignore_ctrl_c():
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0")
    with cluster, Client(cluster) as client:
        log.info("Dask dashboard: %s", client.dashboard_link)
        try:
            yield client
        except KeyboardInterrupt:  # the user's stop: shut the cluster down without its shutdown warnings
            logging.getLogger("distributed").setLevel(logging.CRITICAL)
            with contextlib.suppress(Exception):
                client.run(_silence_distributed, on_error="ignore")
            raise


@contextmanager
def _workers_ignore_ctrl_c() -> Iterator[None]:
    """While the local workers start, SIGINT is ignored, and they keep that (an ignored signal stays
    ignored in a spawned process): a Ctrl-C reaches the whole process group, and only this process
    must act on it, closing the cluster, not each worker with a traceback of its own."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _silence_distributed() -> None:
    """On each worker, at a Ctrl-C: no warnings or tracebacks about the connections being closed."""
    logging.getLogger("distributed").setLevel(logging.CRITICAL)


class _TrialCounter:
    """Counts recorded trials by watching trials.jsonl sizes (re-reads only files that grew)."""

    def __init__(self, root: Path, specs: list[RunSpec]) -> None:
        self._paths = [Path(root) / spec.key.relpath / TRIALS for spec in specs]
        self._seen: dict[Path, tuple[int, int]] = {}

    def count(self) -> int:
        total = 0
        for path in self._paths:
            try:
                size = path.stat().st_size
            except FileNotFoundError:
                continue
            old = self._seen.get(path)
            if old is None or old[0] != size:
                with open(path, "rb") as fh:
                    old = (size, fh.read().count(b"\n"))
                self._seen[path] = old
            total += old[1]
        return total


def run_all(specs: list[RunSpec], root: Path, *, scheduler: str | None = None, n_workers: int | None = None,
            progress: bool = True) -> list[RunOutcome]:
    """Execute every spec on Dask; one outcome per spec. A finished run is skipped without a task if
    today's optimizer has its recorded settings (:func:`genhpo.runner.execute.is_finished`); a
    finished run of a changed optimizer (e.g. a new checkpoint or card) is done again."""
    root = Path(root).resolve()
    outcomes: dict[int, RunOutcome] = {}
    todo = []
    for i, spec in enumerate(specs):
        if is_finished(spec, root):
            outcomes[i] = RunOutcome(spec.key, "skipped", n_recorded=spec.n_trials)
        else:
            todo.append(i)
    todo.sort(key=lambda i: _SUBMIT_ORDER.get(specs[i].key.optimizer, 3))
    counter = _TrialCounter(root, specs)
    run_bar = tqdm(total=len(specs), initial=len(outcomes), desc="runs", unit="run", position=0, disable=not progress)
    trial_bar = tqdm(total=sum(s.n_trials for s in specs), desc="trials", unit="trial", position=1,
                     disable=not progress)
    try:
        if todo:
            with dask_client(scheduler, n_workers) as client:
                futures = {
                    client.submit(execute_run, specs[i], str(root), key=f"genhpo-run-{uuid.uuid4().hex}"): i
                    for i in todo
                }
                while futures:
                    for future in [f for f in futures if f.done()]:
                        i = futures.pop(future)
                        outcomes[i] = _outcome(future, specs[i], root)
                        run_bar.update(1)
                        if outcomes[i].status == "failed":
                            run_bar.write(f"run {specs[i].key.label} failed: {outcomes[i].error}")
                    _advance(trial_bar, counter.count())
                    time.sleep(0.2)
        _advance(trial_bar, counter.count())
    finally:
        trial_bar.close()
        run_bar.close()
    return [outcomes[i] for i in range(len(specs))]


def _advance(bar: tqdm, count: int) -> None:
    bar.update(max(0, min(count, bar.total) - bar.n))


def _outcome(future: object, spec: RunSpec, root: Path) -> RunOutcome:
    """The task's own outcome, or a failed one when the task itself died (e.g. its worker was killed)."""
    try:
        return future.result()  # type: ignore[attr-defined]
    except Exception as exc:  # noqa: BLE001  (whatever killed the task, the run is reported as failed)
        error = f"{type(exc).__name__}: {exc}"
        run = RunDir(root, spec.key)
        try:
            meta = run.meta() or {}
        except ValueError:
            meta = {}
        meta.update(status="failed", error=error, finished_at=time.time(), n_recorded=len(run.read_trials().trials))
        run.write_meta(meta)
        log.error("run %s failed: %s", spec.key.label, error)
        return RunOutcome(spec.key, "failed", meta["n_recorded"], error=error)


def compare(experiment: Experiment, root: Path, *, scheduler: str | None = None, n_workers: int | None = None,
            force: bool = False, progress: bool = True) -> list[RunOutcome]:
    """Prepare ``root`` for ``experiment`` (resuming it if it is the same) and run every run."""
    with experiment_lock(root):
        specs = prepare_experiment(experiment, root, force=force)
        return run_all(specs, root, scheduler=scheduler, n_workers=n_workers, progress=progress)
