"""A mixin for the frozen settings records (ModelConfig, TrainConfig, SuggestConfig): from / to dicts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, fields
from typing import Any, ClassVar


class SettingsRecord:
    """``from_dict`` refuses unknown keys by name; ``to_dict`` is the inverse. For dataclasses."""

    what: ClassVar[str] = "settings"

    @classmethod
    def accepted(cls) -> list[str]:
        """The field names, in declaration order."""
        return [f.name for f in fields(cls)]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]):
        accepted = cls.accepted()
        unknown = set(data) - set(accepted)
        if unknown:
            raise ValueError(f"unknown {cls.what} {sorted(unknown)}; accepted: {accepted}")
        return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
