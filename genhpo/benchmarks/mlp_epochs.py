"""``make("mlp-epochs", dataset)``: a small neural network trained for real, with epochs as the fidelity.

A multi-layer perceptron (scikit-learn's ``MLPClassifier``, Adam) on a dataset scikit-learn ships
(no download): ``digits`` (1,797 x 64, 10 classes), ``breast_cancer`` (569 x 30, 2), ``wine``
(178 x 13, 3). Features standardised on the training part; a fixed stratified split, 2/3 training and
1/3 validation (seed 0).

Space (6 hyperparameters): ``layers`` 1-3, ``units`` 8-256 (log), ``activation`` relu / tanh,
``learning_rate`` 1e-4-1e-1 (log), ``alpha`` (L2 penalty) 1e-6-1e-1 (log), ``batch_size`` 16-256 (log).

Fidelity: ``epochs`` 1-27 (whole epochs; 27 = 3^3, so successive halving with eta 3 has rungs 1, 3,
9, 27), each evaluation trained from scratch for that many epochs (network seed 0: a deterministic
function of configuration and epochs). Score: validation accuracy at that fidelity; cost: the
measured training seconds on this machine, so wall-clock comparisons are real. ``optimum`` is 1.0
(perfect accuracy), an upper bound: regret is 1 - accuracy.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Mapping
from functools import cache
from typing import Any

import numpy as np
from ConfigSpace import Categorical, ConfigurationSpace, Float, Integer

from genhpo.benchmarks.base import Benchmark, Fidelity
from genhpo.benchmarks.sklearn_pipeline import DATASETS, load_dataset
from genhpo.protocol import Result

MAX_EPOCHS = 27


@cache
def _split(dataset: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(X_train, y_train, X_val, y_val), standardised on the training part (read-only arrays)."""
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    X, y = load_dataset(dataset)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=1 / 3,
                                                      stratify=y, random_state=0)
    scaler = StandardScaler().fit(X_train)
    arrays = (scaler.transform(X_train), y_train, scaler.transform(X_val), y_val)
    for array in arrays:
        array.setflags(write=False)
    return arrays


def config_space(seed: int | None = None) -> ConfigurationSpace:
    """The MLP's six hyperparameters (see the module doc)."""
    space = ConfigurationSpace(name="mlp-epochs", seed=seed)
    space.add([
        Integer("layers", (1, 3), default=1),
        Integer("units", (8, 256), log=True, default=64),
        Categorical("activation", ["relu", "tanh"], default="relu"),
        Float("learning_rate", (1e-4, 1e-1), log=True, default=1e-3),
        Float("alpha", (1e-6, 1e-1), log=True, default=1e-4),
        Integer("batch_size", (16, 256), log=True, default=64),
    ])
    return space


class MLPEpochsBenchmark(Benchmark):
    """An MLP trained for ``fidelity`` epochs (default the full 27); score = validation accuracy."""

    name = "mlp-epochs"
    score_unit = "validation accuracy, fraction"
    fidelity_space = Fidelity("epochs", 1, MAX_EPOCHS, integer=True)

    def __init__(self, dataset: str = "digits") -> None:
        super().__init__()
        if dataset not in DATASETS:
            raise ValueError(f"unknown mlp-epochs dataset {dataset!r}; accepted: {', '.join(DATASETS)}")
        self.dataset = dataset
        self._space = config_space()

    @classmethod
    def available_datasets(cls) -> list[str]:
        return list(DATASETS)

    @property
    def config_space(self) -> ConfigurationSpace:
        return self._space

    @property
    def optimum(self) -> float:
        return 1.0

    def _evaluate(self, config: Mapping[str, Any], fidelity: float | None, rng: np.random.Generator | None) -> Result:
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.neural_network import MLPClassifier

        epochs = int(MAX_EPOCHS if fidelity is None else fidelity)
        X_train, y_train, X_val, y_val = _split(self.dataset)
        model = MLPClassifier(
            hidden_layer_sizes=(int(config["units"]),) * int(config["layers"]), activation=config["activation"],
            learning_rate_init=float(config["learning_rate"]), alpha=float(config["alpha"]),
            batch_size=min(int(config["batch_size"]), len(X_train)), max_iter=epochs, solver="adam",
            n_iter_no_change=MAX_EPOCHS + 1, tol=0.0, random_state=0)
        started = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # stopping after `epochs` is the point
            model.fit(X_train, y_train)
        cost = time.perf_counter() - started
        return Result(score=float(model.score(X_val, y_val)), cost=cost, metrics={"epochs": float(epochs)})
