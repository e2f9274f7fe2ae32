"""Several objectives and constraints end to end: optimizers, the loop, the report and the DeepCAVE export."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from deepcave.runs.converters.dataframe import DataFrameRun

from genhpo import benchmarks, loop, presets
from genhpo.model.checkpoint import load_checkpoint
from genhpo.optimizer import GenerativeOptimizer
from genhpo.protocol import Constraint, Objective, Result
from genhpo.report.build import build_report
from genhpo.report.deepcave import export_deepcave, run_folder
from genhpo.runner.compare import compare
from genhpo.runner.manifest import Experiment
from genhpo.runner.registry import make_optimizer
from genhpo.runner.store import RunKey
from genhpo.suggest.config import SuggestConfig
from genhpo.suggest.objectives import ScalarTarget


def test_scalar_target_by_hand():
    target = ScalarTarget((Objective("a"), Objective("b", "min")))
    records = np.array([target.read(Result(0.0, metrics={"a": 1.0, "b": 1.0})),
                        target.read(Result(0.0, metrics={"a": 0.0, "b": 0.0})),
                        target.read(Result(0.0, metrics={"a": 0.0, "b": 1.0})),
                        target.read(Result.failure("boom"))])
    assert records[:3].tolist() == [[1.0, -1.0], [0.0, 0.0], [0.0, -1.0]]
    y = target.scores(records, np.random.default_rng(0))
    # the dominated row (a=0, b=1) scores below both Pareto-optimal rows whatever the weights; failed: NaN
    assert y[2] < min(y[0], y[1]) and np.isnan(y[3])
    constrained = ScalarTarget(constraints=(Constraint("latency", 1.0),))
    rows = np.array([constrained.read(Result(s, metrics={"latency": v})) for s, v in
                     [(5.0, 2.0), (1.0, 0.5), (3.0, 1.0), (9.0, 4.0)]])
    y = constrained.scores(rows, np.random.default_rng(0))
    assert y[2] > y[1] > max(y[0], y[3]) and y[0] > y[3]  # feasible first, then by violation
    none_feasible = constrained.scores(rows[[0, 3]], np.random.default_rng(0))
    assert none_feasible[0] > none_feasible[1]  # towards feasibility


@pytest.mark.parametrize("name", ["genhpo", "tpe", "nsga2", "smac", "rs"])
def test_multi_objective_optimizers_run_on_nb201_mo(name, tmp_path):
    bench = benchmarks.make("nb201-mo", "cifar10")
    optimizer = make_optimizer(name, bench, 0, tmp_path)
    trials = loop.run(optimizer, bench, 15)
    assert len(trials) == 15 and all(t.status == "ok" and np.isfinite(t.score) for t in trials)
    # the objective vector of every trial is recorded for the hypervolume
    assert all({"latency", "model_size"} <= set(t.metrics) for t in trials)
    if name in ("genhpo", "rs"):  # the two that promise no repeats in a finite space (TPE, NSGA-II, SMAC may repeat)
        assert len({tuple(sorted(t.config.items())) for t in trials}) == 15
    if name != "rs":
        assert optimizer.settings()["objectives"] == ["accuracy (max)", "latency (min)", "model_size (min)"]


@pytest.mark.parametrize("name", ["genhpo", "tpe", "rs"])
def test_constrained_optimizers_find_feasible_cells(name, tmp_path):
    bench = benchmarks.make("nb201-constrained", "cifar10", latency_quantile=0.25)
    trials = loop.run(make_optimizer(name, bench, 1, tmp_path), bench, 25)
    upper = bench.constraints[0].upper
    assert any(t.metrics["latency"] <= upper for t in trials)


def test_optuna_is_told_constraint_violations(tmp_path):
    bench = benchmarks.make("nb201-constrained", "cifar10")
    optimizer = make_optimizer("tpe", bench, 0, tmp_path)
    loop.run(optimizer, bench, 3)
    upper = bench.constraints[0].upper
    for trial in optimizer._study.trials:
        latency = bench.evaluate(optimizer.valid_config(trial.params)).metrics["latency"]
        assert trial.constraints == {"latency": pytest.approx(latency - upper)}


@pytest.mark.parametrize("name", ["re", "dehb", "transfer-topk"])
def test_single_objective_baselines_refuse_with_the_alternatives(name, tmp_path):
    with pytest.raises(ValueError, match=r"cannot handle several objectives, which nb201-mo/cifar10 has\. "
                                         r"Baselines for it: rs, smac, smac-bb, tpe, gp, nsga2 \(and genhpo, genhpo-cold\)"):
        make_optimizer(name, benchmarks.make("nb201-mo", "cifar10"), 0, tmp_path)
    with pytest.raises(ValueError, match=r"cannot handle outcome constraints.*Baselines for it: rs, tpe, gp, nsga2"):
        make_optimizer(name, benchmarks.make("nb201-constrained", "cifar10"), 0, tmp_path)


def test_smac_refuses_constraints_it_cannot_model(tmp_path):
    with pytest.raises(ValueError, match="cannot handle outcome constraints"):
        make_optimizer("smac", benchmarks.make("nb201-constrained", "cifar10"), 0, tmp_path)


def test_smac_parego_is_told_every_objective_as_a_cost(tmp_path):
    bench = benchmarks.make("nb201-mo", "cifar10")
    optimizer = make_optimizer("smac", bench, 0, tmp_path)
    trials = loop.run(optimizer, bench, 4)
    assert optimizer.settings()["multi_objective_algorithm"] == "ParEGO"
    told = sorted(v.cost for v in optimizer._smac.runhistory.values())
    expected = sorted([-t.metrics["accuracy"], t.metrics["latency"], t.metrics["model_size"]] for t in trials)
    assert np.allclose(told, expected)


def test_genhpo_on_several_objectives_takes_the_multi_objective_checkpoint_of_its_holdout(tmp_path):
    """nb201-mo takes the checkpoint trained on the other datasets' scalarised objective tables, never an
    accuracy checkpoint nor one trained on its own dataset, with the GP correction its card carries
    (decision 018); so does nb201-constrained, since they know latency."""
    for dataset in ("cifar10", "cifar100", "ImageNet16-120"):
        mo = make_optimizer("genhpo", benchmarks.make("nb201-mo", dataset), 0, tmp_path)
        assert mo.card["name"] == f"nb201-mo-holdout-{dataset}" and mo.settings()["gp"] == 10.0
        assert mo.card["benchmark"] == "nb201-mo" and mo.card["holdout"] == dataset
        assert dataset not in [task.split("/")[1] for task in mo.card["data"]["tasks"]]
    constrained = make_optimizer("genhpo", benchmarks.make("nb201-constrained", "cifar10"), 0, tmp_path)
    assert constrained.card["name"] == "nb201-mo-holdout-cifar10"


def test_objective_pairs_take_the_model_their_selection_chose(tmp_path):
    """Decision 022, a nested selection per pair: accuracy and latency take the checkpoint trained on that
    pair; accuracy and model size the cold-start model (the three-objective checkpoints proposed the
    smallest cells again and again), unless a checkpoints folder holds one of that pair's own recipe;
    latency and model size keep the three-objective checkpoints."""
    from genhpo import presets

    size = benchmarks.make("nb201-mo", "cifar100", objectives=["model_size", "accuracy"])
    assert size.family == "nb201-mo-accuracy-model_size"
    assert make_optimizer("genhpo", size, 0, tmp_path).card["name"] == "nb201-cold"
    latency = benchmarks.make("nb201-mo", "cifar100", objectives=["latency", "accuracy"])
    assert make_optimizer("genhpo", latency, 0, tmp_path).card["name"] == "nb201-mo-accuracy-latency-holdout-cifar100"
    both = benchmarks.make("nb201-mo", "cifar100", objectives=["latency", "model_size"])
    assert make_optimizer("genhpo", both, 0, tmp_path).card["name"] == "nb201-mo-holdout-cifar100"
    own = dict(presets.transfer_card(latency), benchmark="nb201-mo-accuracy-model_size", name="own")
    assert presets.transfer_card(size, [own])["name"] == "own"


@pytest.fixture(scope="module")
def mo_store(tmp_path_factory):
    root = tmp_path_factory.mktemp("mo")
    experiment = Experiment(benchmark="nb201-mo", datasets=("cifar10",), optimizers=("tpe", "rs"), seeds=2, trials=12)
    compare(experiment, root, n_workers=1)
    return root


def test_report_on_several_objectives(mo_store, monkeypatch):
    from genhpo.report import plots

    titles, legends = [], []
    drawn = plots.average_rank
    monkeypatch.setattr(plots, "average_rank", lambda *a, **k: (titles.append(a[3]), drawn(*a, **k)))
    labels = plots._label
    monkeypatch.setattr(plots, "_label", lambda *a: legends.append(labels(*a)) or legends[-1])
    out = build_report(mo_store)
    assert titles == ["nb201-mo (accuracy, latency, model_size) cifar10: average rank by hypervolume regret"]
    assert "tpe (2 seeds; band: 95 % CI of the mean)" in legends and labels("rs", 1) == "rs (1 seed)"
    text = (out / "summary.md").read_text()
    assert "Dominated hypervolume" in text and "accuracy (max, %), latency (min, s), model_size (min, MB)" in text
    assert (out / "nb201-mo_cifar10_pareto.png").stat().st_size > 10_000
    assert "Pareto fronts in accuracy and latency" in text and "model_size left out of the figure" in text
    assert "its seeds pooled" in text
    from genhpo.report.build import summary_rows

    rows = {r["optimizer"]: r for r in summary_rows(mo_store)}
    optimum = benchmarks.make("nb201-mo", "cifar10").optimum
    assert 0 < float(rows["rs"]["regret_mean@10"]) < optimum  # hypervolume regret
    for name, row in rows.items():  # the CSV's hypervolume is the markdown table's, and front - regret
        volume, sem = float(row["hypervolume_mean@10"]), float(row["hypervolume_sem@10"])
        assert volume == pytest.approx(optimum - float(row["regret_mean@10"])) and sem == float(row["regret_sem@10"]) > 0
        section = text.split("Dominated hypervolume", 1)[1].splitlines()
        table = next(line for line in section if line.startswith(f"| {name} | 2 | "))
        assert table.split(" | ")[2].startswith(f"{volume:.4f} ±"), table


def test_report_of_one_seed_claims_no_spread(tmp_path, monkeypatch):
    """One run per optimizer: the hypervolume and regret tables give the mean alone (no "± 0", no "± nan"),
    summary.csv leaves the standard error empty, the Pareto text pools nothing, and the figures' titles
    name the objectives compared (a two-objective run is not the three-objective benchmark)."""
    from genhpo.report import build, plots

    titles = []
    drawn = plots.regret_over_evaluations
    monkeypatch.setattr(plots, "regret_over_evaluations", lambda *a, **k: (titles.append(a[2]), drawn(*a, **k)))
    experiment = Experiment(benchmark="nb201-mo", datasets=("cifar10",), optimizers=("rs",), seeds=1, trials=10,
                            options={"objectives": ["accuracy", "latency"]})
    compare(experiment, tmp_path, n_workers=1)
    text = (build_report(tmp_path) / "summary.md").read_text()
    rows = [line for line in text.splitlines() if line.startswith("| rs | 1 |")]
    assert len(rows) == 2 and not any("±" in line or "nan" in line for line in rows), rows
    assert "| optimizer (mean ± sem) |" in text and "| optimizer (mean ± 95 % CI) |" in text
    assert "Pareto fronts in accuracy and latency" in text and "pooled" not in text
    (row,) = build.summary_rows(tmp_path)
    assert row["regret_sem@10"] == "" and float(row["regret_mean@10"]) > 0
    assert row["hypervolume_sem@10"] == "" and 0 < float(row["hypervolume_mean@10"]) < 1
    front = benchmarks.make("nb201-mo", "cifar10", objectives=["accuracy", "latency"]).optimum
    assert titles == [f"nb201-mo (accuracy, latency) cifar10: hypervolume regret (table's front {front:.4g})"]


def test_deepcave_export_carries_every_objective(mo_store):
    export_deepcave(mo_store)
    run = DataFrameRun.from_path(run_folder(mo_store, RunKey("nb201-mo", "cifar10", "tpe", 0)))
    objectives = run.get_objectives()
    assert [(o.name, o.optimize) for o in objectives[:3]] == [("accuracy", "upper"), ("latency", "lower"),
                                                             ("model_size", "lower")]
    assert len(run.history) == 12
    first = run.history[0]
    assert first.costs[1] < 0.03 and 0.05 < first.costs[2] < 2  # seconds and MB, not negated


def test_report_on_a_constrained_experiment(tmp_path):
    experiment = Experiment(benchmark="nb201-constrained", datasets=("cifar10",), optimizers=("rs",), seeds=2,
                            trials=10, options={"latency_quantile": 0.5})
    compare(experiment, tmp_path, n_workers=1)
    text = (build_report(tmp_path) / "summary.md").read_text()
    assert "feasible fraction" in text
    # the bound is stated with its unit: the table's median latency in seconds
    bound = float(text.split("Constrained: latency <= ")[1].split(" s.")[0])
    assert 0.005 < bound < 0.05
    assert "Transfer of the architecture found on cifar10" in text and "ImageNet16-120: rank" in text
    # DeepCAVE's own converter reads the score and the bounded latency, and the feasibility of each trial
    export_deepcave(tmp_path)
    folder = run_folder(tmp_path, RunKey("nb201-constrained", "cifar10", "rs", 0))
    run = DataFrameRun.from_path(folder)
    assert [(o.name, o.optimize) for o in run.get_objectives()[:2]] == [("score", "upper"), ("latency", "lower")]
    rows = pd.read_csv(folder / "trials.csv")
    assert list(rows["feasible"]) == [latency <= bound + 1e-12 for latency in rows["result_latency"]]
    assert rows["feasible"].any() and not rows["feasible"].all()


def test_after_feasible_model_takes_over_at_the_first_feasible_result():
    bench = benchmarks.make("nb201-constrained", "cifar100", latency_quantile=0.25)
    assert bench.after_feasible_family == "nb201"  # decision 018
    optimizer = presets.for_benchmark(bench, 0)
    first_model = optimizer.model
    settings = optimizer.settings()
    assert settings["checkpoint"] == "nb201-mo-holdout-cifar100"
    assert settings["after_feasible"]["checkpoint"] == "nb201-holdout-cifar100"
    assert settings == presets.identity("genhpo", bench, 0)  # the run store's identity, from the cards alone
    upper = bench.constraints[0].upper
    trials = loop.run(optimizer, bench, 20)
    first = next(i for i, t in enumerate(trials) if t.metrics["latency"] <= upper)
    assert first < 15 and optimizer.handed_over and optimizer.model is not first_model  # 5+ asks after it
    # the same as two optimizers told everything, the first asking until a feasible result, the second after
    mo = presets.for_benchmark(bench, 0, checkpoint="nb201-mo-holdout-cifar100")
    accuracy = presets.for_benchmark(bench, 0, checkpoint="nb201-holdout-cifar100")
    for i, trial in enumerate(trials):
        assert dict((mo if i <= first else accuracy).ask()) == dict(trial.config)
        for o in (mo, accuracy):
            o.tell(trial.config, bench.evaluate(o.valid_config(trial.config)))


def test_after_feasible_needs_constraints_and_an_explicit_checkpoint_has_none():
    bench = benchmarks.make("nb201-constrained", "cifar10")
    bench.after_feasible_family = "nb201"
    assert "after_feasible" not in presets.for_benchmark(bench, 0, checkpoint="nb201-mo-holdout-cifar10").settings()
    model, card = load_checkpoint("nb201-holdout-cifar10")
    with pytest.raises(ValueError, match="after_feasible hands over at the first feasible result: it needs constraints"):
        GenerativeOptimizer(bench.config_space, 0, model, after_feasible=(model, SuggestConfig.from_card(card), card))
