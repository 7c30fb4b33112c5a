"""Use cases of station customer development: the logged steps, weekly forms, monthly targets."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from ledger.clock import aware
from ledger.commands.placement import PlacementMixin
from ledger.development import LEVELS, Development, StationTarget, WeeklyProgress
from ledger.enums import Role
from ledger.errors import InvalidInput, RuleViolation
from ledger.rules import records
from ledger.service import Receipt, retrying

R = Role
STATION_MANAGERS = frozenset({R.SALES_REP, R.MANAGER})
AREA_MANAGERS = frozenset({R.MANAGER, R.SALES_VP})
FILING_POST = frozenset({R.CLERK})
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class DevelopmentCommands(PlacementMixin):
    """Each step by its role, in the seeds' order (129–131, 133)."""

    def development(self, development_id: UUID | str) -> Development:
        return self._load(Development, development_id, "unknown_development")

    @retrying
    def plan_development(
        self,
        station: str,
        area_manager_id: UUID,
        target: str,
        at: datetime,
        by: str,
        level: str = "area",
    ) -> Receipt:
        """The station manager's call to the area manager before going out opens the record."""
        at = aware(at)
        self._require_role(by, at, STATION_MANAGERS, "plan a development visit")
        area_manager = self.staff(area_manager_id)
        records.check_role(str(area_manager_id), area_manager.role, AREA_MANAGERS, "be called as area manager")  # fmt: skip
        if level not in LEVELS:
            raise InvalidInput(
                "development_level_unknown",
                f"A target customer is {' or '.join(sorted(LEVELS))}-level, not {level!r} (132).",
                level=level,
            )
        development = Development(
            station, by, str(area_manager_id), target, level, occurred_at=at, by=by
        )
        return self._save(development, ref=str(development.id))

    @retrying
    def record_development_visit(
        self, development_id: UUID, result: str, reported_to: UUID, at: datetime, by: str
    ) -> Receipt:
        development = self.development(development_id)
        self._owner(development, by)
        development.visit(result, str(reported_to), occurred_at=aware(at), by=by)
        return self._save(development)

    @retrying
    def enter_development(self, development_id: UUID, entry: str, at: datetime, by: str) -> Receipt:
        """The electronic-ledger entry of the activity (129)."""
        development = self.development(development_id)
        self._owner(development, by)
        development.enter(entry, occurred_at=aware(at), by=by)
        return self._save(development)

    @retrying
    def record_development_success(
        self, development_id: UUID, card_ref: str, first_top_up: Decimal, at: datetime, by: str
    ) -> Receipt:
        development = self.development(development_id)
        self._owner(development, by)
        development.succeed(card_ref, first_top_up, occurred_at=aware(at), by=by)
        return self._save(development)

    @retrying
    def file_development(
        self, development_id: UUID, filing_ref: str, at: datetime, by: str
    ) -> Receipt:
        """The company's management post files the success (130)."""
        self._require_role(
            by, aware(at), FILING_POST, "file a development with the management post"
        )
        development = self.development(development_id)
        development.file(filing_ref, occurred_at=aware(at), by=by)
        return self._save(development)

    def _owner(self, development: Development, by: str) -> None:
        if by != development.manager_id:
            raise RuleViolation(
                "development_not_owner",
                f"Development {development.id} is logged by its station manager "
                f"{development.manager_id}, not {by}.",
                development_id=str(development.id),
                rule="development_logging",
            )

    @retrying
    def submit_weekly_progress(
        self, week_ending: date, summary: str, developments: int, at: datetime, by: str
    ) -> Receipt:
        """The area manager's Sunday form (131): one per week; a second is refused."""
        at = aware(at)
        self._require_role(by, at, AREA_MANAGERS, "submit the weekly development form")
        if week_ending.weekday() != 6:
            raise InvalidInput(
                "weekly_form_not_sunday",
                f"The weekly form is for the week ending on a Sunday; {week_ending} is not.",
                week_ending=week_ending.isoformat(),
            )
        week = week_ending.isoformat()
        try:
            self._get(WeeklyProgress.create_id(by, week))
        except AggregateNotFoundError:
            form = WeeklyProgress(by, week, summary, developments, occurred_at=at, by=by)
            return self._save(form)
        raise RuleViolation(
            "weekly_form_already_submitted",
            f"{by} already submitted the form for the week ending {week}.",
            week_ending=week,
            rule="development_logging",
        )

    @retrying
    def agree_station_target(
        self, station: str, month: str, cards: int, top_up: Decimal, at: datetime, by: str,
        reason: str = "",
    ) -> Receipt:  # fmt: skip
        """Targets agreed with a station at the start of the month (133); later, a revision."""
        at = aware(at)
        self._require_role(by, at, AREA_MANAGERS, "agree a station's monthly target")
        if not MONTH.match(month) or cards < 0 or top_up < 0:
            raise InvalidInput(
                "target_invalid",
                f"A target names a month as YYYY-MM and counts that are not negative; got "
                f"{month!r}, {cards}, {top_up}.",
                month=month,
            )
        try:
            target = self._get(StationTarget.create_id(station, month))
        except AggregateNotFoundError:
            agreed = StationTarget(station, month, cards, top_up, occurred_at=at, by=by)
            return self._save(agreed)
        assert isinstance(target, StationTarget)
        target.revise(cards, top_up, reason or "revised", occurred_at=at, by=by)
        return self._save(target)
