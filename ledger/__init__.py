"""The customer ownership ledger: customers stay the company's, recorded as immutable events."""
