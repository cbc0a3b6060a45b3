"""Unfinished work in the ledger: what the next sync, sensor tick or run retry must drive on.

Unfinished means a remote write is still owed and nobody has to decide anything first: a document
pending (stored but not written, a replacement or cancellation not applied, an upload whose answer
was lost) or one whose write is announced by an open intent. Quarantined, failed-for-good and held
documents wait for a person and are never picked up here.

Backoff needs no column of its own: each transient failure is an audit event ("retry_scheduled",
written with the state change), so the attempts since the document last reached the remote side
and the time of the last one come from the trail, and the trail cannot disagree with the ledger.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from .audit import AuditContext, document_snapshot, record_event
from .queries import load_document
from .storage.models import AuditEvent, Document, DocumentVersion, ReceivedFile, SyncIntent
from .vocabulary import Direction, DocumentState

RETRY_SCHEDULED = "retry_scheduled"
_SETTLED_EVENTS = ("synced", "closed", "requeued")  # the count of attempts starts again after these
FIRST_DELAY = timedelta(minutes=1)
MAX_DELAY = timedelta(hours=1)
# A document stored (or an intent begun) this recently may still be in the hands of a live run.
IN_FLIGHT_GRACE = timedelta(minutes=2)
_CHUNK = 500  # ids per IN (...) clause


def backoff(attempts: int) -> timedelta:
    """Exponential: 1, 2, 4, … minutes after the last transient failure, at most an hour."""
    if attempts <= 0:
        return timedelta(0)
    return min(FIRST_DELAY * 2 ** (attempts - 1), MAX_DELAY)


@dataclass(frozen=True)
class UnfinishedDocument:
    id: int
    direction: Direction
    doc_type: str
    trading_partner_id: str
    business_key: str
    qbo_entity: str | None
    qbo_id: str | None
    reason: str | None  # the last transient failure, or why it is still owed
    attempts: int  # transient failures since it last reached the remote side
    due_at: datetime  # when a sensor may drive it on (a sync does not wait)
    open_intent: bool
    source_path: str | None  # inbound: the mailbox file that last delivered it (its partition)

    def due(self, now: datetime) -> bool:
        return self.due_at <= now


def schedule_retry(session: Session, context: AuditContext, document_id: int, reason: str) -> None:
    """A transient failure (429, 5xx, a timeout, a lost answer) after the client's own retries:
    the write stays owed, and the next sync or tick after the backoff drives it on."""
    doc = load_document(session, document_id, lock=True)
    before = document_snapshot(doc)
    doc.state, doc.reason = DocumentState.PENDING.value, reason
    session.flush()
    record_event(
        session,
        context,
        RETRY_SCHEDULED,
        document_id=doc.id,
        before=before,
        after=document_snapshot(doc),
        detail=reason,
    )


def unfinished_documents(
    session: Session, direction: Direction | None = None, limit: int = 5000
) -> list[UnfinishedDocument]:
    """Every unfinished document (oldest change first), with its attempts and when it is due."""
    with_open_intent = select(SyncIntent.document_id).where(SyncIntent.completed_at.is_(None))
    statement = select(Document).where(
        or_(Document.state == DocumentState.PENDING.value, Document.id.in_(with_open_intent)),
        Document.state != DocumentState.QUARANTINED.value,
    )
    if direction is not None:
        statement = statement.where(Document.direction == direction.value)
    docs = list(session.scalars(statement.order_by(Document.updated_at, Document.id).limit(limit)))
    return _unfinished(session, docs, with_files=direction is not Direction.OUTBOUND)


ACK_OWED = "its order acknowledgment (855) is not sent yet"


def orders_owing_acks(
    session: Session, partners: Collection[str], limit: int = 5000
) -> list[UnfinishedDocument]:
    """Orders in QBO whose 855 is owed (the partner wants acks) but was never recorded, is still
    pending, or predates the order's current version (a replacement): a run that died between the
    QBO write and the ack leaves nothing else to say so. The
    ack's own failures set the backoff; one that failed for good waits for a person."""
    if not partners:
        return []
    ack, ack_event, current = aliased(Document), aliased(AuditEvent), aliased(DocumentVersion)
    # The ack was settled (sent, found unchanged, or refused for good) after the order's current
    # version arrived: a replacement received later owes its partner a new 855.
    considered = exists().where(ack_event.document_id == ack.id, ack_event.at >= current.received_at)
    settled_ack = exists().where(
        ack.direction == Direction.OUTBOUND.value,
        ack.doc_type == "OrderAck",
        ack.trading_partner_id == Document.trading_partner_id,
        ack.business_key == Document.business_key,
        ack.state != DocumentState.PENDING.value,
        considered.correlate_except(ack_event),
    )
    statement = (
        select(Document)
        .join(current, current.id == Document.current_version_id)
        .where(
            Document.direction == Direction.INBOUND.value,
            Document.doc_type == "Order",
            Document.state == DocumentState.SYNCED.value,
            Document.trading_partner_id.in_(list(partners)),
            ~settled_ack,
        )
    )
    orders = list(session.scalars(statement.order_by(Document.updated_at, Document.id).limit(limit)))
    pending_acks = {
        (row.trading_partner_id, row.business_key): row
        for row in session.scalars(
            select(Document).where(
                Document.direction == Direction.OUTBOUND.value,
                Document.doc_type == "OrderAck",
                Document.state == DocumentState.PENDING.value,
                Document.trading_partner_id.in_(list(partners)),
            )
        )
    }
    acks = {a.id: a for a in _unfinished(session, list(pending_acks.values()), with_files=False)}
    owed = []
    for order in _unfinished(session, orders, with_files=True):
        pending = pending_acks.get((order.trading_partner_id, order.business_key))
        timing = acks.get(pending.id) if pending is not None else None
        owed.append(
            replace(
                order,
                reason=(timing.reason if timing and timing.reason else ACK_OWED),
                attempts=timing.attempts if timing else 0,
                due_at=timing.due_at if timing else order.due_at,
                open_intent=timing.open_intent if timing else False,
            )
        )
    return owed


def _unfinished(session: Session, docs: list[Document], *, with_files: bool) -> list[UnfinishedDocument]:
    ids = [doc.id for doc in docs]
    tries = _attempts(session, ids)
    intents = _latest_intents(session, ids)
    files = _latest_files(session, ids) if with_files else {}
    result = []
    for doc in docs:
        attempts, last_try = tries.get(doc.id, (0, None))
        intent_started, intent_open = intents.get(doc.id, (None, False))
        if last_try is not None:
            due_at = last_try + backoff(attempts)
        else:  # never failed: due once no live run can still be on it
            due_at = max(filter(None, [doc.updated_at, intent_started])) + IN_FLIGHT_GRACE
        result.append(
            UnfinishedDocument(
                id=doc.id,
                direction=Direction(doc.direction),
                doc_type=doc.doc_type,
                trading_partner_id=doc.trading_partner_id,
                business_key=doc.business_key,
                qbo_entity=doc.qbo_entity,
                qbo_id=doc.qbo_id,
                reason=doc.reason,
                attempts=attempts,
                due_at=due_at,
                open_intent=intent_open,
                source_path=files.get(doc.id),
            )
        )
    return result


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def _attempts(session: Session, ids: list[int]) -> dict[int, tuple[int, datetime | None]]:
    """Per document: transient failures since it last settled, and when the last one was."""
    events: dict[int, list[tuple[str, datetime]]] = {}
    for chunk in _chunks(ids):
        rows = session.execute(
            select(AuditEvent.document_id, AuditEvent.event, AuditEvent.at)
            .where(
                AuditEvent.document_id.in_(chunk),
                AuditEvent.event.in_([RETRY_SCHEDULED, *_SETTLED_EVENTS]),
            )
            .order_by(AuditEvent.id)
        )
        for document_id, event, at in rows:
            events.setdefault(document_id, []).append((event, at))
    counted: dict[int, tuple[int, datetime | None]] = {}
    for document_id, trail in events.items():
        attempts, last = 0, None
        for event, at in trail:
            if event == RETRY_SCHEDULED:
                attempts, last = attempts + 1, at
            else:
                attempts, last = 0, None
        counted[document_id] = (attempts, last)
    return counted


def _latest_intents(session: Session, ids: list[int]) -> dict[int, tuple[datetime, bool]]:
    latest: dict[int, tuple[datetime, bool]] = {}
    for chunk in _chunks(ids):
        rows = session.execute(
            select(SyncIntent.document_id, SyncIntent.started_at, SyncIntent.completed_at)
            .where(SyncIntent.document_id.in_(chunk))
            .order_by(SyncIntent.id)
        )
        for document_id, started_at, completed_at in rows:
            latest[document_id] = (started_at, completed_at is None)
    return latest


def _latest_files(session: Session, ids: list[int]) -> dict[int, str]:
    """The mailbox file that last delivered each document (inbound partitions are files)."""
    files: dict[int, str] = {}
    for chunk in _chunks(ids):
        newest = (
            select(ReceivedFile.document_id, func.max(ReceivedFile.id).label("last"))
            .where(ReceivedFile.document_id.in_(chunk))
            .group_by(ReceivedFile.document_id)
            .subquery()
        )
        rows = session.execute(
            select(ReceivedFile.document_id, ReceivedFile.source_path).join(
                newest, ReceivedFile.id == newest.c.last
            )
        )
        files.update({document_id: path for document_id, path in rows})
    return files
