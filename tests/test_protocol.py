import json
import math

import pytest

from genhpo.protocol import Result, Trial


def test_result_refuses_invalid_values():
    with pytest.raises(ValueError, match="score must be a finite number"):
        Result(score=float("nan"))
    with pytest.raises(ValueError, match="cost must be >= 0"):
        Result(score=1.0, cost=-1.0)
    with pytest.raises(ValueError, match="status must be"):
        Result(score=1.0, status="crashed")
    failed = Result.failure("boom")
    assert not failed.ok and math.isnan(failed.score) and failed.error == "boom"


def _trial(**overrides):
    fields = {"index": 0, "config": {"a": "x"}, "score": 0.5, "cost": 1.0, "overhead": 0.01, "started_at": 10.0, "finished_at": 11.0}
    fields.update(overrides)
    return Trial(**fields)


def test_trial_validation_runs():
    with pytest.raises(ValueError, match="index"):
        _trial(index=-1)
    with pytest.raises(ValueError, match="overhead must be >= 0"):
        _trial(overhead=-0.1)
    with pytest.raises(ValueError, match="finished_at"):
        _trial(finished_at=9.0)
    with pytest.raises(ValueError, match="score must be a finite number"):
        _trial(score=float("inf"))
    assert _trial(status="failed", score=float("nan"), error="x").status == "failed"


def test_trial_json_round_trip_including_failures():
    for trial in (_trial(metrics={"latency": 0.1}), _trial(status="failed", score=float("nan"), error="boom")):
        line = json.dumps(trial.to_dict(), allow_nan=False)
        back = Trial.from_dict(json.loads(line))
        assert back.to_dict() == trial.to_dict()
    with pytest.raises(ValueError, match="malformed trial record"):
        Trial.from_dict({"index": 0, "colour": "red"})


def test_trial_dict_holds_plain_python_numbers():
    import numpy as np

    trial = _trial(config={"width": np.int64(64), "lr": np.float32(0.5)}, metrics={"size": np.float64(1.5)})
    data = trial.to_dict()
    assert type(data["config"]["width"]) is int and type(data["config"]["lr"]) is float
    assert type(data["metrics"]["size"]) is float
    json.dumps(data, allow_nan=False)
