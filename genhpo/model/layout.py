"""What each entry of an encoded vector means to the model: one-hot blocks or bounded numerics.

The model decodes a one-hot block as one categorical distribution and every other entry (numeric
or ordinal, in [0, 1]) as a Beta distribution. A layout comes from a :class:`SpaceEncoder`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from genhpo.spaces import SpaceEncoder


@dataclass(frozen=True)
class Layout:
    """dim: vector length; categorical: (start, stop) per one-hot block; numeric: the other indices."""

    dim: int
    categorical: tuple[tuple[int, int], ...]
    numeric: tuple[int, ...]
    signature: str

    def __post_init__(self) -> None:
        covered = sorted([i for a, b in self.categorical for i in range(a, b)] + list(self.numeric))
        if covered != list(range(self.dim)):
            raise ValueError(f"layout must cover each of the {self.dim} entries exactly once, got {covered}")
        if any(b - a < 2 for a, b in self.categorical):
            raise ValueError("a categorical block needs at least two entries")

    @classmethod
    def from_encoder(cls, encoder: SpaceEncoder) -> Layout:
        """Categorical blocks of width >= 2 become one-hot blocks; everything else is numeric."""
        categorical, numeric = [], []
        for block in encoder.blocks:
            if block.kind == "categorical" and block.width >= 2:
                categorical.append((block.start, block.stop))
            else:
                numeric.extend(range(block.start, block.stop))
        return cls(encoder.dim, tuple(categorical), tuple(numeric), encoder.signature())

    def to_dict(self) -> dict[str, Any]:
        return {"dim": self.dim, "categorical": [list(b) for b in self.categorical],
                "numeric": list(self.numeric), "signature": self.signature}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Layout:
        try:
            return cls(int(data["dim"]), tuple((int(a), int(b)) for a, b in data["categorical"]),
                       tuple(int(i) for i in data["numeric"]), str(data["signature"]))
        except (KeyError, TypeError) as exc:
            raise ValueError(f"malformed layout record {data!r}: {exc}") from exc
