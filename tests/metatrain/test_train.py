"""Meta-training: a tiny run learns, is deterministic, and validates its settings."""

from __future__ import annotations

import numpy as np
import pytest

from genhpo.metatrain.synthetic import SyntheticSource
from genhpo.metatrain.train import TrainConfig, train
from genhpo.model.layout import Layout
from genhpo.model.network import ModelConfig
from tests.fixtures import TINY

SMALL = TrainConfig(steps=40, batch_size=32, tasks_per_batch=2, max_len=12, eval_every=10, patience=50,
                    val_batches=2, val_histories=4, seed=3)


def _recipe():
    layout = Layout(8, ((0, 4), (4, 8)), (), "toy")
    pool = np.array([np.r_[np.eye(4)[i], np.eye(4)[j]] for i in range(4) for j in range(4)], dtype=np.float32)
    source = SyntheticSource(pool, layout)
    rng = np.random.default_rng(99)
    return layout, source, [source(rng) for _ in range(2)]


def test_tiny_training_is_deterministic_and_improves():
    layout, source, val = _recipe()
    a = train(layout, source, val, TINY, SMALL, progress=False)
    b = train(layout, source, val, TINY, SMALL, progress=False)
    assert a.metrics == b.metrics
    assert a.history[-1]["val_loss"] < a.history[0]["val_loss"]
    assert set(a.metrics) >= {"val_loss", "top1_improvement_rate", "random_improvement_rate", "top1_score_quantile"}
    c = train(layout, source, val, TINY, TrainConfig(**{**SMALL.to_dict(), "seed": 4}), progress=False)
    assert c.metrics != a.metrics


def test_early_stopping_keeps_the_best_validation_state():
    layout, source, val = _recipe()
    cfg = TrainConfig(**{**SMALL.to_dict(), "steps": 60, "patience": 1, "lr": 0.5})
    result = train(layout, source, val, TINY, cfg, progress=False)
    best = min(h["val_loss"] for h in result.history)
    assert result.metrics["val_loss"] == pytest.approx(best)


@pytest.mark.parametrize("bad", [{"steps": 0}, {"lr": -1.0}, {"lr": float("nan")}, {"batch_size": 2.5}, {"seed": -1}])
def test_bad_train_settings_are_refused(bad):
    with pytest.raises(ValueError, match="TrainConfig"):
        TrainConfig(**bad)


def test_bad_model_settings_are_refused():
    with pytest.raises(ValueError, match="divisible"):
        ModelConfig(embed=10, heads=4)
    with pytest.raises(ValueError, match="unknown model settings"):
        ModelConfig.from_dict({"width": 3})
    with pytest.raises(ValueError, match="validation task"):
        layout, source, _ = _recipe()
        train(layout, source, [], TINY, SMALL, progress=False)
