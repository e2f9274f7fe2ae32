"""Report: curves, ranks, summary and HPO-B files checked against values worked out by hand."""

from __future__ import annotations

import csv
import json
import math

import numpy as np
import pytest
from ConfigSpace import ConfigurationSpace, Float

from genhpo.protocol import Trial
from genhpo.report.build import build_report, read_hpob
from genhpo.report.curves import RunCurves, RunRecord, average_ranks, on_grid, run_curves
from genhpo.runner.manifest import Experiment, open_experiment
from genhpo.runner.store import BENCHMARK_INFO, RunDir, RunKey, write_json_atomic

FAIL = None
#: optimizer -> seed -> scores of 10 trials (None = failed); optimum 10, worst score 0, cost 100 s each.
SCORES = {
    "a": {0: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 1: [FAIL, 5, FAIL, 5, 5, 5, 5, 5, 5, 5]},
    "b": {0: [10, 0, 0, 0, 0, 0, 0, 0, 0, 0], 1: [9] * 10},
}


def _trials(scores: list) -> list[Trial]:
    return [
        Trial(index=i, config={"x": i / 10}, score=math.nan if s is None else float(s), cost=100.0, overhead=0.5,
              started_at=float(i), finished_at=i + 0.1, status="failed" if s is None else "ok",
              error="boom" if s is None else None)
        for i, s in enumerate(scores)
    ]


@pytest.fixture
def hand_store(tmp_path):
    open_experiment(tmp_path, Experiment("toy", ("d",), ("a", "b"), 2, 10))
    space = ConfigurationSpace({"x": Float("x", (0.0, 1.0))})
    write_json_atomic(tmp_path / "runs/toy/d" / BENCHMARK_INFO,
                      {"optimum": 10.0, "score_min": 0.0, "fidelity": None, "config_space": space.to_serialized_dict()})
    for name, seeds in SCORES.items():
        for seed, scores in seeds.items():
            run = RunDir(tmp_path, RunKey("toy", "d", name, seed))
            run.path.mkdir(parents=True)
            with run.writer() as writer:
                for t in _trials(scores):
                    writer.append(t)
            run.write_meta({"status": "done", "n_trials": 10, "started_at": 0.0, "finished_at": 2.0})
    return tmp_path


def _curves(scores: list) -> RunCurves:
    return run_curves(RunRecord(RunKey("toy", "d", "a", 0), _trials(scores), {}, []), optimum=10.0, n=len(scores))


def test_failed_trials_carry_the_previous_incumbent_and_nan_before_any_success():
    c = _curves([FAIL, 4, FAIL, 7, 6])
    assert np.isnan(c.incumbent[0])
    np.testing.assert_array_equal(c.incumbent[1:], [4, 4, 7, 7])
    np.testing.assert_array_equal(c.regret[1:], [6, 6, 3, 3])
    np.testing.assert_allclose(c.clock, [100.5, 201, 301.5, 402, 502.5])  # cost + overhead, cumulated


def test_a_run_shorter_than_the_budget_has_no_curve():
    record = RunRecord(RunKey("toy", "d", "a", 0), _trials([1, 2]), {}, [])
    assert run_curves(record, optimum=10.0, n=3) is None


def test_regret_on_a_wallclock_grid():
    c = _curves([2, 5, 9])  # clocks 100.5, 201, 301.5
    values = on_grid([c], np.array([50.0, 100.5, 250.0, 1000.0]))
    np.testing.assert_array_equal(values[0, 1:], [8, 5, 1])
    assert np.isnan(values[0, 0])


def test_average_ranks_as_hpob_ties_averaged_nan_last():
    ranks = average_ranks({"a": np.array([[9.0, 0.0], [np.nan, 5.0]]), "b": np.array([[0.0, 0.0], [1.0, 1.0]])})
    np.testing.assert_allclose(ranks["a"], [2.0, 1.75])
    np.testing.assert_allclose(ranks["b"], [1.0, 1.25])


def test_report_files_and_numbers(hand_store):
    out = build_report(hand_store)
    for name in ("toy_d_regret_evals.png", "toy_d_regret_wallclock.png", "toy_d_rank.png"):
        data = (out / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
    with open(out / "summary.csv") as fh:
        rows = {r["optimizer"]: r for r in csv.DictReader(fh)}
    assert float(rows["a"]["regret_mean@10"]) == pytest.approx(2.5)
    assert float(rows["a"]["regret_sem@10"]) == pytest.approx(2.5)  # std([0, 5], ddof=1) / sqrt(2)
    assert float(rows["b"]["regret_mean@10"]) == pytest.approx(0.5)
    assert (rows["a"]["hits"], rows["a"]["median_evals_to_optimum"]) == ("1", "10.0")
    assert (rows["b"]["hits"], rows["b"]["median_evals_to_optimum"]) == ("1", "1.0")
    assert float(rows["a"]["overhead_median_s"]) == pytest.approx(0.5)
    assert float(rows["a"]["sim_wallclock_per_trial_s"]) == pytest.approx(100.5)
    assert "regret_mean@25" not in rows["a"]  # budgets beyond the experiment's are left out
    md = (out / "summary.md").read_text()
    assert "| a | 2 | 2.5 ± 2.5 | 1/2 | 10 | 0 |" in md
    assert float(rows["a"]["repeats_mean"]) == 0.0

    hpob = read_hpob(hand_store, "a")
    assert set(hpob) == {"toy"} and set(hpob["toy"]["d"]) == {"test0", "test1"}
    assert hpob["toy"]["d"]["test1"] == [0.0] + [0.5] * 9  # min-max normalised, no incumbent yet -> 0
    assert hpob["toy"]["d"]["test0"][-1] == 1.0 and len(hpob["toy"]["d"]["test0"]) == 10


def test_repeats_count_configurations_evaluated_again_at_the_same_fidelity():
    from genhpo.report.build import repeated_evaluations

    trials = _trials([1, 2, 3, 4])
    assert repeated_evaluations(trials) == 0
    again = [Trial(**{**t.to_dict(), "index": 4 + i, "score": 1.0}) for i, t in enumerate(trials[:2])]
    assert repeated_evaluations(trials + again) == 2
    higher = Trial(**{**trials[0].to_dict(), "index": 9, "fidelity": 27.0})  # a promotion, not a repeat
    assert repeated_evaluations([*trials, higher]) == 0


def test_incomplete_and_corrupt_runs_are_listed_not_plotted(hand_store):
    path = RunDir(hand_store, RunKey("toy", "d", "b", 1)).trials_path
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:4]) + "{oops\n" + "".join(lines[5:]))
    out = build_report(hand_store, log_scale=True)
    md = (out / "summary.md").read_text()
    assert f"corrupt line skipped: {path}:5:" in md
    assert "toy/d/b/seed-1: incomplete, status done; left out" in md
    assert "| b | 1 | 0 | 1/1 |" in md  # one run: the mean alone, not "0 ± 0"


def test_one_seed_has_no_spread():
    """mean_ci of one seed: the mean, and NaN for the half-width and the standard error (undefined), so
    no report claims a zero-width interval; two seeds give the t-interval."""
    from scipy import stats

    from genhpo.report.curves import mean_ci

    mean, half, sem = mean_ci(np.array([[0.3, 0.2]]))
    np.testing.assert_array_equal(mean, [0.3, 0.2])
    assert np.isnan(half).all() and np.isnan(sem).all()
    mean, half, sem = mean_ci(np.array([[1.0], [3.0]]))
    assert (mean[0], sem[0]) == (2.0, 1.0) and half[0] == pytest.approx(stats.t.ppf(0.975, 1))


def test_report_needs_an_experiment(tmp_path):
    with pytest.raises(ValueError, match="not an experiment directory"):
        build_report(tmp_path)


def test_report_budgets_end_at_the_run_length():
    from genhpo.report.build import budgets_for

    assert budgets_for(100) == [10, 25, 50, 100]
    assert budgets_for(20) == [10, 20]  # the run's end is always a column
    assert budgets_for(7) == [7]
    assert budgets_for(300) == [10, 25, 50, 100, 200, 300]


def test_regret_is_stated_in_the_benchmarks_score_unit(hand_store):
    md = (build_report(hand_store) / "summary.md").read_text()
    assert "Regret (optimum - incumbent), mean" in md  # an experiment written before units: no unit
    info_path = hand_store / "runs/toy/d" / BENCHMARK_INFO
    info = json.loads(info_path.read_text())
    write_json_atomic(info_path, {**info, "score_unit": "validation accuracy, %"})
    md = (build_report(hand_store) / "summary.md").read_text()
    assert "Regret (optimum - incumbent, in validation accuracy, %), mean" in md


def test_benchmark_json_carries_the_score_unit():
    from genhpo import benchmarks
    from genhpo.runner.execute import describe_benchmark

    assert describe_benchmark(benchmarks.make("functions", "branin"))["score_unit"] == "units of f(x) (score = -f(x))"
    assert describe_benchmark(benchmarks.make("nb201", "cifar10"))["score_unit"] == "validation accuracy, %"


def test_a_short_log_time_axis_labels_more_than_one_tick():
    """A wall-clock axis spanning about a decade and a half gets labels between the powers of ten (with
    matplotlib's default it shows only 10^0 there)."""
    import matplotlib.pyplot as plt

    from genhpo.report.plots import log_time_axis

    fig, ax = plt.subplots()
    ax.plot([0.2, 6.0], [1.0, 0.5])
    log_time_axis(ax)
    ax.set_xlim(0.2, 6.0)
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels(minor=True) + ax.get_xticklabels()
              if t.get_text() and 0.2 <= t.get_position()[0] <= 6.0]  # the labels inside the view
    plt.close(fig)
    assert len(labels) >= 3, labels
