"""Enums stored by value, so events read back as the same enum members."""

from __future__ import annotations

from enum import Enum
from typing import Any

from eventsourcing.persistence import Transcoding


class EnumAsValue(Transcoding):
    def __init__(self, enum_type: type[Enum]) -> None:
        self.type = enum_type
        self.name = f"enum:{enum_type.__name__}"

    def encode(self, obj: Any) -> Any:
        return obj.value

    def decode(self, data: Any) -> Any:
        return self.type(data)
