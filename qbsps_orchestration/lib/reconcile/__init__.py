"""Reconciliation: do QuickBooks Online and SPS agree with what qbsps recorded? Each side is read
from the real system (QBO queries, SPS history); the ledger links them. No Dagster here."""

from .findings import COLUMNS, KINDS, Finding, as_text, default_csv_path, findings_frame
from .reconcile import reconcile

__all__ = [
    "COLUMNS",
    "KINDS",
    "Finding",
    "as_text",
    "default_csv_path",
    "findings_frame",
    "reconcile",
]
