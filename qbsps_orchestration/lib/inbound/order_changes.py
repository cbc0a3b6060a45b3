"""A bookkeeper's change, in QuickBooks, to an order that came from SPS: its 855 follows.

The change reaches the ledger inbox like an invoice change (webhook, CDC, the hourly sweep; the
inbox keeps only updates of SPS orders that qbsps did not make itself). What is pending is the set
of order files whose orders changed; a run that acknowledged a file's orders as QBO has them now
marks their changes handled, so a change that came in while it ran waits for the next one.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from ..changes import ORDER_ENTITIES
from ..config import QbspsConfig
from ..ledger import Ledger
from .batch import FileOutcome

PENDING_LIMIT = 500  # per sensor tick: the next tick, seconds later, takes the next ones


def changed_order_files(ledger: Ledger, config: QbspsConfig, limit: int = PENDING_LIMIT) -> list[str]:
    """Order files (names in the orders folder) whose QBO order changed since it was acknowledged,
    oldest change first. Shared by the sensor and `qbsps sync inbound`."""
    changes = ledger.pending_changes(entity=ORDER_ENTITIES, limit=limit)
    files = ledger.order_files(change.entity_id for change in changes)
    folder = config.sps.folders.orders
    named = (files.get((change.entity, change.entity_id)) for change in changes)
    return list(dict.fromkeys(path.removeprefix(folder) for path in named if path))


def order_changes_pending(ledger: Ledger) -> bool:
    """Whether any order change waits at all: one small read, so a run marks changes only when
    there are some (a change that comes in later waits for its own run of the sensor)."""
    return bool(ledger.pending_changes(entity=ORDER_ENTITIES, limit=1))


def mark_acknowledged(
    ledger: Ledger, config: QbspsConfig, outcomes: Iterable[FileOutcome], started: datetime
) -> int:
    """Mark handled the order changes of every file whose acknowledgment step succeeded (sent,
    unchanged, or a partner that takes no 855), received before ``started``; returns how many."""
    by_entity: dict[str, set[str]] = {}
    for outcome in outcomes:
        if not outcome.acks_ok:
            continue
        for document_id, _ in ledger.file_documents(config.sps.folders.orders + outcome.name):
            doc = ledger.document(document_id)
            if doc.qbo_entity in ORDER_ENTITIES and doc.qbo_id:
                by_entity.setdefault(doc.qbo_entity, set()).add(doc.qbo_id)
    return sum(
        ledger.mark_entity_changes_handled(entity, sorted(ids), started) for entity, ids in by_entity.items()
    )
