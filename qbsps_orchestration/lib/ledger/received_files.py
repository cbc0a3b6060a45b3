"""Mailbox files and the documents they held (see models.ReceivedFile)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .storage.models import ReceivedFile, utcnow


def note_file(
    session: Session, source_path: str, content_hash: str, documents: list[tuple[int, int]]
) -> None:
    """Record that ``source_path`` with this content held these (document id, version id) pairs."""
    at = utcnow()  # one timestamp for the whole fetch: the latest fetch is the rows at the max
    session.add_all(
        ReceivedFile(
            source_path=source_path, content_hash=content_hash, document_id=d, version_id=v, received_at=at
        )
        for d, v in documents
    )
    session.flush()


def file_documents(session: Session, source_path: str) -> list[tuple[int, int]]:
    """The (document id, version id) pairs of the latest fetch of ``source_path``, in file order."""
    latest = select(func.max(ReceivedFile.received_at)).where(ReceivedFile.source_path == source_path)
    rows = session.execute(
        select(ReceivedFile.document_id, ReceivedFile.version_id)
        .where(ReceivedFile.source_path == source_path, ReceivedFile.received_at == latest.scalar_subquery())
        .order_by(ReceivedFile.id)
    ).all()
    return [(row.document_id, row.version_id) for row in rows]
