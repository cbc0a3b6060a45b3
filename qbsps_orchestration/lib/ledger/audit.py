"""Audit events: who did what to which document, when, in which run, with state before and after.

Events are written in the same transaction as the change they describe, so the trail can never
disagree with the ledger.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .records import AuditRecord
from .storage.models import AuditEvent, Document, DocumentVersion


@dataclass(frozen=True)
class AuditContext:
    actor: str = "qbsps"
    run_id: str | None = None  # the Dagster run id when a run made the change


def document_snapshot(doc: Document, version: DocumentVersion | None = None) -> dict[str, Any]:
    snapshot: dict[str, Any] = {
        "state": doc.state,
        "current_version_id": doc.current_version_id,
        "qbo_id": doc.qbo_id,
        "qbo_sync_token": doc.qbo_sync_token,
        "qbo_doc_number": doc.qbo_doc_number,
        "reason": doc.reason,
    }
    if version is not None:
        snapshot["version_id"] = version.id
        snapshot["disposition"] = version.disposition
    return snapshot


def record_event(
    session: Session,
    context: AuditContext,
    event: str,
    *,
    document_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    detail: str | None = None,
) -> None:
    session.add(
        AuditEvent(
            document_id=document_id,
            actor=context.actor,
            run_id=context.run_id,
            event=event,
            before=before,
            after=after,
            detail=detail,
        )
    )


def trail(session: Session, document_id: int | None) -> list[AuditRecord]:
    """Events of one document in order; `None` gives the events about no document (cursors, secrets)."""
    condition = (
        AuditEvent.document_id.is_(None) if document_id is None else AuditEvent.document_id == document_id
    )
    rows = session.scalars(select(AuditEvent).where(condition).order_by(AuditEvent.id))
    return [AuditRecord.of(row) for row in rows]
