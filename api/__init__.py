"""The ledger's HTTP edge."""
