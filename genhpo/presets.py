"""Which generative optimizer for which benchmark or space; never trains inside a constructor.

- :func:`from_pretrained`: a checkpoint by name or path.
- :func:`for_benchmark`: the transfer checkpoint trained for this benchmark whose holdout is its
  dataset (never one trained on it); else the space's cold-start model. On an HPO-B task the
  optimizer reads the task's own rows (:class:`genhpo.benchmarks.hpob.task_rows.TaskRows`).
- :func:`for_space`: the cold-start model of a space (:func:`cold_model`): a shipped cold-start
  checkpoint of its signature (``nb201-cold``), else the quick cold-start recipe
  (:func:`genhpo.metatrain.recipes.train_quick_cold`), trained once and cached as
  ``$GENHPO_CACHE/models/cold-<signature>.{pt,json}`` (a file lock keeps concurrent processes from
  training it twice).
- :func:`identity`: what such an optimizer's ``settings()`` will be, from the cards alone (no weights
  loaded, nothing trained): the run store decides whether a finished run may be skipped with it.

Suggestion settings come from the chosen card's ``optimizer`` entry; ``**overrides`` (fields of
:class:`genhpo.suggest.config.SuggestConfig`) replace some of them, unknown names refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ConfigSpace import ConfigurationSpace
from filelock import FileLock

from genhpo.benchmarks.base import Benchmark
from genhpo.cache import cache_root
from genhpo.metatrain.recipes import train_quick_cold
from genhpo.model.checkpoint import list_cards, load_checkpoint, read_card
from genhpo.model.network import GenerativeModel
from genhpo.optimizer import GenerativeOptimizer
from genhpo.protocol import Constraint, Objective
from genhpo.spaces import SpaceEncoder
from genhpo.spaces.rows import task_rows_format
from genhpo.suggest.config import SuggestConfig
from genhpo.suggest.objectives import ScalarTarget

_LOADED: dict[str, tuple[GenerativeModel, dict[str, Any]]] = {}


def models_dir() -> Path:
    """Where cold-start models of new spaces are cached: ``$GENHPO_CACHE/models``."""
    return cache_root() / "models"


#: version of the quick cold-start recipe (its synthetic prior and settings) in the cache's file names, so a
#: model cached by an older recipe is never taken for today's: 2 = interactions capped at 4 per hyperparameter;
#: 3 = the card's settings add multiscale local moves and the GP correction; 4 = and acquisition optimisation;
#: 5 = and the L-BFGS-B polish of the GP's log EI; 6 = settings per space size (decision 023); 7 = larger
#: spaces refit the GP's hyperparameters every 5 results (decision 027); 8 = small spaces hand over to a
#: GP-led ranking after 50 results (decision 030); 9 = larger spaces fit one GP length scale per entry under
#: priors (decision 031); 10 = a space's size leaves out constants, as its signature does (a cached model
#: was shared by spaces that differ only in constants, while their settings could differ); 11 = small spaces hand
#: over after 30 results (decision 032)
COLD_RECIPE_VERSION = 11


def _cold_stem(signature: str) -> Path:
    return models_dir() / f"cold-v{COLD_RECIPE_VERSION}-{signature}"


def cold_card(config_space: ConfigurationSpace) -> dict[str, Any] | None:
    """The card of the space's cold-start model if one exists (shipped, or cached), else None."""
    signature = SpaceEncoder(config_space).signature()
    for card in list_cards():
        if card.get("kind") == "cold-start" and card["space_signature"] == signature:
            return card
    try:
        return read_card(_cold_stem(signature))
    except ValueError:  # not cached yet, or a half-written cache entry (retrained by cold_model)
        return None


def cold_model(config_space: ConfigurationSpace) -> tuple[GenerativeModel, dict[str, Any]]:
    """(model, card) of the space's cold-start model; trains and caches it on first use (seconds).
    ValueError for a space without hyperparameters."""
    if len(config_space) == 0:
        raise ValueError("the configuration space has no hyperparameters: there is nothing to optimise")
    signature = SpaceEncoder(config_space).signature()
    if signature in _LOADED:
        return _LOADED[signature]
    card = cold_card(config_space)
    if card is None:
        stem = _cold_stem(signature)
        stem.parent.mkdir(parents=True, exist_ok=True)
        with FileLock(str(stem.with_suffix(".lock"))):
            card = cold_card(config_space)  # another process may have trained it meanwhile
            if card is None:
                train_quick_cold(config_space, stem)
                card = read_card(stem)
    _LOADED[signature] = load_checkpoint(card["_path"], signature)
    return _LOADED[signature]


def model_for(config_space: ConfigurationSpace, checkpoint: str | Path | None = None,
              ) -> tuple[GenerativeModel, dict[str, Any]]:
    """(model, card) for a user's own loop: ``checkpoint`` (a shipped name or a path; ValueError if it was
    trained for another space) when given, else the space's cold-start model (:func:`cold_model`)."""
    if checkpoint is not None:
        return load_checkpoint(checkpoint, SpaceEncoder(config_space).signature())
    return cold_model(config_space)


def transfer_card(benchmark: Benchmark, cards: Sequence[dict[str, Any]] | None = None,
                  family: str | None = None) -> dict[str, Any] | None:
    """The first card trained for this benchmark's family (or ``family``), on the same space, whose holdout
    holds its dataset; ``cards``: ``read_card`` outputs to choose from (default: the shipped ones).

    One rule for every way to reach a task: ``(family, dataset)`` is ``(benchmark.name,
    benchmark.dataset)``, except for an HPO-B task (an ``HPOBTaskBenchmark`` of any root, or
    ``make("hpob-offline", dataset)``), whose family is HPO-B (cards of ``hpob`` or ``hpob-offline``),
    dataset its dataset id, and whose search space the card must not contradict (``data.space``)."""
    signature = SpaceEncoder(benchmark.config_space).signature()
    families, dataset, space_id = _card_identity(benchmark)
    families = families if family is None else {family}
    for card in list_cards() if cards is None else cards:
        holdout = card.get("holdout")
        held = holdout if isinstance(holdout, list) else [holdout]
        if card.get("benchmark") not in families or dataset not in held or card["space_signature"] != signature:
            continue
        if space_id is not None and (card.get("data") or {}).get("space", space_id) != space_id:
            continue
        return card
    return None


def _card_identity(benchmark: Benchmark) -> tuple[set[str], str, str | None]:
    """(benchmark families a card may name, dataset its holdout must hold, search space it must name)."""
    from genhpo.benchmarks.hpob.task_benchmark import HPOBTaskBenchmark

    if isinstance(benchmark, HPOBTaskBenchmark):
        return {"hpob", "hpob-offline"}, benchmark.dataset_id, benchmark.search_space_id
    return {getattr(benchmark, "family", None) or benchmark.name}, benchmark.dataset, None


def _after_feasible_card(benchmark: Benchmark, card: dict[str, Any] | None,
                         cards: Sequence[dict[str, Any]] | None) -> dict[str, Any] | None:
    """The card of the model that takes over at the first feasible result: a benchmark with constraints
    names its family (``after_feasible_family``); only when a transfer checkpoint serves the benchmark."""
    family = getattr(benchmark, "after_feasible_family", None)
    if card is None or family is None or not getattr(benchmark, "constraints", ()):
        return None
    return transfer_card(benchmark, cards, family=family)


def _judged_by(benchmark: Benchmark) -> dict[str, Any]:
    """The benchmark's objectives and constraints (the score alone for an object that declares none)."""
    return {"objectives": getattr(benchmark, "objectives", (Objective("score"),)),
            "constraints": getattr(benchmark, "constraints", ())}


def _task_rows(benchmark: Benchmark) -> Any:
    from genhpo.benchmarks.hpob.task_benchmark import HPOBTaskBenchmark
    from genhpo.benchmarks.hpob.task_rows import TaskRows

    return TaskRows.of(benchmark) if isinstance(benchmark, HPOBTaskBenchmark) else None


def checkpoint_folder_cards(folder: str | Path) -> list[dict[str, Any]]:
    """The cards of every checkpoint in ``folder`` (e.g. ``genhpo train hpob --out DIR``); ValueError for a
    folder that does not exist or holds none."""
    if not Path(folder).is_dir():
        raise ValueError(f"checkpoints folder {folder} does not exist")
    cards = list_cards(folder)
    if not cards:
        raise ValueError(f"checkpoints folder {folder} holds no model card (<name>.json beside <name>.pt)")
    return cards


def for_benchmark(benchmark: Benchmark, seed: int = 0, *, checkpoint: str | Path | None = None,
                  checkpoints: str | Path | None = None, cards: Sequence[dict[str, Any]] | None = None,
                  model: GenerativeModel | None = None, threads: int = 1, **overrides: Any) -> GenerativeOptimizer:
    """The generative optimizer for ``benchmark`` (name ``genhpo`` in comparisons): :func:`transfer_card`'s
    checkpoint among the shipped ones (or those in the folder ``checkpoints``, or ``cards``), else the
    cold-start model; ``checkpoint`` (a name or path) given: that one; ``model`` given: that model,
    default settings. A constrained benchmark that names an ``after_feasible_family`` (nb201-constrained:
    ``nb201``) also gets that family's transfer checkpoint, with its card's settings, to take over at the
    first feasible result (:class:`GenerativeOptimizer`'s ``after_feasible``); ``overrides`` apply to
    the first model only."""
    if checkpoints is not None:
        cards = checkpoint_folder_cards(checkpoints)
    signature = SpaceEncoder(benchmark.config_space).signature()
    card: dict[str, Any] | None = None
    after = None
    if model is None and checkpoint is not None:
        model, card = load_checkpoint(checkpoint, signature)
    elif model is None:
        card = transfer_card(benchmark, cards)
        after_card = _after_feasible_card(benchmark, card, cards)
        model, card = load_checkpoint(card["_path"], signature) if card else cold_model(benchmark.config_space)
        if after_card is not None:
            after_model, after_card = load_checkpoint(after_card["_path"], signature)
            after = (after_model, SuggestConfig.from_card(after_card), after_card)
    config = SuggestConfig.from_card(card).replace(**overrides)
    return GenerativeOptimizer(benchmark.config_space, seed, model, config=config, card=card,
                               rows=_task_rows(benchmark), threads=threads, after_feasible=after,
                               **_judged_by(benchmark))


def from_pretrained(name_or_path: str | Path, space: ConfigurationSpace | Benchmark, seed: int = 0, *,
                    threads: int = 1, **overrides: Any) -> GenerativeOptimizer:
    """The generative optimizer of a shipped checkpoint (by name, e.g. ``"nb201-holdout-cifar10"``) or of a
    checkpoint path, on a configuration space or a benchmark (an HPO-B task: the optimizer then reads the
    task's rows in ``observe_and_suggest``). ValueError for a checkpoint trained for another space or a
    corrupt file. On the bare space of a task whose rows are not encoder rows
    (:data:`genhpo.spaces.rows.TASK_ROWS`: an HPO-B task's space) ask/tell work and
    ``observe_and_suggest`` raises ValueError (pass the task instead)."""
    benchmark = space if isinstance(space, Benchmark) else None
    config_space = benchmark.config_space if benchmark is not None else space
    model, card = load_checkpoint(name_or_path, SpaceEncoder(config_space).signature())
    config = SuggestConfig.from_card(card).replace(**overrides)
    rows = _task_rows(benchmark) if benchmark is not None else _bare_space_rows(config_space)
    return GenerativeOptimizer(config_space, seed, model, config=config, card=card, threads=threads, rows=rows)


def _bare_space_rows(config_space: ConfigurationSpace) -> Any:
    """None for an ordinary space; for a task's bare space whose rows are not encoder rows, a translator
    that refuses them (ask/tell fine; observe_and_suggest raises)."""
    row_format = task_rows_format(config_space)
    return None if row_format is None else _NoTaskRows(row_format)


class _NoTaskRows:
    """The rows of a task's bare space: observe_and_suggest cannot know them, so it refuses."""

    def __init__(self, row_format: str) -> None:
        self.row_format = row_format

    def to_encoder(self, X: Any, name: str = "rows") -> Any:
        raise ValueError(f"this space belongs to a task whose rows are in {self.row_format}'s format, which the "
                         f"optimizer would misread as encoder rows: build it with from_pretrained(name, task) "
                         f"(the task itself) so that observe_and_suggest translates {name}")

    to_task = to_encoder


def for_space(config_space: ConfigurationSpace, seed: int = 0, *, threads: int = 1,
              objectives: tuple[Objective, ...] = (Objective("score"),), constraints: tuple[Constraint, ...] = (),
              **overrides: Any) -> GenerativeOptimizer:
    """The cold-start generative optimizer of ``config_space`` (name ``genhpo-cold`` in comparisons);
    ``objectives``, ``constraints``: what its results are judged by (:class:`GenerativeOptimizer`)."""
    model, card = cold_model(config_space)
    config = SuggestConfig.from_card(card).replace(**overrides)
    return GenerativeOptimizer(config_space, seed, model, config=config, card=card, threads=threads,
                               rows=_bare_space_rows(config_space), objectives=objectives, constraints=constraints)


def identity(name: str, benchmark: Benchmark, seed: int, *, checkpoint: str | Path | None = None,
             checkpoints: str | Path | None = None, **overrides: Any) -> dict[str, Any]:
    """``settings()`` of the optimizer ``for_benchmark`` (name ``genhpo``) or ``for_space`` (``genhpo-cold``)
    would build, read from the cards only; a cold-start model not cached yet has no sha256 (so a finished
    run made with one is done again once, after the model is trained)."""
    if name not in ("genhpo", "genhpo-cold"):
        raise ValueError(f"no generative-optimizer preset {name!r}; accepted: genhpo, genhpo-cold")
    overrides.pop("threads", None)  # a runtime choice, not part of the identity
    signature = SpaceEncoder(benchmark.config_space).signature()
    after = None
    if checkpoint is not None and name == "genhpo":
        card = read_card(checkpoint)
    else:
        cards = checkpoint_folder_cards(checkpoints) if checkpoints is not None else None
        card = transfer_card(benchmark, cards) if name == "genhpo" else None
        after_card = _after_feasible_card(benchmark, card, cards)
        after = None if after_card is None else (after_card, SuggestConfig.from_card(after_card))
    card = card or cold_card(benchmark.config_space) or {"name": f"cold-{signature}"}
    config = SuggestConfig.from_card(card).replace(**overrides)
    return GenerativeOptimizer.identity(seed, card, signature, config,
                                        ScalarTarget(**_judged_by(benchmark)), after)
