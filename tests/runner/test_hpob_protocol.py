"""genhpo compare --benchmark hpob: runs under HPO-B's official protocol through the runner and run
store, recorded as 5 + n trials whose incumbents are the official handler's curve, and the report's
HPO-B scores on them. Real offline data (HPOBench-MLP tables) for pool mode; the hand-made root of
tests/benchmarks/hpob/conftest.py (an exact XGBoost surrogate) for continuous mode."""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

import pytest

from genhpo import benchmarks
from genhpo.benchmarks.hpob.handler import HPOBHandler
from genhpo.benchmarks.hpob.task_benchmark import HPOBProtocolTask
from genhpo.report.build import build_report
from genhpo.runner import experiment_files
from genhpo.runner.compare import prepare_experiment
from genhpo.runner.execute import execute_run
from genhpo.runner.hpob_protocol import build_method
from genhpo.runner.manifest import Experiment
from genhpo.runner.store import RunDir, RunKey
from tests.benchmarks.hpob.conftest import hpob_root, offline_root  # noqa: F401 (fixtures, used by name)


def _run_all(experiment: Experiment, out: Path) -> list:
    specs = prepare_experiment(experiment, out)
    return [execute_run(spec, out) for spec in specs]


def _trials(out: Path, key: RunKey) -> list[dict]:
    return [json.loads(line) for line in RunDir(out, key).trials_path.read_text().splitlines()]


def test_pool_runs_record_the_official_curve_and_seeds_change_the_run(offline_root, tmp_path):  # noqa: F811
    root = str(offline_root)
    experiment = Experiment("hpob", ("hpobench-mlp:credit_g",), ("genhpo", "rs"), 2, 6,
                            options={"root": root, "mode": "pool"})
    out = tmp_path / "exp"
    outcomes = _run_all(experiment, out)
    assert [o.status for o in outcomes] == ["done"] * 4
    task = benchmarks.make("hpob", "hpobench-mlp:credit_g", root=root)
    for optimizer in ("genhpo", "rs"):
        firsts = []
        for seed in (0, 1):
            trials = _trials(out, RunKey("hpob", "hpobench-mlp:credit_g", optimizer, seed))
            assert len(trials) == 5 + 6
            incumbents = [max(t["score"] for t in trials[: 5 + i]) for i in range(7)]
            method, _ = build_method(optimizer, task, seed, tmp_path / "scratch", 6, {})
            official = HPOBHandler(root).evaluate(method, "hpobench-mlp", "credit_g", f"test{seed}", 6,
                                                  stop_at_optimum=False)
            assert incumbents == pytest.approx(official, abs=1e-12)
            firsts.append([t["config"] for t in trials[:5]])
        assert firsts[0] != firsts[1]  # seed k starts from bo-initializations' test<k>
    # re-running skips every finished run
    assert [o.status for o in _run_all(experiment, out)] == ["skipped"] * 4
    report = build_report(out)
    summary = (report / "summary.md").read_text()
    assert "the seed's rows of bo-initializations.json" in summary and "regret@6" in summary
    results = json.loads((report / "hpob" / "genhpo.json").read_text())
    assert len(results["hpobench-mlp"]["credit_g"]["test0"]) == 7  # HPO-B results: initial + 6 trials


def test_continuous_runs_use_the_surrogate(hpob_root, tmp_path):  # noqa: F811
    experiment = Experiment("hpob", ("s1:d1",), ("rs",), 2, 4, options={"root": str(hpob_root), "mode": "continuous"})
    out = tmp_path / "exp"
    assert [o.status for o in _run_all(experiment, out)] == ["done"] * 2
    trials = _trials(out, RunKey("hpob", "s1:d1", "rs", 0))
    assert len(trials) == 9
    assert [t["score"] for t in trials[:5]] == pytest.approx([0.1, 0.3, 0.2, 0.5, 0.4])  # raw y / y_max (10)
    assert all(t["score"] in (0.0, 1.0) for t in trials[5:])  # the surrogate predicts 0 or 10, normalised


def test_bad_hpob_input_names_the_problem(offline_root, tmp_path):  # noqa: F811
    root = str(offline_root)
    with pytest.raises(ValueError, match="needs its root"):
        benchmarks.make("hpob", "hpobench-mlp:credit_g")
    with pytest.raises(ValueError, match="'SPACE:DATASET'"):
        benchmarks.make("hpob", "credit_g", root=root)
    with pytest.raises(ValueError, match="not a meta-test task"):
        benchmarks.make("hpob", "hpobench-mlp:car", root=root)  # a meta-train dataset
    with pytest.raises(ValueError, match="mode must be one of pool, continuous"):
        benchmarks.make("hpob", "hpobench-mlp:credit_g", root=root, mode="grid")
    assert HPOBProtocolTask.names(root, ["hpobench-mlp"]) == ["hpobench-mlp:credit_g", "hpobench-mlp:vehicle"]

    def args(**kw):
        base = {"config": None, "benchmark": "hpob", "dataset": None, "optimizers": ["rs"], "seeds": None,
                "trials": None, "root": root, "search_space": ["hpobench-mlp"], "continuous": False}
        return argparse.Namespace(**{**base, **kw})

    experiment = experiment_files.resolve(args())
    assert experiment.seeds == 5 and experiment.options == {"root": root, "mode": "pool"}
    assert experiment.datasets == ("hpobench-mlp:credit_g", "hpobench-mlp:vehicle")
    with pytest.raises(ValueError, match="HPO-B has 5 seeds"):
        experiment_files.resolve(args(seeds=6))
    with pytest.raises(ValueError, match="needs --root"):
        experiment_files.resolve(args(root=None))
    with pytest.raises(ValueError, match="--search-space: nope not in"):
        experiment_files.resolve(args(search_space=["nope"]))
    with pytest.raises(ValueError, match="--root applies only to --benchmark hpob"):
        experiment_files.resolve(args(benchmark="nb201", dataset=["cifar10"], search_space=None))


def test_report_scores_published_results_on_shared_tasks(offline_root, tmp_path):  # noqa: F811
    """--published: HPO-B results files scored beside the experiment's optimizers, cut to the
    experiment's length, on the (task, seed) pairs both have; HPO-B's plotter gets its task list."""
    root = str(offline_root)
    experiment = Experiment("hpob", ("hpobench-mlp:credit_g",), ("rs",), 2, 4, options={"root": root, "mode": "pool"})
    out = tmp_path / "exp"
    _run_all(experiment, out)
    published = tmp_path / "published"
    published.mkdir()
    perfect = {"hpobench-mlp": {"credit_g": {"test0": [1.0] * 101, "test1": [1.0] * 101},
                                "vehicle": {"test0": [1.0] * 101}}}  # vehicle: not in the experiment
    (published / "Oracle.json").write_text(json.dumps(perfect))
    (published / "meta-test-tasks-per-space.json").write_text("{}")  # HPO-B's own task list: not a method
    report = build_report(out, published=published)
    with open(report / "hpob_scores.csv", newline="") as fh:
        rows = {r["optimizer"]: r for r in csv.DictReader(fh) if r["scope"] == "all"}
    assert set(rows) == {"rs", "Oracle"}
    assert float(rows["Oracle"]["regret@4"]) == 0.0 and float(rows["Oracle"]["rank@4"]) <= float(rows["rs"]["rank@4"])
    assert rows["rs"]["pairs"] == "2"
    tasks = json.loads((report / "hpob" / "meta-test-tasks-per-space.json").read_text())
    assert tasks == {"hpobench-mlp": ["credit_g"]}
    (published / "Broken.json").write_text(json.dumps({"hpobench-mlp": ["not", "a", "results", "file"]}))
    with pytest.raises(ValueError, match="Broken.json is not an HPO-B results file"):
        build_report(out, published=published)
    with pytest.raises(ValueError, match="no such folder"):
        build_report(out, published=tmp_path / "nowhere")


def test_train_hpob_writes_one_checkpoint_per_space_that_genhpo_then_picks(offline_root, tmp_path, capsys):  # noqa: F811
    """genhpo train hpob on a root: a card whose holdout is the meta-test + meta-validation datasets,
    trained on the meta-train split, chosen by genhpo for a held-out task via --genhpo-checkpoints."""
    from genhpo import presets
    from genhpo.cli import main
    from genhpo.model.checkpoint import read_card

    root, out = str(offline_root), tmp_path / "ckpts"
    assert main(["train", "hpob", "--root", root, "--search-space", "hpobench-mlp", "--out", str(out),
                 "--steps", "20", "--quiet"]) == 0
    card = read_card(out / "hpob-hpobench-mlp")
    assert card["benchmark"] == "hpob" and card["data"]["space"] == "hpobench-mlp"
    assert card["holdout"] == ["credit_g", "vehicle", "kc1"]  # meta-test, then meta-validation
    assert not set(card["data"]["tasks"]) & {"credit_g", "vehicle", "kc1"}
    assert card["training_seconds"] > 0 and "--search-space hpobench-mlp" in card["command"]
    task = benchmarks.make("hpob", "hpobench-mlp:credit_g", root=root)
    assert presets.for_benchmark(task, 0, checkpoints=out).card["_path"] == card["_path"]
    assert presets.identity("genhpo", task, 0, checkpoints=out)["checkpoint"] == "hpob-hpobench-mlp"
    assert main(["train", "hpob", "--root", root, "--search-space", "nope", "--out", str(out)]) == 2
    assert "--search-space: nope not in" in capsys.readouterr().err
    assert main(["train", "hpob", "--root", root, "--search-space", "hpobench-mlp"]) == 2  # no --out


def test_genhpo_cold_takes_part_through_configurations(offline_root, tmp_path):  # noqa: F811
    """genhpo-cold (built on the bare space) runs through AskTellMethod, never reading task rows as
    encoder rows; built directly on the space, its observe_and_suggest refuses them."""
    from genhpo import presets

    root = str(offline_root)
    experiment = Experiment("hpob", ("hpobench-mlp:credit_g",), ("genhpo-cold",), 1, 3,
                            options={"root": root, "mode": "pool"})
    assert [o.status for o in _run_all(experiment, tmp_path / "exp")] == ["done"]
    task = benchmarks.make("hpob", "hpobench-mlp:credit_g", root=root)
    cold = presets.for_space(task.config_space, 0)
    with pytest.raises(ValueError, match="would misread"):
        cold.observe_and_suggest(task.X[:5], task.y[:5, None], task.X[5:40])
