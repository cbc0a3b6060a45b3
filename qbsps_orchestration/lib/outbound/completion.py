"""Which invoice partitions hold unfinished outbound documents (an 810 or 856 still owed to SPS,
or one whose upload is unconfirmed): the ledger says, whether or not a change is in the inbox; and
which invoices have changes waiting in the inbox."""

from __future__ import annotations

from datetime import datetime

from ..ledger import Direction, Ledger
from ..ledger.completion import UnfinishedDocument
from .flow import invoice_key

INVOICE_DOCUMENTS = frozenset({"Invoice", "Shipment"})
PENDING_LIMIT = 500  # per sensor tick: the next tick, seconds later, takes the next ones


def changed_invoice_keys(ledger: Ledger, limit: int = PENDING_LIMIT) -> list[str]:
    """Invoice partition keys whose QBO changes wait in the inbox, oldest change first. Shared by
    ``qbo_webhook_sensor`` and `qbsps sync outbound`."""
    changes = ledger.pending_changes(entity="Invoice", limit=limit)
    return list(dict.fromkeys(invoice_key(change.entity_id) for change in changes))


def unfinished_invoice_documents(ledger: Ledger) -> list[UnfinishedDocument]:
    return [
        doc
        for doc in ledger.unfinished_documents(Direction.OUTBOUND)
        if doc.doc_type in INVOICE_DOCUMENTS and doc.qbo_entity == "Invoice" and doc.qbo_id
    ]


def unfinished_invoice_keys(ledger: Ledger, *, due_by: datetime | None = None) -> list[str]:
    """Invoice partition keys to run again, oldest first; ``due_by`` as for inbound files."""
    keys = [
        invoice_key(doc.qbo_id or "")
        for doc in unfinished_invoice_documents(ledger)
        if due_by is None or doc.due(due_by)
    ]
    return list(dict.fromkeys(keys))
