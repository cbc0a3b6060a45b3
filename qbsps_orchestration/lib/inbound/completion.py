"""Which order files (partitions) hold unfinished documents: their files left the mailbox once
stored, so the ledger, not the mailbox, says what is still owed to QBO."""

from __future__ import annotations

from datetime import datetime

from ..ledger import Direction, Ledger
from ..ledger.completion import UnfinishedDocument


def unfinished_orders(ledger: Ledger, orders_folder: str) -> list[UnfinishedDocument]:
    """Unfinished inbound orders that came through ``orders_folder`` (so a partition can replay them)."""
    return [
        doc
        for doc in ledger.unfinished_documents(Direction.INBOUND)
        if doc.doc_type == "Order" and (doc.source_path or "").startswith(orders_folder)
    ]


def unfinished_order_files(
    ledger: Ledger, orders_folder: str, *, due_by: datetime | None = None
) -> list[str]:
    """File names (partition keys) to run again, oldest first; ``due_by``: only those whose backoff
    has passed by then (a sensor); None: all of them (an explicit sync does not wait)."""
    names = [
        (doc.source_path or "").removeprefix(orders_folder)
        for doc in unfinished_orders(ledger, orders_folder)
        if due_by is None or doc.due(due_by)
    ]
    return list(dict.fromkeys(names))
