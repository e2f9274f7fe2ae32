"""The cold-start generative optimizer on spaces of unusual shape (issue 17's bad-input list): a
sensible suggestion (valid, never repeated) or a clear error."""

from __future__ import annotations

import pytest
from ConfigSpace import Categorical, ConfigurationSpace, EqualsCondition, Float, ForbiddenEqualsClause

from genhpo import presets
from genhpo.protocol import Result


def _conditional() -> ConfigurationSpace:
    space = ConfigurationSpace(seed=0)
    model, c, gamma = Categorical("model", ["svm", "tree"]), Float("C", (1e-3, 1e3), log=True), Float("gamma", (0.0, 1.0))
    kernel = Categorical("kernel", ["rbf", "linear"])
    space.add([model, c, gamma, kernel, EqualsCondition(c, model, "svm"), EqualsCondition(kernel, model, "svm"),
               EqualsCondition(gamma, kernel, "rbf"), ForbiddenEqualsClause(kernel, "linear")])
    return space


SPACES = {
    "one float": lambda: ConfigurationSpace({"x": (0.0, 1.0)}),
    "50 floats": lambda: ConfigurationSpace({f"x{i}": (0.0, 1.0) for i in range(50)}),
    "100 choices and a float": lambda: ConfigurationSpace({"c": [f"v{i}" for i in range(100)], "x": (0.0, 1.0)}),
    "conditions and a forbidden clause": _conditional,
}


@pytest.mark.parametrize("name", list(SPACES))
def test_valid_and_never_repeated_suggestions(name):
    space = SPACES[name]()
    optimizer = presets.for_space(space, seed=0)
    seen = set()
    for i in range(25):
        config = optimizer.ask()
        config.check_valid_configuration()  # ConfigSpace's own check: bounds, conditions, forbidden clauses
        key = tuple(sorted(dict(config).items()))
        assert key not in seen
        seen.add(key)
        optimizer.tell(config, Result(score=float(i % 7)))
    if name == "conditions and a forbidden clause":
        assert all(dict(k).get("kernel") != "linear" for k in seen)
        assert {dict(k)["model"] for k in seen} == {"svm", "tree"}


def test_a_finite_space_ends_with_a_clear_error():
    optimizer = presets.for_space(ConfigurationSpace({"n": (1, 3)}), seed=0)
    for _ in range(3):
        optimizer.tell(optimizer.ask(), Result(score=1.0))
    with pytest.raises(ValueError, match="every configuration of this finite space has been evaluated"):
        optimizer.ask()


def test_an_empty_space_is_a_clear_error():
    from ConfigSpace import ConfigurationSpace

    from genhpo import presets

    with pytest.raises(ValueError, match="no hyperparameters"):
        presets.for_space(ConfigurationSpace())
