"""Runs on HPO-B tasks under the official protocol, for the runner (``genhpo compare --benchmark hpob``).

A run (optimizer, task, seed k) is one call of :class:`~genhpo.benchmarks.hpob.handler.HPOBHandler`'s
``evaluate`` (pool mode) or ``evaluate_continuous`` (the task's XGBoost surrogate) from HPO-B seed
``"test<k>"``: the five rows of ``bo-initializations.json`` observed first, then ``n`` trials; every
optimizer of the registry takes part:
- the generative optimizer (``genhpo``) answers ``observe_and_suggest`` itself (built for the task, it
  reads the task's rows; :func:`genhpo.presets.for_benchmark`);
- any other optimizer goes through :class:`~genhpo.benchmarks.hpob.ask_tell_method.AskTellMethod`
  (told the rows it did not ask when it accepts them: SMAC and Optuna's samplers start from them; DEHB
  refuses them and starts its own design, as in ``research/bench_hpob.py``).
The run is recorded as 5 + n trials in ``trials.jsonl``, each the row the method saw (its
configuration through the task's codec, its normalised y as the score) with the method's time as its
overhead; the first five are the initial design (overhead 0). The method is called for every trial
(``stop_at_optimum=False``: the same curve as the official handler, and a fixed number of trials).
An interrupted run is not replayed: it starts again (same seed, same trials).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from genhpo.benchmarks.hpob.ask_tell_method import AskTellMethod
from genhpo.benchmarks.hpob.files import N_INITIAL, SEEDS
from genhpo.benchmarks.hpob.handler import HPOBHandler
from genhpo.benchmarks.hpob.surrogate import Surrogate
from genhpo.benchmarks.hpob.task_benchmark import HPOBProtocolTask
from genhpo.protocol import Trial
from genhpo.runner.registry import make_optimizer

#: optimizers that answer observe_and_suggest themselves, reading the task's rows (the rest, genhpo-cold
#: included, go through AskTellMethod, which hands them configurations)
NATIVE = ("genhpo",)


def hpob_seed(seed: int) -> str:
    """HPO-B's seed name of the runner's seed k; ValueError beyond the five of bo-initializations.json."""
    if not 0 <= seed < len(SEEDS):
        raise ValueError(f"HPO-B has {len(SEEDS)} seeds (test0..test{len(SEEDS) - 1}); use --seeds <= {len(SEEDS)}")
    return SEEDS[seed]


def build_method(name: str, task: HPOBProtocolTask, seed: int, run_path: Path, n_trials: int,
                 settings: dict[str, Any]) -> tuple[Any, Callable[[], dict[str, Any]]]:
    """(HPO-B method, a function returning its optimizer's settings once it exists)."""
    if name in NATIVE:
        optimizer = make_optimizer(name, task, seed, run_path, n_trials=n_trials, **settings)
        return optimizer, optimizer.settings
    method = AskTellMethod(lambda space, s: make_optimizer(name, task, s, run_path, n_trials=n_trials,
                                                           **settings), seed, codec=task.codec)
    return method, lambda: {} if method.optimizer is None else method.optimizer.settings()


class _Recorder:
    """Wraps a method: records each row it saw (initial design first) as a Trial, through ``on_trial``."""

    def __init__(self, method: Any, task: HPOBProtocolTask, score_of: Callable[[np.ndarray], float],
                 on_trial: Callable[[Trial], None]) -> None:
        self.method, self.task, self.score_of, self.on_trial = method, task, score_of, on_trial
        self.trials: list[Trial] = []
        self._last: tuple[np.ndarray, float] | None = None  # (row chosen, overhead) of the last call

    def observe_and_suggest(self, X_obs: Any, y_obs: Any, X_pen: Any = None) -> Any:
        X, y = np.asarray(X_obs, dtype=float), np.asarray(y_obs, dtype=float).reshape(-1)
        if not self.trials:  # the initial design
            now = time.time()
            for row, score in zip(X[:N_INITIAL], y[:N_INITIAL]):
                self._record(row, float(score), 0.0, now)
        elif self._last is not None:
            row, overhead = self._last
            self._record(row, float(y[-1]), overhead, time.time())
        started = time.perf_counter()
        answer = self.method.observe_and_suggest(X_obs=X_obs, y_obs=y_obs, X_pen=X_pen)
        overhead = time.perf_counter() - started
        row = np.asarray(X_pen)[int(answer)] if X_pen is not None else np.asarray(answer, dtype=float).reshape(-1)
        self._last = (row, overhead)
        return answer

    def finish(self) -> None:
        """Record the last suggestion (the handler never shows it back)."""
        if self._last is not None:
            row, overhead = self._last
            self._record(row, self.score_of(row), overhead, time.time())
            self._last = None

    def _record(self, row: np.ndarray, score: float, overhead: float, now: float) -> None:
        config = dict(self.task.codec.decode(row))
        trial = Trial(index=len(self.trials), config=config, score=score, cost=0.0, overhead=overhead,
                      started_at=now, finished_at=now)
        self.trials.append(trial)
        self.on_trial(trial)


def run_protocol(name: str, task: HPOBProtocolTask, seed: int, n_trials: int, run_path: Path,
                 settings: dict[str, Any], on_trial: Callable[[Trial], None],
                 on_optimizer: Callable[[dict[str, Any]], None] | None = None) -> list[Trial]:
    """One run under the official protocol (see the module doc); returns its 5 + ``n_trials`` trials."""
    hpob_name = hpob_seed(seed)
    handler = HPOBHandler(task.root)
    method, settings_of = build_method(name, task, seed, run_path, n_trials, settings)
    if task.mode == "pool":
        X, y = task.X, task.y  # y already min-max normalised over the task, as the handler does

        def score_of(row: np.ndarray) -> float:
            return float(y[int(np.flatnonzero(np.all(X == row, axis=1))[0])])
    else:
        surrogate = Surrogate.load(handler.surrogates_dir, task.search_space_id, task.dataset_id)

        def score_of(row: np.ndarray) -> float:
            return float(surrogate.normalise(surrogate.predict(row.reshape(1, -1)))[0])

    recorder = _Recorder(method, task, score_of, on_trial)
    if task.mode == "pool":
        handler.evaluate(recorder, task.search_space_id, task.dataset_id, hpob_name, n_trials, stop_at_optimum=False)
    else:
        handler.evaluate_continuous(recorder, task.search_space_id, task.dataset_id, hpob_name, n_trials,
                                    fix_last_incumbent=True, stop_at_y_max=False)
    recorder.finish()
    if on_optimizer is not None:
        on_optimizer(settings_of())
    return recorder.trials
