"""research/store_experiment.py: an experiment's curves into the stored format, and --update."""

from __future__ import annotations

import json

import pytest

from genhpo.runner.compare import compare
from genhpo.runner.manifest import Experiment
from research import store_experiment


def test_store_and_update_keep_the_other_optimizers(tmp_path):
    experiment = Experiment(benchmark="functions", datasets=("branin",), optimizers=("rs",), seeds=2, trials=10)
    compare(experiment, tmp_path / "exp", n_workers=1)
    out = tmp_path / "stored.json"
    assert store_experiment.main([str(tmp_path / "exp"), str(out), "--trials", "10"]) == 0
    curves = json.loads(out.read_text())["branin"]["rs"]["regret"]
    assert len(curves) == 2 and len(curves[0]) == 10 and curves[0] == sorted(curves[0], reverse=True)
    stored = json.loads(out.read_text())["branin"]["rs"]
    assert stored["settings"]["name"] == "rs" and "seed" not in stored["settings"]  # what produced the curves
    assert "numpy" in stored["versions"]
    # an older file: another optimizer kept, this experiment's rs replaced
    out.write_text(json.dumps({"branin": {"rs": {"regret": [[9.0] * 10], "overhead": 0.0},
                                          "tpe": {"regret": [[1.0] * 10], "overhead": 0.0}}}))
    assert store_experiment.main([str(tmp_path / "exp"), str(out), "--trials", "10", "--update"]) == 0
    data = json.loads(out.read_text())["branin"]
    assert data["tpe"]["regret"] == [[1.0] * 10] and data["rs"]["regret"] == curves
    with pytest.raises(SystemExit):
        store_experiment.main([str(tmp_path / "exp"), str(tmp_path / "none.json"), "--trials", "10", "--update"])
    for trials in ("0", "11"):  # no curve of that length: a usage error, never a traceback or a silent store
        with pytest.raises(SystemExit):
            store_experiment.main([str(tmp_path / "exp"), str(out), "--trials", trials])
