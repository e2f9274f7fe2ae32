"""The HPO-B evaluation protocol on the official files (or our offline files in the same format).

Matches the official ``hpob_handler.py`` (machinelearningnuremberg/HPO-B, the version with
``get_seeds``) step for step; departures are only errors where the official code would run on
silently (see :meth:`HPOBHandler.evaluate`). Scores are maximised. A *method* is any object with
``observe_and_suggest(X_obs (n, d), y_obs (n, 1), X_pen (m, d))`` -> index into ``X_pen`` (pool
mode) and ``observe_and_suggest(X_obs, y_obs)`` -> vector (d,) in [0, 1] (continuous mode).
"""

from __future__ import annotations

import logging
import operator
from pathlib import Path
from typing import Any

import numpy as np

from genhpo.benchmarks.hpob import files
from genhpo.benchmarks.hpob.surrogate import Surrogate

logger = logging.getLogger(__name__)

MODES: tuple[str, ...] = ("v1", "v2", "v3", "v3-test", "v3-train-augmented")


class HPOBHandler:
    """Loads an HPO-B root in one of the official modes and evaluates methods on its meta-test tasks.

    root: folder with the meta-dataset JSON files. surrogates_dir: folder with ``summary-stats.json``
    and the surrogates (default ``root/saved-surrogates``; the official default is the relative
    ``saved-surrogates/``). Files are read lazily and parsed once per process.
    Modes (official): v3-test loads the meta-test split only; v3 all three splits; v3-train-augmented
    all three with the augmented meta-train file; v2 / v1 merge meta-train (v1: augmented), and, for
    the spaces that have a meta-test split, meta-validation and meta-test into one evaluation set.
    """

    def __init__(self, root: str | Path, mode: str = "v3-test", surrogates_dir: str | Path | None = None) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown HPO-B mode {mode!r}; accepted: {', '.join(MODES)}")
        self.root = Path(root)
        if not self.root.is_dir():
            raise FileNotFoundError(files.missing_message(self.root / files.SPLIT_FILES["test"], "data"))
        self.mode = mode
        self.surrogates_dir = Path(surrogates_dir) if surrogates_dir is not None else self.root / files.SURROGATES_DIR
        self.seeds = files.SEEDS
        self._eval: dict | None = None

    # -- data -------------------------------------------------------------------------------------
    def split(self, name: str) -> dict:
        """A raw meta-dataset split ("train", "train-augmented", "validation", "test") as parsed JSON."""
        filename = files.checked_key(files.SPLIT_FILES, name, "HPO-B split")
        return files.load_json(self.root / filename)

    @property
    def meta_train_data(self) -> dict | None:
        """The meta-train split of this mode (None in v3-test, v1 and v2, as in the official handler)."""
        if self.mode in ("v3-test", "v1", "v2"):
            return None
        return self.split("train-augmented" if self.mode == "v3-train-augmented" else "train")

    @property
    def meta_validation_data(self) -> dict | None:
        return None if self.mode in ("v3-test", "v1", "v2") else self.split("validation")

    @property
    def meta_test_data(self) -> dict:
        """The tasks ``evaluate`` accepts: the meta-test split, or the merged set in v1 / v2."""
        if self._eval is None:
            test = self.split("test")
            if self.mode in ("v1", "v2"):
                train = self.split("train-augmented" if self.mode == "v1" else "train")
                validation = self.split("validation")
                merged: dict[str, dict] = {}
                for space, tasks in train.items():  # official: only spaces of meta-train survive
                    merged[space] = dict(tasks)
                    if space in test:
                        merged[space].update(test[space])
                        merged[space].update(validation.get(space, {}))
                test = merged
            self._eval = test
        return self._eval

    @property
    def bo_initializations(self) -> dict:
        return files.load_json(self.root / files.INIT_FILE)

    def get_search_spaces(self) -> list[str]:
        return list(self.meta_test_data)

    def get_datasets(self, search_space_id: str) -> list[str]:
        return list(files.checked_key(self.meta_test_data, search_space_id, f"search space in mode {self.mode}"))

    def get_seeds(self) -> list[str]:
        return list(self.seeds)

    def get_search_space_dim(self, search_space_id: str) -> int:
        dataset = self.get_datasets(search_space_id)[0]
        return int(self.task(search_space_id, dataset)[0].shape[1])

    def task(self, search_space_id: str, dataset_id: str) -> tuple[np.ndarray, np.ndarray]:
        """``X`` (n, d) and raw ``y`` (n, 1) of an evaluation task of this mode."""
        return files.task_arrays(self.meta_test_data, search_space_id, dataset_id, f"mode {self.mode}")

    def initial_indices(self, search_space_id: str, dataset_id: str, seed: str, n_rows: int) -> list[int]:
        """The 5 row indices the seed starts from (``bo-initializations.json``), checked."""
        if seed not in self.seeds:
            raise ValueError(f"unknown HPO-B seed {seed!r}; accepted: {', '.join(self.seeds)}")
        inits = files.checked_key(self.bo_initializations, search_space_id, "search space in bo-initializations")
        inits = files.checked_key(inits, dataset_id, f"dataset of {search_space_id!r} in bo-initializations")
        ids = files.checked_key(inits, seed, f"seed of {search_space_id}/{dataset_id} in bo-initializations")
        ids = list(ids)[: files.N_INITIAL]
        if len(ids) < files.N_INITIAL or len(set(ids)) != files.N_INITIAL:
            raise ValueError(f"bo-initializations {search_space_id}/{dataset_id}/{seed} needs 5 distinct indices")
        if any(not isinstance(i, int) or not 0 <= i < n_rows for i in ids):
            raise ValueError(f"bo-initializations {search_space_id}/{dataset_id}/{seed}: indices {ids} not in [0, {n_rows})")
        return ids

    # -- protocol ---------------------------------------------------------------------------------
    def evaluate(
        self,
        method: Any,
        search_space_id: str,
        dataset_id: str,
        seed: str,
        n_trials: int = 10,
        *,
        include_initial: bool = True,
        stop_at_optimum: bool = True,
    ) -> list[float]:
        """Pool-mode run: the incumbent (normalised y) after the initial design and after each trial.

        y is min-max normalised over the whole task; the method is called as
        ``observe_and_suggest(X_obs=X[observed], y_obs=y[observed], X_pen=X[pending])`` (keywords, as
        the official handler calls it), pending rows in ascending index order, and returns an index
        into the pending rows. Returns n_trials + 1 values (index t = after t trials), as the official
        handler does; ``include_initial=False`` drops the first value (the older official version,
        n_trials values). As the official loop, once the task's best row is observed (after at least
        one call) the method is not called again and the remaining values are 1.0;
        ``stop_at_optimum=False`` calls it for every trial (same curve; the method's own random state
        then advances as in an uninterrupted run).
        Departures from the official code, all errors: an index that is not an integer in
        [0, len(X_pen)) (the official code accepts negative indices), a constant task (division by 0),
        and more trials than pending rows.
        """
        n_trials, X, y, observed = self._open_run(method, search_space_id, dataset_id, seed, n_trials)
        span = float(np.max(y) - np.min(y))
        if span == 0.0:
            raise ValueError(f"task {search_space_id}/{dataset_id} has a constant y; it cannot be normalised")
        y = (y - np.min(y)) / span
        if n_trials > len(X) - len(observed):
            raise ValueError(f"n_trials={n_trials} exceeds the {len(X) - len(observed)} pending rows of the task")
        pending = np.ones(len(X), dtype=bool)
        pending[observed] = False
        history = [float(np.max(y[observed]))]
        for _ in range(n_trials):
            pending_ids = np.flatnonzero(pending)  # ascending index order, as the official list
            answer = method.observe_and_suggest(X_obs=X[observed], y_obs=y[observed], X_pen=X[pending_ids])
            idx = int(pending_ids[_pending_index(answer, len(pending_ids))])
            pending[idx] = False
            observed.append(idx)
            history.append(float(np.max(y[observed])))
            if stop_at_optimum and 1.0 in history:  # the official `max(y) in max_accuracy_history`
                break
        history += [1.0] * (n_trials + 1 - len(history))
        return history if include_initial else history[1:]

    def evaluate_continuous(
        self,
        method: Any,
        search_space_id: str,
        dataset_id: str,
        seed: str,
        n_trials: int = 10,
        *,
        fix_last_incumbent: bool = False,
        stop_at_y_max: bool = True,
    ) -> list[float]:
        """Continuous run on the task's XGBoost surrogate; returns n_trials + 1 incumbents.

        y (recorded for the 5 initial rows, predicted afterwards) is normalised with the surrogate's
        ``y_min``/``y_max`` from ``summary-stats.json`` and clipped to [0, 1]; the method is called as
        ``observe_and_suggest(X_obs, y_obs)`` (by position, as the official handler calls it) and
        returns one vector of width d in [0, 1]. The official loop, kept by default for comparability
        with published results: value t (t <= the last call) is the incumbent before call t; the loop
        stops once a raw prediction reaches ``y_max``; then it appends the incumbent from *before*
        that last call again (a stale value: the last call never counts at its own index) and fills
        the remaining values with 1. ``fix_last_incumbent=True``: value t is the incumbent after t
        trials (the value after the last call, then that value for the trials never called).
        Example (tests): a method whose first suggestion reaches y_max, from an initial best of 0.5,
        3 trials: official [0.5, 0.5, 1.0, 1.0], fixed [0.5, 1.0, 1.0, 1.0], one call each.
        ``stop_at_y_max=False`` calls the method for every trial (with ``fix_last_incumbent``: the same
        curve as the fixed one).
        """
        n_trials, X, y, init = self._open_run(method, search_space_id, dataset_id, seed, n_trials)
        surrogate = Surrogate.load(self.surrogates_dir, search_space_id, dataset_id)
        dim = X.shape[1]
        x_observed, y_observed = X[init], y[init]
        history: list[float] = []
        for _ in range(n_trials):
            y_tf = surrogate.normalise(y_observed)
            history.append(float(np.max(y_tf)))
            new_x = _suggested_vector(method.observe_and_suggest(x_observed, y_tf), dim)
            new_y = surrogate.predict(new_x.reshape(1, dim))
            y_observed = np.append(y_observed, new_y).reshape(-1, 1)
            x_observed = np.append(x_observed, new_x).reshape(-1, dim)
            if stop_at_y_max and float(np.max(y_observed)) >= surrogate.y_max:  # the official stop, on raw values
                break
        calls = len(history)
        final = float(np.max(surrogate.normalise(y_observed)))
        if fix_last_incumbent:
            return history + [final] * (n_trials + 1 - calls)
        return history + [history[-1]] + [1.0] * (n_trials - calls)

    def _open_run(self, method: Any, search_space_id: str, dataset_id: str, seed: str,
                  n_trials: Any) -> tuple[int, np.ndarray, np.ndarray, list[int]]:
        """The checks both modes open with (method, n_trials, task, seed), in that order: the checked
        n_trials, the task's ``X (n, d)`` and raw ``y (n, 1)``, and the seed's 5 initial row indices."""
        _check_method(method)
        n_trials = _check_trials(n_trials)
        X, y = self.task(search_space_id, dataset_id)
        return n_trials, X, y, self.initial_indices(search_space_id, dataset_id, seed, len(X))


def _check_method(method: Any) -> None:
    if not callable(getattr(method, "observe_and_suggest", None)):
        raise TypeError(f"method must have an observe_and_suggest(X_obs, y_obs, X_pen=None) method, got {type(method).__name__}")


def _check_trials(n_trials: Any) -> int:
    if isinstance(n_trials, bool) or not isinstance(n_trials, (int, np.integer)) or n_trials <= 0:
        raise ValueError(f"n_trials must be a positive int, got {n_trials!r}")
    return int(n_trials)


def _pending_index(choice: Any, n_pending: int) -> int:
    """The method's answer as an index into the pending rows (an int, or an integer array of size 1)."""
    value = choice
    if isinstance(value, np.ndarray) and value.size == 1 and np.issubdtype(value.dtype, np.integer):
        value = value.reshape(()).item()
    try:
        if isinstance(value, bool):
            raise TypeError
        index = operator.index(value)
    except TypeError:
        raise ValueError(f"observe_and_suggest must return an integer index into X_pen, got {choice!r}") from None
    if not 0 <= index < n_pending:
        raise ValueError(f"observe_and_suggest returned index {index}, outside the pending rows [0, {n_pending})")
    return index


def _suggested_vector(vector: Any, dim: int) -> np.ndarray:
    """The method's answer in continuous mode as a (d,) vector in [0, 1]."""
    try:
        x = np.asarray(vector, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"observe_and_suggest must return a numeric vector of width {dim}, got {vector!r}") from None
    if x.size != dim or (x.ndim == 2 and x.shape[0] != 1) or x.ndim > 2:
        raise ValueError(f"observe_and_suggest must return one vector of width {dim}, got shape {x.shape}")
    x = x.reshape(dim)
    if not np.all(np.isfinite(x)) or np.any(x < 0.0) or np.any(x > 1.0):
        raise ValueError(f"observe_and_suggest must return values in [0, 1], got {x.tolist()}")
    return x

