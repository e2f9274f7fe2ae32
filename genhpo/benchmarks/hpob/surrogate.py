"""HPO-B's XGBoost surrogates: loading one for continuous mode, and training one the way HPO-B did.

HPO-B (``continuous/train-surrogates.py``) fits one ``reg:squarederror`` booster of max depth 6 per
task on the raw y, choosing eta in {0.001, 0.01, 0.1, 0.5} and the number of rounds in
{20, 50, 100, 500} by 5-fold CV RMSE (early stopping after 10 rounds, CV seed 123), then trains on all
rows with the chosen grid values. ``summary-stats.json`` holds each task's ``y_min`` / ``y_max``,
with which continuous mode normalises (and clips to [0, 1]) every observed y.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from genhpo.benchmarks.hpob import files

#: name -> (etas, rounds). "hpob" is HPO-B's grid; "fast" a smaller one for quick offline builds.
GRIDS: dict[str, tuple[tuple[float, ...], tuple[int, ...]]] = {
    "hpob": ((0.001, 0.01, 0.1, 0.5), (20, 50, 100, 500)),
    "fast": ((0.1, 0.5), (50, 100)),
}
MAX_DEPTH = 6
CV_SEED = 123

_boosters: dict[tuple[str, int], Any] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class Surrogate:
    """One task's booster and the y range that normalises its scores."""

    name: str
    booster: Any
    y_min: float
    y_max: float

    def __post_init__(self) -> None:
        if not (np.isfinite(self.y_min) and np.isfinite(self.y_max)) or self.y_max <= self.y_min:
            raise ValueError(f"{self.name}: summary stats need finite y_min < y_max, got {self.y_min}, {self.y_max}")

    @classmethod
    def load(cls, surrogates_dir: Path, search_space_id: str, dataset_id: str) -> Surrogate:
        """The task's surrogate from ``surrogates_dir`` (booster parsed once per file)."""
        import xgboost as xgb

        name = files.surrogate_name(search_space_id, dataset_id)
        stats = files.load_json(Path(surrogates_dir) / files.STATS_FILE, "surrogates")
        entry = files.checked_key(stats, name, "surrogate in summary-stats.json")
        path = Path(surrogates_dir) / f"{name}.json"
        if not path.is_file():
            raise FileNotFoundError(files.missing_message(path, "surrogates"))
        key = (str(path.resolve()), path.stat().st_mtime_ns)
        with _lock:
            if key not in _boosters:
                booster = xgb.Booster()
                booster.load_model(str(path))
                _boosters[key] = booster
            booster = _boosters[key]
        try:
            return cls(name, booster, float(entry["y_min"]), float(entry["y_max"]))
        except (KeyError, TypeError) as exc:
            raise ValueError(f"summary-stats.json entry {name} lacks y_min / y_max: {exc}") from exc

    def normalise(self, y: np.ndarray) -> np.ndarray:
        """(y - y_min) / (y_max - y_min), clipped to [0, 1]; shape kept."""
        return np.clip((np.asarray(y, dtype=float) - self.y_min) / (self.y_max - self.y_min), 0.0, 1.0)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Raw predicted y (n,) for X (n, d); ValueError on a non-finite prediction."""
        import xgboost as xgb

        X = np.asarray(X, dtype=float)
        n_features = self.booster.num_features()
        if X.ndim != 2 or X.shape[1] != n_features:
            raise ValueError(f"{self.name} expects X of shape (n, {n_features}), got {X.shape}")
        pred = np.asarray(self.booster.predict(xgb.DMatrix(X)), dtype=float)
        if not np.all(np.isfinite(pred)):
            raise ValueError(f"surrogate {self.name} returned a non-finite prediction {pred.tolist()} for {X.tolist()}")
        return pred


def tune(X: np.ndarray, y: np.ndarray, grid: str = "hpob", nthread: int = 2) -> tuple[float, int]:
    """HPO-B's choice of (eta, rounds): the grid point with the lowest final 5-fold CV RMSE."""
    import xgboost as xgb

    etas, rounds_grid = files.checked_key(GRIDS, grid, "surrogate grid")
    data = xgb.DMatrix(X, label=y)
    results = []
    for eta in etas:
        for rounds in rounds_grid:
            params = {"max_depth": MAX_DEPTH, "eta": eta, "objective": "reg:squarederror", "nthread": nthread}
            cv = xgb.cv(params, data, num_boost_round=rounds, nfold=5, early_stopping_rounds=10,
                        metrics="rmse", as_pandas=True, seed=CV_SEED)
            results.append((float(cv["test-rmse-mean"].iloc[-1]), eta, rounds))
    best = min(range(len(results)), key=lambda i: results[i][0])  # first minimum, as np.argmin
    return results[best][1], results[best][2]


def train(X: np.ndarray, y: np.ndarray, out_dir: Path, name: str, grid: str = "hpob", nthread: int = 2) -> dict:
    """Tune, fit on all rows and save ``out_dir/<name>.json``; returns the task's summary-stats entry."""
    import xgboost as xgb

    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float).reshape(-1)
    eta, rounds = tune(X, y, grid, nthread)
    params = {"max_depth": MAX_DEPTH, "eta": eta, "objective": "reg:squarederror", "nthread": nthread, "seed": 0}
    booster = xgb.train(params, xgb.DMatrix(X, label=y), rounds)
    out_dir.mkdir(parents=True, exist_ok=True)
    booster.save_model(str(out_dir / f"{name}.json"))
    mse = float(np.mean((booster.predict(xgb.DMatrix(X)) - y) ** 2))
    return {"y_min": float(y.min()), "y_max": float(y.max()), "eta": eta, "rounds": rounds, "train_mse": mse, "grid": grid}
