"""Truly concurrent writers: one application each (no shared cache), released by one barrier."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from uuid import UUID

from ledger.application import OwnershipLedger
from ledger.errors import LedgerError
from ledger.settings import LedgerSettings

Command = Callable[[OwnershipLedger], object]


def race(store: LedgerSettings, commands: list[Command], warm: Command) -> list[str]:
    """Run each command in its own thread at once; return 'won' or each refusal's code."""
    apps = [OwnershipLedger(store) for _ in commands]
    for app in apps:
        warm(app)  # every writer has already seen the state it will decide on
    barrier = threading.Barrier(len(commands))
    outcomes: list[str] = []

    def run(app: OwnershipLedger, command: Command) -> None:
        barrier.wait()
        try:
            command(app)
            outcomes.append("won")
        except LedgerError as refused:
            outcomes.append(refused.code)

    threads = [threading.Thread(target=run, args=pair) for pair in zip(apps, commands, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for app in apps:
        app.close()
    return outcomes


def assigning(customer: UUID, staff: UUID, at: datetime, by: str) -> Command:
    return lambda app: app.assign_customer(customer, staff, at, by)


def loading(aggregate_id: UUID) -> Command:
    return lambda app: app.repository.get(aggregate_id)
