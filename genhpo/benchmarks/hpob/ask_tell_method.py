"""Any genhpo ask/tell Optimizer as an HPO-B method (``observe_and_suggest``), for the official protocol.

Each call the adapter tells the optimizer the rows it has not seen yet, then asks once:
- the row it chose last time comes back at the end of ``X_obs``; the optimizer is told *the
  configuration it asked* with that row's y (the row it snapped to), as on a TabularBenchmark;
- other new rows (the 5 rows of the initial design) are told as configurations decoded from the
  rows (Optuna's samplers add them to their study, SMAC warm-starts from them); an optimizer that
  refuses a configuration it did not ask (DEHB) simply never hears of them and starts its own design
  (they still count in HPO-B's incumbent curve);
- pool mode returns the index of the pending row nearest to the asked configuration in the
  encoded space (an exact match on offline grids); ``X_pen`` never holds an observed row, so an
  observed row is never chosen. Continuous mode returns the encoded vector itself.
A history that is not an extension of the previous one (a new task or seed) restarts the
optimizer from ``make_optimizer(config_space, seed)``, so each run is reproducible.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import numpy as np
from ConfigSpace import ConfigurationSpace

from genhpo.benchmarks.hpob.codec import GridCodec, UnitCubeCodec, nearest
from genhpo.protocol import Optimizer, Result

logger = logging.getLogger(__name__)


class AskTellMethod:
    """Wraps ``make_optimizer(config_space, seed) -> Optimizer`` for HPOBHandler.evaluate(_continuous).

    codec: how rows map to configurations (:func:`~genhpo.benchmarks.hpob.codec.codec_for`); None
    means the unit cube of the width of the first ``X_obs``.
    """

    def __init__(self, make_optimizer: Callable[[ConfigurationSpace, int], Optimizer], seed: int,
                 codec: GridCodec | UnitCubeCodec | None = None) -> None:
        if not callable(make_optimizer):
            raise TypeError(f"make_optimizer must be callable (config_space, seed) -> Optimizer, got {make_optimizer!r}")
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise ValueError(f"seed must be a non-negative int, got {seed!r}")
        self.make_optimizer, self.seed, self.codec = make_optimizer, seed, codec
        self.optimizer: Optimizer | None = None
        self._rows = np.empty((0, 0))
        self._asked: tuple[Any, np.ndarray] | None = None  # (configuration, encoded vector) of the last ask
        self._accepts_unasked = True

    def observe_and_suggest(self, X_obs: Any, y_obs: Any, X_pen: Any = None) -> int | np.ndarray:
        """Pool mode: index into ``X_pen (m, d)``; continuous mode (``X_pen=None``): a (d,) vector."""
        X = np.asarray(X_obs, dtype=float)
        y = np.asarray(y_obs, dtype=float).reshape(-1)
        if X.ndim != 2 or len(X) != len(y) or not np.all(np.isfinite(X)) or not np.all(np.isfinite(y)):
            raise ValueError(f"X_obs must be (n, d) and y_obs (n,) or (n, 1), finite; got {X.shape} and {y.shape}")
        self._sync(X, y)
        config = self.optimizer.ask()
        vector = np.asarray(self.codec.encode(config), dtype=float)
        if X_pen is None:
            vector = np.clip(vector, 0.0, 1.0)
            self._asked = (config, vector)
            return vector.copy()
        pool = np.asarray(X_pen, dtype=float)
        if pool.ndim != 2 or pool.shape[1] != X.shape[1] or len(pool) == 0:
            raise ValueError(f"X_pen must be a non-empty (m, {X.shape[1]}) array, got {pool.shape}")
        choice = nearest(pool, vector)
        self._asked = (config, pool[choice])
        return choice

    def _sync(self, X: np.ndarray, y: np.ndarray) -> None:
        """Tell the optimizer every row it has not been told; restart it on a new history."""
        n_old = len(self._rows)
        if self.optimizer is None or n_old > len(X) or self._rows.shape[1:] != X.shape[1:] or not np.array_equal(X[:n_old], self._rows):
            self._restart(X.shape[1])
            n_old = 0
        for i in range(n_old, len(X)):
            if self._asked is not None and np.allclose(X[i], self._asked[1]):
                self.optimizer.tell(self._asked[0], Result(score=float(y[i])))
                self._asked = None
            elif self._accepts_unasked:
                try:
                    self.optimizer.tell(self.codec.decode(X[i]), Result(score=float(y[i])))
                except ValueError as exc:  # e.g. DEHB: "a configuration DEHB did not ask"
                    logger.info("%s refuses rows it did not ask (%s); it starts its own design", self.optimizer.name, exc)
                    self._accepts_unasked = False
        self._rows = X.copy()

    def _restart(self, dim: int) -> None:
        if self.codec is None or self.codec.dim != dim:
            if self.codec is not None:
                raise ValueError(f"X_obs has width {dim}, the codec's space has width {self.codec.dim}")
            self.codec = UnitCubeCodec(dim)
        self.optimizer = self.make_optimizer(self.codec.config_space, self.seed)
        if not isinstance(self.optimizer, Optimizer):
            raise TypeError(f"make_optimizer must return a genhpo Optimizer, got {type(self.optimizer).__name__}")
        self._asked, self._accepts_unasked = None, True
