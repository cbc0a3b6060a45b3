"""Audit events of an operator's replay: who asked, when, why, and what the runs it started did.

The replay itself is the document's partition re-run (the same sync path as any other run), whose
own events carry their run id; these two events frame it, so the trail answers "who re-drove this
document, and why" next to what changed.
"""

from __future__ import annotations

from collections.abc import Sequence

from .audit import AuditContext, document_snapshot, record_event
from .errors import DocumentNotFoundError
from .storage.models import Document
from .storage.store import Store

REPLAY_REQUESTED = "replay_requested"
REPLAY_FINISHED = "replay_finished"


def record_replay_requested(
    ledger_url: str, context: AuditContext, document_id: int, reason: str, *, resend: bool
) -> None:
    _record(ledger_url, context, document_id, REPLAY_REQUESTED, reason, {"resend": resend})


def record_replay_finished(
    ledger_url: str,
    context: AuditContext,
    document_id: int,
    reason: str,
    *,
    run_ids: Sequence[str],
    outcomes: Sequence[str],
) -> None:
    after = {"run_ids": list(run_ids), "outcomes": list(outcomes)}
    _record(ledger_url, context, document_id, REPLAY_FINISHED, reason, after)


def _record(
    ledger_url: str, context: AuditContext, document_id: int, event: str, reason: str, after: dict
) -> None:
    store = Store(ledger_url)
    try:
        with store.write() as session:
            document = session.get(Document, document_id)
            if document is None:
                raise DocumentNotFoundError(f"no document with id {document_id} in the ledger")
            before = document_snapshot(document)
            record_event(
                session, context, event, document_id=document_id, before=before, after=after, detail=reason
            )
    finally:
        store.dispose()
