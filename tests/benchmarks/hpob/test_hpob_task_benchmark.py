"""HPO-B tasks as TabularBenchmarks (through genhpo.loop.run) and optimizers as HPO-B methods."""

from __future__ import annotations

import numpy as np
import pytest
from ConfigSpace import Configuration

from genhpo.baselines.random_search import RandomSearch
from genhpo.benchmarks.hpob import HPOBHandler
from genhpo.benchmarks.hpob.ask_tell_method import AskTellMethod
from genhpo.benchmarks.hpob.codec import GridCodec, UnitCubeCodec, codec_for
from genhpo.benchmarks.hpob.task_benchmark import HPOBTaskBenchmark, OfflineHPOBBenchmark
from genhpo.loop import run
from genhpo.protocol import Optimizer, Result


def test_offline_task_scores_its_grid_rows(offline_root):
    bench = HPOBTaskBenchmark(offline_root, "hpobench-mlp", "vehicle")
    assert list(bench.config_space) == ["alpha", "batch_size", "depth", "learning_rate_init", "width"]
    assert bench.optimum == 1.0 and bench.label == "hpob/hpobench-mlp/vehicle"
    configs, scores = bench.table()
    assert len(configs) == 30000 and scores.min() == 0.0
    for i in (0, 12345, 29999):
        result = bench.evaluate(configs[i])
        assert result.score == scores[i] and result.metrics["row"] == i
    related = bench.related()
    assert sorted(r.dataset_id for r in related) == ["australian", "blood_transfusion", "car", "phoneme", "segment"]
    assert all(r.split == "train" and r.config_space == bench.config_space for r in related)


def test_optimizers_run_through_the_loop(offline_root):
    bench = HPOBTaskBenchmark(offline_root, "hpobench-mlp", "credit_g")
    trials = run(RandomSearch(bench.config_space, seed=3), bench, n_trials=15)
    again = run(RandomSearch(bench.config_space, seed=3), bench, n_trials=15)
    assert [t.config for t in trials] == [t.config for t in again]
    _, scores = bench.table()
    assert [t.score for t in trials] == [scores[int(t.metrics["row"])] for t in trials]


def test_unit_cube_task_snaps_to_the_nearest_row(hpob_root):
    bench = HPOBTaskBenchmark(hpob_root, "s1", "d1")
    assert isinstance(bench.codec, UnitCubeCodec) and list(bench.config_space) == ["x0", "x1"]
    assert bench.evaluate({"x0": 0.52, "x1": 0.49}).score == pytest.approx(0.8)  # row 5 = (.5, .5)
    raw = HPOBTaskBenchmark(hpob_root, "s1", "d1", normalize=False)
    assert raw.optimum == 11.0 and raw.evaluate({"x0": 0.0, "x1": 1.0}).score == 1.0
    assert sorted(r.dataset_id for r in bench.related()) == ["t1", "t2"]
    assert HPOBTaskBenchmark.tasks(hpob_root, "train") == [("s1", "t1"), ("s1", "t2")]
    with pytest.raises(ValueError, match="unknown HPO-B split: 'dev'"):
        HPOBTaskBenchmark(hpob_root, "s1", "d1", split="dev")
    with pytest.raises(ValueError, match="unknown dataset.*accepted: d1"):
        HPOBTaskBenchmark(hpob_root, "s1", "nope")


def test_offline_benchmark_names_its_datasets():
    assert "credit_g" in OfflineHPOBBenchmark.available_datasets() and len(OfflineHPOBBenchmark.available_datasets()) == 12
    with pytest.raises(ValueError, match="unknown offline HPO-B dataset 'cifar10'"):
        OfflineHPOBBenchmark("cifar10")


class Recording(RandomSearch):
    def _tell(self, config, result):
        self.__dict__.setdefault("told", []).append((dict(config), result.score))
        super()._tell(config, result)


def test_ask_tell_method_through_the_official_protocol(offline_root):
    handler = HPOBHandler(offline_root)
    codec = codec_for("hpobench-mlp", 5)
    method = AskTellMethod(Recording, seed=7, codec=codec)
    curve = handler.evaluate(method, "hpobench-mlp", "vehicle", "test0", 20)
    assert len(curve) == 21 and curve == sorted(curve)
    told = method.optimizer.told
    assert len(told) == 5 + 19  # the initial design and every trial but the last (the run ends)
    assert max(score for _, score in told[:5]) == curve[0]
    bench = HPOBTaskBenchmark(offline_root, "hpobench-mlp", "vehicle")
    assert all(bench.evaluate(config).score == pytest.approx(score) for config, score in told)
    other = handler.evaluate(method, "hpobench-mlp", "vehicle", "test1", 20)  # restarts on a new history
    assert curve == handler.evaluate(AskTellMethod(RandomSearch, seed=7, codec=codec), "hpobench-mlp", "vehicle", "test0", 20)
    assert other != curve


class Stubborn(Optimizer):
    """Always asks the same configuration and refuses tells it did not ask (like DEHB)."""

    name = "stubborn"

    def __init__(self, config_space, seed):
        super().__init__(config_space, seed)
        self.told = []

    def ask(self):
        return Configuration(self.config_space, values={"x0": 0.0, "x1": 1.0})  # row 0 of d1

    def _tell(self, config, result: Result):
        if dict(config) != {"x0": 0.0, "x1": 1.0}:
            raise ValueError("tell() for a configuration it did not ask")
        self.told.append(result.score)


def test_nearest_pending_row_and_never_an_observed_one(hpob_root):
    method = AskTellMethod(Stubborn, seed=0)
    # test1 observes rows 7 6 5 4 3; the asked (0, 1) is row 0, then the nearest pending rows 1, 2
    chosen = []

    class Spy:
        def observe_and_suggest(self, X_obs, y_obs, X_pen=None):
            index = method.observe_and_suggest(X_obs, y_obs, X_pen)
            chosen.append(X_pen[index].tolist())
            return index

    HPOBHandler(hpob_root).evaluate(Spy(), "s1", "d1", "test1", 3, stop_at_optimum=False)  # test1 starts at the optimum
    np.testing.assert_allclose(chosen, [[0.0, 1.0], [0.1, 0.9], [0.2, 0.8]])
    assert method.optimizer.told == pytest.approx([0.0, 0.2])  # rows 0 and 1, told as what it asked
    assert not method._accepts_unasked and isinstance(method.codec, UnitCubeCodec)
    with pytest.raises(ValueError, match="X_pen must be"):
        method.observe_and_suggest(np.zeros((5, 2)), np.zeros(5), np.zeros((0, 2)))


def test_ask_tell_method_in_continuous_mode(hpob_root):
    method = AskTellMethod(Recording, seed=1)
    calls = []

    class Counting:
        def observe_and_suggest(self, X_obs, y_obs, X_pen=None):
            calls.append(len(X_obs))
            return method.observe_and_suggest(X_obs, y_obs, X_pen)

    curve = HPOBHandler(hpob_root).evaluate_continuous(Counting(), "s1", "d1", "test0", 4)
    assert len(curve) == 5 and all(0.0 <= v <= 1.0 for v in curve)
    told = method.optimizer.told
    assert calls == [5 + i for i in range(len(calls))]
    assert len(told) == 5 + len(calls) - 1  # the last suggestion is never told: the run ends
    assert [s for _, s in told[:5]] == pytest.approx([0.1, 0.3, 0.2, 0.5, 0.4])
    assert all(s in (0.0, 1.0) for _, s in told[5:])  # the surrogate predicts 0 or 10
    with pytest.raises(ValueError, match="seed must be"):
        AskTellMethod(RandomSearch, seed=-1)
    with pytest.raises(ValueError, match="width 5"):
        AskTellMethod(RandomSearch, seed=0, codec=GridCodec("hpobench-mlp")).observe_and_suggest(
            np.zeros((5, 2)), np.zeros(5), np.zeros((3, 2)))
