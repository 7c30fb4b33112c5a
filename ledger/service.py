"""The service's infrastructure: one store, typed loading, atomic saves, bounded retries."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Concatenate, ParamSpec, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, JSONTranscoder, Recording

from ledger.clock import aware
from ledger.customer import Customer
from ledger.enums import (
    ALL_ENUMS,
)
from ledger.errors import ConcurrencyConflict, NotFound
from ledger.policy import Policy, PolicyVersion
from ledger.settings import LedgerSettings
from ledger.staff import Staff
from ledger.transcodings import EnumAsValue

SYSTEM = "system"
MAX_ATTEMPTS = 5

P = ParamSpec("P")
R = TypeVar("R")
A = TypeVar("A", bound=Aggregate)
S = TypeVar("S", bound="LedgerService")


@dataclass(frozen=True)
class Receipt:
    """What a command changed: the aggregate, its new version, and the log positions written."""

    id: UUID
    version: int
    positions: list[int] = field(default_factory=list)
    ref: str | None = None

    @property
    def last_position(self) -> int:
        return max(self.positions, default=0)


def retrying(
    method: Callable[Concatenate[S, P], R],
) -> Callable[Concatenate[S, P], R]:
    """Decide again on fresh state when a concurrent writer won the race; give up clearly."""

    def wrapper(self: S, *args: P.args, **kwargs: P.kwargs) -> R:
        if self._session_map() is not None:  # nested inside another command's attempt
            return method(self, *args, **kwargs)
        for _ in range(MAX_ATTEMPTS):
            self._sessions.map = {}
            try:
                return method(self, *args, **kwargs)
            except IntegrityError:
                continue
            finally:
                self._sessions.map = None
        raise ConcurrencyConflict(
            "concurrent_modification",
            f"Other writers kept changing the same records; gave up after {MAX_ATTEMPTS} attempts.",
            attempts=MAX_ATTEMPTS,
        )

    return functools.update_wrapper(wrapper, method)  # type: ignore[return-value]


class LedgerService(Application[UUID]):
    """Loads aggregates by kind, saves changes together, and reads the policy in force."""

    name = "ledger"

    def __init__(self, settings: LedgerSettings | None = None, env: dict[str, str] | None = None):
        self.settings = settings or LedgerSettings()
        interval = self.settings.snapshot_interval
        self.snapshotting_intervals = {Customer: interval, Staff: interval}  # type: ignore[misc]
        self._sessions = threading.local()
        super().__init__(env={**self.settings.eventsourcing_env(), **(env or {})})

    def _session_map(self) -> dict[UUID, Aggregate] | None:
        """One command attempt sees one copy of each aggregate, however often it loads it."""
        session: dict[UUID, Aggregate] | None = getattr(self._sessions, "map", None)
        return session

    def _get(self, aggregate_id: UUID) -> Aggregate:
        session = self._session_map()
        if session is not None and aggregate_id in session:
            return session[aggregate_id]
        aggregate: Aggregate = self.repository.get(aggregate_id)
        if session is not None:
            session[aggregate_id] = aggregate
        return aggregate

    def _remember(self, aggregate: A) -> A:
        session = self._session_map()
        if session is not None:
            session[aggregate.id] = aggregate
        return aggregate

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        for enum_type in ALL_ENUMS:
            transcoder.register(EnumAsValue(enum_type))

    # --- loading and saving -----------------------------------------------------

    def _load(self, kind: type[A], aggregate_id: UUID | str, code: str) -> A:
        try:
            aggregate: Aggregate | None = self._get(UUID(str(aggregate_id)))
        except (AggregateNotFoundError, ValueError):
            aggregate = None
        if not isinstance(aggregate, kind):
            label = kind.__name__.lower()
            raise NotFound(code, f"No {label} with id {aggregate_id}.", id=str(aggregate_id))
        return aggregate

    def customer(self, customer_id: UUID | str) -> Customer:
        return self._load(Customer, customer_id, "unknown_customer")

    def staff(self, staff_id: UUID | str) -> Staff:
        return self._load(Staff, staff_id, "unknown_staff")

    def _policy(self) -> Policy:
        try:
            policy: Aggregate = self._get(Policy.create_id())
        except AggregateNotFoundError:
            return self._remember(Policy())
        assert isinstance(policy, Policy)
        return policy

    def policy_in_force(self, at: datetime) -> PolicyVersion:
        return self._policy().in_force(aware(at, "at"))

    def _save(self, main: Aggregate, *others: Aggregate | None, ref: str | None = None) -> Receipt:
        recordings: list[Recording[UUID]] = self.save(main, *others)
        return Receipt(
            id=main.id,
            version=main.version,
            positions=[r.notification.id for r in recordings],
            ref=ref,
        )

    def event_count(self) -> int:
        return self.recorder.max_notification_id() or 0
