"""GenerativeOptimizer: the ask/tell front of the generative optimizer, over the suggestion core.

Two fronts over one :class:`genhpo.suggest.core.Suggester`:
- ``observe_and_suggest(X_obs, y_obs, X_pen=None)``, exactly as HPO-B's handler calls a method
  (lists or arrays, ``y_obs`` as (n, 1), maximisation): with a pool ``X_pen (m, d)`` it returns the
  ``int`` index of the pending row to evaluate next; without one, a ``(d,)`` vector in [0, 1]^d.
  Rows are in the ``SpaceEncoder`` encoding of ``config_space``, unless ``rows`` translates (a
  :class:`genhpo.benchmarks.hpob.task_rows.TaskRows`, which :func:`genhpo.presets.for_benchmark`
  passes for an HPO-B task): then X_obs / X_pen are the task's own rows and a vector answer is in
  the task's scaling.
- ``ask()`` / ``tell(config, result)`` (:class:`genhpo.protocol.Optimizer`) on any ConfigSpace,
  through :class:`genhpo.spaces.SpaceEncoder`; ``ask(n)`` returns n distinct configurations.

In a finite space (every configuration enumerable, at most ``enumerate_limit``: NB201's 15,625
cells) every unevaluated configuration is a candidate, and nothing evaluated or pending is proposed
again. A failed trial told through ``tell`` counts as the worst score seen so far. With several
objectives or outcome constraints (``objectives``, ``constraints``; :func:`genhpo.presets.for_benchmark`
passes the benchmark's), each suggestion reads one score per told result, a random ParEGO
scalarisation and a penalty below every feasible result for an infeasible one
(:class:`genhpo.suggest.objectives.ScalarTarget`). Building one never
trains: the model is given (see :mod:`genhpo.presets` for the model of a benchmark or a space).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import torch
from ConfigSpace import Configuration, ConfigurationSpace

from genhpo.model.network import GenerativeModel
from genhpo.protocol import Constraint, Objective, Optimizer, Result, feasible, objective_settings
from genhpo.spaces import SpaceEncoder
from genhpo.spaces.rows import key_of, keys_of
from genhpo.spaces.sampling import enumerate_space
from genhpo.suggest.config import SuggestConfig
from genhpo.suggest.core import Suggester
from genhpo.suggest.objectives import ScalarTarget


@contextmanager
def _torch_threads(n: int) -> Iterator[None]:
    """Run torch and the BLAS libraries (numpy's and SciPy's, through threadpoolctl: the GP correction's
    linear algebra) on ``n`` threads inside the block, restoring the caller's settings after. The model's
    and the GP's matrices are small: more threads only add contention on a shared machine (on a loaded
    2-core machine two BLAS threads made an ask on Hartmann-3 about 8 times slower)."""
    from threadpoolctl import threadpool_limits

    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        with threadpool_limits(limits=n, user_api="blas"):
            yield
    finally:
        torch.set_num_threads(before)


class GenerativeOptimizer(Optimizer):
    """The generative optimizer (name ``"genhpo"``) with ``model`` on ``config_space``.

    Args:
        config_space: the search space; the model's layout must have its signature (else ValueError).
        seed: seeds the optimizer's own numpy and torch generators (global RNG untouched).
        model: the meta-trained network (:func:`genhpo.model.load_checkpoint`; :mod:`genhpo.presets` builds
            the optimizer of a checkpoint, a benchmark or a space).
        config: suggestion settings; default: the card's ``optimizer`` entry (:meth:`SuggestConfig.from_card`).
        card: the checkpoint's model card (its name and sha256 identify a run's optimizer).
        rows: translates an HPO-B task's rows for ``observe_and_suggest`` (None: encoder rows).
        threads: torch and BLAS threads during a suggestion (a runtime choice: not a setting, same suggestions).
        enumerate_limit: largest finite space whose configurations are all enumerated as candidates.
        objectives: what ``tell``'s results are judged by (default: the score, maximised); several make
            each suggestion aim at a random scalarisation of them.
        constraints: outcome constraints a result must meet to count as an improvement.
        after_feasible: (model, config, card) of a second network that takes over the suggestions once a
            told result meets every constraint (needs constraints); until then ``model`` suggests. Both
            read the same history. On NB201 with a latency bound, a model meta-trained on accuracy,
            latency and size finds a feasible cell sooner and one trained on accuracy alone refines it
            better (decision 018). ``observe_and_suggest`` never hands over (it is told no constraints).
    """

    name = "genhpo"

    def __init__(self, config_space: ConfigurationSpace, seed: int, model: GenerativeModel, *,
                 config: SuggestConfig | None = None, card: dict[str, Any] | None = None, rows: Any = None,
                 threads: int = 1, enumerate_limit: int = 50_000,
                 objectives: tuple[Objective, ...] = (Objective("score"),),
                 constraints: tuple[Constraint, ...] = (),
                 after_feasible: tuple[GenerativeModel, SuggestConfig, dict[str, Any]] | None = None) -> None:
        super().__init__(config_space, seed)
        if not isinstance(model, GenerativeModel):
            raise TypeError(f"model must be a GenerativeModel (see genhpo.presets for one of a space or "
                            f"benchmark), got {type(model).__name__}")
        if not isinstance(threads, int) or isinstance(threads, bool) or threads < 1:
            raise ValueError(f"threads must be an int >= 1, got {threads!r}")
        self.card = dict(card or {})
        self.config = SuggestConfig.from_card(self.card) if config is None else config
        if not isinstance(self.config, SuggestConfig):
            raise TypeError(f"config must be a SuggestConfig, got {type(self.config).__name__}")
        self.encoder = SpaceEncoder(config_space)
        self.core = Suggester(model, self.encoder, self.config, seed)
        self.rows = rows
        self.threads = threads
        self.target = ScalarTarget(objectives, constraints)
        self._after: tuple[Suggester, dict[str, Any]] | None = None
        if after_feasible is not None:
            if not constraints:
                raise ValueError("after_feasible hands over at the first feasible result: it needs constraints")
            after_model, after_config, after_card = after_feasible
            if not isinstance(after_model, GenerativeModel) or not isinstance(after_config, SuggestConfig):
                raise TypeError("after_feasible must be (GenerativeModel, SuggestConfig, card)")
            self._after = (Suggester(after_model, self.encoder, after_config, seed), dict(after_card or {}))
        self.handed_over = False  # True once the after_feasible model suggests
        self._pool = enumerate_space(self.encoder, limit=enumerate_limit)
        self._pool_index = {} if self._pool is None else {k: i for i, k in enumerate(keys_of(self._pool))}
        self._free = None if self._pool is None else np.ones(len(self._pool), dtype=bool)
        self._X: list[np.ndarray] = []
        self._records: list[np.ndarray] = []  # per told result: ScalarTarget.read (maximised objectives, violations)
        self._seen: set[bytes] = set()  # evaluated or pending

    @property
    def model(self) -> GenerativeModel:
        return self.core.model

    # ------------------------------------------------------------------ HPO-B front
    def observe_and_suggest(self, X_obs: Any, y_obs: Any, X_pen: Any = None) -> int | np.ndarray:
        """HPO-B's call: ``int`` index into ``X_pen (m, d)``, or a ``(d,)`` vector in [0, 1]^d."""
        if self.rows is not None:
            X_obs = self.rows.to_encoder(X_obs, "X_obs")
            X_pen = None if X_pen is None else self.rows.to_encoder(X_pen, "X_pen")
        with _torch_threads(self.threads):
            answer = self.core.observe_and_suggest(X_obs, y_obs, X_pen, exclude=self._seen)
        return answer if self.rows is None or X_pen is not None else self.rows.to_task(answer)

    # ------------------------------------------------------------------ ask / tell front
    def ask(self, n: int | None = None) -> Configuration | list[Configuration]:
        """One configuration, or (``n`` given) a list of n distinct ones for parallel workers.

        Raises ValueError when fewer than ``n`` unseen configurations can be found (a finite space
        nearly exhausted); the optimizer's state (pending configurations, generators) is then as
        before the call."""
        if n is not None and (not isinstance(n, int) or isinstance(n, bool) or n < 1):
            raise ValueError(f"n must be a positive int or None, got {n!r}")
        before = (None if self._free is None else self._free.copy(), set(self._seen),
                  self.core.rng.bit_generator.state, self.core.generator.get_state())
        try:
            return self._ask(n)
        except BaseException:
            free, seen, rng_state, generator_state = before
            self._free, self._seen = free, seen
            self.core.rng.bit_generator.state = rng_state
            self.core.generator.set_state(generator_state)
            raise

    def _ask(self, n: int | None) -> Configuration | list[Configuration]:
        with _torch_threads(self.threads):
            X, y = self._history()
            configs = []
            for _ in range(n or 1):
                config, row = self._ask_one(X, y)
                self._mark(row)
                configs.append(config)
                # a pending suggestion counts as a poor result, so the next one of the batch goes elsewhere
                X = np.vstack([X, row[None]])
                y = np.append(y, y.min() if len(y) else 0.0)
        return configs if n is not None else configs[0]

    def _tell(self, config: Configuration, result: Result) -> None:
        row = self.encoder.encode(config)
        self._mark(row)
        self._X.append(row)
        self._records.append(self.target.read(result))
        if self._after is not None and not self.handed_over and feasible(result, self.target.constraints):
            self.core, self.handed_over = self._after[0], True

    def pending(self, config: Configuration | dict[str, Any]) -> None:
        """Mark ``config`` as being evaluated elsewhere (another worker): it is not proposed again, and
        its result comes later through :meth:`tell`. ValueError if it is not a configuration of the space."""
        self._mark(self.encoder.encode(self.valid_config(config)))

    @property
    def phase(self) -> str:
        """``"late"`` if the last suggestion used the settings' late phase (``late_after`` results or more and a
        ``late`` entry, e.g. the small cold card's GP-led ranking, decisions 030 and 032), else ``"early"``
        (also before the first suggestion)."""
        return "early" if self.core.active is self.core.config else "late"

    def settings(self) -> dict[str, Any]:
        """Name, seed, checkpoint (name and sha256), space signature, every suggestion setting, and the
        objectives and constraints when there are several or any."""
        after = None if self._after is None else (self._after[1], self._after[0].config)
        return self.identity(self.seed, self.card, self.core.layout.signature, self.config, self.target, after)

    @classmethod
    def identity(cls, seed: int, card: dict[str, Any], signature: str, config: SuggestConfig,
                 target: ScalarTarget | None = None,
                 after_feasible: tuple[dict[str, Any], SuggestConfig] | None = None) -> dict[str, Any]:
        """The settings that identify a run of this optimizer (never paths or thread counts);
        ``after_feasible``: (card, settings) of the model that takes over at the first feasible result."""
        out = {"name": cls.name, "seed": seed, "checkpoint": card.get("name", "untrained"),
               "checkpoint_sha256": card.get("sha256"), "space_signature": signature, **config.identity_dict()}
        if target is not None and not target.plain:
            out.update(objective_settings(target.objectives, target.constraints))
        if after_feasible is not None:
            after_card, after_config = after_feasible
            out["after_feasible"] = {"checkpoint": after_card.get("name", "untrained"),
                                     "checkpoint_sha256": after_card.get("sha256"), **after_config.identity_dict()}
        return out

    def _ask_one(self, X: np.ndarray, y: np.ndarray) -> tuple[Configuration, np.ndarray]:
        """The chosen unseen candidate as (configuration, its canonical encoding)."""
        if self._pool is not None:
            if not self._free.any():
                raise ValueError("every configuration of this finite space has been evaluated or is pending")
            free = self._pool[self._free]
            if self.target.constraints:
                free = free[self.target.likely_feasible(free, np.array(self._X), np.array(self._records))]
            row = free[self.core.pick(free, X, y)]
            return self.encoder.decode(row), row
        candidates = self.core.continuous_candidates(X, y, self._seen)
        if self.target.constraints:
            candidates = candidates[self.target.likely_feasible(candidates, np.array(self._X), np.array(self._records))]
        for candidate in self.core.ranked(candidates, X, y, len(candidates), self._seen,
                                          refine=not self.target.constraints):
            try:
                config = self.encoder.decode(candidate)
            except ValueError:  # excluded by a forbidden clause
                continue
            row = self.encoder.encode(config)
            if key_of(row) not in self._seen:
                return config, row
        raise ValueError("no unseen configuration among the candidates; the space may be exhausted")

    def _mark(self, row: np.ndarray) -> None:
        """Record ``row`` as evaluated or pending: it will not be proposed again."""
        key = key_of(row)
        self._seen.add(key)
        index = self._pool_index.get(key)
        if index is not None:
            self._free[index] = False

    def _history(self) -> tuple[np.ndarray, np.ndarray]:
        """Observed (X, y); failed trials take the worst finite score (dropped while none is finite)."""
        if not self._X:
            return np.zeros((0, self.core.layout.dim)), np.zeros(0)
        X = np.array(self._X)
        records = np.array(self._records, dtype=float)
        y = records[:, 0] if self.target.plain else self.target.scores(records, self.core.rng)
        failed = ~np.isfinite(y)
        if failed.all():
            return X[:0], y[:0]
        y[failed] = y[~failed].min()
        return X, y
