"""Benchmarks of the ledger against its baselines on the same store (issue 9, items 1-5).

Every figure is measured in the same run as the baseline it is compared with, so a ratio means
something on whatever machine runs it. `python -m bench --help` for the options.
"""
