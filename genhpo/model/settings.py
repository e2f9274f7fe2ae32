"""Settings: a mixin for the frozen records (ModelConfig, TrainConfig), and JSON settings from the command line."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, fields
from typing import Any, ClassVar


class SettingsRecord:
    """``from_dict`` refuses unknown keys by name; ``to_dict`` is the inverse. For dataclasses."""

    what: ClassVar[str] = "settings"

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]):
        accepted = [f.name for f in fields(cls)]
        unknown = set(data) - set(accepted)
        if unknown:
            raise ValueError(f"unknown {cls.what} {sorted(unknown)}; accepted: {accepted}")
        return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def json_object(text: str | None, flag: str) -> dict[str, Any]:
    """The JSON object given to command-line option ``flag`` (``{}`` when absent); ValueError naming
    the flag for text that is not JSON or not an object."""
    if text is None:
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{flag} is not valid JSON ({exc}): {text!r}") from None
    if not isinstance(value, dict):
        raise ValueError(f"{flag} must be a JSON object such as '{{\"key\": 3}}', got {text!r}")  # noqa: TRY004
    return value
