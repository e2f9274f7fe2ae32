"""SpaceEncoder on conditional spaces: every configuration ConfigSpace samples comes back exactly from
``decode(encode(config))``, and ``decode`` of any vector gives a valid configuration or a clear error.

Fixtures of the shapes real spaces have (auto-sklearn's pipeline space, solver spaces): deep condition
chains, InCondition, OrConjunction and AndConjunction, forbidden clauses over conditional children,
single-choice categoricals and constants.
"""

from __future__ import annotations

import numpy as np
import pytest
from ConfigSpace import (
    AndConjunction,
    Categorical,
    ConfigurationSpace,
    Constant,
    EqualsCondition,
    Float,
    ForbiddenAndConjunction,
    ForbiddenEqualsClause,
    ForbiddenInClause,
    GreaterThanCondition,
    InCondition,
    Integer,
    OrConjunction,
    OrdinalHyperparameter,
)

from genhpo.spaces import SpaceEncoder


def svc_or_qda() -> ConfigurationSpace:
    """The three-hyperparameter shape of auto-sklearn's liblinear block: ``dual`` has one choice, and a
    forbidden clause joins two children that are inactive when ``clf == "qda"``."""
    cs = ConfigurationSpace(seed=1)
    clf = Categorical("clf", ["svc", "qda"])
    penalty = Categorical("penalty", ["l1", "l2"], default="l2")
    dual = Categorical("dual", ["False"])
    cs.add([clf, penalty, dual, EqualsCondition(penalty, clf, "svc"), EqualsCondition(dual, clf, "svc"),
            ForbiddenAndConjunction(ForbiddenEqualsClause(dual, "False"), ForbiddenEqualsClause(penalty, "l1"))])
    return cs


def pipeline() -> ConfigurationSpace:
    """A pipeline in the spirit of auto-sklearn: preprocessor and classifier choices, each with its own
    hyperparameters; a chain four deep; Or/And conjunctions; forbidden clauses over children; constants."""
    cs = ConfigurationSpace(seed=2)
    pre = Categorical("pre", ["none", "pca", "select"])
    n_comp = Integer("pca:n", (2, 64), log=True)
    whiten = Categorical("pca:whiten", ["False", "True"])
    score = Categorical("select:score", ["f", "chi2", "mi"])
    pct = Float("select:pct", (1.0, 99.0))
    clf = Categorical("clf", ["sgd", "tree", "svm"])
    loss = Categorical("sgd:loss", ["hinge", "log", "huber"])
    eps = Float("sgd:eps", (1e-5, 1e-1), log=True)  # only for huber
    eps_decay = Float("sgd:eps_decay", (0.1, 0.9))  # only when eps > 0.01: a chain four deep
    lr = Categorical("sgd:lr", ["constant", "optimal", "invscaling"])
    power = Float("sgd:power", (0.1, 1.0))
    depth = OrdinalHyperparameter("tree:depth", [1, 2, 4, 8, 16])
    crit = Categorical("tree:crit", ["gini", "entropy"])
    kernel = Categorical("svm:kernel", ["rbf", "poly", "sigmoid"])
    degree = Integer("svm:degree", (2, 5))
    gamma = Float("svm:gamma", (1e-4, 8.0), log=True)
    coef0 = Float("svm:coef0", (-1.0, 1.0))
    shrink = Categorical("svm:shrinking", ["True"])  # one choice
    seed = Constant("random_state", 1)
    cs.add([pre, n_comp, whiten, score, pct, clf, loss, eps, eps_decay, lr, power, depth, crit, kernel, degree,
            gamma, coef0, shrink, seed])
    cs.add([
        EqualsCondition(n_comp, pre, "pca"), EqualsCondition(whiten, pre, "pca"),
        EqualsCondition(score, pre, "select"), EqualsCondition(pct, pre, "select"),
        EqualsCondition(loss, clf, "sgd"), EqualsCondition(lr, clf, "sgd"),
        EqualsCondition(eps, loss, "huber"), GreaterThanCondition(eps_decay, eps, 0.01),
        AndConjunction(EqualsCondition(power, lr, "invscaling"), EqualsCondition(power, loss, "log")),
        EqualsCondition(depth, clf, "tree"), EqualsCondition(crit, clf, "tree"),
        EqualsCondition(kernel, clf, "svm"), EqualsCondition(shrink, clf, "svm"),
        EqualsCondition(degree, kernel, "poly"),
        InCondition(gamma, kernel, ["rbf", "poly", "sigmoid"]),
        OrConjunction(EqualsCondition(coef0, kernel, "poly"), EqualsCondition(coef0, kernel, "sigmoid")),
    ])
    cs.add([
        ForbiddenAndConjunction(ForbiddenEqualsClause(score, "chi2"), ForbiddenEqualsClause(clf, "svm")),
        ForbiddenAndConjunction(ForbiddenEqualsClause(shrink, "True"), ForbiddenEqualsClause(kernel, "sigmoid"),
                                ForbiddenInClause(whiten, ["True"])),
        ForbiddenAndConjunction(ForbiddenEqualsClause(lr, "optimal"), ForbiddenEqualsClause(loss, "huber")),
    ])
    return cs


SPACES = {"svc-or-qda": svc_or_qda, "pipeline": pipeline}


@pytest.mark.parametrize("name", sorted(SPACES))
def test_every_sampled_configuration_round_trips_exactly(name):
    space = SPACES[name]()
    encoder = SpaceEncoder(space)
    configs = space.sample_configuration(600)
    for config in configs:
        assert encoder.decode(encoder.encode(config)) == config, dict(config)
    active_sets = {frozenset(dict(c)) for c in configs}
    assert len(active_sets) >= (2 if name == "svc-or-qda" else 8)  # the conditions were exercised


def test_decode_of_any_vector_is_valid_or_a_forbidden_clause():
    rng = np.random.default_rng(0)
    space = pipeline()
    encoder = SpaceEncoder(space)
    valid = forbidden = 0
    for _ in range(1000):
        x = rng.normal(size=encoder.dim) * 2
        try:
            config = encoder.decode(x)
        except ValueError as exc:
            assert "forbidden clause" in str(exc)
            forbidden += 1
            continue
        config.check_valid_configuration()  # ConfigSpace's own check: conditions and forbidden clauses
        assert encoder.decode(encoder.encode(config)) == config
        valid += 1
    assert valid > 500 and forbidden > 0


def test_inactive_children_never_reach_a_forbidden_clause():
    """``clf == "qda"``: penalty and dual are inactive, their (zero) blocks must not be decoded into the
    forbidden pair (dual = "False", penalty = "l1")."""
    space = svc_or_qda()
    encoder = SpaceEncoder(space)
    x = np.zeros(encoder.dim)
    x[encoder.blocks[0].start + 1] = 1.0  # clf = qda, everything else zero
    assert dict(encoder.decode(x)) == {"clf": "qda"}


@pytest.mark.parametrize("bad", [np.zeros(3), np.full(30, np.nan)])
def test_bad_vectors_name_the_problem(bad):
    encoder = SpaceEncoder(pipeline())
    with pytest.raises(ValueError, match="length|NaN"):
        encoder.decode(bad[: encoder.dim] if len(bad) > encoder.dim else bad)


@pytest.mark.parametrize("name", sorted(SPACES))
def test_project_equals_encode_of_decode_row_by_row(name):
    """The batch projection the optimizer uses on its candidates: the same floats as
    ``encode(decode(row))``, and the same rows dropped for a forbidden clause."""
    encoder = SpaceEncoder(SPACES[name]())
    rng = np.random.default_rng(1)
    X = np.vstack([rng.random((400, encoder.dim)), np.clip(rng.normal(0.5, 1.0, (400, encoder.dim)), 0, 1)])
    rows, allowed = encoder.project(X)
    expected, ok = [], []
    for x in X:
        try:
            expected.append(encoder.encode(encoder.decode(x)))
            ok.append(True)
        except ValueError as exc:
            assert "forbidden clause" in str(exc)
            ok.append(False)
    assert allowed.tolist() == ok
    assert 0 < allowed.sum() and (name == "svc-or-qda" or not allowed.all())  # both kinds of row occur
    np.testing.assert_array_equal(rows, np.array(expected))


@pytest.mark.parametrize("problem", ["width", "NaN", "1-d"])
def test_project_refuses_bad_arrays(problem):
    encoder = SpaceEncoder(pipeline())
    bad = {"width": np.zeros((2, encoder.dim - 1)), "NaN": np.full((2, encoder.dim), np.nan),
           "1-d": np.zeros(encoder.dim)}[problem]
    with pytest.raises(ValueError, match="shape" if problem != "NaN" else "NaN"):
        encoder.project(bad)
