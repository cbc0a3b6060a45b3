"""Crash safety: a remote write is announced (intent) before it is made and completed after.

An intent still open when a run starts means a previous run may or may not have written: the caller
must reconcile first (QBO: look the document up by DocNumber, or repeat the write with the intent's
`requestid`, which QBO answers with the original response instead of writing twice; SPS: the
deterministic path in `in/` and the history).

An intent belongs to one operation on one version. Only the same write is handed back
(OpenIntentError, with its requestid); an open intent of another version or operation raises
EarlierIntentError instead, so that write is settled first and its requestid is never reused for a
different change.
"""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .audit import AuditContext, record_event
from .errors import EarlierIntentError, InvalidTransitionError, OpenIntentError
from .queries import load_document, load_version_of
from .records import IntentRecord
from .storage.models import SyncIntent, utcnow
from .vocabulary import Action, IntentOutcome

REMOTE_WRITES = frozenset({Action.CREATE, Action.UPDATE, Action.CLOSE, Action.SEND})
# Fixed namespace: the same document, content, operation and attempt always give the same requestid,
# even from a fresh ledger, which is what makes QBO's replay cache protect us after a lost database.
_REQUESTID_NAMESPACE = uuid.UUID("5b0b8f7e-2f43-4c55-9a53-6f1d1e4b9c21")


def begin_intent(
    session: Session,
    context: AuditContext,
    document_id: int,
    operation: Action,
    version_id: int | None = None,
) -> IntentRecord:
    if operation not in REMOTE_WRITES:
        raise ValueError(
            f"{operation.value!r} is not a remote write (expected create, update, close or send)"
        )
    doc = load_document(session, document_id, lock=True)
    label = f"{doc.doc_type} {doc.trading_partner_id}/{doc.business_key}"
    open_intent = session.scalars(
        select(SyncIntent).where(SyncIntent.document_id == doc.id, SyncIntent.completed_at.is_(None))
    ).one_or_none()
    version = load_version_of(session, doc, version_id or doc.current_version_id or 0)
    if open_intent is not None:
        record = IntentRecord.of(open_intent)
        if open_intent.version_id != version.id or open_intent.operation != operation.value:
            raise EarlierIntentError(
                f"{label}: a {open_intent.operation} of version {open_intent.version_id} started at "
                f"{open_intent.started_at.isoformat()} is unconfirmed; settle it before the "
                f"{operation.value} of version {version.id}",
                record,
            )
        raise OpenIntentError(
            f"{label}: a {open_intent.operation} started at {open_intent.started_at.isoformat()} never "
            f"completed (requestid {open_intent.requestid}); reconcile it before writing again",
            open_intent.id,
            open_intent.requestid,
            record,
        )
    previous = session.scalar(
        select(func.count())
        .select_from(SyncIntent)
        .where(
            SyncIntent.document_id == doc.id,
            SyncIntent.version_id == version.id,
            SyncIntent.operation == operation.value,
        )
    )
    attempt = int(previous or 0) + 1
    identity = "|".join(
        [
            doc.direction,
            doc.doc_type,
            doc.trading_partner_id,
            doc.business_key,
            version.content_hash,
            operation.value,
            str(attempt),
        ]
    )
    intent = SyncIntent(
        document_id=doc.id,
        version_id=version.id,
        operation=operation.value,
        attempt=attempt,
        requestid=uuid.uuid5(_REQUESTID_NAMESPACE, identity).hex,  # 32 chars: within QBO's 36 for batch
    )
    session.add(intent)
    session.flush()  # a concurrent begin for this document fails here on the one-open-intent index
    record_event(
        session,
        context,
        "intent_begun",
        document_id=doc.id,
        after={
            "intent_id": intent.id,
            "operation": operation.value,
            "version_id": version.id,
            "attempt": attempt,
            "requestid": intent.requestid,
        },
    )
    return IntentRecord.of(intent)


def complete_intent(
    session: Session, context: AuditContext, intent_id: int, outcome: IntentOutcome, detail: str | None = None
) -> IntentRecord:
    intent = session.scalars(
        select(SyncIntent).where(SyncIntent.id == intent_id).with_for_update()
    ).one_or_none()
    if intent is None:
        raise InvalidTransitionError(f"no sync intent with id {intent_id}")
    if intent.completed_at is not None:
        raise InvalidTransitionError(
            f"sync intent {intent_id} ({intent.requestid}) was already completed as {intent.outcome}"
        )
    intent.completed_at = utcnow()
    intent.outcome = outcome.value
    intent.detail = detail
    session.flush()
    record_event(
        session,
        context,
        "intent_completed",
        document_id=intent.document_id,
        before={"intent_id": intent.id, "open": True},
        after={"intent_id": intent.id, "outcome": outcome.value},
        detail=detail,
    )
    return IntentRecord.of(intent)


def open_intents(session: Session, document_id: int | None = None) -> list[IntentRecord]:
    statement = select(SyncIntent).where(SyncIntent.completed_at.is_(None))
    if document_id is not None:
        statement = statement.where(SyncIntent.document_id == document_id)
    return [IntentRecord.of(row) for row in session.scalars(statement.order_by(SyncIntent.id))]
