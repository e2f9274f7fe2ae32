"""``genhpo train`` reproduces a card's validation metrics; shipped checkpoints load by name."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from genhpo.cli import build_parser
from genhpo.metatrain.recipes import nb201_holdout_recipe
from genhpo.model.checkpoint import PRETRAINED_DIR, list_cards

TINY_ARGS = ["--steps", "12", "--train-config",
             json.dumps({"batch_size": 16, "tasks_per_batch": 2, "max_len": 10, "eval_every": 4, "val_batches": 1,
                         "val_histories": 2}),
             "--model-config", json.dumps({"embed": 8, "heads": 2, "layers": 1, "ff": 16, "context": 8, "hidden": 16}),
             "--quiet"]


def _run(argv):
    args = build_parser().parse_args(argv)
    return args.func(args)


def test_train_command_is_reproducible_from_the_card(tmp_path, capsys):
    assert _run(["train", "nb201-cold", "--out", str(tmp_path / "a"), "--seed", "3", *TINY_ARGS]) == 0
    card = json.loads((tmp_path / "a.json").read_text())
    assert card["kind"] == "cold-start" and card["train"]["seed"] == 3
    assert card["data"]["benchmark_data"] == "none"
    assert card["training_seconds"] > 0 and card["space_signature"]
    # the card's settings, run again, give the same validation metrics
    assert _run(["train", "nb201-cold", "--out", str(tmp_path / "b"), "--seed", "3", *TINY_ARGS]) == 0
    again = json.loads((tmp_path / "b.json").read_text())
    assert again["validation_metrics"] == card["validation_metrics"]
    a, b = (torch.load(tmp_path / f"{n}.pt", weights_only=True) for n in "ab")
    assert all(torch.equal(a[k], b[k]) for k in a)  # the same weights (file bytes embed the file name)


def test_train_command_rejects_bad_settings(tmp_path):
    with pytest.raises(ValueError, match="unknown training settings"):
        _run(["train", "nb201-cold", "--out", str(tmp_path / "x"), "--train-config", '{"epochs": 3}'])
    with pytest.raises(ValueError, match="JSON object"):
        _run(["train", "nb201-cold", "--out", str(tmp_path / "x"), "--model-config", "[1]"])
    with pytest.raises(SystemExit):
        _run(["train", "no-such-recipe"])


def test_holdout_recipe_never_reads_the_held_out_table(table_loads):
    recipe = nb201_holdout_recipe("cifar10")
    assert "cifar10" not in table_loads and sorted(set(table_loads)) == ["ImageNet16-120", "cifar100"]
    assert recipe.data["holdout"] == "cifar10"


def test_multi_objective_recipe_never_reads_the_held_out_tables(table_loads):
    from genhpo.metatrain.recipes import nb201_mo_holdout_recipe

    recipe = nb201_mo_holdout_recipe("cifar100")
    assert "cifar100" not in table_loads and recipe.data["holdout"] == "cifar100"
    assert recipe.data["benchmark"] == "nb201-mo" and len(recipe.val_tasks) == 6
    table_loads.clear()
    one = nb201_mo_holdout_recipe("cifar100", sources=["cifar10"])
    assert set(table_loads) == {"cifar10"} and one.data["tasks"] == ["nb201-mo/cifar10"]
    with pytest.raises(ValueError, match="sources must be a non-empty subset of"):
        nb201_mo_holdout_recipe("cifar100", sources=["cifar100"])
    with pytest.raises(ValueError, match="unknown NB201 holdout 'svhn'"):
        nb201_mo_holdout_recipe("svhn")


def test_objective_pair_recipe_scalarises_those_two_only(table_loads):
    """A pair recipe (decision 022) names its family, reads the other datasets' tables only, and its tasks
    are scalarisations of exactly its two objectives: on accuracy and model size, a task's score is a
    function of those two columns (cells equal in both get equal scores, before the warp's noise)."""
    from genhpo.benchmarks.nb201 import NB201MultiObjective, objectives_family
    from genhpo.metatrain.recipes import RECIPES, nb201_mo_holdout_recipe

    assert objectives_family(["model_size", "accuracy"]) == "nb201-mo-accuracy-model_size"
    assert objectives_family(["latency", "accuracy", "model_size"]) == "nb201-mo"
    assert objectives_family(["latency", "accuracy"]) == "nb201-mo-accuracy-latency"
    assert objectives_family(["latency", "model_size"]) == "nb201-mo"  # served by the three-objective checkpoints
    assert "nb201-mo-accuracy-model_size-holdout-cifar10" in RECIPES
    recipe = nb201_mo_holdout_recipe("cifar10", objectives=("accuracy", "model_size"), sources=["cifar100"])
    assert set(table_loads) == {"cifar100"}
    assert recipe.data["benchmark"] == "nb201-mo-accuracy-model_size"
    assert "accuracy, model_size" in recipe.data["benchmark_data"] and "weight 0" not in recipe.data["scalarisation"]
    table = NB201MultiObjective("cifar100", ("accuracy", "model_size")).objective_table()
    source = recipe.source.sources[0]
    source.noise = 0.0
    task = source(np.random.default_rng(0))
    _, first = np.unique(table, axis=0, return_index=True)
    groups = {tuple(row): task.y[i] for i, row in zip(first, table[first], strict=True)}
    assert np.allclose([groups[tuple(row)] for row in table], task.y)  # y depends on the two columns only


SHIPPED = {c["name"]: c for c in list_cards()}


def test_shipped_pair_checkpoints_hold_their_dataset_out_and_know_only_their_pair():
    """The accuracy-and-latency checkpoints (decision 022): trained on the other two datasets' tables of
    exactly that pair, with the settings of OPTIMIZER_SETTINGS, and reproducible from their card's command."""
    from genhpo.metatrain.recipes import NB201_DATASETS, OPTIMIZER_SETTINGS

    for dataset in NB201_DATASETS:
        card = SHIPPED[f"nb201-mo-accuracy-latency-holdout-{dataset}"]
        assert card["benchmark"] == "nb201-mo-accuracy-latency" and card["holdout"] == dataset
        assert sorted(card["data"]["tasks"]) == sorted(f"nb201-mo/{d}" for d in NB201_DATASETS if d != dataset)
        assert "(accuracy, latency)" in card["data"]["benchmark_data"]
        assert card["optimizer"] == OPTIMIZER_SETTINGS[card["name"]]
        assert card["command"].startswith(f"genhpo train {card['name']} --seed 0")
NAMES = ["nb201-holdout-cifar10", "nb201-holdout-cifar100", "nb201-holdout-ImageNet16-120", "nb201-cold"]


@pytest.mark.skipif(not all(n in SHIPPED for n in NAMES), reason=f"shipped checkpoints missing in {PRETRAINED_DIR}")
def test_shipped_checkpoints_load_and_for_benchmark_picks_the_holdout(nb201_cifar10):
    from genhpo import presets
    from genhpo.metatrain.recipes import OPTIMIZER_SETTINGS
    from genhpo.spaces import nb201

    for name in NAMES:
        card = SHIPPED[name]
        assert card["versions"]["torch"] and card["validation_metrics"]["val_loss"] > 0
        assert card["optimizer"] == OPTIMIZER_SETTINGS[name]  # the settings it was benchmarked with
        if name != "nb201-cold":
            dataset = name.removeprefix("nb201-holdout-")
            assert card["holdout"] == dataset and f"nb201/{dataset}" not in card["data"]["tasks"]
            assert len(card["data"]["tasks"]) == 2
        else:
            assert card["data"]["benchmark_data"] == "none"
    opt = presets.for_benchmark(nb201_cifar10, seed=0)
    assert opt.card["name"] == "nb201-holdout-cifar10"
    opt = presets.from_pretrained("nb201-cold", nb201.config_space(), seed=0)
    assert opt.settings()["checkpoint"] == "nb201-cold"
    from ConfigSpace import CategoricalHyperparameter, ConfigurationSpace

    other = ConfigurationSpace()
    other.add([CategoricalHyperparameter("a", ["x", "y"])])
    with pytest.raises(ValueError, match="space signature"):
        presets.from_pretrained("nb201-holdout-cifar10", other)


def test_train_tables_writes_a_card_for_its_holdout(tmp_path):
    """The generic tabular recipe (HPO-B-style: tables with different rows), on the suite's tiny tables."""
    from genhpo.metatrain.recipes import train_tables
    from genhpo.metatrain.train import TrainConfig
    from genhpo.model.network import ModelConfig
    from tests.optimizer_suite import TinyTable

    cfg = TrainConfig(steps=6, batch_size=8, tasks_per_batch=2, max_len=5, eval_every=3, val_batches=1,
                      val_histories=1)
    tiny = ModelConfig(embed=8, heads=2, layers=1, ff=16, context=8, hidden=16)
    train_tables([TinyTable("related")], [TinyTable("related")], tmp_path / "t", holdout=["main"],
                 train_config=cfg, model_config=tiny, progress=False)
    card = json.loads((tmp_path / "t.json").read_text())
    assert card["holdout"] == ["main"] and card["benchmark"] == "tiny" and card["data"]["tasks"] == ["tiny/related"]
    with pytest.raises(ValueError, match="among the training tasks"):
        train_tables([TinyTable("main")], [TinyTable("related")], tmp_path / "u", holdout=["main"], train_config=cfg)


def test_card_command_states_every_non_default_training_setting():
    from genhpo.metatrain.recipes import RECIPES, TRAIN_SETTINGS, train_command
    from genhpo.metatrain.train import TrainConfig

    assert set(TRAIN_SETTINGS) <= {*RECIPES, "hpob"}  # hpob: `genhpo train hpob`, one recipe per search space
    for name, settings in TRAIN_SETTINGS.items():
        config = TrainConfig.from_dict(settings)  # valid settings
        command = train_command(name, config)
        assert command.startswith(f"genhpo train {name} --seed 0 --steps {config.steps}")
        for key, value in settings.items():
            if key not in ("steps", "seed"):
                assert f'"{key}": {value}' in command
    assert train_command("nb201-cold", TrainConfig()) == "genhpo train nb201-cold --seed 0 --steps 1000"
