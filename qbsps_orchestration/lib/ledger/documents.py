"""Recording received documents under the dedup rules, and the operator's answer to a conflict."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .audit import AuditContext, document_snapshot, record_event
from .dedup import Decision, decide_duplicate, decide_first, decide_next, pending_action
from .errors import InvalidTransitionError, LedgerInputError
from .queries import facts_of, load_document, load_version
from .records import RecordOutcome
from .storage.models import Document, DocumentVersion, utcnow
from .vocabulary import Direction, Disposition, DocumentState


@dataclass(frozen=True)
class ReceivedDocument:
    """One fetched or replayed document, as the ledger needs it."""

    direction: Direction
    doc_type: str  # RSX name: "Order", "Invoice", "Shipment", "OrderAck"
    trading_partner_id: str
    business_key: str  # PurchaseOrderNumber / InvoiceNumber / ShipmentIdentification
    payload: bytes  # raw, exactly as received, for replay
    format: str = "xml"
    tset_purpose_code: str | None = None
    source_path: str | None = None
    # A hash of a canonical form, when the caller has one (XML vs JSON of the same document);
    # otherwise sha256 of the raw payload.
    content_hash: str | None = None
    received_at: datetime = field(default_factory=utcnow)
    warnings: tuple[str, ...] = ()
    qbo_entity: str | None = None  # outbound: the QBO source transaction
    qbo_id: str | None = None

    def label(self) -> str:
        partner, key = self.trading_partner_id or "?", self.business_key or "?"
        return f"{self.direction.value} {self.doc_type} {partner}/{key}"

    def describe(self, reason: str) -> str:
        return f"{self.source_path}: {reason}" if self.source_path else reason

    def validated(self) -> ReceivedDocument:
        for name in ("doc_type", "trading_partner_id", "business_key"):
            if not str(getattr(self, name) or "").strip():
                raise LedgerInputError(
                    f"{self.label()} (from {self.source_path or 'unknown source'}): "
                    f"{name} is empty, so the document has no dedup key"
                )
        if not isinstance(self.payload, bytes):
            raise LedgerInputError(f"{self.label()}: payload must be the raw bytes received")
        if self.received_at.tzinfo is None:
            raise LedgerInputError(f"{self.label()}: received_at must be timezone-aware")
        return self

    def hash(self) -> str:
        return self.content_hash or hashlib.sha256(self.payload).hexdigest()


def _new_version(doc: Document, received: ReceivedDocument, decision: Decision) -> DocumentVersion:
    return DocumentVersion(
        document_id=doc.id,
        content_hash=received.hash(),
        payload=received.payload,
        format=received.format,
        tset_purpose_code=received.tset_purpose_code,
        source_path=received.source_path,
        received_at=received.received_at,
        disposition=decision.disposition.value,
        reason=decision.reason,
    )


def _outcome(doc: Document, version_id: int, decision: Decision, duplicate: bool) -> RecordOutcome:
    return RecordOutcome(
        decision.action,
        doc.id,
        version_id,
        DocumentState(doc.state),
        decision.disposition,
        duplicate,
        decision.reason,
    )


def record(session: Session, context: AuditContext, received: ReceivedDocument) -> RecordOutcome:
    """Apply the dedup rules for one received document, atomically, and say what to do next.

    Run inside `Store.write_retrying`: a concurrent insert of the same key or content raises
    IntegrityError here, and the retry then finds the other writer's row.
    """
    received = received.validated()
    doc = session.scalars(
        select(Document)
        .where(
            Document.direction == received.direction.value,
            Document.doc_type == received.doc_type,
            Document.trading_partner_id == received.trading_partner_id,
            Document.business_key == received.business_key,
        )
        .with_for_update()
    ).one_or_none()
    if doc is None:
        return _record_first(session, context, received)
    matched = session.scalars(
        select(DocumentVersion).where(
            DocumentVersion.document_id == doc.id, DocumentVersion.content_hash == received.hash()
        )
    ).one_or_none()
    facts = facts_of(session, doc)
    if matched is not None:
        decision = decide_duplicate(facts, Disposition(matched.disposition))
        record_event(
            session,
            context,
            decision.event,
            document_id=doc.id,
            after={"version_id": matched.id, "action": decision.action.value},
            detail=received.describe(decision.reason),
        )
        return _outcome(doc, matched.id, decision, duplicate=True)
    decision = decide_next(facts, received.tset_purpose_code)
    before = document_snapshot(doc)
    version = _new_version(doc, received, decision)
    session.add(version)
    session.flush()
    if decision.becomes_current:
        doc.current_version_id = version.id
    if decision.new_state is not None:
        doc.state = decision.new_state.value
        doc.reason = decision.reason
    if received.warnings:
        doc.warnings = list(received.warnings)
    session.flush()
    record_event(
        session,
        context,
        decision.event,
        document_id=doc.id,
        before=before,
        after=document_snapshot(doc, version),
        detail=received.describe(decision.reason),
    )
    return _outcome(doc, version.id, decision, duplicate=False)


def _record_first(session: Session, context: AuditContext, received: ReceivedDocument) -> RecordOutcome:
    decision = decide_first(received.tset_purpose_code, received.direction)
    assert decision.new_state is not None
    doc = Document(
        direction=received.direction.value,
        doc_type=received.doc_type,
        trading_partner_id=received.trading_partner_id,
        business_key=received.business_key,
        state=decision.new_state.value,
        qbo_entity=received.qbo_entity,
        qbo_id=received.qbo_id,
        reason=decision.reason,
        warnings=list(received.warnings) or None,
    )
    session.add(doc)
    session.flush()
    version = _new_version(doc, received, decision)
    session.add(version)
    session.flush()
    doc.current_version_id = version.id
    session.flush()
    record_event(
        session,
        context,
        decision.event,
        document_id=doc.id,
        before=None,
        after=document_snapshot(doc, version),
        detail=received.describe(decision.reason),
    )
    return _outcome(doc, version.id, decision, duplicate=False)


def _held_conflict(session: Session, version_id: int) -> tuple[Document, DocumentVersion]:
    version = load_version(session, version_id)
    doc = load_document(session, version.document_id, lock=True)
    if version.disposition != Disposition.CONFLICT.value:
        raise InvalidTransitionError(
            f"version {version_id} of {doc.doc_type} {doc.trading_partner_id}/{doc.business_key} is "
            f"{version.disposition}, not a held conflict"
        )
    return doc, version


def accept_conflict(session: Session, context: AuditContext, version_id: int) -> RecordOutcome:
    """The operator accepts a held conflict: it becomes a replacement of the document."""
    doc, version = _held_conflict(session, version_id)
    before = document_snapshot(doc, version)
    version.disposition = Disposition.REPLACEMENT.value
    version.reason = f"conflict accepted as a replacement by {context.actor}"
    doc.current_version_id = version.id
    doc.state = DocumentState.PENDING.value
    doc.reason = version.reason
    session.flush()
    action = pending_action(facts_of(session, doc))
    record_event(
        session,
        context,
        "conflict_accepted",
        document_id=doc.id,
        before=before,
        after=document_snapshot(doc, version),
        detail=version.reason,
    )
    return RecordOutcome(
        action, doc.id, version.id, DocumentState(doc.state), Disposition.REPLACEMENT, False, version.reason
    )


def reject_conflict(session: Session, context: AuditContext, version_id: int, reason: str) -> None:
    """The operator dismisses a held conflict; the document keeps its current version."""
    doc, version = _held_conflict(session, version_id)
    before = document_snapshot(doc, version)
    version.disposition = Disposition.REJECTED.value
    version.reason = f"rejected by {context.actor}: {reason}"
    session.flush()
    record_event(
        session,
        context,
        "conflict_rejected",
        document_id=doc.id,
        before=before,
        after=document_snapshot(doc, version),
        detail=reason,
    )
