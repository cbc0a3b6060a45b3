"""Read-only views of the ledger for operators' tables (the CLI's sync report)."""

from .sync_report import LedgerReports, PartitionDocument

__all__ = ["LedgerReports", "PartitionDocument"]
