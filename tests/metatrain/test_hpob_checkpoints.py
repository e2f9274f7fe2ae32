"""The shipped offline HPO-B checkpoints: ``for_benchmark`` picks them for their meta-test tasks,
and never a checkpoint whose training data included the task's dataset (read from its card).

A stand-in task (the three attributes ``for_benchmark`` reads, the offline grid's real ConfigSpace)
keeps the test fast: building the offline data is not needed to choose a checkpoint.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from ConfigSpace import ConfigurationSpace

from genhpo import presets
from genhpo.benchmarks.hpob import offline
from genhpo.benchmarks.hpob.codec import GridCodec
from genhpo.benchmarks.hpob.offline_spaces import SPACES
from genhpo.model.checkpoint import list_cards

SHIPPED = sorted(c["name"] for c in list_cards() if c.get("benchmark") == "hpob-offline")


@dataclass
class Task:
    """What ``genhpo.presets.for_benchmark`` reads of an ``OfflineHPOBBenchmark``."""

    dataset: str
    config_space: ConfigurationSpace
    name: str = "hpob-offline"


class FellBack(Exception):
    pass


def _no_cold_model(config_space):
    raise FellBack


def _trained_on(card) -> set[str]:
    """Datasets whose tables were training data (the meta-validation table only stopped training)."""
    return {t.split("/")[-1] for t in card["data"]["tasks"]}


def test_hpob_offline_checkpoints_are_shipped():
    assert "hpob-offline-hpobench-mlp" in SHIPPED


@pytest.mark.parametrize("name", SHIPPED)
def test_for_benchmark_picks_the_meta_train_checkpoint_for_meta_test_tasks(name, monkeypatch):
    monkeypatch.setattr(presets, "cold_model", _no_cold_model)
    card = next(c for c in list_cards() if c["name"] == name)
    space_id = card["data"]["space"]
    split = offline.splits(spaces=(space_id,))
    # the card: trained on the meta-train split only, stopped early on the meta-validation split
    assert sorted(t.split("/")[-1] for t in card["data"]["tasks"]) == sorted(split["train"][space_id])
    assert [t.split("/")[-1] for t in card["data"]["validation"]] == split["validation"][space_id]
    assert set(card["holdout"]) == set(split["test"][space_id]) | set(split["validation"][space_id])
    assert not _trained_on(card) & set(split["test"][space_id])
    assert not {t.split("/")[-1] for t in card["data"]["validation"]} & set(split["test"][space_id])
    config_space = GridCodec(space_id).config_space
    for dataset in split["test"][space_id]:
        chosen = presets.for_benchmark(Task(dataset, config_space), seed=0)
        assert chosen.card["name"] == name
        assert dataset in chosen.card["holdout"] and dataset not in _trained_on(chosen.card)
    # a dataset the checkpoint was trained on never gets it (nor any other trained on it)
    for dataset in split["train"][space_id]:
        with pytest.raises(FellBack):
            presets.for_benchmark(Task(dataset, config_space), seed=0)


def test_no_shipped_card_trained_on_a_dataset_it_is_picked_for():
    for card in list_cards():
        if card.get("benchmark") == "hpob-offline":
            assert card["data"]["space"] in SPACES
            assert not _trained_on(card) & set(card["holdout"])


@pytest.mark.parametrize("name", SHIPPED)
def test_card_suggestion_settings_are_the_recipes_and_apply(name):
    """The card's ``optimizer`` entry (chosen on meta-validation) is what retraining the recipe writes,
    and the optimizer built from the checkpoint runs with it; editing it leaves the weights' check intact."""
    from genhpo.metatrain.recipes import OPTIMIZER_SETTINGS

    card = next(c for c in list_cards() if c["name"] == name)
    assert card["optimizer"] == OPTIMIZER_SETTINGS[card["recipe"]]
    optimizer = presets.from_pretrained(name, GridCodec(card["data"]["space"]).config_space)
    assert {k: optimizer.settings()[k] for k in card["optimizer"]} == card["optimizer"]


@pytest.mark.parametrize("name", SHIPPED)
def test_card_training_settings_are_the_recipes(name):
    """``genhpo train <recipe> --seed 0`` (the recipe's TRAIN_SETTINGS) trains with the card's settings,
    and the card's command states them."""
    from genhpo.metatrain.recipes import TRAIN_SETTINGS, train_command
    from genhpo.metatrain.train import TrainConfig

    card = next(c for c in list_cards() if c["name"] == name)
    config = TrainConfig.from_dict(TRAIN_SETTINGS.get(card["recipe"], {}))
    assert TrainConfig.from_dict(card["train"]) == config  # a setting added after the card: its default
    assert card["command"] == train_command(card["recipe"], config)
    assert card["steps_run"] <= config.steps and card["validation_metrics"]["best_step"] <= card["steps_run"]
