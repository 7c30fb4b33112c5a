"""Read models: disposable views built from the ledger's events alone."""
