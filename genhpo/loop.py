"""The one optimization loop: ask, evaluate, tell, record a Trial per evaluation.

Optimizer overhead (ask + tell) is timed apart from evaluation. A failing evaluation (an exception
or a non-finite score) becomes a failed trial, the optimizer is told the failure, and the loop goes on.
An asked fidelity is snapped into the benchmark's declared range (:meth:`Fidelity.snap`) when it lies
within a rounding error of it (relative ``FIDELITY_TOLERANCE``); one further out is an optimizer set up
for another range, and raises ValueError naming both.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from genhpo.benchmarks.base import Benchmark
from genhpo.protocol import Optimizer, Result, Stopwatch, Trial


def _safe_evaluate(benchmark: Benchmark, config, fidelity, rng) -> Result:
    try:
        result = benchmark.evaluate(config, fidelity=fidelity, rng=rng)
    except Exception as exc:  # noqa: BLE001 - a failing evaluation is recorded, never fatal
        return Result.failure(f"{type(exc).__name__}: {exc}")
    if result.ok and not math.isfinite(result.score):
        return Result.failure(f"non-finite score {result.score!r}", cost=result.cost)
    return result


def run(
    optimizer: Optimizer,
    benchmark: Benchmark,
    n_trials: int,
    *,
    seed: int = 0,
    noisy: bool = False,
    history: Iterable[Trial] = (),
    on_trial: Callable[[Trial], None] | None = None,
) -> list[Trial]:
    """Run ``optimizer`` on ``benchmark`` until ``n_trials`` full-fidelity evaluations are recorded.

    Returns every recorded trial (low-fidelity ones too, which do not count towards the budget).

    history: trials of an earlier, interrupted run of the same (optimizer, benchmark, seed); they
      are replayed to the optimizer in order (ask, then tell the recorded result) so a resumed run
      continues the same trajectory, and count towards ``n_trials``.
    noisy: draw one seed's score per evaluation with a generator seeded by ``seed``.
    on_trial: called with each new Trial as soon as it is recorded (e.g. to append it to a file).
    """
    if not isinstance(n_trials, int) or n_trials <= 0:
        raise ValueError(f"n_trials must be a positive int, got {n_trials!r}")
    _check_fidelity_range(optimizer, benchmark)
    noise_rng = np.random.default_rng(seed) if noisy else None
    trials = list(history)
    n_full = sum(1 for t in trials if _is_full(t.fidelity, benchmark))
    for trial in trials:  # replay: the optimizer sees exactly what it saw before the crash
        config = optimizer.ask()
        fidelity = _snapped(optimizer.fidelity(config), benchmark)
        if dict(config) != dict(trial.config) or fidelity != trial.fidelity:
            raise ValueError(
                f"cannot resume: trial {trial.index} recorded {dict(trial.config)} at fidelity {trial.fidelity} "
                f"but the optimizer now asks {dict(config)} at fidelity {fidelity} (different seed or settings?)"
            )
        if noise_rng is not None:  # keep the noise stream aligned: the same call, the same failure handling
            _safe_evaluate(benchmark, config, fidelity, noise_rng)
        optimizer.tell(config, _trial_result(trial))
    while n_full < n_trials:
        watch = Stopwatch()
        with watch:
            config = optimizer.ask()
            fidelity = _snapped(optimizer.fidelity(config), benchmark)
        started = time.time()
        result = _safe_evaluate(benchmark, config, fidelity, noise_rng)
        finished = time.time()
        with watch:
            optimizer.tell(config, result)
        trial = Trial(
            index=len(trials),
            config=dict(config),
            score=result.score,
            cost=result.cost,
            overhead=watch.elapsed,
            started_at=started,
            finished_at=finished,
            status=result.status,
            error=result.error,
            metrics=dict(result.metrics),
            fidelity=fidelity,
        )
        trials.append(trial)
        n_full += _is_full(fidelity, benchmark)
        if on_trial is not None:
            on_trial(trial)
    return trials


def _check_fidelity_range(optimizer: Any, benchmark: Benchmark) -> None:
    """ValueError if the optimizer declares a fidelity range (``fidelity_range``, as Hyperband does) whose
    top is not the benchmark's full fidelity: only full evaluations count towards ``n_trials``, so a top
    below it would never end the run, and one above it asks fidelities the benchmark refuses."""
    declared, space = getattr(optimizer, "fidelity_range", None), benchmark.fidelity_space
    if declared is None or space is None:
        return
    if not math.isclose(declared.upper, space.upper, rel_tol=FIDELITY_TOLERANCE) or declared.lower < space.lower * (
            1 - FIDELITY_TOLERANCE):
        raise ValueError(f"the optimizer's fidelity range [{declared.lower:g}, {declared.upper:g}] of {declared.name} "
                         f"does not end at {benchmark.label}'s full fidelity: its range is [{space.lower:g}, "
                         f"{space.upper:g}]; set the optimizer's range inside it, ending at {space.upper:g}")


#: how far (relative to the bound) an asked fidelity may lie outside the benchmark's range and still be
#: snapped into it: floating-point schedules (DEHB's rungs give 0.9999999999999999 x lower) stay inside
FIDELITY_TOLERANCE = 1e-6


def _snapped(fidelity: float | None, benchmark: Benchmark) -> float | None:
    """The asked fidelity inside the benchmark's declared range (see :meth:`Fidelity.snap`); ValueError
    for one outside it by more than ``FIDELITY_TOLERANCE`` (e.g. Hyperband set up for 1..81 epochs on a
    benchmark of 1..27), rather than silently training at another fidelity than the optimizer asked."""
    space = benchmark.fidelity_space
    if fidelity is None or space is None:
        return fidelity
    if not (space.lower * (1 - FIDELITY_TOLERANCE) <= fidelity <= space.upper * (1 + FIDELITY_TOLERANCE)):
        raise ValueError(f"the optimizer asked fidelity {fidelity:g} of {space.name}, outside {benchmark.label}'s "
                         f"range [{space.lower:g}, {space.upper:g}]; set the optimizer's fidelity range to it")
    return space.snap(fidelity)


def _is_full(fidelity: float | None, benchmark: Benchmark) -> bool:
    """Budgets count full evaluations only; a low-fidelity trial is recorded but not counted."""
    space = benchmark.fidelity_space
    return fidelity is None or space is None or fidelity >= space.upper


def _trial_result(trial: Trial) -> Result:
    if trial.status == "failed":
        return Result.failure(trial.error or "failed", cost=trial.cost)
    return Result(score=trial.score, cost=trial.cost, metrics=dict(trial.metrics))
