"""A tiny HPO-B root in the official file format, written by the tests, with hand-checkable values.

Search space "s1" (d = 2). meta-test dataset "d1": 8 rows, raw y = 1 3 2 5 4 9 7 11, so the
task-normalised y = 0 .2 .1 .4 .3 .8 .6 1. Seeds: test0 = rows 0-4, test1 = rows 7 6 5 4 3,
test2 = rows 2 0 4 6 1. meta-train "t1", "t2", meta-validation "v1" (s1); the augmented meta-train
adds space "s9" (no meta-test split). Surrogate of s1/d1: one depth-1 tree, 0 where x0 < 0.5 and
10 where x0 > 0.5 (exact), with y_min = 0 and y_max = 10.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

Y_RAW = [1, 3, 2, 5, 4, 9, 7, 11]
X_TEST = [[i / 10, 1 - i / 10] for i in range(8)]


def _task(X, y):
    return {"X": [list(map(float, row)) for row in X], "y": [[float(v)] for v in y]}


def write_root(root: Path, surrogates: bool = True) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    test = {"s1": {"d1": _task(X_TEST, Y_RAW)}}
    train = {"s1": {"t1": _task([[0, 0], [1, 1]], [0, 1]), "t2": _task([[0.5, 0.5], [0.2, 0.1]], [2, 3])}}
    augmented = {**train, "s9": {"a1": _task([[0.3]], [1])}}
    validation = {"s1": {"v1": _task([[0.1, 0.2], [0.3, 0.4]], [5, 6])}}
    inits = {
        "s1": {
            "d1": {"test0": [0, 1, 2, 3, 4], "test1": [7, 6, 5, 4, 3], "test2": [2, 0, 4, 6, 1]},
            "t1": {"test0": [0, 1, 0, 1, 0]},
        }
    }
    for name, data in [
        ("meta-test-dataset.json", test),
        ("meta-train-dataset.json", train),
        ("meta-train-dataset-augmented.json", augmented),
        ("meta-validation-dataset.json", validation),
        ("bo-initializations.json", inits),
    ]:
        (root / name).write_text(json.dumps(data))
    if surrogates:
        import xgboost as xgb

        sdir = root / "saved-surrogates"
        sdir.mkdir(exist_ok=True)
        X = np.array([[0.1, 0.1], [0.2, 0.2], [0.8, 0.8], [0.9, 0.9]])
        params = {"max_depth": 1, "eta": 1.0, "lambda": 0.0, "base_score": 0.0, "min_child_weight": 0.0, "nthread": 1}
        booster = xgb.train(params, xgb.DMatrix(X, label=[0, 0, 10, 10]), 1)
        booster.save_model(str(sdir / "surrogate-s1-d1.json"))
        (sdir / "summary-stats.json").write_text(json.dumps({"surrogate-s1-d1": {"y_min": 0.0, "y_max": 10.0}}))
    return root


@pytest.fixture(scope="session")
def offline_root(tmp_path_factory) -> Path:
    """The offline data of the HPOBench-MLP space, built once per session from the real tables."""
    from genhpo.benchmarks.hpob import offline

    return offline.build(tmp_path_factory.mktemp("offline") / "root", spaces=("hpobench-mlp",))


@pytest.fixture
def hpob_root(tmp_path: Path) -> Path:
    return write_root(tmp_path / "hpob-data")


class Constant:
    """Always suggests the same pending index; records what it was shown."""

    def __init__(self, index):
        self.index = index
        self.calls = []

    def observe_and_suggest(self, X_obs, y_obs, X_pen=None):
        self.calls.append((np.array(X_obs), np.array(y_obs), None if X_pen is None else np.array(X_pen)))
        return self.index


class Script:
    """Returns the scripted answers in turn (continuous mode: vectors)."""

    def __init__(self, answers):
        self.answers = list(answers)
        self.calls = []

    def observe_and_suggest(self, X_obs, y_obs, X_pen=None):
        self.calls.append((np.array(X_obs), np.array(y_obs), X_pen))
        return self.answers[len(self.calls) - 1]


@pytest.fixture
def constant_method():
    return Constant


@pytest.fixture
def script_method():
    return Script
