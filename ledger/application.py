"""The ledger's one application service: load, check the rules, change, save together."""

from __future__ import annotations

from ledger.commands.access import AccessCommands
from ledger.commands.development import DevelopmentCommands
from ledger.commands.governance import GovernanceCommands
from ledger.commands.importing import ImportCommands
from ledger.commands.moves import MovesCommands
from ledger.commands.privacy import PrivacyCommands
from ledger.commands.records import RecordsCommands
from ledger.commands.staffing import StaffCommands
from ledger.commands.workflows import WorkflowCommands
from ledger.service import SYSTEM, LedgerService, Receipt

__all__ = ["SYSTEM", "LedgerService", "OwnershipLedger", "Receipt"]


class OwnershipLedger(
    StaffCommands,
    PrivacyCommands,
    MovesCommands,
    RecordsCommands,
    WorkflowCommands,
    DevelopmentCommands,
    GovernanceCommands,
    AccessCommands,
    ImportCommands,
):
    """Every use case of the customer ownership ledger, one method each.

    The methods live in `ledger/commands/`, one module per area, to keep modules small.
    """

    name = "ledger"
