"""TaskRows: an HPO-B task's rows <-> the SpaceEncoder rows genhpo's models read, and the optimizer hook
(``genhpo.presets.for_benchmark`` on an HPO-B task takes the task's own rows).

Real grids: the HPOBench-MLP task from the session's offline build (every row checked), HPOLib-FCNet's
full grid straight from its codec (one-hot and ordinal columns); tiny untrained models keep it fast.
"""

from __future__ import annotations

import numpy as np
import pytest

from genhpo import presets
from genhpo.benchmarks.hpob import HPOBHandler
from genhpo.benchmarks.hpob.codec import GridCodec, UnitCubeCodec
from genhpo.benchmarks.hpob.task_benchmark import HPOBTaskBenchmark
from genhpo.benchmarks.hpob.task_rows import TaskRows
from genhpo.optimizer import GenerativeOptimizer
from genhpo.spaces import SpaceEncoder
from tests.fixtures import tiny_model


@pytest.fixture(scope="module")
def credit_g(offline_root):
    return HPOBTaskBenchmark(offline_root, "hpobench-mlp", "credit_g")


def test_every_row_of_a_task_translates_to_its_configuration_encoding(credit_g):
    rows = TaskRows.of(credit_g)
    configs, _ = credit_g.table()
    expected = SpaceEncoder(credit_g.config_space).encode_batch(configs)
    encoded = rows.to_encoder(credit_g.X)
    assert np.array_equal(encoded, expected)
    assert np.abs(credit_g.X - expected).max() > 0.01  # the two scalings do differ on this grid
    assert np.array_equal(rows.to_task(encoded), credit_g.X)  # and translate back exactly
    assert np.array_equal(rows.to_encoder(credit_g.X[7]), expected[7])  # one (d,) row
    assert TaskRows.of(credit_g) is rows  # built once per space


def test_one_hot_and_ordinal_columns_of_the_fcnet_grid():
    codec = GridCodec("hpolib-fcnet")
    indices = codec.space.grid_indices()
    X = codec.space.encode_indices(indices)
    configs = [{p.name: p.values[i] for p, i in zip(codec.space.params, row)} for row in indices.tolist()]
    expected = SpaceEncoder(codec.config_space).encode_batch(configs)
    rows = TaskRows(codec)
    assert np.array_equal(rows.to_encoder(X), expected) and np.array_equal(rows.to_task(expected), X)
    assert sum(c[2] is None for c in rows.columns) == 6  # three one-hot pairs, copied unchanged


def test_continuous_vectors_interpolate_between_grid_points(credit_g):
    rows = TaskRows.of(credit_g)
    E = np.random.default_rng(0).random((200, 5))
    X = rows.to_task(E)
    assert np.all((0 <= X) & (X <= 1))
    assert np.allclose(rows.to_encoder(X), E, atol=1e-12)
    task_col, enc_col, task_values, enc_values = next(c for c in rows.columns if c[2] is not None)
    middle = np.zeros(5)
    middle[enc_col] = (enc_values[2] + enc_values[3]) / 2
    assert rows.to_task(middle)[task_col] == pytest.approx((task_values[2] + task_values[3]) / 2)


def test_unit_cube_tasks_translate_by_the_encoders_column_order(hpob_root):
    small = HPOBTaskBenchmark(hpob_root, "s1", "d1")
    assert np.array_equal(TaskRows.of(small).to_encoder(small.X), small.X)  # d <= 10: identity
    codec = UnitCubeCodec(12)  # HPO-B spaces have up to 18 columns; the encoder orders x0, x1, x10, ...
    X = np.random.default_rng(1).random((50, 12))
    expected = SpaceEncoder(codec.config_space).encode_batch([codec.decode(r) for r in X])
    rows = TaskRows(codec)
    # ConfigSpace's value -> vector round trip of a float adds ~1e-14: equal up to rounding
    assert np.allclose(rows.to_encoder(X), expected, rtol=0, atol=1e-12) and not np.allclose(expected, X)
    assert np.allclose(rows.to_task(expected), X, rtol=0, atol=1e-12)


def test_bad_rows_raise_value_errors_naming_the_width(credit_g):
    rows = TaskRows.of(credit_g)
    with pytest.raises(ValueError, match=r"X_obs must have shape \(n, 5\) or \(5,\), got \(3, 6\)"):
        rows.to_encoder(np.zeros((3, 6)), "X_obs")
    with pytest.raises(ValueError, match=r"encoded rows must have shape \(n, 5\) or \(5,\), got \(4,\)"):
        rows.to_task(np.zeros(4))
    with pytest.raises(ValueError, match="NaN or inf"):
        rows.to_encoder([[np.inf, 0, 0, 0, 0]])
    with pytest.raises(ValueError, match="list or array of numbers"):
        rows.to_encoder([["a", 0, 0, 0, 0]])
    assert rows.to_encoder([]).shape == (0, 5)
    with pytest.raises(TypeError, match="HPO-B task benchmark"):
        TaskRows.of(object())
    opt = presets.for_benchmark(credit_g, 0, model=tiny_model(credit_g.config_space))
    with pytest.raises(ValueError, match=r"X_pen must have shape \(n, 5\) or \(5,\), got \(2, 4\)"):
        opt.observe_and_suggest(credit_g.X[:3], credit_g.y[:3, None], np.zeros((2, 4)))


class Recorded:
    """Records an optimizer's answers; ``rows`` given: the test re-encodes the task's rows itself."""

    def __init__(self, optimizer, rows=None):
        self.optimizer, self.rows, self.answers = optimizer, rows, []

    def observe_and_suggest(self, X_obs, y_obs, X_pen=None):
        if self.rows is not None:
            X_obs, X_pen = self.rows.to_encoder(X_obs), None if X_pen is None else self.rows.to_encoder(X_pen)
        self.answers.append(self.optimizer.observe_and_suggest(X_obs, y_obs, X_pen))
        return self.answers[-1]


def test_for_benchmark_takes_the_tasks_rows(credit_g, offline_root):
    """The hooked optimizer answers as the plain one fed re-encoded rows (the shipped checkpoint's model)."""
    space, rows = credit_g.config_space, TaskRows.of(credit_g)
    model = presets.from_pretrained("hpob-offline-hpobench-mlp", credit_g).model
    assert GenerativeOptimizer(space, 0, model).rows is None
    handler = HPOBHandler(offline_root)
    hooked = Recorded(presets.for_benchmark(credit_g, 3, model=model))
    plain = Recorded(GenerativeOptimizer(space, 3, model), rows)
    for method in (hooked, plain):
        handler.evaluate(method, "hpobench-mlp", "credit_g", "test0", 6)
    assert hooked.answers == plain.answers
    X, y, pool = credit_g.X[:6], credit_g.y[:6, None], credit_g.X[6:400]
    opt, again = presets.for_benchmark(credit_g, 5, model=model), GenerativeOptimizer(space, 5, model)
    assert opt.observe_and_suggest(X, y, pool) == again.observe_and_suggest(rows.to_encoder(X), y, rows.to_encoder(pool))
    vector = opt.observe_and_suggest(X, y)  # continuous mode: a vector in the task's scaling
    assert np.array_equal(vector, rows.to_task(again.observe_and_suggest(rows.to_encoder(X), y)))
    assert opt.ask() == again.ask()  # ask/tell untouched


def test_the_optimizer_core_sees_the_encoders_rows(credit_g, monkeypatch):
    """On this grid the two scalings differ by <= 0.014, often too little to change an answer: check the input."""
    opt, seen = presets.for_benchmark(credit_g, 0, model=tiny_model(credit_g.config_space)), []
    monkeypatch.setattr(opt.core, "observe_and_suggest", lambda X, y, pen, exclude=(): seen.append((X, pen)) or 0)
    opt.observe_and_suggest(credit_g.X[:6], credit_g.y[:6, None], credit_g.X[6:50])
    expected = SpaceEncoder(credit_g.config_space).encode_batch(credit_g.table()[0][:50])
    assert np.array_equal(seen[0][0], expected[:6]) and np.array_equal(seen[0][1], expected[6:50])
    assert not np.array_equal(expected[:50], credit_g.X[:50])


def test_one_card_rule_for_every_way_to_reach_an_hpob_task(credit_g, offline_root):
    """An HPOBTaskBenchmark of (hpobench-mlp, credit_g) gets the checkpoint that holds credit_g out, as
    make("hpob-offline", "credit_g") does; a meta-train dataset gets none (cold start)."""
    assert presets.transfer_card(credit_g)["name"] == "hpob-offline-hpobench-mlp"
    assert presets.for_benchmark(credit_g, 0).card["name"] == "hpob-offline-hpobench-mlp"
    train_task = HPOBTaskBenchmark(offline_root, "hpobench-mlp", "car", "train")
    assert presets.transfer_card(train_task) is None  # car is in its training data


def test_from_pretrained_reads_the_tasks_rows_or_refuses_its_bare_space(credit_g):
    opt = presets.from_pretrained("hpob-offline-hpobench-mlp", credit_g, 0)
    assert opt.rows is TaskRows.of(credit_g)
    bare = presets.from_pretrained("hpob-offline-hpobench-mlp", credit_g.config_space, 0)
    config = bare.ask()
    bare.tell(config, credit_g.evaluate(config))  # ask/tell read configurations: fine
    with pytest.raises(ValueError, match=r"from_pretrained\(name, task\).*translates X_obs"):
        bare.observe_and_suggest(credit_g.X[:5], credit_g.y[:5, None], credit_g.X[5:50])
