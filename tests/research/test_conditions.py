"""The conditions study: its experiment files are valid, ranks are computed as stated, a tiny study runs."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from genhpo import benchmarks
from genhpo.runner import experiment_files, registry
from research import conditions


def test_every_condition_file_is_a_valid_experiment():
    files = conditions.conditions()
    assert len(files) == 9
    kinds = set()
    for path in files:
        values = {**experiment_files.DEFAULTS, **experiment_files.load(str(path))}
        experiment_files.check(values, values.get("options", {}))
        bench = benchmarks.make(values["benchmark"], values["datasets"][0], **values.get("options", {}))
        kinds.add((len(bench.objectives) > 1, bool(bench.constraints), bench.fidelity_space is not None,
                   bool(values["noisy"])))
        assert all(name in registry.OPTIMIZERS for name in values["optimizers"])
    # several objectives, constraints, a fidelity and noise each have a condition
    assert {k[0] for k in kinds} == {k[1] for k in kinds} == {k[2] for k in kinds} == {k[3] for k in kinds} == {
        True, False}


def test_ranks_by_hand():
    regret = {"a": np.array([0.1, 0.5, np.nan]), "b": np.array([0.2, 0.5, 0.3]), "c": np.array([0.3, 0.1, 0.4])}
    out = conditions.ranks(regret)
    # pair 1: a 1, b 2, c 3; pair 2: c 1, a and b tie 2.5; pair 3: a (NaN) last 3, b 1, c 2
    assert out["a"][0] == pytest.approx((1 + 2.5 + 3) / 3)
    assert out["b"][0] == pytest.approx((2 + 2.5 + 1) / 3)
    assert out["c"][0] == pytest.approx((3 + 1 + 2) / 3)
    assert out["a"][2] == 3 and out["a"][1] > 0


def test_a_tiny_study_writes_the_heat_map(tmp_path, monkeypatch):
    configs = tmp_path / "configs"
    configs.mkdir()
    (configs / "1-tiny.toml").write_text('benchmark = "nb201"\ndatasets = ["cifar10"]\noptimizers = ["re", "rs"]\n'
                                         "seeds = 2\ntrials = 10\n")
    shutil.copy(conditions.CONFIGS / "9-constrained.toml", configs / "2-constrained.toml")
    text = (configs / "2-constrained.toml").read_text()
    (configs / "2-constrained.toml").write_text(text.replace('["genhpo", "tpe", "gp", "rs"]', '["tpe", "rs"]')
                                                .replace("seeds = 10", "seeds = 2").replace("trials = 50", "trials = 10"))
    monkeypatch.setattr(conditions, "CONFIGS", configs)
    assert conditions.main(["--out", str(tmp_path / "out"), "--workers", "1"]) == 0
    rows = (tmp_path / "out" / "conditions.csv").read_text().splitlines()
    assert rows[0] == "condition,budget,optimizer,rank,half_width,pairs"
    assert len(rows) == 1 + 2 * 2  # two conditions x budget 10 x two optimizers
    assert (tmp_path / "out" / "conditions.png").stat().st_size > 10_000
    # the wall-clock line states the worker count the runs used, not a fixed one
    assert "Wall-clock on this machine (1 worker(s))" in (tmp_path / "out" / "conditions.md").read_text()
    # re-running one condition (resumed: nothing new to run) rescores every condition run so far
    assert conditions.main(["--out", str(tmp_path / "out"), "--workers", "1", "--only", "1-tiny"]) == 0
    assert (tmp_path / "out" / "conditions.csv").read_text().splitlines() == rows
    assert "2-constrained" in (tmp_path / "out" / "conditions.md").read_text()
    with pytest.raises(SystemExit):
        conditions.main(["--out", str(tmp_path / "out"), "--only", "no-such-condition"])
