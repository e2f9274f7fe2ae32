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


def test_bad_arguments_are_refused_before_anything_runs(capsys):
    """A reported task, an unknown one, a bad variant, malformed JSON and a yardstick that cannot run on a
    plain task all stop the command with a message naming the problem (exit 2), before any run."""
    cases = {
        ("--variants", "[{}]", "--functions", "hpolib-fcnet/protein_structure"): ["reported task", "hpobench-mlp/kc1"],
        ("--variants", "[{}]", "--functions", "nosuch"): ["unknown selection task ['nosuch']", "hpobench-mlp/kc1"],
        ("--variants", '[{}, {"gp_ard": "yes"}]', "--functions", "beale"): ['{"gp_ard": "yes"}', "gp_ard"],
        ("--variants", '[{}, {"gp_arb": true}]', "--functions", "beale"): ["gp_arb"],
        ("--variants", "[{},", "--functions", "beale"): ["not valid JSON"],
        ("--variants", "[{}]", "--functions", "beale", "--yardsticks", "tpe,hyperband"): ["'hyperband' cannot run"],
    }
    for argv, expected in cases.items():
        with pytest.raises(SystemExit) as stop:
            bench.main(list(argv))
        err = capsys.readouterr().err
        assert stop.value.code == 2 and all(e in err for e in expected), (argv, err)
    # a variant is read over the task's card: late_after alone is valid over the small card's late phase
    with pytest.raises(SystemExit) as stop:
        bench.main(["--variants", '[{}, {"late_after": 25}]', "--functions", "beale", "--yardsticks", "hyperband"])
    assert "'hyperband' cannot run" in capsys.readouterr().err


def test_reported_names_the_stored_tasks():
    stored = set()
    for name in DEFAULT:
        benchmark = name.removesuffix(".json")
        tasks = json.loads((STORED / name).read_text())
        stored |= set(tasks) if benchmark == "functions" else {f"{benchmark}/{task}" for task in tasks}
    assert stored == set(bench.REPORTED)
