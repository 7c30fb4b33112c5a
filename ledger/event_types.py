"""Public names of event types (`Customer.Assigned`) and the library topics they stand for."""

from __future__ import annotations

from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from ledger.errors import InvalidInput


def _aggregates() -> list[type[Aggregate]]:
    from ledger.access import ApiToken, FileRead
    from ledger.channel import Channel
    from ledger.complaint import Complaint
    from ledger.customer import Customer
    from ledger.datashare import DataExport, DataShare, ShareRegister
    from ledger.development import Development, StationTarget, WeeklyProgress
    from ledger.policy import Policy
    from ledger.roster import LeadRoster
    from ledger.staff import Staff
    from ledger.team import Census, Team
    from ledger.trip import Trip
    from ledger.violation import Violation

    return [
        Customer,
        Staff,
        Policy,
        LeadRoster,
        Team,
        Census,
        ApiToken,
        FileRead,
        Channel,
        Trip,
        Complaint,
        Development,
        WeeklyProgress,
        StationTarget,
        DataShare,
        ShareRegister,
        DataExport,
        Violation,
    ]


def event_classes() -> dict[str, type]:
    """Every event class declared on our aggregates, by its public name."""
    found: dict[str, type] = {}
    for aggregate in _aggregates():
        for name, value in vars(aggregate).items():
            if isinstance(value, type) and issubclass(value, Aggregate.Event | Aggregate.Created):
                found[f"{aggregate.__name__}.{name}"] = value
    return found


def topics_for(names: list[str]) -> list[str]:
    classes = event_classes()
    unknown = sorted(set(names) - set(classes))
    if unknown:
        raise InvalidInput(
            "unknown_event_type",
            f"Unknown event types: {', '.join(unknown)}.",
            unknown=unknown,
            known=sorted(classes),
        )
    return [get_topic(classes[name]) for name in names]
