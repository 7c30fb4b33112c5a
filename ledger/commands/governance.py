"""Company policy: adopted in versions that take effect at a business time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ledger.clock import aware
from ledger.policyfile import checked_policy
from ledger.service import LedgerService, Receipt, retrying


class GovernanceCommands(LedgerService):
    # --- policy -----------------------------------------------------------------------

    @retrying
    def adopt_policy(
        self,
        params: dict[str, Any],
        effective_at: datetime,
        reason: str,
        at: datetime,
        by: str,
    ) -> Receipt:
        validated = checked_policy(params)
        policy = self._policy()
        policy.adopt(
            policy.next_version, validated.to_dict(), aware(effective_at, "effective_at"),
            reason, occurred_at=aware(at), by=by,
        )  # fmt: skip
        return self._save(policy)
