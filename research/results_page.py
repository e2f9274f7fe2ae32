"""Render docs/results.md from the stored result files in docs/results/ (re-running changes nothing).

    python research/results_page.py            # writes docs/results.md
    python research/results_page.py --check    # exit 1 if docs/results.md is not what the files give

Each stored file is written by the command quoted above its table; this script only reads them:
- ``nb201-transfer.json`` / ``nb201-cold.json``: ``research/bench_generative.py transfer|cold --json``,
  ``{dataset: {optimizer: {"regret": (seeds, trials) list, "overhead": mean s per trial}}}``;
- ``nb201-optuna.json``: ``research/bench_optuna.py --json``, a list of runs (sampler, dataset, seed,
  regret after each trial, overhead);
- ``functions.json``, ``sklearn-pipeline.json``: ``research/store_experiment.py`` on a ``genhpo compare``
  experiment, in the NB201 format above;
- ``hpob/<optimizer>.json``: ``research/bench_hpob.py --out``, HPO-B's results format
  ``{space: {dataset: {seed: [incumbent, ...]}}}``, scored by :func:`genhpo.benchmarks.hpob.scores.hpob_scores`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
STORED = ROOT / "docs" / "results"
PAGE = ROOT / "docs" / "results.md"
sys.path.insert(0, str(ROOT))

from genhpo.benchmarks.hpob.scores import hpob_scores

HEADER = """# Results

The current figures of genhpo and the baselines, each table rendered by `python
research/results_page.py` from the stored result files in `docs/results/`, which the command above
each table writes. Quality figures are deterministic given the seeds (2 CPU cores, torch 2.13.0 CPU).
Regret on NB201 is in validation-accuracy points (optimum minus incumbent), mean (standard error) over
seeds 0..N-1; every run goes through `genhpo compare`'s runner. Why each setting is what it is:
`docs/decisions/`.
"""


def _cell(values: np.ndarray, fmt: str = ".3f") -> str:
    sem = values.std(ddof=1) / np.sqrt(len(values)) if len(values) > 1 else 0.0
    return f"{values.mean():{fmt}} ({sem:{fmt}})"


def regret_table(path: Path, budgets: list[int], command: str, title: str, note: str, fmt: str = ".3f") -> list[str]:
    data = json.loads(path.read_text())
    last = budgets[-1]
    lines = [f"## {title}", "", f"`{command}`", "", note, "",
             "| dataset | optimizer | seeds | " + " | ".join(f"@{b}" for b in budgets) + f" | optimum by {last} |",
             "|---|---|---|" + "---|" * len(budgets) + "---|"]
    for dataset, optimizers in data.items():
        for name, entry in optimizers.items():
            regret = np.array(entry["regret"], dtype=float)
            hits = int((regret[:, last - 1] <= 1e-9).sum())
            lines.append(f"| {dataset} | {name} | {len(regret)} | "
                         + " | ".join(_cell(regret[:, b - 1], fmt) for b in budgets) + f" | {hits}/{len(regret)} |")
    return lines + [""]


def optuna_table(path: Path) -> list[str]:
    """NB201 through Optuna (``research/bench_optuna.py --json``: a list of runs)."""
    runs = json.loads(path.read_text())
    budgets = [10, 25, 50, 100]
    lines = ["## NB201 through Optuna: genhpo's sampler in a user's study", "",
             "`python research/bench_optuna.py --seeds 20 --trials 100 --json docs/results/nb201-optuna.json`", "",
             ("One Optuna study per sampler and seed: `genhpo` = `GenerativeSampler` with the dataset's holdout "
             "checkpoint, `genhpo-cold` = with `nb201-cold`, against Optuna's `TPESampler`, `GPSampler` and "
             "`RandomSampler`. Regret = optimum - best value after n trials."), "",
             "| dataset | sampler | seeds | " + " | ".join(f"@{b}" for b in budgets) + " |",
             "|---|---|---|" + "---|" * len(budgets)]
    for dataset in dict.fromkeys(r["dataset"] for r in runs):
        for name in dict.fromkeys(r["sampler"] for r in runs):
            regret = np.array([r["regret"] for r in runs if r["dataset"] == dataset and r["sampler"] == name])
            lines.append(f"| {dataset} | {name} | {len(regret)} | "
                         + " | ".join(_cell(regret[:, b - 1]) for b in budgets) + " |")
    return lines + [""]


def hpob_table(folder: Path) -> list[str]:
    results = {p.stem: json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))
               if not p.stem.endswith(".settings")}
    order = [n for n in ("rs", "re", "dehb", "smac", "smac-bb", "tpe", "gp", "transfer-topk", "genhpo") if n in results]
    results = {n: results[n] for n in order}
    first = next(iter(results.values()))
    tasks = {space: sorted(datasets) for space, datasets in first.items()}
    seeds = sorted({seed for space in first.values() for curves in space.values() for seed in curves})
    scores = hpob_scores(results, tasks, seeds=seeds)
    about = ("The official pool protocol (`HPOBHandler.evaluate`, initial designs from `bo-initializations.json`) "
             f"on the meta-test tasks {', '.join(f'{d} ({s})' for s, ds in tasks.items() for d in ds)}, seeds "
             f"{', '.join(seeds)}, 100 trials: HPO-B's normalised regret (1 - normalised incumbent) and average "
             f"rank (1 = best) over the {len(scores.pairs)} (task, seed) pairs. genhpo = `presets.for_benchmark`: "
             "the `hpob-offline-<space>` checkpoint (meta-train split only) with its card's settings "
             "(`docs/decisions/004-hpob-offline-settings.md`). Every method is shown the 5 initial rows; "
             "genhpo, rs, re, transfer-topk, tpe and gp build on them; smac and smac-bb warm-start from them (their "
             "initial design shortened by 5); dehb refuses rows it did not ask and starts its own design (the rows "
             "still count in its incumbent).")
    lines = ["## HPO-B format, offline meta-test", "",
             "`python research/bench_hpob.py --trials 100 --out docs/results/hpob` (needs `genhpo data hpob-offline`)",
             "", about, ""]
    for space in (None, *tasks):
        table = scores.table((25, 50, 100), space=space)
        lines += [f"**{'all spaces' if space is None else space}**", "",
                  "| optimizer | " + " | ".join(table.columns) + " |", "|---|" + "---|" * len(table.columns)]
        for name, row in table.iterrows():
            lines.append(f"| {name} | " + " | ".join(f"{v:.4f}" for v in row.to_numpy()) + " |")
        lines.append("")
    return lines


#: The NB201 tables: (stored file, budgets, the command that writes it, title, what the rows are).
NB201_TABLES = (
    ("nb201-transfer.json", [5, 10, 15, 20, 25],
     ("python research/bench_generative.py transfer --seeds 20 --baselines transfer-topk,tpe,gp,re,rs "
     "--json docs/results/nb201-transfer.json"),
     "NB201: transfer (a checkpoint never trained on the target dataset)",
     ("genhpo = `presets.for_benchmark`: the `nb201-holdout-<dataset>` checkpoint, trained on the other two "
     "datasets' tables only, with its card's settings (density ratio + 3 x ridge correction, penalty 1; "
     "the one-hyperparameter neighbours of the 3 best results once 10 are in). TransferTopK reads the same "
     "two tables.")),
    ("nb201-cold.json", [10, 25, 50, 100, 200],
     ("python research/bench_generative.py cold --seeds 20 --baselines tpe,gp,smac,re,rs "
     "--budgets 10,25,50,100,200 --json docs/results/nb201-cold.json"),
     "NB201: cold start (no NB201 data in training)",
     ("genhpo-cold = the `nb201-cold` checkpoint (synthetic tasks over the NB201 space only) with its card's "
     "settings: 10 random configurations, then the one-hyperparameter neighbours of the 5 best, 10 % global "
     "moves (`docs/decisions/003-cold-start.md`).")),
)


FUNCTIONS_TABLE = (
    ("genhpo compare --config functions --out results/functions; "
     "python research/store_experiment.py results/functions docs/results/functions.json"),
    "New spaces: BoTorch's test functions (no checkpoint has seen them)",
    ("Regret f(x) - f* of the incumbent, mean (standard error) over 10 seeds. genhpo = the space's quick cold "
     "model (synthetic tasks only) with its card's settings: multiscale local moves and the GP correction; "
     "with at most 4 hyperparameters (Branin, Hartmann-3, Rosenbrock-4) the chosen candidate as drawn and 10 % "
     "random candidates, then from 30 results on a GP-led ranking with acquisition optimisation; with more, 4 "
     "rounds of acquisition optimisation, up to 20 L-BFGS-B iterations on the "
     "GP's log EI, no random candidates and the GP's hyperparameters (one length scale per entry, under Optuna "
     "GPSampler's priors) optimised every 5 results "
     "(`docs/decisions/010-cold-start-refinement.md`, "
     "`013-acquisition-optimisation.md`, `019-acquisition-polish-and-ard.md`, "
     "`023-low-dimensional-settings.md`, `027-cold-card-refit.md`, `030-hand-over-by-the-absolute-overhead.md`, "
     "`031-large-band-on-real-tables.md`, `032-earlier-hand-over-by-the-target.md`); "
     "its rows were re-run with `--optimizers genhpo` and stored with "
     "`--update` (the baselines are deterministic given the seed and the environment; the gp rows were re-run "
     "when the set-up added greenlet, `029-optuna-gp-batched.md`). gp and tpe are Optuna's samplers. "
     "`python research/new_space_targets.py` prints genhpo's ratio to the better of tpe and gp."),
)


TABLE_SPACES = (
    ("hpobench-mlp.json",
     ("genhpo compare --config hpobench-mlp --dataset segment,vehicle --out results/hpobench-mlp; "
      "python research/store_experiment.py results/hpobench-mlp docs/results/hpobench-mlp.json"),
     "New spaces on real results: HPOBench's MLP tables through a user's space",
     ("Regret (best validation accuracy in the table - the incumbent's, as a fraction) of the incumbent, mean "
      "(standard error) over 10 seeds. The space is what a user would write (log-scaled floats and integers); "
      "each configuration is evaluated at its nearest grid point (`genhpo.benchmarks.user_spaces`). genhpo = "
      "the space's quick cold model (synthetic tasks only) with its card's settings (5 hyperparameters: "
      "4 rounds of local search and decision 019's polish, no random candidates, decision 023; hyperparameters "
      "of the GP optimised every 5 results, decision 027, one length scale per entry under priors, decision 031; re-run with `--optimizers genhpo`, stored with --update). The datasets are the "
      "ones issue 17 measured first; the experiment file lists all 8.")),
    ("hpolib-fcnet.json",
     ("genhpo compare --config hpolib-fcnet --dataset protein_structure --out results/hpolib-fcnet; "
      "python research/store_experiment.py results/hpolib-fcnet docs/results/hpolib-fcnet.json"),
     "New spaces on real results: HPOLib's FCNet tables through a user's space",
     ("Regret in -log10(validation MSE) of the incumbent, mean (standard error) over 10 seeds. The space is "
      "what a user would write (dropout floats, log-scaled learning rate, widths and batch size); each "
      "configuration is evaluated at its nearest grid point. genhpo = the space's quick cold model with its "
      "card's settings (4 rounds of local search and decision 019's polish, no random candidates, decision 023; "
      "the GP's hyperparameters optimised every 5 results, decision 027, one length scale per entry under priors, "
      "decision 031; re-run with `--optimizers genhpo`, stored with --update). "
      "protein_structure is the task issue 17 measured first; the experiment file lists all 4.")),
)


PIPELINE_TABLE = (
    ("genhpo compare --benchmark sklearn-pipeline --dataset wine --optimizers genhpo,smac,tpe,re,rs --seeds 10 "
     "--trials 100 --out results/skl; python research/store_experiment.py results/skl docs/results/sklearn-pipeline.json; "
     "the same with --dataset breast_cancer,digits --out results/skl-bd, stored with --update"),
    "Large conditional space: scikit-learn pipelines trained for real",
    ("Regret 1 - (3-fold cross-validated accuracy) of the incumbent, mean (standard error) over 10 seeds; 23 "
     "hyperparameters, 21 conditions, 1 forbidden clause. genhpo = the space's quick cold model with its card's "
     "settings (multiscale local moves and GP correction, decision 010; 4 rounds of acquisition optimisation, "
     "decision 013; up to 20 L-BFGS-B iterations on the GP's log EI, decision 019; no random candidates, "
     "decision 023; the GP's hyperparameters optimised every 5 results, decision 027, one length scale per entry "
     "under priors, decision 031), re-run with them on all "
     "three datasets: `genhpo compare --benchmark sklearn-pipeline --dataset wine,breast_cancer,digits "
     "--optimizers genhpo --seeds 10 --trials 100 --out results/skl-g`, stored with --update."),
)


def lodo_tables(folder: Path) -> list[str]:
    """The leave-one-dataset-out tables (``research/hpob_lodo.py``), one per mode with results."""
    from research import hpob_lodo

    modes = [m for m in hpob_lodo.MODES if (folder / m).is_dir()]
    if not modes:
        return []
    lines = ["## HPO-B format, leave one dataset out", "",
             "`python research/hpob_lodo.py` (protocol: `docs/decisions/009-hpob-leave-one-dataset-out.md`)", "",
             ("Each of the 12 offline datasets in turn is the only meta-test task; genhpo's checkpoint "
              "(`genhpo train hpob`) never read its table. HPO-B's official protocol: 5 initial rows from "
              "`bo-initializations.json`, 100 trials, seeds test0-test4. kc1 and slice_localization are the "
              "tasks genhpo's HPO-B suggestion settings were chosen on, so not fully held out."), ""]
    for mode in modes:
        lines += [hpob_lodo.tables(folder, mode).replace("## ", "### ", 1), ""]
    return lines


def _report_blocks(path: Path, starts: tuple[str, ...]) -> list[str]:
    """From a stored ``genhpo report`` summary.md: each task's heading and its paragraphs that begin with
    one of ``starts``, with the table that follows each."""
    out: list[str] = []
    lines = path.read_text().splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("## ") and " / " in line:
            out += ["#" + line, ""]
        elif line.startswith(starts):
            block = [line]
            i += 1
            while i < len(lines) and (lines[i].startswith("|") or not lines[i].strip()):
                if lines[i].strip() or (block and block[-1].strip()):
                    block.append(lines[i])
                if lines[i].startswith("|") and (i + 1 >= len(lines) or not lines[i + 1].startswith("|")):
                    break
                i += 1
            out += [*block, ""]
        i += 1
    return out


def objectives_section(folder: Path) -> list[str]:
    """Several objectives and constraints on NB201 (``docs/results/nb201-objectives/``: stored reports)."""
    lines: list[str] = []
    mo, constrained = folder / "nb201-mo.md", folder / "nb201-constrained.md"
    if mo.exists():
        lines += ["## NB201 with three objectives: accuracy, latency, model size", "",
                  ("`genhpo compare --config nb201-mo` and `genhpo report` (stored report: "
                  "`docs/results/nb201-objectives/nb201-mo.md`, Pareto fronts beside it; design: "
                  "`docs/decisions/012-objectives-and-constraints.md`; which checkpoint genhpo takes: "
                  "`docs/decisions/018-nb201-mo-transfer.md`)."), "",
                  *_report_blocks(mo, ("Dominated hypervolume",))]
    gp = folder / "nb201-mo-gp.md"
    if gp.exists():
        lines += ["### nb201-mo: Optuna's GP sampler, 10 seeds", "",
                  ("`genhpo compare --config nb201-mo --optimizers gp --seeds 10` (stored report: "
                   "`docs/results/nb201-objectives/nb201-mo-gp.md`; about 0.6 s per suggestion with three objectives, "
                   "run apart from the 20-seed grid above; seeds 0-9 of it)."), "",
                  *[line.replace("### ", "#### ", 1) if line.startswith("### ") else line
                    for line in _report_blocks(gp, ("Dominated hypervolume",))]]
    if constrained.exists():
        lines += ["## NB201, accuracy subject to a latency bound", "",
                  ("`genhpo compare --config nb201-constrained` and `genhpo report` (stored report: "
                  "`docs/results/nb201-objectives/nb201-constrained.md`)."), "",
                  *_report_blocks(constrained, ("Constrained:",))]
    return lines


def conditions_section(folder: Path) -> list[str]:
    """The conditions study's table (``python research/conditions.py``, stored in ``docs/results/conditions/``)."""
    table = folder / "conditions.md"
    if not table.exists():
        return []
    return ["## Which method where: the conditions study", "",
            ("`python research/conditions.py --out DIR` (experiment files: `research/configs/conditions/`, reduced "
             "sizes stated in each; stored: `docs/results/conditions/`, heat map `conditions.png`). Average rank "
             "among each condition's optimizers (1 = best) over task x seed pairs, ± 95 % t-interval; the "
             "multi-fidelity condition at equal simulated wall-clock (its cost is the measured training time, so "
             "its ranks depend on the machine)."), "",
            *table.read_text().rstrip().splitlines(), ""]


def render() -> str:
    lines = [HEADER]
    for name, budgets, command, title, note in NB201_TABLES:
        lines += regret_table(STORED / name, budgets, command, title, note)
    if (STORED / "nb201-optuna.json").exists():
        lines += optuna_table(STORED / "nb201-optuna.json")
    if (STORED / "functions.json").exists():
        lines += regret_table(STORED / "functions.json", [10, 25, 50, 100], *FUNCTIONS_TABLE, fmt=".3g")
    for name, command, title, note in TABLE_SPACES:
        if (STORED / name).exists():
            lines += regret_table(STORED / name, [10, 25, 50, 100], command, title, note, fmt=".4f")
    if (STORED / "sklearn-pipeline.json").exists():
        lines += regret_table(STORED / "sklearn-pipeline.json", [10, 25, 50, 100], *PIPELINE_TABLE, fmt=".4f")
    lines += objectives_section(STORED / "nb201-objectives")
    lines += conditions_section(STORED / "conditions")
    lines += hpob_table(STORED / "hpob")
    lines += lodo_tables(STORED / "hpob-lodo")
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="compare with docs/results.md instead of writing it")
    args = parser.parse_args(argv)
    page = render()
    if args.check:
        if PAGE.read_text() != page:
            print(f"{PAGE} is not what the stored files give; run python research/results_page.py", file=sys.stderr)
            return 1
        return 0
    PAGE.write_text(page)
    print(f"wrote {PAGE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
