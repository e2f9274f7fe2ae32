"""DeepCAVE export: every exported run loads with DeepCAVE 1.4.1's own DataFrameRun converter."""

from __future__ import annotations

import json
import math
import shutil

import pytest
from ConfigSpace import Categorical, Configuration, ConfigurationSpace, Float, Integer, OrdinalHyperparameter
from deepcave.runs import check_equality  # DeepCAVE is part of the environment (scripts/setup_env.sh)
from deepcave.runs.converters.dataframe import DataFrameRun

from genhpo.protocol import Trial
from genhpo.report.deepcave import export_deepcave, metric_column, run_folder, write_configspace, write_trials
from genhpo.runner.execute import RunSpec, execute_run
from genhpo.runner.store import RunDir, RunKey


@pytest.fixture
def store(tmp_path, rs_store):
    """The shared random-search store, with a failed trial and a repeated configuration in seed 0."""
    root = tmp_path / "exp"
    shutil.copytree(rs_store, root)
    path = RunDir(root, RunKey("nb201", "cifar10", "rs", 0)).trials_path
    records = [json.loads(line) for line in path.read_text().splitlines()]
    records[4].update(score=None, status="failed", error="RuntimeError: out of memory")
    records[6]["config"] = records[2]["config"]  # DeepCAVE would merge it into trial 2 without a seed column
    records[6]["score"] = records[2]["score"]
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    # a second optimizer in the same experiment directory (the manifest is not consulted by the export's runs)
    assert execute_run(RunSpec(RunKey("nb201", "cifar10", "re", 0), 30), root).status == "done"
    manifest = json.loads((root / "experiment.json").read_text())
    manifest["experiment"]["optimizers"].append("re")
    (root / "experiment.json").write_text(json.dumps(manifest))
    return root


def test_every_run_loads_in_deepcave_and_matches_trials_jsonl(store):
    folders = export_deepcave(store)
    assert len(folders) == 4
    objectives = set()
    runs = []
    for optimizer, seed in [("rs", 0), ("rs", 1), ("rs", 2), ("re", 0)]:
        key = RunKey("nb201", "cifar10", optimizer, seed)
        assert DataFrameRun.is_valid_run(str(run_folder(store, key)))  # what DeepCAVE's GUI lists
        trials = RunDir(store, key).read_trials().trials
        run = DataFrameRun.from_path(run_folder(store, key))
        runs.append(run)
        assert len(run.history) == len(trials) == 30
        score, _time = run.get_objectives()
        objectives.add((score.name, score.lower, score.upper, score.optimize))
        for recorded, loaded in zip(trials, run.history):
            assert run.configs[loaded.config_id] == dict(recorded.config)
            if recorded.status == "ok":
                assert loaded.status.name == "SUCCESS"
                assert loaded.costs[0] == pytest.approx(recorded.score, abs=1e-9)
                assert loaded.costs[1] == pytest.approx(recorded.cost, abs=0.011)  # DeepCAVE rounds times to 0.01
            else:
                assert loaded.status.name == "CRASHED" and loaded.costs[0] is None
                assert loaded.additional["error"] == recorded.error
    # one objective, identical bounds for every run: NB201's score range in percent
    assert objectives == {("score", 9.0, 92.0, "upper")}
    # DeepCAVE compares runs side by side only if space, objectives and budgets are equal: it checks here
    check_equality(runs, configspace=True, objectives=True, budgets=True)


def test_mixed_space_round_trips_through_deepcave(tmp_path):
    space = ConfigurationSpace(name="mixed", seed=0)
    space.add([
        Float("lr", (1e-5, 1e-1), log=True, default=1e-3),
        Float("dropout", (0.0, 0.9), default=0.5),
        Integer("layers", (1, 8), default=3),
        Categorical("act", ["relu", "tanh"], default="tanh"),
        OrdinalHyperparameter("size", ["small", "medium", "large"], default_value="medium"),
    ])
    write_configspace(space, tmp_path / "configspace.csv")
    loaded = DataFrameRun.load_configspace(tmp_path)
    for hp in space.values():
        other = loaded[hp.name]
        assert type(other).__name__ == type(hp).__name__
        assert other.default_value == hp.default_value
        for attr in ("lower", "upper", "log", "choices", "sequence"):
            if hasattr(hp, attr):
                assert getattr(other, attr) == getattr(hp, attr), (hp.name, attr)

    configs = space.sample_configuration(6)
    trials = [Trial(index=i, config=dict(c), score=float(i), cost=1.0, overhead=0.1, started_at=0.0,
                    finished_at=1.0) for i, c in enumerate(configs)]
    write_trials(trials, space, metric_column({"optimum": 5.0, "score_min": 0.0}, []), None, tmp_path / "trials.csv")
    run = DataFrameRun.from_path(tmp_path)
    for config, loaded in zip(configs, run.history):
        values = run.configs[loaded.config_id]
        Configuration(run.configspace, values=values).check_valid_configuration()  # raises if invalid
        for name, value in dict(config).items():
            if isinstance(value, float):
                assert math.isclose(values[name], value, rel_tol=1e-12)
            else:
                assert values[name] == value


def test_numeric_choices_become_numeric_ranges_with_exact_values(tmp_path):
    space = ConfigurationSpace(seed=1)
    space.add([Categorical("batch", [16, 32, 64], default=32),
               OrdinalHyperparameter("alpha", [1e-8, 7.742637e-08, 0.12915497, 1.0], default_value=1e-8)])
    write_configspace(space, tmp_path / "configspace.csv")
    configs = space.sample_configuration(5)
    trials = [Trial(index=i, config=dict(c), score=float(i), cost=1.0, overhead=0.0, started_at=0.0,
                    finished_at=1.0) for i, c in enumerate(configs)]
    write_trials(trials, space, metric_column({"optimum": 5.0, "score_min": 0.0}, []), None, tmp_path / "trials.csv")
    run = DataFrameRun.from_path(tmp_path)
    batch, alpha = run.configspace["batch"], run.configspace["alpha"]
    assert (type(batch).__name__, batch.lower, batch.upper, batch.log) == ("UniformIntegerHyperparameter", 16, 64, False)
    assert (type(alpha).__name__, alpha.lower, alpha.upper, alpha.log) == ("UniformFloatHyperparameter", 1e-8, 1.0, True)
    for config, trial in zip(configs, run.history):
        loaded = run.configs[trial.config_id]
        assert loaded["batch"] == config["batch"]
        # ConfigSpace itself keeps a log-scale float to ~6 significant digits when it builds the Configuration
        assert loaded["alpha"] == pytest.approx(config["alpha"], rel=1e-5)


def test_unsupported_spaces_are_refused_with_the_reason(tmp_path):
    mixed = ConfigurationSpace({"act": ["relu", 3]})
    with pytest.raises(TypeError, match="'act' mixes string and numeric choices"):
        write_configspace(mixed, tmp_path / "configspace.csv")


def test_metric_column_matches_deepcaves_pattern():
    assert metric_column({"optimum": 91.6, "score_min": 9.7}, [50.0]) == "metric:score [9.0; 92.0] (maximize)"
    assert metric_column({"optimum": None}, [-0.25, 0.5]) == "metric:score [-1.0; 1.0] (maximize)"


@pytest.mark.parametrize("choices", [["True", "False"], ["1", "2", "4"], ["None", "a"], ["NA", "b"], ["null", "c"],
                                     [True, False], ["x", ""], ["1.5", "inf", "nan"]])
def test_choices_pandas_would_misread_open_in_deepcave(tmp_path, choices):
    """Every categorical space the export accepts loads with DeepCAVE's converter, each trial's value
    mapped to its label (the text, quoted where pandas would read it as another type)."""
    from genhpo.report.deepcave import choice_labels

    space = ConfigurationSpace(seed=0)
    space.add([Categorical("c", choices), Categorical("plain", ["relu", "tanh"])])
    write_configspace(space, tmp_path / "configspace.csv")
    configs = [Configuration(space, values={"c": choice, "plain": "relu"}) for choice in choices]
    trials = [Trial(index=i, config=dict(c), score=float(i), cost=1.0, overhead=0.0, started_at=0.0,
                    finished_at=1.0) for i, c in enumerate(configs)]
    write_trials(trials, space, metric_column({"optimum": 9.0, "score_min": 0.0}, []), None, tmp_path / "trials.csv")
    run = DataFrameRun.from_path(tmp_path)
    labels = choice_labels(space["c"])
    assert list(run.configspace["c"].choices) == [labels[c] for c in choices]
    assert run.configspace["c"].default_value == labels[space["c"].default_value]
    assert [run.configs[t.config_id]["c"] for t in run.history] == [labels[c] for c in choices]
    assert labels.get("relu", "relu") == "relu" and choice_labels(space["plain"]) == {"relu": "relu", "tanh": "tanh"}


def test_choices_that_would_share_a_label_are_refused(tmp_path):
    space = ConfigurationSpace({"c": ["True", "'True'"]})
    with pytest.raises(ValueError, match="would share a label"):
        write_configspace(space, tmp_path / "configspace.csv")


def test_conditional_space_exports_in_deepcaves_smac3v2_format(tmp_path):
    """sklearn-pipeline (conditions and a forbidden clause, real cross-validated training): every run is
    written for DeepCAVE's SMAC3v2Run converter and loads there with its conditions."""
    from deepcave.runs.converters.smac3v2 import SMAC3v2Run

    from genhpo.benchmarks import make
    from genhpo.runner.manifest import Experiment
    from tests.runner.conftest import make_store

    benchmark = make("sklearn-pipeline", "wine")
    root = tmp_path / "exp"
    make_store(root, Experiment("sklearn-pipeline", ("wine",), ("rs", "re"), 1, 6), benchmark)
    path = RunDir(root, RunKey("sklearn-pipeline", "wine", "rs", 0)).trials_path
    records = [json.loads(line) for line in path.read_text().splitlines()]
    records[3].update(score=None, status="failed", error="ValueError: solver diverged")
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    folders = export_deepcave(root)
    assert len(folders) == 2
    runs = []
    for optimizer in ("rs", "re"):
        key = RunKey("sklearn-pipeline", "wine", optimizer, 0)
        folder = run_folder(root, key)
        assert SMAC3v2Run.is_valid_run(str(folder)) and not DataFrameRun.is_valid_run(str(folder))
        run = SMAC3v2Run.from_path(folder)
        runs.append(run)
        assert run.configspace.conditions and run.configspace.forbidden_clauses
        assert run.configspace == benchmark.config_space
        trials = RunDir(root, key).read_trials().trials
        assert len(run.history) == len(trials) == 6
        for recorded, loaded in zip(trials, run.history):
            assert run.configs[loaded.config_id] == dict(recorded.config)  # inactive ones absent in both
            Configuration(run.configspace, values=run.configs[loaded.config_id]).check_valid_configuration()
            if recorded.status == "ok":
                assert loaded.status.name == "SUCCESS"
                assert loaded.costs[0] == pytest.approx(-recorded.score, abs=1e-12)
            else:
                assert loaded.status.name == "CRASHED" and loaded.costs[0] is None
                assert loaded.additional["error"] == recorded.error
        assert [o.name for o in run.get_objectives()] == ["neg_score", "Time"]
    assert any(r.status == "failed" for r in RunDir(root, RunKey("sklearn-pipeline", "wine", "rs", 0)).read_trials().trials)
    check_equality(runs, configspace=True, objectives=True, budgets=True)
