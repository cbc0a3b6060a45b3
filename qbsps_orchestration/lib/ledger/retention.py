"""Which document partitions are finished for good (for pruning Dagster's partition lists; the
ledger itself keeps everything)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from .storage.models import Document, ReceivedFile
from .vocabulary import Direction, DocumentState

# Finished: nothing more to do unless something new arrives. Failed and quarantined documents wait
# for an operator, pending ones for a run: their partitions stay.
SETTLED = (DocumentState.SYNCED.value, DocumentState.CLOSED.value, DocumentState.CANCELLED.value)


def _unsettled() -> object:
    return func.sum(case((Document.state.in_(SETTLED), 0), else_=1))


def settled_files(session: Session, cutoff: datetime) -> list[str]:
    """Source paths whose every document (over all fetches) is settled and last changed before
    ``cutoff``."""
    rows = session.execute(
        select(ReceivedFile.source_path)
        .join(Document, Document.id == ReceivedFile.document_id)
        .group_by(ReceivedFile.source_path)
        .having(_unsettled() == 0, func.max(Document.updated_at) < cutoff)  # type: ignore[operator]
    )
    return [row.source_path for row in rows]


def settled_sources(session: Session, entities: Sequence[str], cutoff: datetime) -> list[tuple[str, str]]:
    """(QBO entity, id) of transactions whose every outbound document is settled and last changed
    before ``cutoff``."""
    rows = session.execute(
        select(Document.qbo_entity, Document.qbo_id)
        .where(
            Document.direction == Direction.OUTBOUND.value,
            Document.qbo_entity.in_(list(entities)),
            Document.qbo_id.is_not(None),
        )
        .group_by(Document.qbo_entity, Document.qbo_id)
        .having(_unsettled() == 0, func.max(Document.updated_at) < cutoff)  # type: ignore[operator]
    )
    return [(row.qbo_entity, row.qbo_id) for row in rows]
