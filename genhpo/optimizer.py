"""GenerativeOptimizer: suggestions from a meta-trained, history-conditioned generative model.

Two fronts over one core:
- ``observe_and_suggest(X_obs, y_obs, X_pen=None)``, exactly as HPO-B's handler calls a method
  (lists or arrays, ``y_obs`` as (n, 1), maximisation): with a pool ``X_pen (m, d)`` it returns the
  ``int`` index of the pending row to evaluate next; without one, a ``(d,)`` vector in [0, 1]^d;
- ``ask()`` / ``tell(config, result)`` (:class:`genhpo.protocol.Optimizer`) on any ConfigSpace,
  through :class:`genhpo.spaces.SpaceEncoder`; ``ask(n)`` returns n distinct configurations.
observe_and_suggest reads rows in the ``SpaceEncoder`` encoding of ``config_space``, unless ``rows``
(a :class:`genhpo.benchmarks.hpob.task_rows.TaskRows`, set by ``for_benchmark`` for an HPO-B task)
translates: then X_obs / X_pen are the task's own rows (HPO-B's scaling, which differs from the
encoder's on ordinal grids that are not geometric) and a continuous suggestion is in that scaling.

Candidate selection (see :mod:`genhpo.model.network`): the candidates are every unevaluated
configuration of a small finite space (NB201: all 15,625 cells), or the pending pool, or else
draws from p(x | I=1, c), random vectors and perturbations of the best observed rows; they are
ranked by the learned density ratio ELBO(x | I=1, c) - ELBO(x | I=0, c). ``temperature`` adds
Gumbel noise to the ranking (softmax sampling) and ``exploration`` is the probability of a
uniformly random candidate instead: the fallback to exploration when the model is wrong.
``local`` = k > 0 restricts the candidates of a finite space (ask/tell) or the pending pool
(observe_and_suggest), once ``local_after`` results are in, to the one-hyperparameter neighbours
(one ``SpaceEncoder`` block differs) of the k best observed configurations, when any exist (the
model then ranks a mutation neighbourhood, as BANANAS optimises its acquisition; ``exploration``
is then the probability of ranking the whole space or pool instead). ``init_random`` = m makes
the first m suggestions uniformly random (an initial design, for a model that knows nothing of
the task). ``finetune_steps`` > 0 fine-tunes a private copy of the model on the current history
before each suggestion (:class:`genhpo.model.finetune.OnlineFinetuner`). ``ridge`` = w > 0 adds
w times a ridge regression (penalty ``ridge_l2``) of the history's standardised scores on its
encoded rows to the density ratio (:mod:`genhpo.model.ridge`: the task's own main effects, read
directly); ``ridge_noise`` > 0 uses a Thompson draw of its coefficients instead of their mean, and
``ridge_pairs`` > 0 adds the pairwise interactions of the one-hot blocks (a kernel ridge regression).

Defined behaviours: an empty history gives the model's cold-start suggestion; an evaluated
configuration is never proposed again in a finite space (nor an observed row from a pool; a
pool holding only observed rows is an error); NaN/inf in X or y passed to observe_and_suggest,
wrong widths or an empty pool raise ValueError; a failed trial told through ``tell`` counts as
the worst score seen so far (and is never re-proposed).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import torch
from ConfigSpace import Configuration, ConfigurationSpace

from genhpo.model.candidates import enumerate_space, neighbours, perturb, random_vectors
from genhpo.model.checkpoint import list_cards, load_checkpoint
from genhpo.model.finetune import OnlineFinetuner
from genhpo.model.layout import Layout
from genhpo.model.network import GenerativeModel
from genhpo.model.ridge import pairwise_ridge_predict, ridge_predict
from genhpo.model.validation import as_history, as_pool, key_of, rows_in
from genhpo.protocol import Optimizer, Result
from genhpo.spaces import SpaceEncoder


def unit_cube_space(dim: int) -> ConfigurationSpace:
    """HPO-B's view of a search space: ``dim`` floats in [0, 1] named x0, x1, ... (for raw arrays)."""
    if not isinstance(dim, int) or isinstance(dim, bool) or dim < 1:
        raise ValueError(f"dim must be a positive int, got {dim!r}")
    return ConfigurationSpace({f"x{i:03d}": (0.0, 1.0) for i in range(dim)})


#: Suggestion settings and their defaults (see the module docstring).
DEFAULTS: dict[str, Any] = {"temperature": 0.1, "exploration": 0.0, "n_samples": 256, "local": 0, "local_after": 10,
                            "init_random": 0, "finetune_steps": 0, "finetune_lr": 1e-3, "threads": 1,
                            "ridge": 0.0, "ridge_l2": 3.0, "ridge_noise": 0.0, "ridge_pairs": 0.0}


def _check_settings(s: dict[str, Any]) -> None:
    if not isinstance(s["temperature"], (int, float)) or not (np.isfinite(s["temperature"]) and s["temperature"] >= 0):
        raise ValueError(f"temperature must be a finite number >= 0, got {s['temperature']!r}")
    if not isinstance(s["exploration"], (int, float)) or not 0.0 <= s["exploration"] <= 1.0:
        raise ValueError(f"exploration must be in [0, 1], got {s['exploration']!r}")
    for name in ("n_samples", "threads", "local", "local_after", "init_random", "finetune_steps"):
        value, low = s[name], 1 if name in ("n_samples", "threads") else 0
        if not isinstance(value, int) or isinstance(value, bool) or value < low:
            raise ValueError(f"{name} must be an int >= {low}, got {value!r}")
    for name, low_ok in (("finetune_lr", False), ("ridge_l2", False), ("ridge", True), ("ridge_noise", True),
                          ("ridge_pairs", True)):
        value = s[name]
        if (not isinstance(value, (int, float)) or isinstance(value, bool) or not np.isfinite(value)
                or value < 0 or (value == 0 and not low_ok)):
            raise ValueError(f"{name} must be a finite number {'>=' if low_ok else '>'} 0, got {value!r}")
    if s["ridge_noise"] and s["ridge_pairs"]:
        raise ValueError("ridge_noise (a Thompson draw) is not available with ridge_pairs > 0; set one of them to 0")


@contextmanager
def _torch_threads(n: int) -> Iterator[None]:
    """Run torch on ``n`` threads inside the block (the model's matrices are small: more threads
    only add contention on a shared machine), restoring the caller's setting after."""
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


class GenerativeOptimizer(Optimizer):
    """The generative optimizer (name ``"genhpo"``); ``model=None`` picks a cold-start model."""

    name = "genhpo"

    def __init__(self, config_space: ConfigurationSpace, seed: int = 0, model: GenerativeModel | None = None, *,
                 card: dict[str, Any] | None = None, enumerate_limit: int = 50_000, **settings: Any) -> None:
        """settings: any of :data:`DEFAULTS`; unset ones come from the card's ``optimizer`` entry (the
        settings its checkpoint was validated with), then from :data:`DEFAULTS`."""
        super().__init__(config_space, seed)
        unknown = set(settings) - set(DEFAULTS)
        if unknown:
            raise ValueError(f"unknown settings {sorted(unknown)}; accepted: {', '.join(DEFAULTS)}")
        self.encoder = SpaceEncoder(config_space)
        self.layout = Layout.from_encoder(self.encoder)
        if model is None:
            from genhpo.model.coldstart import default_model

            model, card = default_model(config_space)
        if model.layout.signature != self.layout.signature:
            raise ValueError(f"model trained for space signature {model.layout.signature}, this space has "
                             f"{self.layout.signature}; load a checkpoint trained on this space")
        self.model = model.eval()
        self.card = card or {}
        resolved = {**DEFAULTS, **self.card.get("optimizer", {}), **settings}
        _check_settings(resolved)
        self.temperature, self.exploration = float(resolved["temperature"]), float(resolved["exploration"])
        self.n_samples, self.threads = resolved["n_samples"], resolved["threads"]
        self.local, self.local_after, self.init_random = resolved["local"], resolved["local_after"], resolved["init_random"]
        self.finetune_steps, self.finetune_lr = resolved["finetune_steps"], float(resolved["finetune_lr"])
        self.ridge, self.ridge_l2 = float(resolved["ridge"]), float(resolved["ridge_l2"])
        self.ridge_noise, self.ridge_pairs = float(resolved["ridge_noise"]), float(resolved["ridge_pairs"])
        self._block_starts = np.array([b.start for b in self.encoder.blocks], dtype=np.int64)
        self._finetuner = (OnlineFinetuner(model, self.finetune_steps, self.finetune_lr, seed=seed)
                           if self.finetune_steps else None)
        self._rng = np.random.default_rng(seed)
        self._gen = torch.Generator().manual_seed(seed)
        self._pool = enumerate_space(self.encoder, limit=enumerate_limit)
        self._pool_index = {} if self._pool is None else {key_of(r): i for i, r in enumerate(self._pool)}
        self._free = None if self._pool is None else np.ones(len(self._pool), dtype=bool)
        self._X: list[np.ndarray] = []
        self._y: list[float] = []
        self._seen: set[bytes] = set()  # evaluated or pending
        self.rows: Any = None  # TaskRows: observe_and_suggest takes an HPO-B task's rows (see for_benchmark)

    # ------------------------------------------------------------------ construction presets
    @classmethod
    def from_pretrained(cls, name_or_path: str | Path, config_space: ConfigurationSpace, seed: int = 0,
                        **kwargs: Any) -> GenerativeOptimizer:
        """Load a shipped checkpoint by name (e.g. ``"nb201-holdout-cifar10"``) or a path; refuses a
        checkpoint trained for another space, or a corrupt file, with ValueError."""
        model, card = load_checkpoint(name_or_path, SpaceEncoder(config_space).signature())
        return cls(config_space, seed, model, card=card, **kwargs)

    @classmethod
    def for_benchmark(cls, benchmark: Any, seed: int = 0, cards: Sequence[dict] | None = None,
                      **kwargs: Any) -> GenerativeOptimizer:
        """The right checkpoint for ``benchmark``: one trained on that benchmark whose holdout is this
        dataset (never one trained on it); else a cold-start checkpoint for the space; else synthetic.
        ``cards``: the checkpoint cards to choose from (``read_card`` output; default: the shipped ones).

        For an HPO-B task (:class:`~genhpo.benchmarks.hpob.task_benchmark.HPOBTaskBenchmark`) it also
        sets ``rows``, so ``observe_and_suggest`` takes the task's rows as ``HPOBHandler`` passes them
        and returns a continuous suggestion in the task's scaling (ask/tell is unaffected)."""
        from genhpo.benchmarks.hpob.task_benchmark import HPOBTaskBenchmark
        from genhpo.benchmarks.hpob.task_rows import TaskRows

        signature = SpaceEncoder(benchmark.config_space).signature()
        optimizer = None
        for card in list_cards() if cards is None else cards:
            holdout = card.get("holdout")
            held = holdout if isinstance(holdout, list) else [holdout]
            if (card.get("benchmark") == benchmark.name and benchmark.dataset in held
                    and card["space_signature"] == signature):
                optimizer = cls.from_pretrained(card["_path"], benchmark.config_space, seed, **kwargs)
                break
        if optimizer is None:
            optimizer = cls(benchmark.config_space, seed, **kwargs)
        if isinstance(benchmark, HPOBTaskBenchmark):
            optimizer.rows = TaskRows.of(benchmark)
        return optimizer

    # ------------------------------------------------------------------ HPO-B front
    def observe_and_suggest(self, X_obs: Any, y_obs: Any, X_pen: Any = None) -> int | np.ndarray:
        """HPO-B's call: ``int`` index into ``X_pen (m, d)``, or a ``(d,)`` vector in [0, 1]^d.

        With ``rows`` set, X_obs / X_pen are translated from the task's rows to the encoder's first,
        and a vector answer back to the task's scaling."""
        if self.rows is not None:
            X_obs = self.rows.to_encoder(X_obs, "X_obs")
            X_pen = None if X_pen is None else self.rows.to_encoder(X_pen, "X_pen")
        with _torch_threads(self.threads):
            answer = self._observe_and_suggest(X_obs, y_obs, X_pen)
        return answer if self.rows is None or X_pen is not None else self.rows.to_task(answer)

    def _observe_and_suggest(self, X_obs: Any, y_obs: Any, X_pen: Any) -> int | np.ndarray:
        X, y = as_history(X_obs, y_obs, self.layout.dim)
        if self._finetuner is not None:
            self.model = self._finetuner.update(X, y)
        if X_pen is not None:
            pool = as_pool(X_pen, self.layout.dim)
            free = np.flatnonzero(~rows_in(pool, X))
            if not len(free):
                raise ValueError("every row of X_pen has already been observed; nothing left to suggest")
            near = self._local_mask(pool[free], X, y)
            if near is not None:
                free = free[near]
            return int(free[self._choose(pool[free], X, y, 1)[0]])
        candidates = self._continuous_candidates(X, y)
        return candidates[self._choose(candidates, X, y, 1)[0]].copy()

    # ------------------------------------------------------------------ ask / tell front
    def ask(self, n: int | None = None) -> Configuration | list[Configuration]:
        """One configuration, or (``n`` given) a list of n distinct ones for parallel workers."""
        if n is not None and (not isinstance(n, int) or isinstance(n, bool) or n < 1):
            raise ValueError(f"n must be a positive int or None, got {n!r}")
        with _torch_threads(self.threads):
            return self._ask(n)

    def _ask(self, n: int | None) -> Configuration | list[Configuration]:
        X, y = self._history()
        if self._finetuner is not None:
            self.model = self._finetuner.update(X, y)
        configs = []
        for _ in range(n or 1):
            config, row = self._ask_one(X, y)
            self._mark(row)
            configs.append(config)
            # a pending suggestion counts as a poor result, so the next one of the batch goes elsewhere
            X = np.vstack([X, row[None]])
            y = np.append(y, y.min() if len(y) else 0.0)
        return configs if n is not None else configs[0]

    def tell(self, config: Configuration, result: Result) -> None:
        row = self.encoder.encode(config)
        self._mark(row)
        self._X.append(row)
        self._y.append(result.score if result.ok else np.nan)

    def settings(self) -> dict[str, Any]:
        return {**super().settings(), "checkpoint": self.card.get("name", "untrained"),
                "checkpoint_sha256": self.card.get("sha256"),
                "space_signature": self.layout.signature, **{name: getattr(self, name) for name in DEFAULTS}}

    # ------------------------------------------------------------------ core
    def _ask_one(self, X: np.ndarray, y: np.ndarray) -> tuple[Configuration, np.ndarray]:
        """The best unseen candidate as (configuration, its canonical encoding)."""
        if self._pool is not None:
            if not self._free.any():
                raise ValueError("every configuration of this finite space has been evaluated or is pending")
            free = self._pool[self._free]
            near = self._local_mask(free, X, y)
            if near is not None:
                free = free[near]
            row = free[self._choose(free, X, y, 1)[0]]
            return self.encoder.decode(row), row
        candidates = self._continuous_candidates(X, y)
        for index in self._choose(candidates, X, y, len(candidates)):
            try:
                config = self.encoder.decode(candidates[index])
            except ValueError:  # excluded by a forbidden clause
                continue
            row = self.encoder.encode(config)
            if key_of(row) not in self._seen:
                return config, row
        raise ValueError("no unseen configuration among the candidates; the space may be exhausted")

    def _local_mask(self, candidates: np.ndarray, X: np.ndarray, y: np.ndarray) -> np.ndarray | None:
        """``(M,)`` mask of the ``candidates (M, d)`` that are one-hyperparameter neighbours of the
        ``local`` best rows of ``X``, once ``local_after`` results are in and unless the escape draw
        (probability ``exploration``) says otherwise; None for "rank every candidate" (also when
        no candidate is a neighbour)."""
        if not self.local or len(y) < self.local_after or self._rng.random() < self.exploration:
            return None
        near = neighbours(candidates, X[np.argsort(-y, kind="stable")[: self.local]], self._block_starts)
        return near if near.any() else None

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
            return np.zeros((0, self.layout.dim)), np.zeros(0)
        X, y = np.array(self._X), np.array(self._y, dtype=float)
        failed = ~np.isfinite(y)
        if failed.all():
            return X[:0], y[:0]
        y[failed] = y[~failed].min()
        return X, y

    @torch.no_grad()
    def scores(self, candidates: np.ndarray, X: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Density ratio ``(M,)`` of ``candidates (M, d)`` given the history ``X (n, d)``, ``y (n,)``."""
        context = self._context(X, y)
        return self.model.density_ratio(torch.as_tensor(candidates, dtype=torch.float32), context).numpy()

    def _context(self, X: np.ndarray, y: np.ndarray) -> torch.Tensor:
        y_std = (y - y.mean()) / max(float(y.std()), 1e-12) if len(y) else y
        return self.model.context_of(torch.as_tensor(X, dtype=torch.float32), torch.as_tensor(y_std, dtype=torch.float32))

    def _choose(self, candidates: np.ndarray, X: np.ndarray, y: np.ndarray, k: int) -> Sequence[int]:
        """Indices of the k best candidates by density ratio (with Gumbel noise / exploration);
        uniformly random ones while fewer than ``init_random`` results are in."""
        if len(y) < self.init_random or (self.exploration and self._rng.random() < self.exploration):
            return self._rng.choice(len(candidates), size=k, replace=False).tolist()
        score = self.scores(candidates, X, y).astype(float)
        if self.ridge:
            score = score + self.ridge * self._ridge_fit(candidates, X, y)
        if self.temperature:
            score = score + self.temperature * self._rng.gumbel(size=len(score))
        if k == 1:  # the first of the best, as the stable sort below would give
            return [int(np.argmax(score))]
        return np.argsort(-score, kind="stable")[:k].tolist()

    def _ridge_fit(self, candidates: np.ndarray, X: np.ndarray, y: np.ndarray) -> np.ndarray:
        """``(M,)`` ridge prediction of the standardised scores at ``candidates`` (see ``ridge*`` settings)."""
        if self.ridge_pairs:
            return pairwise_ridge_predict(X, y, candidates, self.ridge_l2, self.ridge_pairs, self.layout.categorical)
        return ridge_predict(X, y, candidates, self.ridge_l2, self.ridge_noise, self._rng)

    @torch.no_grad()
    def _continuous_candidates(self, X: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Model draws from p(x | I=1, c), random vectors and perturbations of the best rows."""
        n = self.n_samples
        drawn = self.model.sample(self._context(X, y), n, generator=self._gen).numpy().astype(float)
        parts = [drawn, random_vectors(self.encoder, n, self._rng)]
        if len(X):
            top = X[np.argsort(-y, kind="stable")[: max(1, min(5, len(X)))]]
            parts.append(perturb(top[self._rng.integers(len(top), size=n)], self.layout, self._rng))
        candidates = np.clip(np.vstack(parts), 0.0, 1.0)
        if self.encoder.config_space.conditions or self.encoder.config_space.forbidden_clauses:
            candidates = self._project(candidates)
        seen = {key_of(r) for r in X} | self._seen
        keep = np.array([key_of(r) not in seen for r in candidates])
        return candidates[keep] if keep.any() else candidates

    def _project(self, candidates: np.ndarray) -> np.ndarray:
        """Encodings of the configurations the rows decode to (rows excluded by a forbidden clause dropped)."""
        rows = []
        for row in candidates:
            try:
                rows.append(self.encoder.encode(self.encoder.decode(row)))
            except ValueError:
                continue
        return np.array(rows) if rows else candidates
