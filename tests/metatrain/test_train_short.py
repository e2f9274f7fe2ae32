"""Training runs of any length >= 1 step (OneCycleLR fails below 4 steps and at exactly 20 with a 5%
warm-up: the schedule adapts)."""

from __future__ import annotations

import pytest

from genhpo.metatrain.recipes import synthetic_recipe
from genhpo.metatrain.train import TrainConfig, train
from genhpo.model.network import ModelConfig
from tests.fixtures import make_mixed_space


@pytest.mark.parametrize("steps", [1, 2, 3, 20])
def test_short_trainings_run(steps):
    recipe = synthetic_recipe(make_mixed_space(), seed=0)
    config = TrainConfig(steps=steps, batch_size=4, val_batches=1, seed=0)
    result = train(recipe.layout, recipe.source, recipe.val_tasks, ModelConfig(embed=8, heads=1, layers=1, ff=8,
                                                                               hidden=8), config, progress=False)
    assert result.steps == steps
