"""Small spaces and tiny untrained models (real code paths, seconds to run), shared by the tests."""

from __future__ import annotations

import contextlib
import signal

from ConfigSpace import (
    CategoricalHyperparameter,
    ConfigurationSpace,
    OrdinalHyperparameter,
    UniformFloatHyperparameter,
)

from genhpo.metatrain.train import init_model
from genhpo.model.layout import Layout
from genhpo.model.network import ModelConfig
from genhpo.spaces import SpaceEncoder

TINY = ModelConfig(embed=8, heads=2, layers=1, ff=16, context=8, latent=2, hidden=16)


def make_mixed_space() -> ConfigurationSpace:
    """Two categoricals, an ordinal and a log-float: dim 3 + 4 + 1 + 1 = 9."""
    space = ConfigurationSpace(seed=0)
    space.add([
        CategoricalHyperparameter("act", ["relu", "tanh", "gelu"]),
        CategoricalHyperparameter("opt", ["adam", "sgd", "rmsprop", "adamw"]),
        OrdinalHyperparameter("depth", [1, 2, 4, 8]),
        UniformFloatHyperparameter("lr", 1e-4, 1e-1, log=True),
    ])
    return space


def make_finite_space() -> ConfigurationSpace:
    """3 x 3 x 2 = 18 configurations: small enough to exhaust."""
    space = ConfigurationSpace(seed=0)
    space.add([
        CategoricalHyperparameter("a", ["x", "y", "z"]),
        CategoricalHyperparameter("b", ["p", "q", "r"]),
        CategoricalHyperparameter("c", ["on", "off"]),
    ])
    return space


def tiny_model(space: ConfigurationSpace, seed: int = 0):
    return init_model(Layout.from_encoder(SpaceEncoder(space)), TINY, seed)


@contextlib.contextmanager
def interruptible_children():
    """Child processes started inside take SIGINT as under a terminal: a background job (``make test &``)
    ignores SIGINT, and a child would inherit that, so a test's Ctrl-C would not reach it. A handled signal
    is reset to its default at exec, so handling it here for the moment of the start is enough."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
