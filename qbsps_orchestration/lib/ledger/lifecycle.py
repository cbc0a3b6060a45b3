"""State changes after the remote write: synced, failed, quarantined."""

from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.orm import Session

from .audit import AuditContext, document_snapshot, record_event
from .dedup import KNOWN_CODES
from .errors import InvalidTransitionError
from .queries import load_document, load_version, load_version_of
from .records import RecordOutcome
from .storage.models import Document, DocumentVersion
from .vocabulary import Action, Direction, Disposition, DocumentState, TsetPurposeCode

_WRITABLE = frozenset(
    {Disposition.PENDING, Disposition.REPLACEMENT, Disposition.CANCELLATION, Disposition.APPLIED}
)


def mark_synced(
    session: Session,
    context: AuditContext,
    document_id: int,
    *,
    version_id: int | None = None,
    qbo_id: str | None = None,
    sync_token: str | None = None,
    doc_number: str | None = None,
    qbo_entity: str | None = None,
) -> None:
    """The remote side now holds `version_id` (default: the current version).

    If a newer version arrived meanwhile, the document stays pending so that version is written next.
    """
    doc = load_document(session, document_id, lock=True)
    version = load_version_of(session, doc, version_id or doc.current_version_id or 0)
    if Disposition(version.disposition) not in _WRITABLE:
        raise InvalidTransitionError(
            f"{doc.doc_type} {doc.trading_partner_id}/{doc.business_key}: version {version.id} is "
            f"{version.disposition} and cannot have been written remotely"
        )
    if doc.direction == Direction.INBOUND.value and not (qbo_id or doc.qbo_id):
        raise InvalidTransitionError(
            f"{doc.doc_type} {doc.trading_partner_id}/{doc.business_key}: "
            "qbo_id is required to mark it synced"
        )
    before = document_snapshot(doc, version)
    cancelled = version.disposition == Disposition.CANCELLATION.value
    doc.qbo_id = qbo_id or doc.qbo_id
    doc.qbo_sync_token = sync_token or doc.qbo_sync_token
    doc.qbo_doc_number = doc_number or doc.qbo_doc_number
    doc.qbo_entity = qbo_entity or doc.qbo_entity
    version.disposition = Disposition.APPLIED.value
    if version.id != doc.current_version_id:
        doc.state, doc.reason = (
            DocumentState.PENDING.value,
            f"version {version.id} written; a newer one is owed",
        )
    elif cancelled:
        doc.state, doc.reason = DocumentState.CLOSED.value, "cancellation applied"
    else:
        doc.state, doc.reason = DocumentState.SYNCED.value, None
    session.flush()
    record_event(
        session,
        context,
        "closed" if cancelled else "synced",
        document_id=doc.id,
        before=before,
        after=document_snapshot(doc, version),
    )


def mark_failed(session: Session, context: AuditContext, document_id: int, reason: str) -> None:
    """The remote write failed for good (after retries); the reason is shown to operators."""
    doc = load_document(session, document_id, lock=True)
    before = document_snapshot(doc)
    doc.state, doc.reason = DocumentState.FAILED.value, reason
    session.flush()
    record_event(
        session,
        context,
        "failed",
        document_id=doc.id,
        before=before,
        after=document_snapshot(doc),
        detail=reason,
    )


def quarantine(
    session: Session,
    context: AuditContext,
    reason: str,
    *,
    document_id: int | None = None,
    version_id: int | None = None,
) -> None:
    """Bad input: keep it with its reason. A quarantined current version quarantines its document."""
    if (document_id is None) == (version_id is None):
        raise ValueError("quarantine needs exactly one of document_id or version_id")
    if version_id is not None:
        version: DocumentVersion | None = load_version(session, version_id)
        doc = load_document(session, version.document_id, lock=True)
    else:
        doc = load_document(session, document_id or 0, lock=True)
        version = session.get(DocumentVersion, doc.current_version_id) if doc.current_version_id else None
    before = document_snapshot(doc, version)
    if version is not None:
        version.disposition, version.reason = Disposition.QUARANTINED.value, reason
    if version is None or version.id == doc.current_version_id:
        doc.state, doc.reason = DocumentState.QUARANTINED.value, reason
    session.flush()
    record_event(
        session,
        context,
        "quarantined",
        document_id=doc.id,
        before=before,
        after=document_snapshot(doc, version),
        detail=reason,
    )


def requeue(session: Session, context: AuditContext, document_id: int, reason: str) -> bool:
    """A replay of a quarantined document (its cause, e.g. a missing item mapping, may be fixed):
    its current version is owed again. Returns False when there is nothing that can be retried:
    not quarantined, or a purpose code qbsps does not handle."""
    doc = load_document(session, document_id, lock=True)
    version = session.get(DocumentVersion, doc.current_version_id) if doc.current_version_id else None
    if doc.state != DocumentState.QUARANTINED.value or version is None:
        return False
    if version.tset_purpose_code not in KNOWN_CODES:
        return False
    before = document_snapshot(doc, version)
    if version.tset_purpose_code == TsetPurposeCode.CANCELLATION.value:
        version.disposition = Disposition.CANCELLATION.value
    elif doc.qbo_id:
        version.disposition = Disposition.REPLACEMENT.value
    else:
        version.disposition = Disposition.PENDING.value
    version.reason = None
    doc.state, doc.reason = DocumentState.PENDING.value, None
    session.flush()
    record_event(
        session,
        context,
        "requeued",
        document_id=doc.id,
        before=before,
        after=document_snapshot(doc, version),
        detail=reason,
    )
    return True


def quarantine_unreadable(
    session: Session,
    context: AuditContext,
    *,
    direction: Direction,
    doc_type: str,
    payload: bytes,
    reason: str,
    source_path: str | None = None,
    trading_partner_id: str = "",
    file_format: str = "unknown",
) -> RecordOutcome:
    """A payload too broken to yield a dedup key is still kept; its content hash is its key,
    so fetching the same broken file again is a duplicate, not a second quarantine."""
    content_hash = hashlib.sha256(payload).hexdigest()
    key = f"unreadable:{content_hash}"
    doc = session.scalars(
        select(Document).where(
            Document.direction == direction.value,
            Document.doc_type == doc_type,
            Document.trading_partner_id == trading_partner_id,
            Document.business_key == key,
        )
    ).one_or_none()
    if doc is not None:
        record_event(
            session,
            context,
            "duplicate_skipped",
            document_id=doc.id,
            detail=f"{source_path or 'unknown source'}: the same unreadable payload again",
        )
        return RecordOutcome(
            Action.SKIP,
            doc.id,
            doc.current_version_id or 0,
            DocumentState(doc.state),
            Disposition.QUARANTINED,
            True,
            "unreadable payload already quarantined",
        )
    doc = Document(
        direction=direction.value,
        doc_type=doc_type,
        trading_partner_id=trading_partner_id,
        business_key=key,
        state=DocumentState.QUARANTINED.value,
        reason=reason,
    )
    session.add(doc)
    session.flush()
    version = DocumentVersion(
        document_id=doc.id,
        content_hash=content_hash,
        payload=payload,
        format=file_format,
        source_path=source_path,
        disposition=Disposition.QUARANTINED.value,
        reason=reason,
    )
    session.add(version)
    session.flush()
    doc.current_version_id = version.id
    session.flush()
    record_event(
        session,
        context,
        "quarantined",
        document_id=doc.id,
        after=document_snapshot(doc, version),
        detail=f"{source_path or 'unknown source'}: {reason}",
    )
    return RecordOutcome(
        Action.SKIP, doc.id, version.id, DocumentState.QUARANTINED, Disposition.QUARANTINED, False, reason
    )
