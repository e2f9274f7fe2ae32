import numpy as np
import pytest
from ConfigSpace import (
    CategoricalHyperparameter,
    ConfigurationSpace,
    Constant,
    EqualsCondition,
    ForbiddenAndConjunction,
    ForbiddenEqualsClause,
    OrdinalHyperparameter,
    UniformFloatHyperparameter,
    UniformIntegerHyperparameter,
)

from genhpo.spaces import SpaceEncoder


@pytest.fixture()
def mixed_space() -> ConfigurationSpace:
    space = ConfigurationSpace(seed=1)
    space.add(
        [
            CategoricalHyperparameter("opt", ["adam", "sgd", "rmsprop"]),
            UniformFloatHyperparameter("lr", 1e-5, 1.0, log=True),
            UniformIntegerHyperparameter("layers", 1, 8),
            OrdinalHyperparameter("width", [16, 32, 64, 128]),
            Constant("epochs", 10),
            UniformFloatHyperparameter("momentum", 0.0, 0.99),
        ]
    )
    space.add(EqualsCondition(space["momentum"], space["opt"], "sgd"))
    return space


def test_layout_one_hot_for_categoricals_unit_interval_for_the_rest(mixed_space):
    enc = SpaceEncoder(mixed_space)
    assert enc.dim == 3 + 1 + 1 + 1 + 1  # constant takes no entry
    kinds = {b.name: (b.kind, b.width) for b in enc.blocks}
    assert kinds["opt"] == ("categorical", 3)
    assert kinds["width"] == ("ordinal", 1)
    assert "epochs" not in kinds
    config = {"opt": "adam", "lr": 1e-3, "layers": 8, "width": 64, "epochs": 10}
    x = enc.encode(config)
    lr = next(b for b in enc.blocks if b.name == "lr").start
    assert x[lr] == pytest.approx(0.4)  # log scale: (log 1e-3 - log 1e-5) / (log 1 - log 1e-5)
    width = next(b for b in enc.blocks if b.name == "width").start
    assert x[width] == pytest.approx(2 / 3)
    momentum = next(b for b in enc.blocks if b.name == "momentum").start
    assert x[momentum] == 0.0  # inactive -> zeros


def test_decode_inverts_encode_for_sampled_configs(mixed_space):
    enc = SpaceEncoder(mixed_space)
    for config in mixed_space.sample_configuration(200):
        decoded = enc.decode(enc.encode(config))
        assert set(decoded.keys()) == set(config.keys())
        for name, value in config.items():
            if isinstance(value, float):
                assert decoded[name] == pytest.approx(value, rel=1e-9)
            else:
                assert decoded[name] == value


def test_decode_accepts_any_real_vector_and_returns_valid_configs(mixed_space):
    enc = SpaceEncoder(mixed_space)
    rng = np.random.default_rng(0)
    X = rng.normal(0.5, 2.0, size=(300, enc.dim))
    for config in enc.decode_batch(X):
        config.check_valid_configuration()  # raises if invalid
        assert ("momentum" in config) == (config["opt"] == "sgd")
    assert enc.encode_batch([]).shape == (0, enc.dim)
    projected = enc.round_trip(X[:5])
    assert np.allclose(enc.round_trip(projected), projected)


def test_bad_vectors_and_values_name_the_problem(mixed_space):
    enc = SpaceEncoder(mixed_space)
    with pytest.raises(ValueError, match=f"length {enc.dim}"):
        enc.decode(np.zeros(enc.dim + 1))
    x = np.zeros(enc.dim)
    x[2] = np.nan
    with pytest.raises(ValueError, match=r"NaN or inf at positions \[2\]"):
        enc.decode(x)
    with pytest.raises(ValueError, match="accepted: adam, sgd, rmsprop"):
        enc.encode({"opt": "lbfgs", "lr": 0.1, "layers": 2, "width": 16})
    with pytest.raises(ValueError, match="unknown hyperparameters"):
        enc.encode({"opt": "adam", "colour": "red"})
    with pytest.raises(ValueError, match="outside"):
        enc.encode({"opt": "adam", "lr": 5.0, "layers": 2, "width": 16})
    with pytest.raises(TypeError):
        SpaceEncoder({"a": [1, 2]})


def test_forbidden_decodes_raise_clearly():
    space = ConfigurationSpace()
    space.add([CategoricalHyperparameter("a", ["x", "y"]), CategoricalHyperparameter("b", ["u", "v"])])
    space.add(ForbiddenAndConjunction(ForbiddenEqualsClause(space["a"], "y"), ForbiddenEqualsClause(space["b"], "v")))
    enc = SpaceEncoder(space)
    with pytest.raises(ValueError, match="forbidden"):
        enc.decode([0.0, 1.0, 0.0, 1.0])
    assert dict(enc.decode([1.0, 0.0, 0.0, 1.0])) == {"a": "x", "b": "v"}


def test_signature_tells_spaces_apart(mixed_space):
    other = ConfigurationSpace()
    other.add(CategoricalHyperparameter("opt", ["adam", "sgd"]))
    assert SpaceEncoder(mixed_space).signature() == SpaceEncoder(mixed_space).signature()
    assert SpaceEncoder(mixed_space).signature() != SpaceEncoder(other).signature()
    assert SpaceEncoder(mixed_space).is_finite is False and SpaceEncoder(other).is_finite is True
