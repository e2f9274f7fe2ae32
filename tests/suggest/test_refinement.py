"""Refinement in continuous spaces: multiscale local moves and the GP correction of the ranking."""

from __future__ import annotations

import numpy as np
import pytest

from genhpo.model.layout import Layout
from genhpo.suggest.candidates import perturb
from genhpo.suggest.config import SuggestConfig
from genhpo.suggest.ranking import GPCorrection

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


@pytest.mark.parametrize("field, value", [("gp", -1.0), ("gp", float("nan")), ("local_scales", 0), ("local_scales", 1.5)])
def test_bad_settings_name_the_field(field, value):
    with pytest.raises(ValueError, match=field):
        SuggestConfig().replace(**{field: value})
