"""Refinement in continuous spaces: multiscale local moves and the GP correction of the ranking."""

from __future__ import annotations

import numpy as np
import pytest

from genhpo.model.layout import Layout
from genhpo.suggest.candidates import perturb
from genhpo.suggest.config import SuggestConfig
from genhpo.suggest.ranking import GPCorrection, Posterior

LAYOUT = Layout(dim=3, categorical=(), numeric=(0, 1, 2), signature="three floats")


def test_one_scale_is_the_original_move_and_k_scales_shrink_some_steps():
    rows = np.full((4000, 3), 0.5)
    one = perturb(rows, LAYOUT, np.random.default_rng(0))
    # scales = 1 draws exactly what the single-scale move drew (shipped cards' suggestions unchanged)
    np.testing.assert_array_equal(one, rows + np.random.default_rng(0).normal(scale=0.1, size=(4000, 3)))
    many = perturb(rows, LAYOUT, np.random.default_rng(0), scales=4) - rows
    sd = np.sqrt((many ** 2).mean(axis=1))
    assert 0.08 < np.quantile(sd, 0.95) < 0.2  # the largest steps keep sd 0.1
    # a quarter of the rows at each of 0.1, 0.05, 0.025, 0.0125: the small steps are common
    assert np.mean(sd < 0.03) > 0.3 and np.mean(sd > 0.06) > 0.15
    assert np.abs(many).max() < 0.6


def test_gp_correction_ranks_the_region_of_the_optimum_first():
    rng = np.random.default_rng(0)
    X = rng.random((30, 1))
    y = -(X[:, 0] - 0.3) ** 2
    candidates = np.linspace(0, 1, 201)[:, None]
    score = GPCorrection(1.0)(candidates, X, y)
    assert score.shape == (201,) and abs(score.mean()) < 1e-9 and score.std() == pytest.approx(1.0)
    assert abs(candidates[np.argmax(score), 0] - 0.3) < 0.05
    assert score[np.argmin(np.abs(candidates[:, 0] - 0.3))] > score[np.argmin(np.abs(candidates[:, 0] - 0.9))]


def test_gp_correction_is_silent_without_evidence():
    X = np.random.default_rng(1).random((4, 2))
    candidates = np.random.default_rng(2).random((10, 2))
    assert not GPCorrection(1.0)(candidates, X, np.arange(4.0)).any()  # fewer than 5 results
    assert not GPCorrection(1.0)(candidates, np.vstack([X, X]), np.ones(8)).any()  # constant scores


def test_scorer_scores_later_rows_on_the_candidates_scale():
    """The acquisition optimisation scores rows one batch at a time: a scorer prepared on the candidates
    gives them exactly the one-shot scores, and other rows scores on the same scale."""
    from genhpo.model.network import GenerativeModel
    from genhpo.suggest.ranking import Ranking, RidgeCorrection

    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    model = GenerativeModel(LAYOUT).eval()
    rng = np.random.default_rng(0)
    X, candidates = rng.random((12, 3)), rng.random((50, 3))
    y = -((X - 0.3) ** 2).sum(axis=1)
    ranking = Ranking(model, [RidgeCorrection(1.0, 3.0), GPCorrection(10.0)])
    scorer = ranking.scorer(candidates, X, y)
    np.testing.assert_array_equal(scorer(candidates), ranking.scores(candidates, X, y))
    # a sub-batch keeps its scores (not re-standardised; float32 network, so to 1e-6)
    np.testing.assert_allclose(scorer(candidates[7:9]), scorer(candidates)[7:9], rtol=1e-6)


def test_acquisition_optimisation_moves_the_choice_towards_the_optimum():
    """refine > 0: the suggested row is the chosen candidate improved by local search on the ranking,
    so on a smooth bowl it lands nearer the optimum than any plain draw at the same seed."""
    from ConfigSpace import ConfigurationSpace, Float

    from genhpo import presets

    space = ConfigurationSpace(seed=0)
    space.add([Float(f"x{i}", (0.0, 1.0)) for i in range(3)])
    rng = np.random.default_rng(0)
    X = rng.random((20, 3))
    y = -((X - 0.37) ** 2).sum(axis=1)
    distance = {}
    for refine in (0, 8):
        optimizer = presets.for_space(space, seed=0, refine=refine, temperature=0.0)
        x = optimizer.observe_and_suggest(X, y[:, None])
        assert x.shape == (3,) and np.all((0 <= x) & (x <= 1))
        distance[refine] = float(np.linalg.norm(x - 0.37))
    assert distance[8] < distance[0]
    assert distance[8] < np.linalg.norm(X - 0.37, axis=1).min()  # better than every observed row


def test_refine_zero_keeps_suggestions_and_refine_is_silent_on_short_histories():
    from ConfigSpace import ConfigurationSpace, Float

    from genhpo import presets

    space = ConfigurationSpace(seed=0)
    space.add([Float(f"x{i}", (0.0, 1.0)) for i in range(2)])
    X = np.random.default_rng(1).random((4, 2))
    y = X.sum(axis=1)[:, None]
    # fewer than 5 results: no local search, so refine changes nothing, random stream included
    a = presets.for_space(space, seed=3, refine=0).observe_and_suggest(X, y)
    b = presets.for_space(space, seed=3, refine=8).observe_and_suggest(X, y)
    np.testing.assert_array_equal(a, b)
    # refine_after: the search waits for that many results
    X = np.random.default_rng(1).random((8, 2))
    y = X.sum(axis=1)[:, None]
    late = [presets.for_space(space, seed=3, refine=r, refine_after=9).observe_and_suggest(X, y) for r in (0, 8)]
    np.testing.assert_array_equal(*late)
    early = presets.for_space(space, seed=3, refine=8, refine_after=8).observe_and_suggest(X, y)
    assert not np.array_equal(early, late[0])


def test_integer_settings_take_numpy_integers():
    config = SuggestConfig().replace(refine=np.int64(4), refine_after=np.int64(10), n_samples=np.int32(128))
    assert (config.refine, config.refine_after, config.n_samples) == (4, 10, 128)
    assert all(type(v) is int for v in (config.refine, config.refine_after, config.n_samples))


def test_refine_after_default_is_the_gp_corrections_minimum():
    from genhpo.suggest.ranking import GPCorrection

    assert SuggestConfig().refine_after == GPCorrection.min_results


@pytest.mark.parametrize("field, value", [("gp", -1.0), ("gp", float("nan")), ("local_scales", 0), ("local_scales", 1.5),
                                          ("refine", -1), ("refine", 2.5), ("refine_after", 4),
                                          ("refine_after", 6.0), ("polish", -1), ("polish", 1.5), ("gp_ard", 1),
                                          ("gp_ard", "yes"), ("gp_prior", 0), ("gp_prior", "true")])
def test_bad_settings_name_the_field(field, value):
    with pytest.raises(ValueError, match=field):
        SuggestConfig().replace(**{field: value})


def test_ask_refines_unconstrained_targets_only(monkeypatch):
    """The local search runs in ask/tell once 5 results are in, but not for a constrained target, whose
    feasibility filter judged the candidates and not the row the search would find."""
    from ConfigSpace import ConfigurationSpace, Float

    from genhpo import presets
    from genhpo.protocol import Constraint, Result
    from genhpo.suggest.core import Suggester

    space = ConfigurationSpace(seed=0)
    space.add([Float(f"x{i}", (0.0, 1.0)) for i in range(2)])
    calls = []
    original = Suggester.climb
    monkeypatch.setattr(Suggester, "climb", lambda self, *a: calls.append(1) or original(self, *a))
    for constraints, expected in (((), True), ((Constraint("cost_metric", 0.5),), False)):
        calls.clear()
        optimizer = presets.for_space(space, seed=0, refine=2, init_random=0, exploration=0.0, constraints=constraints)
        for _ in range(7):
            config = optimizer.ask()
            value = config["x0"] + config["x1"]
            optimizer.tell(config, Result(score=-value, metrics={"cost_metric": value}))
        # asks 6 and 7 are the ones with >= 5 results
        assert len(calls) == (2 if expected else 0)


def test_ard_kernel_finds_the_relevant_dimension():
    """gp_ard: one length scale per entry. On a function of x0 alone, the fitted length scale of x1 is
    longer than x0's, and the isotropic correction is unchanged by the setting's existence."""
    rng = np.random.default_rng(0)
    X = rng.random((40, 2))
    y = -(X[:, 0] - 0.3) ** 2
    score = GPCorrection(1.0, ard=True).prepare(X, X, y)
    length = score.gp.kernel_.k1.k2.length_scale
    assert length.shape == (2,) and length[1] > 3 * length[0]
    assert np.ndim(GPCorrection(1.0).prepare(X, X, y).gp.kernel_.k1.k2.length_scale) == 0


@pytest.mark.parametrize("ard", [False, True])
@pytest.mark.parametrize("prior", [False, True])
def test_posterior_predicts_what_scikit_learn_predicts_bit_for_bit(ard, prior):
    """The acquisition optimisation's direct predictions equal GaussianProcessRegressor.predict exactly (so
    a suggestion does not depend on which of them scored it), on rows inside, at and outside the history."""
    rng = np.random.default_rng(3)
    X = rng.random((60, 4))
    y = np.sin(6 * X @ np.array([1.0, 0.5, 0.2, 0.0])) + 0.05 * rng.standard_normal(60)
    gp = GPCorrection(1.0, ard=ard, prior=prior).prepare(X, X, y).gp
    rows = np.vstack([rng.random((7, 4)), X[:3], rng.random((1, 4)) * 3])
    mean, sd = Posterior(gp).predict(rows)
    expected_mean, expected_sd = gp.predict(rows, return_std=True)
    assert np.array_equal(mean, expected_mean) and np.array_equal(sd, expected_sd)
    assert mean.shape == sd.shape == (11,) and sd[7:10].max() < sd[:7].min()  # near zero at observed rows
    with pytest.raises(ValueError, match="return_std must be True"):
        Posterior(gp).predict(rows, return_std=False)


def test_posterior_refuses_another_kernel():
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import RBF

    gp = GaussianProcessRegressor(RBF()).fit(np.random.default_rng(0).random((5, 2)), np.arange(5.0))
    with pytest.raises(ValueError, match="ConstantKernel \\* Matern"):
        Posterior(gp)


def test_refit_reuses_the_hyperparameters_on_an_extended_history():
    """gp_refit = 3: the hyperparameters are optimised on the first history; a history that extends it by 1
    or 2 results keeps them (no optimisation) while the GP is conditioned on every row; 3 more results, or
    a history that does not extend the fitted one, optimise them again (they move). With refit 1 (the
    default) nothing is kept between fits."""
    rng = np.random.default_rng(0)
    X = rng.random((30, 2))
    y = np.sin(5 * X[:, 0]) + X[:, 1] ** 2

    def theta(correction, n, rows=X, scores=y):
        score = correction.prepare(rows[:n], rows[:n], scores[:n])
        assert len(score.gp.X_train_) == n  # conditioned on the whole history
        return score.gp.kernel_.theta

    correction = GPCorrection(1.0, refit=3)
    first = theta(correction, 10)
    assert np.array_equal(theta(correction, 11), first) and np.array_equal(theta(correction, 12), first)
    assert not np.allclose(theta(correction, 25), first)  # 15 more results: optimised again
    refitted = theta(correction, 25)  # the same history again: extends nothing, so optimised again
    assert np.array_equal(refitted, GPCorrection(1.0).prepare(X[:25], X[:25], y[:25]).gp.kernel_.theta)
    other = np.vstack([X[1:26], X[:1]])  # not an extension of the fitted history: optimised
    assert np.array_equal(theta(correction, 26, other, np.r_[y[1:26], y[:1]]),
                          GPCorrection(1.0).prepare(other, other, np.r_[y[1:26], y[:1]]).gp.kernel_.theta)
    plain = GPCorrection(1.0)
    plain.prepare(X[:10], X[:10], y[:10])
    assert plain.last_fit == {}
    with pytest.raises(ValueError, match="gp_refit must be an int >= 1"):
        SuggestConfig(gp_refit=0)


def test_log_prior_gradient_and_modes():
    """The prior's gradient matches central differences, and its maximum over the logs is where the
    densities say: every length scale 1 (the mode of -(0.1 / r + 0.1 r) at r = 1), kernel scale 1
    (Gamma(2, 1) in log space: d/dlog s (log s - s) = 0 at s = 1), noise 1/300 (0.1 - 30 v = 0)."""
    from scipy.optimize import approx_fprime

    from genhpo.suggest.ranking import log_prior

    theta = np.log([0.7, 0.2, 3.0, 0.01])
    value, gradient = log_prior(theta)
    np.testing.assert_allclose(gradient, approx_fprime(theta, lambda t: log_prior(t)[0], 1e-7), rtol=1e-4, atol=1e-6)
    mode = np.log([1.0, 1.0, 1.0, 1.0 / 300.0])
    np.testing.assert_allclose(log_prior(mode)[1], 0.0, atol=1e-12)
    assert log_prior(mode)[0] > value


def test_prior_draws_ard_length_scales_towards_one():
    """gp_prior: on 8 points of a function of x0 alone in 4 dimensions, the maximum-likelihood ARD fit
    sends the three irrelevant length scales to their bound (10); the MAP fit under the prior keeps x0
    the most relevant entry but holds every length scale closer to 1 (in log) than the ML fit does."""
    rng = np.random.default_rng(3)
    X = rng.random((8, 4))
    y = np.sin(6 * X[:, 0])
    ml = GPCorrection(1.0, ard=True).prepare(X, X, y).gp.kernel_.k1.k2.length_scale
    mapped = GPCorrection(1.0, ard=True, prior=True).prepare(X, X, y).gp.kernel_.k1.k2.length_scale
    assert np.allclose(ml[1:], 10.0) and np.argmin(mapped) == 0, (ml, mapped)
    assert np.all(np.abs(np.log(mapped[1:])) < np.abs(np.log(ml[1:]))), (ml, mapped)


def test_polish_climbs_the_gp_log_ei_and_returns_a_new_row():
    """polish > 0: L-BFGS-B from the local search's row raises the GP's log EI (hand-checked by predicting
    both rows), the categorical block is held, and the polished row is projected onto the space."""
    from ConfigSpace import Categorical, ConfigurationSpace, Float

    from genhpo import presets
    from genhpo.spaces.rows import key_of

    space = ConfigurationSpace(seed=0)
    space.add([Float("x0", (0.0, 1.0)), Float("x1", (0.0, 1.0)), Categorical("c", ["a", "b"])])
    optimizer = presets.for_space(space, seed=0, polish=20, gp=10.0, refine=0)
    suggester = optimizer.core
    rng = np.random.default_rng(0)
    configs = [space.sample_configuration() for _ in range(25)]
    X = np.array([optimizer.encoder.encode(c) for c in configs])
    y = -((X[:, :2] - 0.37) ** 2).sum(axis=1) + 0.01 * rng.random(25)
    candidates = suggester.continuous_candidates(X, y)
    scorer = suggester.ranking.scorer(candidates, X, y)
    start = candidates[np.argmax(scorer(candidates))]
    polished = suggester.polish(start, scorer.gp.log_ei, {key_of(r) for r in X})
    before, after = scorer.gp.log_ei(np.array([start, polished]))
    assert after > before
    categorical = [i for i in range(len(start)) if i not in suggester.layout.numeric]
    np.testing.assert_array_equal(polished[categorical], start[categorical])
    np.testing.assert_array_equal(optimizer.encoder.project(polished[None])[0][0], polished)
    # a polished row that is already observed gives way to the start
    assert suggester.polish(start, scorer.gp.log_ei, {key_of(polished)}) is start


def test_settings_off_by_default_leave_run_identities_unchanged():
    """gp_ard and polish at their defaults are not in a run's identity (stored runs resume unchanged);
    turned on, they are."""
    from ConfigSpace import ConfigurationSpace, Float

    from genhpo import presets

    space = ConfigurationSpace(seed=0)
    space.add([Float("x0", (0.0, 1.0))])
    plain = presets.for_space(space, seed=0).settings()  # a small space's cold card has polish 0 (decision 023)
    assert "polish" not in plain and "gp_ard" not in plain and "refine" in plain
    assert presets.for_space(space, seed=0, polish=20).settings()["polish"] == 20
    assert "gp_prior" not in plain and "gp_refit" not in plain
    on = presets.for_space(space, seed=0, polish=5, gp_ard=True, gp_prior=True, gp_refit=5).settings()
    assert on["polish"] == 5 and on["gp_ard"] is True and on["gp_prior"] is True and on["gp_refit"] == 5
    assert SuggestConfig().replace(polish=3).to_dict()["polish"] == 3  # cards keep every setting
