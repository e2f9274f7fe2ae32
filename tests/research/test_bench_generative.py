"""The command line of research/bench_generative.py: bad --grid / --settings are usage errors, not tracebacks."""

from __future__ import annotations

import pytest

from research.bench_generative import main, settings_grid


def test_settings_grid_reads_a_list_of_setting_objects():
    assert settings_grid('[{}, {"ridge": 1.0, "local": 3}]') == [{}, {"ridge": 1.0, "local": 3}]


@pytest.mark.parametrize(("text", "message"), [
    ("[{", "--grid is not valid JSON"),
    ("{}", "non-empty JSON list of objects"),
    ("[]", "non-empty JSON list of objects"),
    ("[1]", "non-empty JSON list of objects"),
    ('[{"rige": 1}]', r"unknown settings \['rige'\]"),
])
def test_bad_grids_are_refused_by_name(text, message):
    with pytest.raises(ValueError, match=message):
        settings_grid(text)


def test_a_bad_grid_is_a_usage_error_before_anything_runs(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["transfer-select", "--grid", "[{"])
    assert exit_info.value.code == 2 and "--grid is not valid JSON" in capsys.readouterr().err


def test_a_bad_task_scale_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["transfer-select", "--task-scale", "-1"])
    assert exit_info.value.code == 2 and "--task-scale must be a finite number >= 0" in capsys.readouterr().err


def test_transfer_calibrate_prints_the_ranks_and_the_chosen_scale(capsys):
    main(["transfer-calibrate", "--interactions", "--datasets", "ImageNet16-120", "--tasks", "3"])
    out = capsys.readouterr().out
    assert "sources' optima rank 6 (median)" in out  # cifar10 vs cifar100: ranks 10 and 2
    assert all(f"scale {s:g}:" in out for s in (2.0, 1.0, 0.5, 0.25, 0.1)) and "calibrated scale:" in out
