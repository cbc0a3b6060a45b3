"""Read-only views of the ledger for operators: the CLI's sync report, and the documents that wait
for a person with what to do about each."""

from .attention import WaitingDocument, advice_for, field_named, waiting_documents
from .sync_report import LedgerReports, PartitionDocument

__all__ = [
    "LedgerReports",
    "PartitionDocument",
    "WaitingDocument",
    "advice_for",
    "field_named",
    "waiting_documents",
]
