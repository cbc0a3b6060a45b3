"""Named cursors (SPS listing cursors, CDC high-water marks), each move audited."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ..audit import AuditContext, record_event
from ..storage.models import Cursor


def get_cursor(session: Session, name: str) -> str | None:
    row = session.get(Cursor, name)
    return row.value if row else None


def set_cursor(session: Session, context: AuditContext, name: str, value: str) -> None:
    row = session.get(Cursor, name, with_for_update=True)
    before = row.value if row else None
    if before == value:
        return  # unchanged: no state change, no audit noise
    if row is None:
        session.add(Cursor(name=name, value=value))
    else:
        row.value = value
    session.flush()
    record_event(
        session,
        context,
        "cursor_moved",
        before={"name": name, "value": before},
        after={"name": name, "value": value},
    )
