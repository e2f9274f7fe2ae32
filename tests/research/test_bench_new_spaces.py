"""research/bench_new_spaces.py: its selection tasks stay apart from the reported ones."""

from __future__ import annotations

import json

import numpy as np
import pytest

from research import bench_new_spaces as bench
from research.new_space_targets import DEFAULT, STORED


def test_selection_tables_are_never_reported_tasks():
    reported = set()
    for name in DEFAULT:
        benchmark = name.removesuffix(".json")
        reported |= {f"{benchmark}/{task}" for task in json.loads((STORED / name).read_text())}
    assert reported >= {"hpolib-fcnet/protein_structure", "hpobench-mlp/segment", "functions/branin"}
    assert not reported & set(bench.TABLES)
    assert not {f"functions/{f}" for f in bench.SELECTION} & reported


def test_a_selection_table_is_the_real_table_behind_the_user_space():
    task = bench.selection_task("hpolib-fcnet/naval_propulsion")
    assert task.dataset == "naval_propulsion" and len(task.config_space) == 9
    config = task.config_space.sample_configuration()
    result = task.evaluate(config)
    # score = -log10(validation MSE); its regret against the table's best is >= 0
    assert np.isfinite(result.score) and task.optimum - result.score >= 0


def test_an_unknown_or_reported_task_is_refused_naming_the_accepted(capsys):
    for name in ("hpolib-fcnet/protein_structure", "nosuch"):
        with pytest.raises(SystemExit):
            bench.main(["--variants", "[{}]", "--functions", name])
        err = capsys.readouterr().err
        assert f"'{name}'" in err and "hpobench-mlp/kc1" in err
