"""GenerativeOptimizer: HPO-B call conventions, ask/tell, bad input, shipped checkpoints."""

from __future__ import annotations

import numpy as np
import pytest

from genhpo import presets
from genhpo.loop import run
from genhpo.optimizer import GenerativeOptimizer
from genhpo.protocol import Result
from genhpo.spaces import SpaceEncoder
from genhpo.suggest.config import SuggestConfig
from tests.fixtures import make_finite_space, make_mixed_space, tiny_model
from tests.optimizer_suite import OptimizerSuite


@pytest.fixture
def mixed_space():
    return make_mixed_space()


@pytest.fixture
def finite_space():
    return make_finite_space()


def _opt(space, seed=0, **settings) -> GenerativeOptimizer:
    return GenerativeOptimizer(space, seed, tiny_model(space), config=SuggestConfig().replace(**settings))


# ----------------------------------------------------------------------------- HPO-B front
def test_pool_mode_takes_lists_and_returns_an_int_index_into_x_pen(mixed_space):
    opt = _opt(mixed_space, temperature=0.0)  # deterministic ranking: the same call gives the same index
    rng = np.random.default_rng(0)
    X_obs = rng.random((5, 9)).tolist()
    y_obs = rng.random((5, 1)).tolist()  # HPO-B's (n, 1)
    X_pen = rng.random((20, 9)).tolist()
    idx = opt.observe_and_suggest(X_obs, y_obs, X_pen)
    assert type(idx) is int and 0 <= idx < 20
    # arrays and (n,) scores work the same
    assert opt.observe_and_suggest(np.array(X_obs), np.array(y_obs)[:, 0], np.array(X_pen)) == idx


def test_pool_mode_never_returns_an_observed_row(mixed_space):
    opt = _opt(mixed_space)
    rng = np.random.default_rng(1)
    X_pen = rng.random((4, 9))
    X_obs = X_pen[[0, 1, 3]]
    assert opt.observe_and_suggest(X_obs, [[0.1], [0.2], [0.3]], X_pen) == 2
    with pytest.raises(ValueError, match="already been observed"):
        opt.observe_and_suggest(X_pen, [[0.0]] * 4, X_pen)


def test_continuous_mode_returns_a_vector_in_the_unit_cube(mixed_space):
    opt = _opt(mixed_space)
    rng = np.random.default_rng(2)
    x = opt.observe_and_suggest(rng.random((6, 9)), rng.random((6, 1)))
    assert isinstance(x, np.ndarray) and x.shape == (9,) and np.all((0 <= x) & (x <= 1))
    SpaceEncoder(mixed_space).decode(x)  # a valid configuration


def test_cold_first_suggestion_is_defined(mixed_space):
    opt = _opt(mixed_space)
    assert opt.observe_and_suggest([], [], np.random.default_rng(0).random((3, 9))) in (0, 1, 2)
    assert opt.observe_and_suggest(np.zeros((0, 9)), np.zeros((0, 1))).shape == (9,)


@pytest.mark.parametrize("X_obs, y_obs, X_pen, match", [
    ([[0.1] * 9], [[np.nan]], None, "y_obs contains NaN"),
    ([[0.1] * 9], [[np.inf]], None, "y_obs contains NaN"),
    ([[np.nan] * 9], [[1.0]], None, "X_obs contains NaN"),
    ([[0.1] * 8], [[1.0]], None, r"X_obs must have shape \(n, 9\)"),
    ([[0.1] * 9], [[1.0], [2.0]], None, "y_obs must have shape"),
    ([[0.1] * 9], [[1.0]], [[0.2] * 7], r"X_pen must have shape \(n, 9\)"),
    ([[0.1] * 9], [[1.0]], [], "X_pen is empty"),
    ([["a"] * 9], [[1.0]], None, "list or array of numbers"),
])
def test_bad_hpob_input_is_refused(mixed_space, X_obs, y_obs, X_pen, match):
    with pytest.raises(ValueError, match=match):
        _opt(mixed_space).observe_and_suggest(X_obs, y_obs, X_pen)


# ----------------------------------------------------------------------------- ask / tell
def test_finite_space_is_exhausted_without_repeats(finite_space):
    opt = _opt(finite_space)
    seen = set()
    for i in range(18):
        config = opt.ask()
        key = tuple(sorted(dict(config).items()))
        assert key not in seen
        seen.add(key)
        opt.tell(config, Result(score=float(i % 5)) if i % 4 else Result.failure("boom"))
    with pytest.raises(ValueError, match="every configuration"):
        opt.ask()


def test_ask_n_gives_distinct_configurations(finite_space, mixed_space):
    batch = _opt(finite_space).ask(5)
    assert len(batch) == 5 and len({tuple(sorted(dict(c).items())) for c in batch}) == 5
    batch = _opt(mixed_space).ask(3)
    assert len({tuple(sorted(dict(c).items())) for c in batch}) == 3
    with pytest.raises(ValueError, match="positive int"):
        _opt(finite_space).ask(0)


def test_same_seed_same_trajectory(mixed_space):
    from genhpo.benchmarks.base import Benchmark

    class Quadratic(Benchmark):
        name = "quadratic"

        @property
        def config_space(self):
            return mixed_space

        @property
        def optimum(self):
            return 0.0

        def _evaluate(self, config, fidelity, rng):
            return Result(score=-(np.log10(config["lr"]) + 2.5) ** 2 - (config["act"] != "gelu"))

    def trajectory(seed):
        return [t.config for t in run(_opt(mixed_space, seed, temperature=0.5, exploration=0.2), Quadratic(), 8)]

    assert trajectory(3) == trajectory(3)
    assert trajectory(3) != trajectory(4)


def test_failed_trials_count_as_the_worst_score(finite_space):
    opt = _opt(finite_space)
    a, b, c = opt.ask(), opt.ask(), opt.ask()
    opt.tell(a, Result.failure("crash"))
    assert len(opt._history()[0]) == 0  # nothing finite yet: the failure is not in the context
    opt.tell(b, Result(score=2.0))
    opt.tell(c, Result(score=5.0))
    _, y = opt._history()
    assert y.tolist() == [2.0, 2.0, 5.0]


def test_bad_settings_and_mismatched_models_are_refused(mixed_space, finite_space):
    with pytest.raises(ValueError, match="temperature"):
        _opt(mixed_space, temperature=-1.0)
    with pytest.raises(ValueError, match="exploration"):
        _opt(mixed_space, exploration=2.0)
    with pytest.raises(ValueError, match="unknown suggestion settings"):
        _opt(mixed_space, temprature=0.5)
    with pytest.raises(ValueError, match="unknown suggestion settings"):
        GenerativeOptimizer(mixed_space, 0, tiny_model(mixed_space), card={"optimizer": {"ridge_pairs": 0.5}})
    with pytest.raises(ValueError, match="local must be an int"):
        _opt(mixed_space, local=-1)
    for bad in (-0.5, np.inf, True):
        with pytest.raises(ValueError, match="ridge must be"):
            _opt(mixed_space, ridge=bad)
    with pytest.raises(ValueError, match="ridge_l2 must be"):
        _opt(mixed_space, ridge_l2=0.0)
    with pytest.raises(TypeError, match="GenerativeModel"):
        GenerativeOptimizer(mixed_space, 0, None)
    with pytest.raises(ValueError, match="threads"):
        GenerativeOptimizer(mixed_space, 0, tiny_model(mixed_space), threads=0)
    with pytest.raises(ValueError, match="space signature"):
        GenerativeOptimizer(finite_space, 0, tiny_model(mixed_space))
    with pytest.raises(ValueError, match="seed"):
        GenerativeOptimizer(mixed_space, -1, tiny_model(mixed_space))


def test_local_candidates_are_one_hyperparameter_neighbours_of_the_best(finite_space):
    opt = _opt(finite_space, local=1, local_after=1, temperature=0.0)
    first = opt.ask()
    opt.tell(first, Result(score=1.0))
    for _ in range(4):  # a, b, c: 2 + 2 + 1 neighbours of the single best configuration
        config = opt.ask()
        assert sum(config[k] != first[k] for k in ("a", "b", "c")) == 1
        opt.tell(config, Result(score=0.0))


def test_ridge_weight_adds_the_target_task_linear_fit_to_the_ranking(mixed_space):
    from genhpo.suggest.ridge import ridge_predict

    X_obs, y_obs, X_pen = _pool_history(mixed_space, np.random.default_rng(3))
    plain = _opt(mixed_space, temperature=0.0)
    ratio = plain.core.ranking.density_ratio(X_pen, X_obs, y_obs[:, 0]).astype(float)
    fit = ridge_predict(X_obs, y_obs[:, 0], X_pen, 3.0)
    assert plain.observe_and_suggest(X_obs, y_obs, X_pen) == int(np.argmax(ratio))
    for weight in (0.5, 1e6):  # the sum is ranked; a huge weight leaves the ridge fit alone in charge
        opt = _opt(mixed_space, temperature=0.0, ridge=weight)
        assert opt.observe_and_suggest(X_obs, y_obs, X_pen) == int(np.argmax(ratio + weight * fit))
        assert opt.settings()["ridge"] == weight and opt.settings()["ridge_l2"] == 3.0
    assert int(np.argmax(ratio + 1e6 * fit)) == int(np.argmax(fit)) != int(np.argmax(ratio))


def _pool_history(space, rng, n_obs=12, n_pen=200):
    """Observed rows with distinct scores, and a pending pool of random encodings holding no
    one-hyperparameter neighbour of an observed row (tests plant those)."""
    from genhpo.spaces.sampling import random_vectors
    from genhpo.suggest.candidates import neighbours

    encoder = SpaceEncoder(space)
    X_obs = random_vectors(encoder, n_obs, rng)
    X_pen = random_vectors(encoder, n_pen, rng)
    X_pen = X_pen[~neighbours(X_pen, X_obs, np.array([b.start for b in encoder.blocks]))]
    return X_obs, rng.permutation(n_obs).reshape(-1, 1) / n_obs, X_pen


def _near(space, x, anchors) -> bool:
    """Whether ``x`` differs from some anchor row in exactly one hyperparameter."""
    blocks = SpaceEncoder(space).blocks
    return any(sum(not np.allclose(x[b.start:b.start + b.width], a[b.start:b.start + b.width]) for b in blocks) == 1
               for a in anchors)


@pytest.mark.parametrize("k", [1, 3])
def test_pool_mode_local_suggests_a_neighbour_of_one_of_the_k_best_rows(mixed_space, k):
    X_obs, y_obs, X_pen = _pool_history(mixed_space, np.random.default_rng(5))
    order = np.argsort(-y_obs[:, 0])
    best = X_obs[order[:k]]
    # plant one neighbour (lr moved) of each observed row: only k of them are near the k best rows
    planted = X_obs[order].copy()
    planted[:, -1] = 0.5 * planted[:, -1] + 0.25
    X_pen = np.vstack([X_pen, planted])
    for seed in range(5):
        opt = _opt(mixed_space, seed, local=k, local_after=10, temperature=1.0)
        assert _near(mixed_space, X_pen[opt.observe_and_suggest(X_obs, y_obs, X_pen)], best)
    plain = [_opt(mixed_space, s, temperature=1.0).observe_and_suggest(X_obs, y_obs, X_pen) for s in range(5)]
    assert not all(_near(mixed_space, X_pen[i], best) for i in plain)  # so local=k is what restricted them
    # before local_after results, or with no neighbour in the pool, the whole pool is ranked as with local=0
    for pool, after in ((X_pen, 13), (X_pen[: -len(planted)], 1)):
        plain = _opt(mixed_space, 0, temperature=0.0).observe_and_suggest(X_obs, y_obs, pool)
        assert _opt(mixed_space, 0, local=k, local_after=after, temperature=0.0).observe_and_suggest(
            X_obs, y_obs, pool) == plain


def test_pool_mode_local_is_reproducible_and_exploration_escapes(mixed_space):
    X_obs, y_obs, X_pen = _pool_history(mixed_space, np.random.default_rng(6), n_pen=60)
    best = X_obs[np.argsort(-y_obs[:, 0])[:2]]
    n = len(X_pen)
    X_pen = np.vstack([X_pen] + [np.vstack([b, b]) for b in best])
    X_pen[n:, -1] = np.linspace(0.05, 0.95, 4)  # the only four neighbours of the two best rows

    def trajectory(seed, exploration):
        opt, X, y, pool = _opt(mixed_space, seed, local=2, local_after=5, exploration=exploration), X_obs, y_obs, X_pen
        picks = []
        for _ in range(6):
            i = opt.observe_and_suggest(X, y, pool)
            picks.append(pool[i].tolist())
            X, y, pool = np.vstack([X, pool[i]]), np.vstack([y, [[0.0]]]), np.delete(pool, i, axis=0)
        return picks

    assert trajectory(3, 0.3) == trajectory(3, 0.3)
    assert trajectory(3, 0.3) != trajectory(4, 0.3)
    near = [_near(mixed_space, np.array(x), best) for s in range(4) for x in trajectory(s, 0.0)[:4]]
    assert all(near)  # four neighbours exist: the first four picks are all of them
    escaped = [_near(mixed_space, np.array(x), best) for s in range(4) for x in trajectory(s, 1.0)[:4]]
    assert not all(escaped)  # exploration = 1: always the whole pool, uniformly


def test_card_settings_apply_unless_overridden(mixed_space):
    card = {"name": "x", "optimizer": {"temperature": 0.7, "local": 2}}
    opt = GenerativeOptimizer(mixed_space, 0, tiny_model(mixed_space), card=card)
    assert opt.config.temperature == 0.7 and opt.config.local == 2
    replaced = SuggestConfig.from_card(card).replace(local=3)
    assert (replaced.temperature, replaced.local) == (0.7, 3)


def test_threads_are_not_part_of_the_identity(mixed_space):
    one = GenerativeOptimizer(mixed_space, 0, tiny_model(mixed_space), threads=1)
    two = GenerativeOptimizer(mixed_space, 0, tiny_model(mixed_space), threads=2)
    assert one.settings() == two.settings() and "threads" not in one.settings()


# ----------------------------------------------------------------------------- the shared suite


class TestGenerativeOptimizerSuite(OptimizerSuite):
    """As the experiments runner builds it: the shipped holdout checkpoint on NB201, else a cold model."""

    no_repeats = True
    conditional_space = True

    def make(self, benchmark, seed):
        return presets.for_benchmark(benchmark, seed)


def test_a_failed_ask_leaves_the_state_unchanged():
    """ask(5) on a 2 x 2 space with one result told raises; the three untold configurations remain."""
    from ConfigSpace import CategoricalHyperparameter, ConfigurationSpace

    space = ConfigurationSpace(seed=0)
    space.add([CategoricalHyperparameter("a", ["x", "y"]), CategoricalHyperparameter("b", ["p", "q"])])
    opt, twin = _opt(space, 3), _opt(space, 3)
    for o in (opt, twin):
        o.tell(o.ask(), Result(score=1.0))
    with pytest.raises(ValueError, match="evaluated or is pending"):
        opt.ask(5)
    assert opt.ask(3) == twin.ask(3)  # as if the failed call never happened


def test_a_failed_ask_on_a_conditional_space_leaves_the_state_unchanged():
    from ConfigSpace import CategoricalHyperparameter, ConfigurationSpace, EqualsCondition

    space = ConfigurationSpace(seed=0)
    a, b = CategoricalHyperparameter("a", ["x", "y"]), CategoricalHyperparameter("b", ["p", "q"])
    space.add([a, b, EqualsCondition(b, a, "x")])  # three configurations: (x, p), (x, q), (y)
    opt, twin = _opt(space, 1), _opt(space, 1)
    for o in (opt, twin):
        o.tell(o.ask(), Result(score=1.0))
    with pytest.raises(ValueError):
        opt.ask(3)
    assert opt.ask() == twin.ask()


def test_a_space_whose_forbidden_clauses_exclude_everything_gets_a_clear_error():
    """ConfigSpace 1.2 refuses such a clause (the default is excluded) but keeps it in the space: genhpo
    then names the forbidden clauses instead of calling the space exhausted."""
    from ConfigSpace import Categorical, ConfigurationSpace, Float, ForbiddenInClause
    from ConfigSpace.exceptions import ForbiddenValueError

    space = ConfigurationSpace(seed=0)
    a = Categorical("a", ["x", "y"])
    space.add([a, Float("b", (0.0, 1.0))])
    with pytest.raises(ForbiddenValueError):
        space.add(ForbiddenInClause(a, ["x", "y"]))
    assert len(space.forbidden_clauses) == 1  # the state this test is about
    opt = _opt(space, 0)
    with pytest.raises(ValueError, match="forbidden clauses exclude all .* candidate configurations.*a in"):
        opt.ask()
