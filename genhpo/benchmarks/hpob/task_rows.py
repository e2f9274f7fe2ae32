"""Between an HPO-B task's rows and the ``SpaceEncoder`` encoding genhpo's models read.

Why: a task's rows ``X (n, d)`` are in HPO-B's [0, 1] scaling (offline grids: min-max of the value,
after a log for log-scale hyperparameters; categoricals one-hot), while :class:`genhpo.spaces.SpaceEncoder`
(what :class:`genhpo.optimizer.GenerativeOptimizer` and its checkpoints were trained on) encodes an
ordinal as its normalised index ``i / (n - 1)``. On grids that are not geometric the two differ (up to
0.07 per column), so a model fed the task's rows unchanged sees slightly wrong configurations.

:class:`TaskRows` translates column-wise, vectorised, both ways:
- :class:`~genhpo.benchmarks.hpob.codec.GridCodec` task: each ordinal column maps its grid values to
  the encoder's, piecewise-linear in between (exact on the grid, monotone, so rows -> encodings ->
  rows is the identity for any vector, and a continuous suggestion translates back to the task's
  scaling); one-hot columns are copied unchanged to the encoder's column of the same choice.
- :class:`~genhpo.benchmarks.hpob.codec.UnitCubeCodec` task (a real HPO-B download): x0 .. x{d-1} in
  [0, 1] encode as themselves, but the encoder orders hyperparameters by name (x0, x1, x10, x11, x2,
  ...), so the translation is a column permutation (the identity up to d = 10).
The maps come from the codec (grid values, not the task's table), built once per space and cached.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from genhpo.benchmarks.hpob.codec import GridCodec, UnitCubeCodec
from genhpo.spaces import SpaceEncoder
from genhpo.spaces.rows import as_rows


class TaskRows:
    """Task rows ``(n, dim)`` <-> ``SpaceEncoder(codec.config_space)`` rows ``(n, dim)`` for one codec.

    ``columns``: one ``(task column, encoder column, task grid values, encoder grid values)`` per
    column; the value arrays (ascending task values) are None for a column copied unchanged.
    """

    _cache: ClassVar[dict[tuple[str, Any], TaskRows]] = {}

    def __init__(self, codec: GridCodec | UnitCubeCodec) -> None:
        self.encoder = SpaceEncoder(codec.config_space)
        self.dim = codec.dim
        if self.encoder.dim != self.dim:
            raise ValueError(f"codec rows have width {self.dim}, its space encodes to width {self.encoder.dim}")
        if isinstance(codec, UnitCubeCodec):
            self.columns = [(int(b.name[1:]), b.start, None, None) for b in self.encoder.blocks]
        elif isinstance(codec, GridCodec):
            self.columns = _grid_columns(codec, self.encoder)
        else:
            raise TypeError(f"codec must be a GridCodec or UnitCubeCodec, got {type(codec).__name__}")
        for side in (0, 1):
            if sorted(c[side] for c in self.columns) != list(range(self.dim)):
                raise ValueError(f"columns of {codec.config_space.name} do not map one to one: {self.columns}")

    @classmethod
    def of(cls, bench: Any) -> TaskRows:
        """The (cached) translator of an HPO-B task benchmark's codec (``bench.codec``)."""
        codec = getattr(bench, "codec", None)
        if isinstance(codec, GridCodec):
            key: tuple[str, Any] = ("grid", codec.space.space_id)
        elif isinstance(codec, UnitCubeCodec):
            key = ("unit", codec.dim)
        else:
            raise TypeError(f"expected an HPO-B task benchmark (codec GridCodec or UnitCubeCodec), got {bench!r}")
        if key not in cls._cache:
            cls._cache[key] = cls(codec)
        return cls._cache[key]

    def to_encoder(self, X: Any, name: str = "rows") -> np.ndarray:
        """Task rows ``(n, dim)`` (or one row ``(dim,)``) -> encoder rows of the same shape."""
        return self._translate(X, name, forward=True)

    def to_task(self, E: Any, name: str = "encoded rows") -> np.ndarray:
        """Encoder rows ``(n, dim)`` (or one ``(dim,)``) -> task rows; off-grid ordinals interpolated."""
        return self._translate(E, name, forward=False)

    def _translate(self, X: Any, name: str, forward: bool) -> np.ndarray:
        X = as_rows(X, name, self.dim, one_row=True)  # the same checks as the optimizer's, before translating
        out = np.empty_like(X)
        for task_col, enc_col, task_values, enc_values in self.columns:
            src, dst = (task_col, enc_col) if forward else (enc_col, task_col)
            if task_values is None:
                out[..., dst] = X[..., src]
            elif forward:
                out[..., dst] = np.interp(X[..., src], task_values, enc_values)
            else:
                out[..., dst] = np.interp(X[..., src], enc_values, task_values)
        return out


def _grid_columns(codec: GridCodec, encoder: SpaceEncoder) -> list[tuple[int, int, Any, Any]]:
    """Column maps found by encoding, for each hyperparameter, its values (the others at their first)."""
    base = {b.name: b.choices[0] for b in encoder.blocks}
    columns = []
    for b in encoder.blocks:
        if b.kind == "numeric" or len(b.choices) < 2:
            raise ValueError(f"{b.name!r}: grid hyperparameters must be ordinal or categorical with >= 2 values")
        probes = [{**base, b.name: v} for v in b.choices]
        T = np.array([codec.encode(p) for p in probes])
        E = encoder.encode_batch(probes)
        varying = np.flatnonzero(np.ptp(T, axis=0) > 0)
        if b.kind == "ordinal":
            if len(varying) != 1:
                raise ValueError(f"{b.name!r}: expected one task column, found {varying.tolist()}")
            order = np.argsort(T[:, varying[0]])
            task_values, enc_values = T[order, varying[0]], E[order, b.start]
            if np.any(np.diff(task_values) <= 0) or np.any(np.diff(enc_values) <= 0):
                raise ValueError(f"{b.name!r}: task and encoder values are not strictly monotone in each other")
            columns.append((int(varying[0]), b.start, task_values, enc_values))
            continue
        for task_col in varying:
            same = [k for k in range(b.start, b.stop) if np.array_equal(E[:, k], T[:, task_col])]
            if len(same) != 1:
                raise ValueError(f"{b.name!r}: task column {task_col} matches no single one-hot column")
            columns.append((int(task_col), same[0], None, None))
    return columns
