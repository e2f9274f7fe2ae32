"""nb201-mo and nb201-constrained on the real tables: objectives, constraints, bad options; the Pareto helpers."""

from __future__ import annotations

import numpy as np
import pytest

from genhpo import benchmarks
from genhpo.benchmarks import pareto
from genhpo.benchmarks.nb201 import NB201Constrained, NB201MultiObjective, mean_accuracies
from genhpo.protocol import Constraint, Objective, Result, feasible

ARCH = {"edge_1<-0": "nor_conv_3x3", "edge_2<-0": "nor_conv_3x3", "edge_2<-1": "nor_conv_3x3",
        "edge_3<-0": "skip_connect", "edge_3<-1": "nor_conv_3x3", "edge_3<-2": "nor_conv_1x1"}


def test_pareto_mask_and_hypervolume_by_hand():
    Y = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5], [0.4, 0.4], [0.5, 0.5]])
    assert pareto.pareto_mask(Y).tolist() == [True, True, True, False, False]  # duplicate kept once
    # union of three boxes from the origin: 1*0 + 0*1 + 0.5*0.5 = 0.25 (the axis points add no area)
    assert pareto.hypervolume(Y, np.zeros(2)) == pytest.approx(0.25)
    assert pareto.hypervolume(np.array([[0.5, 0.5], [0.25, 1.0]]), np.zeros(2)) == pytest.approx(0.25 + 0.125)
    assert pareto.hypervolume(np.array([[-1.0, 2.0]]), np.zeros(2)) == 0.0  # does not dominate the reference
    curve = pareto.hypervolume_curve(np.array([[0.5, 0.5], [np.nan, np.nan], [0.2, 0.2], [1.0, 1.0]]), np.zeros(2))
    assert curve.tolist() == pytest.approx([0.25, 0.25, 0.25, 1.0])
    with pytest.raises(ValueError, match="reference"):
        pareto.hypervolume(Y, np.zeros(3))
    # the anytime curve checks its reference as hypervolume does (a NaN one would give zeros silently)
    for reference in (np.array([0.0, np.nan]), np.zeros(3)):
        with pytest.raises(ValueError, match="reference must be a finite vector of 2 values"):
            pareto.hypervolume_curve(Y, reference)
    with pytest.raises(ValueError, match=r"Y must be an \(n, k\) array"):
        pareto.hypervolume_curve(np.array([0.5, 0.5]), np.zeros(2))
    with pytest.raises(ValueError, match="finite"):
        pareto.hypervolume(np.array([[np.nan, 1.0]]), np.zeros(2))


def test_augmented_chebyshev_by_hand():
    # w = (.5, .5): gaps (.5 * .8, .5 * .4) = (.4, .2) -> -(.4 + .05 * .6) = -.43; the ideal point scores 0
    F = np.array([[0.2, 0.6], [1.0, 1.0]])
    np.testing.assert_allclose(pareto.augmented_chebyshev(F, np.array([0.5, 0.5])), [-0.43, 0.0])
    np.testing.assert_allclose(pareto.augmented_chebyshev(F, np.array([1.0, 0.0]), rho=0.0), [-0.8, 0.0])
    with pytest.raises(ValueError, match="w \\(k,\\)"):
        pareto.augmented_chebyshev(F, np.ones(3) / 3)


def test_multi_objective_nb201_reads_the_three_tables():
    bench = benchmarks.make("nb201-mo", "cifar10")
    assert [(o.name, o.direction) for o in bench.objectives] == [("accuracy", "max"), ("latency", "min"),
                                                                    ("model_size", "min")]
    result = bench.evaluate(ARCH)
    single = benchmarks.make("nb201", "cifar10").evaluate(ARCH)
    assert result.score == single.score == result.metrics["accuracy"]
    assert result.metrics["latency"] == single.metrics["latency"] > 0
    table = bench.objective_table()
    assert table.shape == (15625, 3)
    front = bench.pareto_front()
    assert 1 < len(front) < 200
    # the best accuracy and the smallest latency of the table are on the front
    assert front[:, 0].max() == pytest.approx(mean_accuracies("cifar10").max())
    assert front[:, 1].max() == pytest.approx(table[:, 1].max())
    # the optimum is the front's hypervolume in normalised objectives, inside (0, 1)
    assert 0.5 < bench.optimum < 1.0
    assert bench.optimum == pytest.approx(pareto.hypervolume(bench.normalised(table), np.zeros(3)))
    two = benchmarks.make("nb201-mo", "cifar10", objectives=["accuracy", "latency"])
    assert len(two.objectives) == 2 and two.optimum != bench.optimum


@pytest.mark.parametrize(("objectives", "message"), [
    (["accuracy", "flops"], "no objective 'flops'; accepted: accuracy, latency, model_size"),
    (["accuracy"], "two or more distinct"),
    (["accuracy", "accuracy"], "two or more distinct"),
    ("accuracy", "list of names"),
])
def test_bad_objectives_are_named(objectives, message):
    with pytest.raises(ValueError, match=message):
        NB201MultiObjective("cifar10", objectives=objectives)


def test_constrained_nb201_optimum_is_the_best_feasible_cell():
    bench = benchmarks.make("nb201-constrained", "cifar100", latency_quantile=0.25)
    (constraint,) = bench.constraints
    assert constraint.name == "latency"
    assert bench.feasible_cells.mean() == pytest.approx(0.25, abs=0.01)
    accuracy = mean_accuracies("cifar100")
    assert bench.optimum == accuracy[bench.feasible_cells].max() < accuracy.max()
    result = bench.evaluate(ARCH)
    assert feasible(result, bench.constraints) == (result.metrics["latency"] <= constraint.upper)
    loose = NB201Constrained("cifar100", max_latency=1.0)
    assert loose.optimum == pytest.approx(accuracy.max())


@pytest.mark.parametrize(("options", "message"), [
    ({"max_latency": 0.001}, r"no NB201 cell on cifar10 satisfies latency <= 0.001 s: the smallest latency is 0.00714"),
    ({"latency_quantile": 0.0}, r"latency_quantile must be a number in \(0, 1\]"),
    ({"latency_quantile": 1.5}, r"latency_quantile must be a number in \(0, 1\]"),
    ({"latency_quantile": 0.5, "max_latency": 0.02}, "not both"),
    ({"max_latency": float("nan")}, "finite number of seconds"),
])
def test_bad_constraints_are_named(options, message):
    with pytest.raises(ValueError, match=message):
        NB201Constrained("cifar10", **options)


def test_benchmark_options_are_checked_by_name():
    with pytest.raises(ValueError, match="no option 'latency'; accepted: latency_quantile, max_latency"):
        benchmarks.check_datasets("nb201-constrained", ["cifar10"], latency=0.01)
    with pytest.raises(ValueError, match="no option 'objectives'; accepted: \\(none\\)"):
        benchmarks.check_datasets("nb201", ["cifar10"], objectives=["accuracy"])
    with pytest.raises(ValueError, match="satisfies"):
        benchmarks.check_datasets("nb201-constrained", ["cifar10"], max_latency=0.0001)
    benchmarks.check_datasets("nb201-mo", ["cifar10", "cifar100"], objectives=["accuracy", "model_size"])
    with pytest.raises(ValueError, match="benchmark nb201-mo has no option 'foo'; accepted: objectives"):
        benchmarks.make("nb201-mo", "cifar10", foo=1)


def test_objective_and_constraint_records():
    result = Result(score=90.0, metrics={"latency": 0.02})
    assert Objective("latency", "min").maximised(result) == -0.02
    assert Objective("score").value(result) == 90.0
    assert Constraint("latency", 0.01).violation(result) == pytest.approx(0.01)
    assert not feasible(result, (Constraint("latency", 0.01),)) and feasible(result, ())
    assert not feasible(Result.failure("boom"), ())
    with pytest.raises(ValueError, match="no metric 'size'; it has: score, latency"):
        Objective("size").value(result)
    with pytest.raises(ValueError, match="direction must be 'max' or 'min'"):
        Objective("latency", "down")
    with pytest.raises(ValueError, match="upper must be a finite number"):
        Constraint("latency", float("inf"))
