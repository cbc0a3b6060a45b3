"""The change inbox (QBO changes waiting for a run) and named sequences (SSCC serials).

Both write with one INSERT .. ON CONFLICT statement, which SQLite (>= 3.35) and PostgreSQL
resolve atomically: two receivers storing the same change keep one row, and two runs drawing
from one sequence never get the same number.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ...changes import DOCUMENT_ENTITIES, ORDER_ENTITIES, ChangeEvent
from ..errors import LedgerInputError
from ..storage.models import ChangeRecord, Document, SequenceCounter, utcnow
from ..vocabulary import Direction, DocumentState

_IDENTITY = ["realm_id", "entity", "entity_id", "changed_at"]
_CHUNK = 500  # rows per INSERT: far below SQLite's bound-parameter limit
# A document in one of these states needs nothing more from a change that produced it.
_DONE = frozenset({DocumentState.SYNCED, DocumentState.CLOSED, DocumentState.CANCELLED})


@dataclass(frozen=True)
class InboxRecord:
    id: int
    realm_id: str
    entity: str
    entity_id: str
    operation: str
    changed_at: datetime
    source: str  # the path that reported the change first: webhook, cdc or sweep
    event_id: str | None
    received_at: datetime
    handled_at: datetime | None
    run_id: str | None

    @classmethod
    def of(cls, row: ChangeRecord) -> InboxRecord:
        return cls(
            id=row.id,
            realm_id=row.realm_id,
            entity=row.entity,
            entity_id=row.entity_id,
            operation=row.operation,
            changed_at=row.changed_at,
            source=row.source,
            event_id=row.event_id,
            received_at=row.received_at,
            handled_at=row.handled_at,
            run_id=row.run_id,
        )


def _insert(session: Session, table: Any) -> Any:
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        return sqlite.insert(table)
    if dialect == "postgresql":
        return postgresql.insert(table)
    raise NotImplementedError(f"the ledger supports SQLite and PostgreSQL, not {dialect}")


def record_changes(session: Session, events: Iterable[ChangeEvent]) -> int:
    """Store each change unless its identity is already there; returns how many rows now wait for a
    run that did not before: new rows, plus handled rows reopened by a distinct webhook event or
    re-reported (CDC, sweep, webhook retry) while their documents never reached SPS."""
    first: dict[tuple[str, str, str, datetime], ChangeEvent] = {}
    for event in _worth_keeping(session, list(events)):
        first.setdefault(event.identity, event)  # the first report of a change wins
    # Rows are written in identity order: two receivers storing overlapping batches then take
    # their row locks in one order and one waits for the other, where any other order can deadlock.
    unique = dict(sorted(first.items()))
    at = utcnow()
    rows = [
        {
            "realm_id": e.realm_id,
            "entity": e.entity,
            "entity_id": e.entity_id,
            "changed_at": e.occurred_at,
            "operation": e.operation,
            "source": e.source,
            "event_id": e.event_id,
            "received_at": at,
        }
        for e in unique.values()
    ]
    inserted: set[tuple[str, str, str, datetime]] = set()
    for start in range(0, len(rows), _CHUNK):
        statement = (
            _insert(session, ChangeRecord)
            .values(rows[start : start + _CHUNK])
            .on_conflict_do_nothing(index_elements=_IDENTITY)
            .returning(
                ChangeRecord.realm_id, ChangeRecord.entity, ChangeRecord.entity_id, ChangeRecord.changed_at
            )
        )
        inserted.update((r.realm_id, r.entity, r.entity_id, r.changed_at) for r in session.execute(statement))
    reopened = 0
    for identity, event in unique.items():
        if identity in inserted:
            continue
        again = _reopen_for_new_event(session, event, at) if event.event_id is not None else 0
        reopened += again or _reopen_unsent(session, event, at)
    return len(inserted) + reopened


def _worth_keeping(session: Session, events: list[ChangeEvent]) -> list[ChangeEvent]:
    """Changes of orders (PurchaseOrder, Estimate) matter only as a bookkeeper's edit of an SPS
    order qbsps put in QBO: its 855 follows. Not kept: a QBO order that did not come from SPS, a
    CDC or sweep row whose SyncToken is still the one qbsps's own write left, and a webhook that is
    no update (qbsps's own create, a deletion: deletions are not acknowledged, not built)."""
    orders = [e for e in events if e.entity in ORDER_ENTITIES and _maybe_an_edit(e)]
    wanted = sorted({e.entity_id for e in orders})
    tokens: dict[tuple[str, str], str | None] = {}
    for start in range(0, len(wanted), _CHUNK):
        rows = session.execute(
            select(Document.qbo_entity, Document.qbo_id, Document.qbo_sync_token).where(
                Document.direction == Direction.INBOUND.value,
                Document.qbo_entity.in_(ORDER_ENTITIES),
                Document.qbo_id.in_(wanted[start : start + _CHUNK]),
            )
        )
        tokens.update({(r.qbo_entity, r.qbo_id): r.qbo_sync_token for r in rows})

    def keep(event: ChangeEvent) -> bool:
        if event.entity not in ORDER_ENTITIES:
            return True
        key = (event.entity, event.entity_id)
        if not _maybe_an_edit(event) or key not in tokens:
            return False
        return event.sync_token is None or event.sync_token != tokens[key]

    return [e for e in events if keep(e)]


def _maybe_an_edit(event: ChangeEvent) -> bool:
    """A row with its SyncToken tells by the token (QBO's whole-second times can make an edit in the
    creating second look like the create); a webhook only by its operation."""
    if event.operation == "Delete":
        return False
    return event.sync_token is not None or event.operation == "Update"


def _reopen_for_new_event(session: Session, event: ChangeEvent, at: datetime) -> int:
    """A second, distinct webhook event (new CloudEvents id) for a change already handled.

    LastUpdatedTime has whole seconds, so two changes of one entity within a second share an
    identity; if a run handled the first before the second happened, only a new event id can tell.
    Retries re-send the same id and so never reopen a row.
    """
    realm_id, entity, entity_id, changed_at = event.identity
    result = session.execute(
        update(ChangeRecord)
        .where(
            ChangeRecord.realm_id == realm_id,
            ChangeRecord.entity == entity,
            ChangeRecord.entity_id == entity_id,
            ChangeRecord.changed_at == changed_at,
            ChangeRecord.handled_at.is_not(None),
            or_(ChangeRecord.event_id.is_(None), ChangeRecord.event_id != event.event_id),
        )
        .values(
            handled_at=None, run_id=None, event_id=event.event_id, operation=event.operation, received_at=at
        )
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def _reopen_unsent(session: Session, event: ChangeEvent, at: datetime) -> int:
    """A re-report of an entity's latest change, handled although its documents never reached SPS
    (none recorded, or one still pending, failed or quarantined): pending again, so a run takes it.

    That heals a change a run marked handled before it sent anything (a crash, a lost run). The
    time it is received again is its new `received_at`, so a run that read the invoice earlier
    leaves it pending. A row whose entity changed again later is left alone: that row is the one.
    """
    if event.entity not in DOCUMENT_ENTITIES:
        return 0
    realm_id, entity, entity_id, changed_at = event.identity
    same_entity = (
        ChangeRecord.realm_id == realm_id,
        ChangeRecord.entity == entity,
        ChangeRecord.entity_id == entity_id,
    )
    if session.scalar(select(func.max(ChangeRecord.changed_at)).where(*same_entity)) != changed_at:
        return 0
    states = set(
        session.scalars(
            select(Document.state).where(
                Document.direction == Direction.OUTBOUND,
                Document.qbo_entity == entity,
                Document.qbo_id == entity_id,
            )
        )
    )
    if states and states <= _DONE:
        return 0
    result = session.execute(
        update(ChangeRecord)
        .where(*same_entity, ChangeRecord.changed_at == changed_at, ChangeRecord.handled_at.is_not(None))
        .values(handled_at=None, run_id=None, received_at=at)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def pending_changes(session: Session, entity: str | Sequence[str] | None, limit: int) -> list[InboxRecord]:
    """Unhandled changes (of one entity, or of several), oldest change first (ties: arrival order)."""
    if limit < 1:
        raise LedgerInputError(f"pending_changes limit must be at least 1, got {limit}")
    query = select(ChangeRecord).where(ChangeRecord.handled_at.is_(None))
    if isinstance(entity, str):
        query = query.where(ChangeRecord.entity == entity)
    elif entity is not None:
        query = query.where(ChangeRecord.entity.in_(list(entity)))
    rows = session.scalars(query.order_by(ChangeRecord.changed_at, ChangeRecord.id).limit(limit))
    return [InboxRecord.of(row) for row in rows]


def mark_changes_handled(session: Session, ids: Sequence[int], run_id: str | None) -> int:
    """Mark these inbox rows handled by `run_id`; rows handled before keep their first run."""
    wanted = sorted(set(ids))
    if not wanted:
        return 0
    known = set(session.scalars(select(ChangeRecord.id).where(ChangeRecord.id.in_(wanted))))
    if missing := [i for i in wanted if i not in known]:
        raise LedgerInputError(f"no change inbox row with id {', '.join(map(str, missing))}")
    result = session.execute(
        update(ChangeRecord)
        .where(ChangeRecord.id.in_(wanted), ChangeRecord.handled_at.is_(None))
        .values(handled_at=utcnow(), run_id=run_id)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def mark_entity_changes_handled(
    session: Session, entity: str, entity_ids: Sequence[str], received_before: datetime, run_id: str | None
) -> int:
    """Mark handled the pending changes of these entities that arrived before `received_before`
    (when the run that processed them started reading): a change that came later stays pending."""
    wanted = sorted(set(entity_ids))
    at, marked = utcnow(), 0
    for start in range(0, len(wanted), _CHUNK):
        result = session.execute(
            update(ChangeRecord)
            .where(
                ChangeRecord.entity == entity,
                ChangeRecord.entity_id.in_(wanted[start : start + _CHUNK]),
                ChangeRecord.handled_at.is_(None),
                ChangeRecord.received_at <= received_before,
            )
            .values(handled_at=at, run_id=run_id)
            .execution_options(synchronize_session=False)
        )
        marked += int(result.rowcount)  # type: ignore[attr-defined]
    return marked


def next_values(session: Session, name: str, count: int) -> range:
    """Reserve `count` consecutive numbers of sequence `name` (starting at 1) and return them."""
    if not name or len(name) > 128:
        raise LedgerInputError(f"sequence name must be 1-128 characters, got {name!r}")
    if count < 1:
        raise LedgerInputError(f"sequence {name}: count must be at least 1, got {count}")
    now = utcnow()
    statement = (
        _insert(session, SequenceCounter)
        .values(name=name, value=count, updated_at=now)
        .on_conflict_do_update(
            index_elements=["name"],
            set_={"value": SequenceCounter.value + count, "updated_at": now},
        )
        .returning(SequenceCounter.value)
    )
    last = int(session.execute(statement).scalar_one())
    return range(last - count + 1, last + 1)
