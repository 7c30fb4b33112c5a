"""Request and response bodies: `...In` for commands, `...Out` for answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from ledger.enums import Role, Seniority, Source, Tier, TransferReason

EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
Text = Field(default="", max_length=2000)
Name = Field(min_length=1, max_length=200)


class CommandIn(BaseModel):
    """Business time defaults to now; it may lie in the past (a trip recorded after the trip).

    Numbers must be finite: JSON has no NaN or Infinity, Python's parser accepts them (and
    1e309 as infinity), and a stored NaN would make the custody export invalid JSON.
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    occurred_at: AwareDatetime | None = None

    @field_validator("occurred_at")
    @classmethod
    def plausible(cls, value: datetime | None) -> datetime | None:
        if value is not None and not EARLIEST <= value <= datetime.now(UTC) + timedelta(days=1):
            raise ValueError("occurred_at must lie between 1990 and tomorrow")
        return value

    def at(self) -> datetime:
        return self.occurred_at or datetime.now(UTC)

    @model_validator(mode="after")
    def storable_text(self) -> CommandIn:
        """Text must survive the store: no NUL bytes, no unpaired UTF-16 surrogates."""
        if not storable(self.model_dump()):
            raise ValueError("text must be valid Unicode without NUL characters")
        return self


def storable(data: Any) -> bool:
    """Every string in `data` (keys too) is valid Unicode without NUL characters."""
    return all("\x00" not in text and _encodable(text) for text in _strings(data))


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    return []


class ExceptionIn(BaseModel):
    """A rule exception a manager approved for this move, named by its request (the `ref` of
    `POST /customers/{id}/exception-requests`): who signed it is whoever approved it."""

    model_config = ConfigDict(extra="forbid")

    grant_id: str = Field(min_length=1, max_length=64, pattern="^[0-9a-f]+$")


class ExceptionRequestIn(CommandIn):
    """Ask for a rule exception for a move of this customer to `staff_id`."""

    staff_id: UUID
    reason: str = Field(min_length=1, max_length=2000)


class ReceiptOut(BaseModel):
    """A recorded write. Send `position` back as a read's `min_position` (or the
    `Ledger-Min-Position` header) to read this write on any worker."""

    id: UUID
    version: int
    positions: list[int] = []
    ref: str | None = None
    replayed: bool = False
    position: int = Field(0, description="The log position this write reached.")


class JoinIn(CommandIn):
    name: str = Name
    role: Role
    seniority: Seniority | None = None
    team: str = Name
    area: str = Name


class SeniorityIn(CommandIn):
    seniority: Seniority
    reason: str = Text


class AreaIn(CommandIn):
    area: str = Name
    reason: str = Text


class AnnounceIn(CommandIn):
    effective_at: AwareDatetime
    reason: str = Text


class DepartIn(CommandIn):
    reason: str = Text
    plan: dict[UUID, UUID | None] = {}


class RegisterIn(CommandIn):
    name: str = Name
    source: str = Field(pattern="^(rep_prospected|imported)$", default="rep_prospected")
    area: str | None = Field(default=None, max_length=200)


class LeadIn(CommandIn):
    name: str = Name
    channel: str = Field(min_length=1, max_length=200)
    area: str | None = Field(default=None, max_length=200)


class GradeIn(CommandIn):
    tier: Tier
    reason: str = Text
    inputs: dict[str, float] = {}


class AssignIn(CommandIn):
    staff_id: UUID
    reason: str = Text
    exception: ExceptionIn | None = None
    override_reason: str | None = Field(default=None, max_length=2000)


class TransferIn(CommandIn):
    to_staff_id: UUID
    reason_code: TransferReason
    note: str = Text
    exception: ExceptionIn | None = None


class ApprovalIn(CommandIn):
    exception_reason: str | None = Field(
        default=None,
        min_length=1,
        max_length=2000,
        description="The approving manager grants a rule exception in the same act, signed "
        "by them.",
    )


class RejectionIn(CommandIn):
    reason: str = Text


class ReleaseIn(CommandIn):
    reason_code: TransferReason
    note: str = Text


class RotateIn(CommandIn):
    to_staff_id: UUID | None = None
    exception: ExceptionIn | None = None


class SweepIn(CommandIn):
    customer_ids: list[UUID] = Field(max_length=10_000)


class PolicyIn(CommandIn):
    params: dict[str, Any]
    effective_at: AwareDatetime
    reason: str = Text


class PolicyOut(BaseModel):
    version: int
    effective_at: datetime | None
    params: dict[str, Any]


class EventOut(BaseModel):
    position: int
    type: str
    originator_id: UUID
    originator_version: int
    recorded_at: datetime
    data: dict[str, Any]


class EventPageOut(BaseModel):
    events: list[EventOut]
    next_after: int


class AmountIn(CommandIn):
    amount: Decimal = Field(gt=0, max_digits=14, decimal_places=2)


class ChainHeadOut(BaseModel):
    """The newest link of the hash chain: publish `position` and `link` to anchor the history."""

    position: int
    link: str | None = Field(description="Hex SHA-256; null while the ledger holds no event.")
    length: int = Field(description="How many events the chain links.")


class FileReadOut(BaseModel):
    occurred_at: datetime
    reader: str
    what: str
    allowed: bool
    reason: str


class FileReadPageOut(BaseModel):
    total: int
    offset: int
    items: list[FileReadOut]


class PoolRowOut(BaseModel):
    customer_id: UUID
    name: str
    tier: Tier | None
    source: Source
    registered_at: datetime


class PoolPageOut(BaseModel):
    total: int
    offset: int
    items: list[PoolRowOut]
