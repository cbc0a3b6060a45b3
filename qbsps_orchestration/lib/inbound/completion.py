"""Which order files (partitions) hold unfinished documents: their files left the mailbox once
stored, so the ledger, not the mailbox, says what is still owed to QBO, and which orders in QBO
still owe their partner an 855."""

from __future__ import annotations

from datetime import datetime

from ..config import QbspsConfig
from ..ledger import Direction, Ledger
from ..ledger.completion import UnfinishedDocument


def unfinished_orders(ledger: Ledger, config: QbspsConfig) -> list[UnfinishedDocument]:
    """Unfinished inbound orders that came through the orders folder (so a partition can replay
    them): not yet written to QBO, or written but not acknowledged to a partner that wants acks."""
    folder = config.sps.folders.orders
    owed = [doc for doc in ledger.unfinished_documents(Direction.INBOUND) if doc.doc_type == "Order"]
    seen = {doc.id for doc in owed}
    ack_partners = {p.trading_partner_id for p in config.trading_partners if p.send_order_acks}
    owed += [doc for doc in ledger.orders_owing_acks(ack_partners) if doc.id not in seen]
    return [doc for doc in owed if (doc.source_path or "").startswith(folder)]


def unfinished_order_files(
    ledger: Ledger, config: QbspsConfig, *, due_by: datetime | None = None
) -> list[str]:
    """File names (partition keys) to run again, oldest first; ``due_by``: only those whose backoff
    has passed by then (a sensor); None: all of them (an explicit sync does not wait)."""
    folder = config.sps.folders.orders
    names = [
        (doc.source_path or "").removeprefix(folder)
        for doc in unfinished_orders(ledger, config)
        if due_by is None or doc.due(due_by)
    ]
    return list(dict.fromkeys(names))
