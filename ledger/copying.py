"""A cheaper copy of an aggregate for each command than `copy.deepcopy`'s generic walk.

The library deep-copies a cached aggregate for every command, so a command's cost grew with the
aggregate's history (a customer's 10,000 contacts were walked one by one each time). Aggregates
name their flat containers: dicts whose keys and values are immutable (str, bool, enum,
datetime). Those are copied by `dict.copy`, at C speed; immutable values are shared; every other
attribute still goes through `deepcopy`, so an attribute nobody listed is never shared by mistake.
"""

from __future__ import annotations

from copy import deepcopy
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any, ClassVar, Self
from uuid import UUID

# Shared as they are: nothing can change them (deepcopy reconstructs a datetime the slow way).
IMMUTABLE = (str, int, float, type(None), date, Decimal, UUID, Enum, frozenset)


class FlatCopy:
    """Mix into an aggregate and list its flat dicts in `flat_state`."""

    flat_state: ClassVar[frozenset[str]] = frozenset()

    def __deepcopy__(self, memo: dict[int, Any]) -> Self:
        clone = object.__new__(type(self))
        flat = self.flat_state
        clone.__dict__.update(
            (
                name,
                value
                if isinstance(value, IMMUTABLE)
                else value.copy()
                if name in flat
                else deepcopy(value, memo),
            )
            for name, value in self.__dict__.items()
        )
        return clone
