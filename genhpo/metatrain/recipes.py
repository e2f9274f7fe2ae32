"""Named training recipes: which tasks a checkpoint is trained and validated on.

- ``nb201-holdout-<dataset>``: the NB201 tables of the *other two* datasets only (the held-out
  dataset's table is never read), as mixtures (see :class:`MixtureSource`), plus 20 % synthetic
  tasks on the same space; validation on held-out mixture draws and synthetic tasks.
- ``nb201-mo-holdout-<dataset>``: for ``nb201-mo`` (several objectives): ParEGO scalarisations of the
  other two datasets' accuracy, latency and model-size tables (see :class:`ScalarisedSource`), plus
  20 % synthetic tasks; the held-out dataset's tables are never read (docs/decisions/018).
- ``nb201-mo-<a>-<b>-holdout-<dataset>``: the same on two of the objectives, for the pairs with a
  family of their own (``nb201.OWN_FAMILY_PAIRS``); shipped for accuracy and latency, not for
  accuracy and model size, where the cold start did better in a nested selection (docs/decisions/022).
- ``nb201-cold``: no NB201 data at all: synthetic tasks on the NB201 *space* (its layout only).
- ``hpob-offline-<space>``: the offline HPO-B-format meta-train tables of that space only (see
  :mod:`genhpo.benchmarks.hpob.offline`), early stopping on its meta-validation table; the meta-test
  and meta-validation datasets are the card's holdout (never training data).
- ``synthetic`` (any space): synthetic tasks on that space, used when no checkpoint matches.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from ConfigSpace import ConfigurationSpace

from genhpo.benchmarks.base import TabularBenchmark
from genhpo.benchmarks.nb201 import OWN_FAMILY_PAIRS
from genhpo.metatrain.sources import (
    CompositeSource,
    MixtureSource,
    ScalarisedSource,
    TableSource,
    benchmark_task,
)
from genhpo.metatrain.synthetic import SyntheticSource
from genhpo.metatrain.tasks import Task, TaskSource
from genhpo.metatrain.train import TrainConfig, TrainResult, train
from genhpo.model.checkpoint import save_checkpoint
from genhpo.model.layout import Layout
from genhpo.model.network import ModelConfig
from genhpo.spaces import SpaceEncoder
from genhpo.spaces.sampling import enumerate_space, random_vectors

NB201_DATASETS = ("cifar10", "cifar100", "ImageNet16-120")


@dataclass
class Recipe:
    """Everything ``train`` needs, plus the description written to the model card."""

    layout: Layout
    source: TaskSource
    val_tasks: list[Task]
    data: dict[str, Any]


def _pool(encoder: SpaceEncoder, seed: int, size: int) -> np.ndarray:
    pool = enumerate_space(encoder, limit=50_000)
    return pool if pool is not None else random_vectors(encoder, size, np.random.default_rng(seed))


def synthetic_recipe(config_space: ConfigurationSpace, seed: int = 0, n_val: int = 4, rows: int = 4096) -> Recipe:
    """Synthetic tasks on ``config_space`` (its layout only, no scores of any benchmark), each on at
    most ``rows`` configurations."""
    encoder = SpaceEncoder(config_space)
    layout = Layout.from_encoder(encoder)
    source = SyntheticSource(_pool(encoder, seed, rows), layout, rows=rows)
    val_rng = np.random.default_rng(seed + 777)
    data = {"tasks": "synthetic functions on the space (main effects, interactions, bowl, warp)",
            "benchmark_data": "none", "holdout": "all benchmark data", "validation": f"{n_val} synthetic tasks"}
    return Recipe(layout, source, [source(val_rng) for _ in range(n_val)], data)


def _nb201_sources(holdout: str, benchmark: Callable[[str], Any], sources: Sequence[str] | None = None,
                   ) -> tuple[SpaceEncoder, Layout, list[Any]]:
    """(encoder, layout, the other two datasets' benchmarks, or those of ``sources`` among them) for a
    recipe that holds ``holdout`` out; no other dataset is instantiated (constructing a benchmark loads
    its table)."""
    from genhpo.spaces import nb201

    if holdout not in NB201_DATASETS:
        raise ValueError(f"unknown NB201 holdout {holdout!r}; accepted: {', '.join(NB201_DATASETS)}")
    others = [d for d in NB201_DATASETS if d != holdout]
    if sources is not None and (not sources or not set(sources) <= set(others)):
        raise ValueError(f"sources must be a non-empty subset of {others}, got {sources!r}")
    encoder = SpaceEncoder(nb201.config_space())
    return encoder, Layout.from_encoder(encoder), [benchmark(d) for d in others if sources is None or d in sources]


def nb201_holdout_recipe(holdout: str, seed: int = 0, p_synthetic: float = 0.2) -> Recipe:
    """The other two NB201 datasets' tables (never ``holdout``'s) as mixtures, plus synthetic tasks."""
    from genhpo.benchmarks.nb201 import NB201Benchmark

    encoder, layout, related = _nb201_sources(holdout, NB201Benchmark)
    tables = [benchmark_task(b, encoder) for b in related]
    mixtures = MixtureSource(tables)
    synthetic = SyntheticSource(tables[0].X, layout)
    source = CompositeSource([mixtures, synthetic], [1.0 - p_synthetic, p_synthetic])
    val_rng = np.random.default_rng(seed + 777)
    val = [mixtures(val_rng) for _ in range(4)] + [synthetic(val_rng) for _ in range(2)]
    data = {"tasks": [t.name for t in tables], "holdout": holdout,
            "benchmark_data": f"NB201 mean validation accuracy tables of {', '.join(b.dataset for b in related)}",
            "mixture": "random convex combinations of the standardised tables, monotone warp, noise <= 0.01 std",
            "p_synthetic": p_synthetic, "validation": "4 held-out mixture draws + 2 synthetic tasks"}
    return Recipe(layout, source, val, data)


def nb201_mo_holdout_recipe(holdout: str, seed: int = 0, p_synthetic: float = 0.2,
                            sources: Sequence[str] | None = None, objectives: Sequence[str] | None = None) -> Recipe:
    """Multi-objective tasks from the other NB201 datasets' tables of accuracy, latency and model
    size (never ``holdout``'s; ``sources``: a subset of them; ``objectives``: two of the three, default
    all), plus synthetic tasks; for ``nb201-mo`` on those objectives (docs/decisions/018, 022)."""
    from genhpo.benchmarks.nb201 import OBJECTIVES, NB201MultiObjective, objectives_family

    objectives = tuple(objectives or OBJECTIVES)
    encoder, layout, related = _nb201_sources(holdout, lambda d: NB201MultiObjective(d, objectives), sources)
    X = benchmark_task(related[0], encoder).X  # every NB201 table lists the same cells in the same order
    scalarised = ScalarisedSource(X, [b.objective_table() for b in related], name="nb201-mo-scalarised")
    synthetic = SyntheticSource(X, layout)
    source = CompositeSource([scalarised, synthetic], [1.0 - p_synthetic, p_synthetic])
    val_rng = np.random.default_rng(seed + 777)
    val = [scalarised(val_rng) for _ in range(4)] + [synthetic(val_rng) for _ in range(2)]
    names = ", ".join(o.name for o in related[0].objectives)
    data = {"benchmark": objectives_family(objectives), "holdout": holdout, "tasks": [b.label for b in related],
            "benchmark_data": f"NB201 tables ({names}) of {', '.join(b.dataset for b in related)}",
            "scalarisation": "ParEGO augmented Chebyshev (rho 0.05) of the objectives normalised over each table, "
                             "weights uniform on the simplex"
                             + (", one weight 0 with probability 0.25" if len(objectives) > 2 else ""),
            "mixture": "random convex combinations of the source tables (one alone with probability 0.3), "
                       "monotone warp, noise <= 0.01 std",
            "p_synthetic": p_synthetic, "validation": "4 held-out scalarised draws + 2 synthetic tasks"}
    return Recipe(layout, source, val, data)


def tables_recipe(train: Sequence[TabularBenchmark], validation: Sequence[TabularBenchmark],
                  p_synthetic: float = 0.2, seed: int = 0) -> Recipe:
    """Any tabular meta-dataset (e.g. HPO-B's meta-train / meta-validation tasks of one space):
    train on ``train``'s tables, stop early on ``validation``'s; all on the first task's space."""
    if not train or not validation:
        raise ValueError("tables_recipe needs at least one training and one validation benchmark")
    encoder = SpaceEncoder(train[0].config_space)
    layout = Layout.from_encoder(encoder)
    tables = [benchmark_task(b, encoder) for b in train]
    val = [benchmark_task(b, encoder) for b in validation]
    synthetic = SyntheticSource(np.concatenate([t.X for t in tables])[:50_000], layout)
    source = CompositeSource([TableSource(tables), synthetic], [1.0 - p_synthetic, p_synthetic])
    data = {"tasks": [t.name for t in tables], "validation": [t.name for t in val], "p_synthetic": p_synthetic,
            "benchmark_data": "tables of the training tasks (standardised, warped, noise <= 0.01 std)"}
    return Recipe(layout, source, val, data)


def train_tables(train_tasks: Sequence[TabularBenchmark], validation: Sequence[TabularBenchmark], out: str | Path,
                 holdout: Sequence[str], train_config: TrainConfig | None = None,
                 model_config: ModelConfig | None = None, optimizer: dict[str, Any] | None = None,
                 progress: bool = True) -> TrainResult:
    """Train on tables and write ``<out>.pt`` + card; ``holdout``: the datasets this checkpoint is for
    (never trained on), which :meth:`GenerativeOptimizer.for_benchmark` matches."""
    names = {b.dataset for b in train_tasks}
    if names & set(holdout):
        raise ValueError(f"held-out datasets {sorted(names & set(holdout))} are among the training tasks")
    train_config, model_config = train_config or TrainConfig(), model_config or ModelConfig()
    recipe = tables_recipe(train_tasks, validation, seed=train_config.seed)
    result = train(recipe.layout, recipe.source, recipe.val_tasks, model_config, train_config, progress)
    card = {"recipe": "tables", "kind": "transfer", "benchmark": train_tasks[0].name, "holdout": list(holdout),
            "data": recipe.data, "train": train_config.to_dict(), "optimizer": optimizer or {},
            "validation_metrics": result.metrics, "steps_run": result.steps,
            "training_seconds": round(result.seconds, 1)}
    save_checkpoint(result.model, out, card)
    return result


def hpob_offline_recipe(space_id: str, seed: int = 0) -> Recipe:
    """The meta-train tables of one offline HPO-B space (never its meta-test or meta-validation
    tables as training data), validated on its meta-validation tables; holdout = test + validation."""
    from genhpo.benchmarks.hpob import offline
    from genhpo.benchmarks.hpob.offline_spaces import get_space
    from genhpo.benchmarks.hpob.task_benchmark import OfflineHPOBBenchmark

    space = get_space(space_id)  # ValueError naming the accepted spaces
    split = offline.splits(spaces=(space_id,))
    train_sets, val_sets = split["train"][space_id], split["validation"][space_id]
    holdout = list(split["test"].get(space_id, [])) + list(val_sets)
    if set(train_sets) & set(holdout) or not val_sets:
        raise ValueError(f"{space_id}: bad split, train {train_sets}, holdout {holdout}")
    recipe = tables_recipe([OfflineHPOBBenchmark(d) for d in train_sets],
                           [OfflineHPOBBenchmark(d) for d in val_sets], seed=seed)
    recipe.data.update({"benchmark": "hpob-offline", "space": space.space_id, "holdout": holdout,
                        "meta_test": list(split["test"].get(space_id, [])), "meta_validation": list(val_sets)})
    return recipe


def hpob_recipe(root: str | Path, space_id: str, seed: int = 0) -> tuple[Recipe, list[str]]:
    """(recipe, holdout) for search space ``space_id`` of any HPO-B root (the official download or an
    offline one): trained on its meta-train tables only, validated (early stopping) on its
    meta-validation tables; holdout = its meta-test + meta-validation datasets. ValueError names a
    space without meta-train or meta-validation tasks."""
    from genhpo.benchmarks.hpob.task_benchmark import HPOBTaskBenchmark

    tasks = {split: [d for s, d in HPOBTaskBenchmark.tasks(root, split) if s == space_id]
             for split in ("train", "validation", "test")}
    if not tasks["train"] or not tasks["validation"]:
        raise ValueError(f"search space {space_id!r} of {root} needs meta-train and meta-validation tasks; "
                         f"found {len(tasks['train'])} and {len(tasks['validation'])}")
    recipe = tables_recipe([HPOBTaskBenchmark(root, space_id, d, "train") for d in tasks["train"]],
                           [HPOBTaskBenchmark(root, space_id, d, "validation") for d in tasks["validation"]], seed=seed)
    holdout = tasks["test"] + tasks["validation"]
    recipe.data.update({"benchmark": "hpob", "space": space_id, "root": str(Path(root).resolve()),
                        "holdout": holdout, "meta_test": tasks["test"], "meta_validation": tasks["validation"]})
    return recipe, holdout


def train_hpob(root: str | Path, space_id: str, out: str | Path, train_config: TrainConfig | None = None,
               model_config: ModelConfig | None = None, progress: bool = True) -> TrainResult:
    """Train the checkpoint of one HPO-B search space (:func:`hpob_recipe`) with the HPO-B recipe's
    settings (the shipped ``hpob-offline-*`` ones) and write ``<out>.pt`` + card (benchmark ``hpob``,
    holdout = meta-test + meta-validation datasets, training time recorded)."""
    train_config = train_config or TrainConfig.from_dict(TRAIN_SETTINGS["hpob"])
    model_config = model_config or ModelConfig()
    recipe, holdout = hpob_recipe(root, space_id, seed=train_config.seed)
    result = train(recipe.layout, recipe.source, recipe.val_tasks, model_config, train_config, progress)
    card = {"recipe": "hpob", "kind": "transfer", "benchmark": "hpob", "holdout": holdout, "data": recipe.data,
            "train": train_config.to_dict(), "optimizer": OPTIMIZER_SETTINGS["hpob"],
            "validation_metrics": result.metrics, "steps_run": result.steps,
            "training_seconds": round(result.seconds, 1),
            "command": f"genhpo train hpob --root {recipe.data['root']} --search-space {space_id} "
                       f"--seed {train_config.seed} --steps {train_config.steps} --out <folder>"}
    save_checkpoint(result.model, out, card)
    return result


def nb201_cold_recipe(seed: int = 0) -> Recipe:
    from genhpo.spaces import nb201

    recipe = synthetic_recipe(nb201.config_space(), seed)
    recipe.data["space"] = "nas-bench-201 cell (6 edges x 5 ops); no NB201 scores read"
    return recipe


#: Suggestion settings each shipped checkpoint is used with, written to its card's ``optimizer`` entry;
#: each was chosen on selection tasks that never read the benchmark it is reported on (the
#: cold start: synthetic tasks; transfer: new tasks built from the checkpoint's source tables; HPO-B:
#: the meta-validation tasks), by a rule fixed before the grid ran: docs/decisions/.
#: the multi-objective checkpoints' suggestion settings (docs/decisions/018)
_MO_SETTINGS = {"ridge": 3.0, "ridge_l2": 1.0, "local": 3, "local_after": 10, "gp": 10.0}

OPTIMIZER_SETTINGS: dict[str, dict[str, Any]] = {
    **{f"nb201-holdout-{d}": {"ridge": 3.0, "ridge_l2": 1.0, "local": 3, "local_after": 10} for d in NB201_DATASETS},
    # several objectives: the accuracy checkpoints' settings plus the GP correction, chosen by a nested
    # selection that never reads the held-out dataset's tables (docs/decisions/018)
    **{f"nb201-mo-holdout-{d}": dict(_MO_SETTINGS) for d in NB201_DATASETS},
    # a pair with a family of its own: the same settings (not selected again; docs/decisions/022)
    **{f"nb201-mo-{a}-{b}-holdout-{d}": dict(_MO_SETTINGS) for a, b in OWN_FAMILY_PAIRS for d in NB201_DATASETS},
    "nb201-cold": {"init_random": 10, "local": 5, "local_after": 10, "exploration": 0.1},
    "hpob-offline-hpobench-mlp": {"temperature": 0.0, "local": 3, "local_after": 10, "exploration": 0.0, "gp": 10.0},
    "hpob-offline-hpolib-fcnet": {"temperature": 0.1, "local": 3, "local_after": 10, "exploration": 0.0, "gp": 10.0},
    # any HPO-B space (genhpo train hpob): the settings chosen for hpob-offline-hpolib-fcnet, the larger space,
    # with the GP correction chosen on meta-validation in both modes (docs/decisions/011)
    "hpob": {"temperature": 0.1, "local": 3, "local_after": 10, "exploration": 0.0, "gp": 10.0},
}

#: Training settings of each shipped checkpoint over :class:`TrainConfig`'s defaults: the cold-start and
#: HPO-B models train up to 5,000 steps with early stopping (patience 10) on their validation tasks;
#: ``prefetch`` draws batches in a helper process (the same weights, less time). docs/decisions/.
TRAIN_SETTINGS: dict[str, dict[str, Any]] = {
    **{f"nb201-holdout-{d}": {"prefetch": 2} for d in NB201_DATASETS},
    **{f"nb201-mo-holdout-{d}": {"prefetch": 2} for d in NB201_DATASETS},
    **{f"nb201-mo-{a}-{b}-holdout-{d}": {"prefetch": 2} for a, b in OWN_FAMILY_PAIRS for d in NB201_DATASETS},
    "nb201-cold": {"steps": 5000, "patience": 10, "prefetch": 2},
    "hpob-offline-hpobench-mlp": {"steps": 5000, "patience": 10},
    "hpob-offline-hpolib-fcnet": {"steps": 5000, "patience": 10},
    "hpob": {"steps": 5000, "patience": 10},  # genhpo train hpob: the same recipe for every space
}

RECIPES: dict[str, Callable[[int], Recipe]] = {
    **{f"nb201-holdout-{d}": (lambda seed, d=d: nb201_holdout_recipe(d, seed)) for d in NB201_DATASETS},
    **{f"nb201-mo-holdout-{d}": (lambda seed, d=d: nb201_mo_holdout_recipe(d, seed)) for d in NB201_DATASETS},
    **{f"nb201-mo-{a}-{b}-holdout-{d}": (lambda seed, d=d, a=a, b=b: nb201_mo_holdout_recipe(d, seed, objectives=(a, b)))
       for a, b in OWN_FAMILY_PAIRS for d in NB201_DATASETS},
    "nb201-cold": nb201_cold_recipe,
    **{f"hpob-offline-{s}": (lambda seed, s=s: hpob_offline_recipe(s, seed)) for s in ("hpobench-mlp", "hpolib-fcnet")},
}


def train_command(name: str, config: TrainConfig) -> str:
    """The ``genhpo train`` command line that reproduces a run of recipe ``name`` with ``config``."""
    default = TrainConfig().to_dict()
    extra = {k: v for k, v in config.to_dict().items() if k not in ("seed", "steps", "threads") and v != default[k]}
    command = f"genhpo train {name} --seed {config.seed} --steps {config.steps}"
    if config.threads != default["threads"]:
        command += f" --threads {config.threads}"
    return command + (f" --train-config '{json.dumps(extra, sort_keys=True)}'" if extra else "")


def train_recipe(name: str, out: str | Path | None, train_config: TrainConfig | None = None,
                 model_config: ModelConfig | None = None, progress: bool = True,
                 kind: str | None = None) -> TrainResult:
    """Train the named recipe; with ``out``, write ``<out>.pt`` + ``<out>.json`` (card)."""
    if name not in RECIPES:
        raise ValueError(f"unknown recipe {name!r}; accepted: {', '.join(RECIPES)}")
    train_config = train_config or TrainConfig.from_dict(TRAIN_SETTINGS.get(name, {}))
    model_config = model_config or ModelConfig()
    started = time.time()
    recipe = RECIPES[name](train_config.seed)
    result = train(recipe.layout, recipe.source, recipe.val_tasks, model_config, train_config, progress)
    if out is not None:
        card = {"recipe": name, "kind": kind or ("cold-start" if name.endswith("cold") else "transfer"),
                "benchmark": recipe.data.get("benchmark", "nb201" if name.startswith("nb201") else None),
                "holdout": recipe.data.get("holdout"), "data": recipe.data, "train": train_config.to_dict(),
                "optimizer": OPTIMIZER_SETTINGS.get(name, {}), "validation_metrics": result.metrics, "steps_run": result.steps,
                "training_seconds": round(result.seconds, 1), "trained_at": time.strftime("%Y-%m-%d", time.gmtime(started)),
                "command": train_command(name, train_config)}
        save_checkpoint(result.model, out, card)
    return result


#: The cold-start recipe of a space without a shipped checkpoint: small, since it trains on first use
#: (then :mod:`genhpo.presets` caches it); suggestion settings for a model that knows nothing of the
#: task: a random initial design of 5, then the neighbourhood of the 5 best with 10 % global moves.
QUICK_MODEL = ModelConfig(embed=16, heads=2, layers=1, ff=32, context=16, latent=2, hidden=32)
QUICK_TRAIN = TrainConfig(steps=60, batch_size=32, tasks_per_batch=4, lr=3e-3, max_len=30, eval_every=20,
                          patience=2, val_batches=2, val_histories=0, seed=0)
#: the quick cold model's suggestion settings, chosen on BoTorch functions that the ``functions`` benchmark does
#: not contain, and (decision 031) on real tables that no reported result uses (research/bench_new_spaces.py;
#: docs/decisions/010, 013, 019, 023, 031), per space size: a *small*
#: space (at most ``SMALL_SPACE`` hyperparameters) takes the chosen candidate as drawn (no acquisition
#: optimisation) and keeps 10 % random candidates, then from 30 results on (decision 032) hands over to ``GP_LED``; a larger
#: one optimises the acquisition (4 rounds of local search, then up to 20 L-BFGS-B iterations on the GP's log
#: EI), always takes the top candidate and optimises the GP's hyperparameters every 5 results (decision 027:
#: as good on the selection functions, cheaper per ask), one length scale per entry under Optuna GPSampler's
#: priors (decision 031: closer to the better of Optuna's TPE and GP on the selection tables and functions)
QUICK_OPTIMIZER = {"init_random": 5, "local": 5, "local_after": 5, "local_scales": 4, "gp": 10.0}
#: the small card's late phase (decisions 024, 030, 032): a ranking led by the GP correction (weight 100; MAP fit
#: under Optuna GPSampler's priors, one length scale per entry, refitted every 5 results), the top candidate,
#: the acquisition optimised; orders of magnitude closer to the optimum of smooth functions at 100 evaluations
GP_LED = {"gp": 100.0, "gp_prior": True, "gp_ard": True, "gp_refit": 5, "exploration": 0.0, "refine": 4, "polish": 20}
QUICK_OPTIMIZER_SMALL = {**QUICK_OPTIMIZER, "exploration": 0.1, "refine": 0, "polish": 0, "late_after": 30,
                         "late": GP_LED}
QUICK_OPTIMIZER_LARGE = {**QUICK_OPTIMIZER, "exploration": 0.0, "refine": 4, "polish": 20, "gp_refit": 5,
                         "gp_ard": True, "gp_prior": True}
#: the most hyperparameters a space may have to take ``QUICK_OPTIMIZER_SMALL`` (decision 023's bands)
SMALL_SPACE = 4


def quick_optimizer(config_space: ConfigurationSpace) -> dict[str, float | int]:
    """The quick cold card's suggestion settings for ``config_space`` by its number of hyperparameters other
    than constants: the ones the encoder (and so the cached model's space signature) sees, so that two spaces
    sharing a cached cold model share its settings too."""
    size = len(SpaceEncoder(config_space).blocks)
    return dict(QUICK_OPTIMIZER_SMALL if size <= SMALL_SPACE else QUICK_OPTIMIZER_LARGE)


def train_quick_cold(config_space: ConfigurationSpace, out: str | Path) -> TrainResult:
    """Train the quick cold-start model of ``config_space`` (synthetic tasks on its layout, no benchmark
    scores; seed 0, so every optimizer seed shares it) and write ``<out>.pt`` + card."""
    started = time.time()
    recipe = synthetic_recipe(config_space, seed=0, n_val=2, rows=512)
    result = train(recipe.layout, recipe.source, recipe.val_tasks, QUICK_MODEL, QUICK_TRAIN, progress=False)
    card = {"recipe": "quick-cold", "kind": "cold-start", "benchmark": None, "holdout": "all benchmark data",
            "data": recipe.data, "train": QUICK_TRAIN.to_dict(), "optimizer": quick_optimizer(config_space),
            "validation_metrics": result.metrics, "steps_run": result.steps,
            "training_seconds": round(result.seconds, 1),
            "trained_at": time.strftime("%Y-%m-%d", time.gmtime(started))}
    save_checkpoint(result.model, out, card)
    return result
