"""Adopting the ledger from a CRM: read its exports into the ledger's own import rows.

Each source (Salesforce, HubSpot, any CSV with a mapping) turns its files into `ImportRow`s
in business-time order, or `Skipped` lines naming file, line, column and reason; the ledger's
import commands then plan and write them. Nothing here writes to the store.
"""
