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
    SERVICE_LEAD = "service_lead"
    TECHNICAL_LEAD = "technical_lead"
    EXECUTIVE_SPONSOR = "executive_sponsor"
    CUSTODIAN = "custodian"  # the named custodian of the customer file (rules 20, 107)

    @property
    def covers(self) -> TeamRole:
        """A lead covers the level of its team: a service lead is after-sales service."""
        leads = {
            TeamRole.SERVICE_LEAD: TeamRole.SERVICE,
            TeamRole.TECHNICAL_LEAD: TeamRole.TECHNICAL,
        }
        return leads.get(self, self)


class KeyRole(Enum):
    """People on the customer's side the coverage plan must name (rule 115)."""

    DECISION_MAKER = "decision_maker"
    INFLUENCER = "influencer"
    KEY_CONTACT = "key_contact"


class ContactKind(Enum):
    SERVICE = "service"
    INFORMATION_CALL = "information_call"  # the phone team's pre-sales information call (33)
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
    KeyRole,
    ContactKind,
    ContactChannel,
    CallbackOutcome,
)


class Severity(Enum):
    """How grave a private use of customer data is, which decides what follows (47–49)."""

    MINOR = "minor"  # a written warning and an order to stop at once
    SERIOUS = "serious"  # an internal investigation
    MALICIOUS = "malicious"  # termination: the departure rules move every customer


class ShareScope(Enum):
    """What a data share covers: named customers, every customer of one holder, or one area."""

    CUSTOMERS = "customers"
    HOLDER = "holder"
    AREA = "area"


ALL_ENUMS += (Severity, ShareScope)
