"""genhpo's Syne Tune searcher: the domain mapping, its bookkeeping, and real tuners on Syne Tune's
local backend running a real training script (examples/train_digits.py: an MLP on scikit-learn's digits)."""

from __future__ import annotations

import logging
import math
from pathlib import Path

import numpy as np
import pytest
from syne_tune import StoppingCriterion, Tuner
from syne_tune.backend import LocalBackend
from syne_tune.config_space import (
    choice,
    finrange,
    logfinrange,
    logordinal,
    lograndint,
    loguniform,
    ordinal,
    qrandint,
    quniform,
    randint,
    reverseloguniform,
    uniform,
)
from syne_tune.experiments import load_experiment
from syne_tune.optimizer.schedulers.asha import AsynchronousSuccessiveHalving
from syne_tune.optimizer.schedulers.single_objective_scheduler import SingleObjectiveScheduler

from genhpo.integrations.syne_tune import GenerativeSearcher, _Codec
from genhpo.spaces import nb201

SCRIPT = Path(__file__).resolve().parents[1] / "examples" / "train_digits.py"


def every_domain() -> dict:
    return {"lr": loguniform(1e-4, 1e-1), "momentum": uniform(0.0, 0.99), "layers": randint(1, 4),
            "width": lograndint(8, 256), "act": choice(["relu", "tanh"]), "bias": choice([True, False]),
            "drop": choice([0.0, 0.25, 0.5]), "opt": ordinal(["sgd", "adam", "adamw"], kind="equal"),
            "batch": logordinal([16, 32, 64, 128]), "wd": finrange(0.0, 0.1, 5),
            "eps": logfinrange(1e-8, 1e-4, 5), "q": quniform(0.0, 1.0, 0.25), "steps": qrandint(0, 100, 10),
            "epochs": 9, "one": choice(["only"])}


def test_every_domain_round_trips_and_constants_pass_through():
    space = every_domain()
    codec = _Codec(space)
    assert set(codec.config_space) == set(space) - {"epochs", "one"}
    assert codec.config_space["steps"].upper == 10 and codec.config_space["batch"].upper == 3
    searcher = GenerativeSearcher(space, random_seed=0)
    for trial_id in range(6):
        config = searcher.suggest()
        assert set(config) == set(space) and config["epochs"] == 9 and config["one"] == "only"
        for name, domain in space.items():
            if hasattr(domain, "cast"):
                assert domain.cast(config[name]) == config[name], (name, config[name])
        assert config["bias"] in (True, False) and config["drop"] in (0.0, 0.25, 0.5)
        assert config["steps"] % 10 == 0 and config["q"] in (0.0, 0.25, 0.5, 0.75, 1.0)
        assert codec.to_syne(codec.to_config(config)) == config
        searcher.on_trial_complete(trial_id, config, metric=float(trial_id))


def test_unsupported_domains_and_bad_points_are_refused():
    with pytest.raises(ValueError, match="cannot encode 'r'.*accepted: uniform"):
        GenerativeSearcher({"r": reverseloguniform(0.9, 0.999)})
    with pytest.raises(ValueError, match="no hyperparameter"):
        GenerativeSearcher({"epochs": 9})
    with pytest.raises(ValueError, match=r"'act'='gelu' is not one of"):
        GenerativeSearcher({"act": choice(["relu", "tanh"]), "lr": uniform(0, 1)},
                           points_to_evaluate=[{"act": "gelu", "lr": 0.5}])
    with pytest.raises(ValueError, match="no value for 'lr'"):
        GenerativeSearcher({"act": choice(["relu", "tanh"]), "lr": uniform(0, 1)},
                           points_to_evaluate=[{"act": "relu"}])
    with pytest.raises(ValueError, match="unknown"):
        GenerativeSearcher({"lr": uniform(0, 1)}, temprature=0.5)


def _drive(searcher: GenerativeSearcher, n: int, objective, first_id: int = 0) -> list[dict]:
    configs = []
    for trial_id in range(first_id, first_id + n):
        config = searcher.suggest()
        if config is None:
            break
        configs.append(config)
        searcher.on_trial_complete(trial_id, config, metric=objective(config))
    return configs


def test_same_seed_same_proposals_and_points_first():
    space = {"x": uniform(-2.0, 2.0), "y": loguniform(1e-3, 1.0), "c": choice(["a", "b", "c"])}
    def objective(c):
        return (c["x"] - 0.5) ** 2 + math.log10(c["y"]) ** 2 + (c["c"] != "b")
    first = [{"x": 0.0, "y": 0.1, "c": "a"}]
    runs = [_drive(GenerativeSearcher(space, points_to_evaluate=first, random_seed=3), 12, objective)
            for _ in range(2)]
    assert runs[0] == runs[1]
    assert runs[0][0] == first[0]
    other = _drive(GenerativeSearcher(space, random_seed=4), 12, objective)
    assert other != runs[0]


def test_finite_space_no_duplicates_pending_counted_and_exhaustion_returns_none():
    space = {"a": choice(["x", "y", "z"]), "b": randint(0, 2), "e": 5}
    searcher = GenerativeSearcher(space, random_seed=0)
    # four workers ask before anything reports: four distinct configurations
    pending = [searcher.suggest() for _ in range(4)]
    assert len({tuple(sorted(c.items())) for c in pending}) == 4
    seen = list(pending)
    for trial_id, config in enumerate(pending):
        searcher.on_trial_result(trial_id, config, metric=1.0)
    for trial_id in range(4, 9):
        config = searcher.suggest()
        seen.append(config)
        searcher.on_trial_complete(trial_id, config, metric=float(trial_id))
    assert len({tuple(sorted(c.items())) for c in seen}) == 9
    assert searcher.suggest() is None  # all 9 configurations evaluated


def test_failures_are_told_and_never_proposed_again():
    space = {"a": choice(["x", "y", "z"]), "b": randint(0, 3)}
    searcher = GenerativeSearcher(space, random_seed=1)
    failed = searcher.suggest()
    searcher.on_trial_result(0, failed, metric=0.5)
    searcher.on_trial_error(0)
    nan = searcher.suggest()
    searcher.on_trial_complete(1, nan, metric=float("nan"))
    searcher.on_trial_error(99)  # a trial that never reported: ignored (its proposal stays pending)
    optimizer = searcher._optimizer()
    _, y = optimizer._history()
    assert len(y) == 0  # only failures: nothing to rank yet
    rest = _drive(searcher, 20, lambda c: 1.0, first_id=2)
    keys = {tuple(sorted(c.items())) for c in rest}
    assert tuple(sorted(failed.items())) not in keys and tuple(sorted(nan.items())) not in keys
    assert len(keys) == len(rest) == 10


def test_fifo_counts_a_trial_at_completion_and_keeps_its_optimizer_between_suggestions():
    space = {"x": uniform(0.0, 1.0), "c": choice(["a", "b"])}
    searcher = GenerativeSearcher(space, random_seed=0)
    first = searcher.suggest()
    searcher.on_trial_result(0, first, metric=0.9)  # FIFO: an intermediate result (epoch 1)
    assert searcher._values == {} and len(searcher._pending) == 1  # not counted, still pending
    optimizer = searcher._optimizer()
    searcher.on_trial_complete(0, first, metric=0.3)
    second = searcher.suggest()
    assert searcher._opt is optimizer  # told the new result, not rebuilt
    _, y = optimizer._history()
    assert y.tolist() == [-0.3] and second != first


def test_latest_value_per_trial_is_its_history_entry():
    """Under ASHA a trial reports at each rung; it counts once, with its latest value."""
    space = {"x": uniform(0.0, 1.0)}
    searcher = GenerativeSearcher(space, random_seed=0)
    config = searcher.suggest()
    for level, value in ((1, 0.9), (3, 0.5), (9, 0.2)):
        searcher.on_trial_result(0, config, metric=value, resource_level=level)
        before = searcher._opt
        searcher._optimizer()
        assert (searcher._opt is not before) == (level > 1)  # a changed value rebuilds it; a new one is told
    _, y = searcher._optimizer()._history()
    assert y.tolist() == [-0.2] and len(searcher._pending) == 0


def test_nb201_edges_take_a_shipped_checkpoint_and_other_spaces_refuse_it():
    space = {name: choice(list(nb201.OPS)) for name in nb201.HP_NAMES}
    searcher = GenerativeSearcher(space, random_seed=0, checkpoint="nb201-holdout-cifar10")
    assert searcher._card["name"] == "nb201-holdout-cifar10"
    config = searcher.suggest()
    assert set(config) == set(nb201.HP_NAMES) and all(v in nb201.OPS for v in config.values())
    with pytest.raises(ValueError, match="signature"):
        GenerativeSearcher({"x": uniform(0, 1)}, checkpoint="nb201-holdout-cifar10")


def _tune(scheduler, searcher, tmp_path, monkeypatch) -> tuple:
    monkeypatch.setenv("SYNETUNE_FOLDER", str(tmp_path))
    logging.getLogger("syne_tune").setLevel(logging.WARNING)
    tuner = Tuner(trial_backend=LocalBackend(entry_point=str(SCRIPT), rotate_gpus=False), scheduler=scheduler,
                  stop_criterion=StoppingCriterion(max_num_trials_finished=20), n_workers=2, sleep_time=0.1,
                  results_update_interval=5, print_update_interval=1000, save_tuner=False)
    tuner.run()
    results = load_experiment(tuner.name, local_path=str(tmp_path)).results
    last = results.sort_values("epoch").groupby("trial_id").last()
    # every result the tuner stored reached the searcher: each trial's latest value is its record
    # (under FIFO once the trial completed; the trials the tuner stopped at its end never count)
    counted = 0
    for trial_id, row in last.iterrows():
        configuration = searcher._configs[trial_id]
        assert searcher._codec.to_syne(configuration)["lr"] == pytest.approx(row["config_lr"])
        if trial_id in searcher._values:
            assert searcher._values[trial_id] == pytest.approx(row["val_error"]), trial_id
            counted += 1
    assert counted >= 20
    configs = {tuple(row[c] for c in last.columns if c.startswith("config_")) for _, row in last.iterrows()}
    assert len(configs) == len(last)  # no configuration trained twice
    return results, last


DIGITS = {"lr": loguniform(1e-4, 1e-1), "alpha": loguniform(1e-6, 1e-1), "hidden": randint(8, 64),
          "activation": choice(["relu", "tanh", "logistic"]), "epochs": 9}


def test_fifo_tuner_on_a_real_training_script(tmp_path, monkeypatch):
    searcher = GenerativeSearcher(DIGITS, random_seed=0)
    scheduler = SingleObjectiveScheduler(DIGITS, metric="val_error", do_minimize=True, searcher=searcher)
    results, last = _tune(scheduler, searcher, tmp_path, monkeypatch)
    assert len(last) >= 20 and (last["epoch"] == 9).sum() >= 20  # FIFO trains every trial to the end
    assert results.groupby("trial_id").size().max() == 9  # one report per epoch
    assert last["val_error"].min() < 0.05  # digits: a tuned MLP is under 5% validation error


def test_asha_tuner_on_a_real_training_script(tmp_path, monkeypatch):
    searcher = GenerativeSearcher(DIGITS, random_seed=0)
    scheduler = AsynchronousSuccessiveHalving(DIGITS, metric="val_error", do_minimize=True, searcher=searcher,
                                              time_attr="epoch", max_t=9, grace_period=1, reduction_factor=3)
    _, last = _tune(scheduler, searcher, tmp_path, monkeypatch)
    assert len(last) >= 20
    stopped = last["epoch"] < 9
    assert stopped.sum() >= 5 and (~stopped).sum() >= 1  # ASHA stopped some early and promoted some to the end
    assert set(np.unique(last["epoch"])) <= {1, 2, 3, 4, 5, 6, 7, 8, 9}
