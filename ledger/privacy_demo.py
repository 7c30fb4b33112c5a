"""The demo's private-use story (S8, rule 152): a campaign share, a refused export, a warning.

`ledger/demo.py` calls `add_privacy_story` once the company's history is built.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from ledger.application import OwnershipLedger
from ledger.enums import Severity, ShareScope
from ledger.errors import AccessDenied, LedgerError

PARTNER, CAMPAIGN = "Partner Insurer", "card holders' insurance campaign"


@dataclass(frozen=True)
class PrivacyStory:
    share_id: UUID
    export_id: UUID
    refusal: LedgerError
    violation_id: UUID


def add_privacy_story(app: OwnershipLedger, manager: UUID, rep: UUID, at: datetime) -> PrivacyStory:
    """`manager` approves a 90-day campaign share over `rep`'s customers and `rep` exports three
    under it; `rep` then tries to send them to a rival, is refused (recorded), and gets a minor
    violation (warning and stop order) citing that attempt. `rep` must hold customers."""
    customers = [UUID(c) for c in sorted(app.staff(rep).book)[:3]]
    if not customers:
        raise ValueError(f"staff {rep} holds no customers to share")
    share = app.request_data_share(
        PARTNER, CAMPAIGN, ShareScope.HOLDER, [str(rep)], at, at + timedelta(days=90), at, str(rep)
    ).id
    app.approve_data_share(share, "co-marketing campaign agreed with the insurer", at, str(manager))
    later = at + timedelta(hours=1)
    exported = app.export_customer_data(customers, PARTNER, CAMPAIGN, later, str(rep)).id
    try:
        app.export_customer_data(
            customers, "Rival Trading Co", "own side business", later, str(rep)
        )
    except AccessDenied as refusal:
        attempt = UUID(refusal.params["attempt_id"])
        violation = app.record_violation(
            rep, Severity.MINOR, "forwarded customer contacts to a rival without approval",
            later + timedelta(hours=1), str(manager), export_id=attempt,
        ).id  # fmt: skip
        return PrivacyStory(share, exported, refusal, violation)
    raise AssertionError("an export to a rival without a share must be refused")
