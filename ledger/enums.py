"""Closed sets of the domain, named as in SEED-RULES' glossary."""

from __future__ import annotations

from enum import Enum


class Role(Enum):
    SALES_REP = "sales_rep"
    SERVICE = "service"
    TECHNICAL = "technical"
    CALLBACK = "callback"
    CLERK = "clerk"
    MANAGER = "manager"
    SALES_VP = "sales_vp"
    ALLOCATION_TEAM = "allocation_team"
    AUDITOR = "auditor"
    ADMIN = "admin"


class Seniority(Enum):
    SENIOR = "senior"
    EXPERIENCED = "experienced"
    NEW = "new"


class StaffStatus(Enum):
    ACTIVE = "active"
    LEAVING = "leaving"
    DEPARTED = "departed"


class Tier(Enum):
    A = "A"
    B = "B"
    C = "C"


class Source(Enum):
    COMPANY_INBOUND = "company_inbound"
    REP_PROSPECTED = "rep_prospected"
    IMPORTED = "imported"


class TransferReason(Enum):
    ROTATION = "rotation"
    DEPARTURE = "departure"
    REBALANCE = "rebalance"
    REGRADE = "regrade"
    COMPLAINT = "complaint"
    NEGLECT = "neglect"
    MANAGER_DECISION = "manager_decision"


class TeamRole(Enum):
    SERVICE = "service"
    TECHNICAL = "technical"
    MANAGEMENT = "management"


class ContactKind(Enum):
    VISIT = "visit"
    CALL = "call"
    TRIP = "trip"
    EMAIL = "email"
    MEETING = "meeting"


class ContactChannel(Enum):
    COMPANY_PHONE = "company_phone"
    COMPANY_EMAIL = "company_email"
    IN_PERSON = "in_person"
    PRIVATE_PHONE = "private_phone"
    PRIVATE_EMAIL = "private_email"

    @property
    def is_private(self) -> bool:
        return self in (ContactChannel.PRIVATE_PHONE, ContactChannel.PRIVATE_EMAIL)


class CallbackOutcome(Enum):
    CONFIRMED = "confirmed"
    DISCREPANCY = "discrepancy"
    UNREACHABLE = "unreachable"


SALES_ROLES = frozenset({Role.SALES_REP})
ALL_ENUMS: tuple[type[Enum], ...] = (
    Role,
    Seniority,
    StaffStatus,
    Tier,
    Source,
    TransferReason,
    TeamRole,
    ContactKind,
    ContactChannel,
    CallbackOutcome,
)
