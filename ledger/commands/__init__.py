"""The ledger's use cases, grouped by area; `OwnershipLedger` combines them."""
