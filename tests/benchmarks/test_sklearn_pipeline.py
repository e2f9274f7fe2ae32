"""The scikit-learn pipeline benchmark: a large conditional space trained for real on datasets that
scikit-learn ships; the optimizers that promise conditional spaces run on it."""

from __future__ import annotations

import pytest

from genhpo.baselines import make_baseline
from genhpo.benchmarks import make
from genhpo.loop import run


@pytest.fixture(scope="module")
def wine():
    return make("sklearn-pipeline", "wine")


def test_space_shape_and_deterministic_real_scores(wine):
    space = wine.config_space
    assert (len(space), len(space.conditions), len(space.forbidden_clauses)) == (23, 21, 1)
    space.seed(3)
    configs = space.sample_configuration(6)
    first = [wine.evaluate(c) for c in configs]
    assert all(0.0 < r.score <= 1.0 and r.cost > 0 for r in first)
    assert len({dict(c)["classifier"] for c in configs}) >= 3
    assert [wine.evaluate(c).score for c in configs] == [r.score for r in first]  # fixed folds and seeds
    assert set(first[0].metrics) == {"fold0_accuracy", "fold1_accuracy", "fold2_accuracy"}
    assert wine.optimum == 1.0


def test_forbidden_and_unknown_inputs_are_refused(wine):
    with pytest.raises(ValueError, match="accepted: digits, breast_cancer, wine"):
        make("sklearn-pipeline", "iris")
    with pytest.raises(ValueError, match="invalid configuration"):
        wine.evaluate({"preprocessor": "none", "classifier": "svc", "svc:C": 1.0, "svc:kernel": "poly",
                       "svc:gamma": 0.01, "svc:degree": 5, "svc:coef0": 0.0})  # the forbidden clause


@pytest.mark.parametrize("name", ["rs", "re", "smac", "tpe"])
def test_conditional_optimizers_run_on_it(wine, name):
    trials = run(make_baseline(name, wine, 0, n_trials=6, population_size=3, sample_size=2)
                 if name == "re" else make_baseline(name, wine, 0, n_trials=6), wine, 6)
    assert all(t.status == "ok" for t in trials) and len(trials) == 6
