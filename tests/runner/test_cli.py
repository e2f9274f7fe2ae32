"""The genhpo CLI: --help everywhere, errors that name the flag and the accepted values, end to end."""

from __future__ import annotations

import json

import pytest

from genhpo.cli import build_parser, main
from genhpo.report.deepcave import run_folder
from genhpo.runner import experiment_files as config
from genhpo.runner.store import RunKey
from tests.fixtures import interruptible_children


@pytest.mark.parametrize("command", [[], ["compare"], ["report"], ["export-deepcave"], ["train"], ["data"],
                                     ["data", "hpob-offline"]])
def test_help_everywhere(command, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([*command, "--help"])
    assert exit_.value.code == 0
    assert "usage: genhpo" in capsys.readouterr().out


def test_one_tree_lists_every_command_and_train_lists_its_recipes(capsys):
    from genhpo.metatrain.recipes import RECIPES

    help_text = build_parser().format_help()
    for command in ("compare", "report", "export-deepcave", "deepcave", "train", "data"):
        assert command in help_text
    assert main(["train", "--list"]) == 0
    assert capsys.readouterr().out.split() == [*RECIPES, "hpob"]  # hpob: one recipe per space of a root
    assert main(["train"]) == 2  # no recipe: the list, and a usage exit code


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--optimizers", "rs,foo"], "--optimizers: unknown optimizer(s) 'foo'; accepted: genhpo, genhpo-cold, genhpo-hb, transfer-topk"),
        (["--benchmark", "nb999"], "--benchmark: unknown benchmark 'nb999'; accepted: "),
        (["--dataset", "cifar11"], ("--dataset: unknown nb201 dataset(s) 'cifar11'; accepted: cifar10, cifar100, "
                                    "ImageNet16-120")),
        (["--seeds", "0"], "argument --seeds: must be a positive integer (>= 1), got 0"),
        (["--trials", "-5"], "argument --trials: must be a positive integer (>= 1), got -5"),
        (["--seeds", "two"], "argument --seeds: expected a positive integer, got 'two'"),
        (["--config", "no-such-config"], "--config: no file 'no-such-config' (shipped configs: functions, hpobench-mlp, hpolib-fcnet, mlp-epochs, nb201-all"),
    ],
)
def test_bad_input_names_the_flag_and_accepted_values(tmp_path, capsys, argv, message):
    base = {"--benchmark": "nb201", "--dataset": "cifar10", "--optimizers": "rs", "--seeds": "1", "--trials": "3"}
    for flag, value in zip(argv[::2], argv[1::2]):
        base[flag] = value
    args = ["compare", "--out", str(tmp_path / "out"), "--quiet"] + [x for kv in base.items() for x in kv]
    try:
        code = main(args)
    except SystemExit as exit_:  # argparse's own checks exit, ours return the code
        code = exit_.code
    assert code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()  # nothing written for a refused command


def test_config_files_load_and_flags_override(tmp_path):
    for name in config.available():
        data = config.load(name)
        config.check({**config.DEFAULTS, **data})
    path = tmp_path / "x.toml"
    path.write_text('benchmark = "nb201"\ndataset = "cifar100"\noptimizers = ["rs"]\nseeds = 4\n'
                    '[settings.rs]\n')
    args = build_parser().parse_args(["compare", "--config", str(path), "--trials", "7", "--out", "o"])
    experiment = config.resolve(args)
    assert (experiment.datasets, experiment.seeds, experiment.trials, experiment.settings) == (
        ("cifar100",), 4, 7, {"rs": {}})
    path.write_text('benchmark = "nb201"\nseed = 3\n')
    with pytest.raises(ValueError, match="unknown key\\(s\\) seed; accepted: benchmark, dataset"):
        config.load(str(path))


def test_compare_report_export_end_to_end_on_a_local_cluster(tmp_path, capsys):
    out = tmp_path / "exp"
    argv = ["compare", "--benchmark", "nb201", "--dataset", "cifar10", "--optimizers", "rs", "--seeds", "2",
            "--trials", "12", "--out", str(out), "--workers", "1", "--quiet"]
    assert main(argv) == 0
    assert "2 runs in" in capsys.readouterr().out
    assert main(argv) == 0  # the same command again resumes: both runs already finished
    assert "2 already finished (skipped)" in capsys.readouterr().out

    different = [a if a != "12" else "13" for a in argv]
    assert main(different) == 2
    assert "holds a different experiment (trials: 12 -> 13)" in capsys.readouterr().err

    assert main(["report", str(out)]) == 0
    assert "| rs | 2 |" in capsys.readouterr().out
    assert (out / "report" / "nb201_cifar10_regret_evals.png").exists()
    hpob = json.loads((out / "report" / "hpob" / "rs.json").read_text())
    assert [len(v) for v in hpob["nb201"]["cifar10"].values()] == [12, 12]

    assert main(["export-deepcave", str(out)]) == 0
    assert "genhpo deepcave" in capsys.readouterr().out
    assert (run_folder(out, RunKey("nb201", "cifar10", "rs", 1)) / "trials.csv").exists()


def test_report_of_a_missing_directory_is_a_clear_error(tmp_path, capsys):
    assert main(["report", str(tmp_path / "nothing")]) == 2
    assert "is not an experiment directory" in capsys.readouterr().err


@pytest.mark.parametrize("out", ["afile", "afile/sub"])
def test_an_out_that_is_a_file_is_one_clear_line(tmp_path, capsys, out):
    (tmp_path / "afile").write_text("not a directory")
    assert main(["compare", "--benchmark", "nb201", "--dataset", "cifar10", "--optimizers", "rs", "--seeds", "1",
                 "--trials", "2", "--out", str(tmp_path / out), "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"genhpo compare: error: --out {tmp_path / out}: {tmp_path / 'afile'} is a file, not a directory"]


def test_a_scheduler_nobody_listens_on_is_one_clear_line(tmp_path, capsys):
    assert main(["compare", "--benchmark", "nb201", "--dataset", "cifar10", "--optimizers", "rs", "--seeds", "1",
                 "--trials", "2", "--out", str(tmp_path / "x"), "--scheduler", "tcp://127.0.0.1:1", "--quiet"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("genhpo compare: error: Timed out trying to connect to tcp://127.0.0.1:1")


def test_ctrl_c_ends_in_one_line_and_the_run_resumes(tmp_path):
    """SIGINT to the whole process group, as a terminal's Ctrl-C: one line, exit 130; re-running resumes."""
    import os
    import signal
    import subprocess
    import sys
    import time

    genhpo = [sys.executable, "-m", "genhpo.cli", "compare", "--benchmark", "nb201", "--dataset", "cifar10",
              "--optimizers", "smac", "--seeds", "4", "--trials", "40", "--out", str(tmp_path / "exp"), "--quiet"]
    with interruptible_children():
        p = subprocess.Popen(genhpo, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.time() + 120
    while not list((tmp_path / "exp").glob("runs/*/*/*/*/trials.jsonl")) and time.time() < deadline:
        time.sleep(0.5)
    time.sleep(2)
    os.killpg(p.pid, signal.SIGINT)
    _, err = p.communicate(timeout=120)
    assert p.returncode == 130, err
    assert err.strip().splitlines() == ["genhpo compare: interrupted; re-run the same command to resume"]
    again = subprocess.run(genhpo, capture_output=True, text=True, timeout=600, check=False)
    assert again.returncode == 0 and "0 failed" in again.stdout, again.stderr[-2000:]
