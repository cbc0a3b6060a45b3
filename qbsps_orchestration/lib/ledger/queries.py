"""Read-side helpers shared by the write paths and the façade."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..changes import ORDER_ENTITIES
from .dedup import DocumentFacts
from .errors import DocumentNotFoundError, InvalidTransitionError
from .records import DocumentRecord, VersionRecord
from .storage.models import Document, DocumentVersion
from .vocabulary import Direction, Disposition, DocumentState


def load_document(session: Session, document_id: int, *, lock: bool = False) -> Document:
    statement = select(Document).where(Document.id == document_id)
    if lock:  # FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE write transaction already serialises
        statement = statement.with_for_update()
    doc = session.scalars(statement).one_or_none()
    if doc is None:
        raise DocumentNotFoundError(f"no ledger document with id {document_id}")
    return doc


def load_version(session: Session, version_id: int) -> DocumentVersion:
    version = session.get(DocumentVersion, version_id)
    if version is None:
        raise DocumentNotFoundError(f"no ledger document version with id {version_id}")
    return version


def load_version_of(session: Session, doc: Document, version_id: int) -> DocumentVersion:
    version = load_version(session, version_id)
    if version.document_id != doc.id:
        raise InvalidTransitionError(
            f"version {version_id} belongs to document {version.document_id}, not to document {doc.id} "
            f"({doc.doc_type} {doc.trading_partner_id}/{doc.business_key})"
        )
    return version


def facts_of(session: Session, doc: Document) -> DocumentFacts:
    current = session.get(DocumentVersion, doc.current_version_id) if doc.current_version_id else None
    return DocumentFacts(
        direction=Direction(doc.direction),
        state=DocumentState(doc.state),
        qbo_id=doc.qbo_id,
        current_disposition=Disposition(current.disposition) if current else None,
    )


def find_document(
    session: Session, direction: Direction, doc_type: str, trading_partner_id: str, business_key: str
) -> DocumentRecord | None:
    doc = session.scalars(
        select(Document).where(
            Document.direction == direction.value,
            Document.doc_type == doc_type,
            Document.trading_partner_id == trading_partner_id,
            Document.business_key == business_key,
        )
    ).one_or_none()
    return DocumentRecord.of(doc) if doc else None


def versions_of(session: Session, document_id: int) -> list[VersionRecord]:
    rows = session.scalars(
        select(DocumentVersion).where(DocumentVersion.document_id == document_id).order_by(DocumentVersion.id)
    )
    return [VersionRecord.of(row) for row in rows]


def revision_of(session: Session, version_id: int) -> int:
    """The version's 1-based place among its document's versions."""
    version = load_version(session, version_id)
    statement = select(func.count()).where(
        DocumentVersion.document_id == version.document_id, DocumentVersion.id <= version_id
    )
    return session.scalar(statement) or 1


def order_files(session: Session, entity_ids: list[str]) -> dict[tuple[str, str], str]:
    found: dict[tuple[str, str], str] = {}
    wanted = sorted(set(entity_ids))
    for start in range(0, len(wanted), 500):  # far below SQLite's bound-parameter limit
        rows = session.execute(
            select(Document.qbo_entity, Document.qbo_id, DocumentVersion.source_path)
            .join(DocumentVersion, DocumentVersion.id == Document.current_version_id)
            .where(
                Document.direction == Direction.INBOUND.value,
                Document.qbo_entity.in_(ORDER_ENTITIES),
                Document.qbo_id.in_(wanted[start : start + 500]),
            )
        )
        found.update({(r.qbo_entity, r.qbo_id): r.source_path for r in rows if r.source_path})
    return found


def counts_by_state(session: Session, direction: Direction | None, doc_type: str | None) -> dict[str, int]:
    statement = select(Document.state, func.count()).group_by(Document.state)
    if direction is not None:
        statement = statement.where(Document.direction == direction.value)
    if doc_type is not None:
        statement = statement.where(Document.doc_type == doc_type)
    return {state: count for state, count in session.execute(statement)}


def documents_in_states(
    session: Session, states: frozenset[DocumentState], direction: Direction | None, limit: int
) -> list[DocumentRecord]:
    statement = select(Document).where(Document.state.in_([s.value for s in states]))
    if direction is not None:
        statement = statement.where(Document.direction == direction.value)
    rows = session.scalars(statement.order_by(Document.updated_at.desc(), Document.id.desc()).limit(limit))
    return [DocumentRecord.of(row) for row in rows]


def held_conflicts(session: Session, limit: int) -> list[VersionRecord]:
    rows = session.scalars(
        select(DocumentVersion)
        .where(DocumentVersion.disposition == Disposition.CONFLICT.value)
        .order_by(DocumentVersion.id)
        .limit(limit)
    )
    return [VersionRecord.of(row) for row in rows]


def recent_documents(
    session: Session, direction: Direction, doc_type: str, limit: int
) -> list[DocumentRecord]:
    statement = (
        select(Document)
        .where(Document.direction == direction.value, Document.doc_type == doc_type)
        .order_by(Document.updated_at.desc(), Document.id.desc())
        .limit(limit)
    )
    return [DocumentRecord.of(row) for row in session.scalars(statement)]
