"""research/new_space_targets.py: issue 17's target arithmetic on hand-made result files."""

from __future__ import annotations

import json
import math

from research import new_space_targets as targets


def _file(tmp_path, name, tasks):
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps({task: {opt: {"regret": rows, "overhead": 0.0} for opt, rows in optimizers.items()}
                                for task, optimizers in tasks.items()}))
    return path


def test_ratio_to_the_better_of_tpe_and_gp_per_budget(tmp_path, capsys):
    flat = [[1.0] * 100]
    tasks = {
        # genhpo 0.5 and 1.5 over two seeds (mean 1.0); tpe 2, gp 1.25: ratio 1.0 / 1.25 = 0.8
        "a": {"genhpo": [[0.5] * 100, [1.5] * 100], "tpe": [[2.0] * 100], "gp": [[1.25] * 100]},
        # genhpo 3 against the best 2: 1.5 at every budget
        "b": {"genhpo": [[3.0] * 100], "tpe": [[2.0] * 100], "gp": [[4.0] * 100]},
        # no gp: left out
        "c": {"genhpo": flat, "tpe": flat},
    }
    table = targets.ratios(json.loads(_file(tmp_path, "x", tasks).read_text()))
    assert set(table) == {"a", "b"}
    assert table["a"][10] == 0.8 and table["b"][100] == 1.5
    lines = targets.summary(table)
    # 1 of 2 tasks at <= 1: below 80 %, so missed although nothing exceeds 1.5
    assert "@10: 1/2 tasks at <= 1, largest 1.50" in lines[-2] and lines[-1].endswith("missed")
    assert targets.main([str(tmp_path / "x.json")]) == 0
    assert "| x/a | 0.80 | 0.80 | 0.80 | 0.80 |" in capsys.readouterr().out


def test_zero_regrets_and_a_met_target(tmp_path):
    assert targets.ratio(0.0, 0.0) == 1.0 and math.isinf(targets.ratio(0.1, 0.0))
    tasks = {f"t{i}": {"genhpo-cold": [[0.0] * 100], "tpe": [[0.0] * 100], "gp": [[0.5] * 100]} for i in range(5)}
    table = targets.ratios(json.loads(_file(tmp_path, "y", tasks).read_text()))
    assert targets.summary(table)[-1].endswith(": met")
