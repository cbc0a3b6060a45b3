"""Immutable views of ledger rows handed to callers (no lazy loading, no session attached)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .storage.models import AuditEvent, Document, DocumentVersion, SyncIntent
from .vocabulary import Action, Direction, Disposition, DocumentState


@dataclass(frozen=True)
class DocumentRecord:
    id: int
    direction: Direction
    doc_type: str
    trading_partner_id: str
    business_key: str
    state: DocumentState
    qbo_entity: str | None
    qbo_id: str | None
    qbo_sync_token: str | None
    qbo_doc_number: str | None
    current_version_id: int | None
    reason: str | None
    warnings: tuple[str, ...]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: Document) -> DocumentRecord:
        return cls(
            id=row.id,
            direction=Direction(row.direction),
            doc_type=row.doc_type,
            trading_partner_id=row.trading_partner_id,
            business_key=row.business_key,
            state=DocumentState(row.state),
            qbo_entity=row.qbo_entity,
            qbo_id=row.qbo_id,
            qbo_sync_token=row.qbo_sync_token,
            qbo_doc_number=row.qbo_doc_number,
            current_version_id=row.current_version_id,
            reason=row.reason,
            warnings=tuple(row.warnings or ()),
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


@dataclass(frozen=True)
class VersionRecord:
    id: int
    document_id: int
    content_hash: str
    payload: bytes
    format: str
    tset_purpose_code: str | None
    source_path: str | None
    received_at: datetime
    disposition: Disposition
    reason: str | None

    @classmethod
    def of(cls, row: DocumentVersion) -> VersionRecord:
        return cls(
            id=row.id,
            document_id=row.document_id,
            content_hash=row.content_hash,
            payload=row.payload,
            format=row.format,
            tset_purpose_code=row.tset_purpose_code,
            source_path=row.source_path,
            received_at=row.received_at,
            disposition=Disposition(row.disposition),
            reason=row.reason,
        )


@dataclass(frozen=True)
class AuditRecord:
    id: int
    document_id: int | None
    at: datetime
    actor: str
    run_id: str | None
    event: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    detail: str | None

    @classmethod
    def of(cls, row: AuditEvent) -> AuditRecord:
        return cls(
            row.id,
            row.document_id,
            row.at,
            row.actor,
            row.run_id,
            row.event,
            row.before,
            row.after,
            row.detail,
        )


@dataclass(frozen=True)
class IntentRecord:
    id: int
    document_id: int
    version_id: int
    operation: Action
    attempt: int
    requestid: str  # pass to QBO as ?requestid= so a replayed write returns the original response
    started_at: datetime
    completed_at: datetime | None
    outcome: str | None
    detail: str | None

    @property
    def is_open(self) -> bool:
        return self.completed_at is None

    @classmethod
    def of(cls, row: SyncIntent) -> IntentRecord:
        return cls(
            row.id,
            row.document_id,
            row.version_id,
            Action(row.operation),
            row.attempt,
            row.requestid,
            row.started_at,
            row.completed_at,
            row.outcome,
            row.detail,
        )


@dataclass(frozen=True)
class RecordOutcome:
    """The result of recording a received document: what the caller must do next, and why."""

    action: Action
    document_id: int
    version_id: int  # the new version, or for a duplicate the stored version with the same content
    state: DocumentState
    disposition: Disposition
    duplicate: bool
    reason: str
