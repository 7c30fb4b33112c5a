"""What every placement of a customer with a holder checks and changes, in one place."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from ledger.customer import Customer
from ledger.enums import Role, StaffStatus, Tier
from ledger.errors import NotFound
from ledger.policy import PolicyParams
from ledger.roster import LeadRoster
from ledger.rules import (
    authority,
    concentration,
    eligibility,
    modes,
    records,
    rotation,
    seniority,
)
from ledger.rules.modes import Grant
from ledger.service import LedgerService
from ledger.staff import Staff
from ledger.team import Census, Team


class PlacementMixin(LedgerService):
    """Actors, exceptions, caps and the book-keeping of a move, shared by every custody command."""

    # --- who is acting --------------------------------------------------------------

    def _actor(self, by: str, at: datetime) -> Staff | None:
        """The staff member behind `by`; None for the system or an integration client."""
        if by == "system" or by.startswith(("system:", "client:")):
            return None
        try:
            actor = self.staff_view(by)  # read only: a command never changes its actor's file
        except NotFound:
            raise NotFound("unknown_actor", f"No staff member {by} to act.", actor=by) from None
        eligibility.check_active(by, actor.status_at(at))
        return actor

    def _require_role(self, by: str, at: datetime, allowed: frozenset[Role], step: str) -> None:
        """A record workflow's step belongs to one kind of staff (trips, complaints, stations)."""
        actor = self._actor(by, at)
        records.check_role(by, actor.role if actor else None, allowed, step)

    def _require_allocator(
        self, by: str, at: datetime, receiver: str | None = None, system_ok: bool = False
    ) -> None:
        actor = self._actor(by, at)
        if actor is None and system_ok:
            return
        authority.check_can_allocate(by, actor.role if actor else None, receiver)

    def _validated_grant(self, grant: Grant | None, at: datetime) -> Grant | None:
        """A grant made by the acting manager in this very call (a transfer's approval)."""
        if grant is not None:
            grantor = self._actor(grant.by, at)
            authority.check_exception_grant(
                grant.by, grantor.role if grantor else None, grant.reason
            )
        return grant

    def _approved_grant(
        self, customer: Customer, receiver: Staff, grant_id: str | None
    ) -> Grant | None:
        """The exception a manager approved, in their own call, for this move: its signer is
        whoever recorded the approval, never a name the mover supplies."""
        if grant_id is None:
            return None
        staff_id, reason, _, approved_by = customer.check_exception(grant_id)
        authority.check_exception_usable(grant_id, approved_by, staff_id, str(receiver.id))
        assert approved_by is not None
        return Grant(by=approved_by, reason=reason, grant_id=grant_id)

    # --- company-wide facts ---------------------------------------------------------

    def _get_or(self, aggregate_id: UUID, make: type[Aggregate], *args: Any) -> Any:
        try:
            return self._get(aggregate_id)
        except AggregateNotFoundError:
            return self._remember(make(*args))

    def _team(self, name: str) -> Team:
        team: Team = self._get_or(Team.create_id(name), Team, name)
        return team

    def _census(self) -> Census:
        census: Census = self._get_or(Census.create_id(), Census)
        return census

    def _roster(self) -> LeadRoster:
        roster: LeadRoster = self._get_or(LeadRoster.create_id(), LeadRoster)
        return roster

    # --- the rules of a placement -----------------------------------------------------

    def _placement_checks(
        self,
        customer: Customer,
        receiver: Staff,
        params: PolicyParams,
        at: datetime,
        grant: Grant | None,
    ) -> list[dict[str, Any]]:
        """Every rule a new holder must pass; returns the exceptions a manager granted."""
        cid, rid = str(customer.id), str(receiver.id)
        eligibility.check_can_hold(rid, receiver.role, receiver.status_at(at))
        caps = caps_of(params)
        a_tier = customer.tier is Tier.A  # only A-tier moves read the team and census counts
        team_a = len(self._team(receiver.team).a_tier) if a_tier else 0
        company_a = len(self._census().a_tier) if a_tier else 0
        checks = [
            lambda: seniority.check_tier_seniority(
                cid, customer.tier, rid, receiver.seniority, params.tier_seniority
            ),
            lambda: concentration.check_rep_caps(
                rid, len(receiver.book), receiver.count_tier(Tier.A), customer.tier, caps
            ),
            lambda: concentration.check_team_share(
                receiver.team, team_a, company_a, customer.tier, caps
            ),
            lambda: rotation.check_return(
                cid,
                rid,
                customer.released_from,
                at,
                params.rotation_cooldown_days,
                params.neglect_protection_days,
            ),
        ]
        return modes.apply(checks, params.mode, grant)

    def _rebook(
        self, customer: Customer, giver: Staff | None, receiver: Staff | None, at: datetime, by: str
    ) -> list[Aggregate]:
        """Move the customer between books (and A-tier team counts); return what changed."""
        cid = str(customer.id)
        changed: list[Aggregate] = []
        if giver is not None:
            giver.unbook_customer(cid, occurred_at=at, by=by)
            changed.append(giver)
        if receiver is not None:
            receiver.book_customer(cid, customer.tier, occurred_at=at, by=by)
            changed.append(receiver)
        if customer.tier is Tier.A:
            changed += self._move_team_a(cid, giver, receiver, at, by)
        return changed

    def _move_team_a(
        self, cid: str, giver: Staff | None, receiver: Staff | None, at: datetime, by: str
    ) -> list[Aggregate]:
        if giver and receiver and giver.team == receiver.team:
            return []
        changed: list[Aggregate] = []
        if giver is not None:
            team = self._team(giver.team)
            team.lose(cid, occurred_at=at, by=by)
            changed.append(team)
        if receiver is not None:
            team = self._team(receiver.team)
            team.gain(cid, occurred_at=at, by=by)
            changed.append(team)
        return changed

    def _eligible_reps(self, at: datetime) -> list[Staff]:
        """Active sales reps enrolled on the lead roster, in a stable order.

        Read-only views: the pool only reads them, and the chosen rep is loaded as a copy to
        change (a copy of each rep cost half of a lead's time over 320 reps).
        """
        reps = [self.staff_view(staff_id) for staff_id in sorted(self._roster().members)]
        return [
            r for r in reps if r.role is Role.SALES_REP and r.status_at(at) is StaffStatus.ACTIVE
        ]


def caps_of(params: PolicyParams) -> concentration.Caps:
    return concentration.Caps(
        params.max_customers_per_rep,
        params.max_a_per_rep,
        params.max_team_a_share,
        params.team_share_min_base,
    )
