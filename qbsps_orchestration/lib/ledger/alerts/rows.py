"""The alerts table: one row per dedup key, so an alert is sent once until its cause clears.

A row is *open* (raised, not yet delivered to every channel), *sent*, or *cleared* (its cause went
away; raising it again re-opens it, and it is sent again). Delivery is claimed for a few minutes
before sending, so two sensors ticking at once do not both send; a crash between sending and
recording sends it again on the next evaluation (at least once: an alert is never lost).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import Index, Integer, String, Text, and_, delete, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..storage.models import Base


class AlertRow(Base):
    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_kind", "kind"),)

    dedup_key: Mapped[str] = mapped_column(String(255), primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    raised_at: Mapped[datetime] = mapped_column()
    sent_at: Mapped[datetime | None] = mapped_column(nullable=True)
    cleared_at: Mapped[datetime | None] = mapped_column(nullable=True)
    delivered_to: Mapped[str] = mapped_column(String(255), default="")  # channel names, comma-separated
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)  # never holds a secret
    claimed_until: Mapped[datetime | None] = mapped_column(nullable=True)


class RaisedAlert(Protocol):
    @property
    def dedup_key(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def subject(self) -> str: ...
    @property
    def body(self) -> str: ...


@dataclass(frozen=True)
class StoredAlert:
    dedup_key: str
    kind: str
    subject: str
    body: str
    raised_at: datetime
    sent_at: datetime | None
    cleared_at: datetime | None
    delivered_to: frozenset[str]
    attempts: int
    last_error: str | None

    @classmethod
    def of(cls, row: AlertRow) -> StoredAlert:
        return cls(
            row.dedup_key,
            row.kind,
            row.subject,
            row.body,
            row.raised_at,
            row.sent_at,
            row.cleared_at,
            frozenset(filter(None, row.delivered_to.split(","))),
            row.attempts,
            row.last_error,
        )


def raise_alerts(session: Session, alerts: Iterable[RaisedAlert], now: datetime) -> list[str]:
    """Open each alert not open already (new, or cleared before); returns the keys newly opened."""
    opened = []
    for alert in alerts:
        row = session.get(AlertRow, alert.dedup_key, with_for_update=True)
        if row is None:
            row = AlertRow(dedup_key=alert.dedup_key, kind=str(alert.kind), raised_at=now, delivered_to="")
            row.subject, row.body, row.attempts = alert.subject, alert.body, 0
            session.add(row)
            session.flush()  # a twin inserted meanwhile: IntegrityError, and write_retrying runs again
            opened.append(alert.dedup_key)
        elif row.cleared_at is not None:  # the cause is back: a new alert
            row.subject, row.body, row.raised_at = alert.subject, alert.body, now
            row.sent_at = row.cleared_at = row.last_error = row.claimed_until = None
            row.delivered_to, row.attempts = "", 0
            opened.append(alert.dedup_key)
        elif row.sent_at is None:  # still unsent: send the newest text
            row.subject, row.body = alert.subject, alert.body
    return opened


def clear_absent(session: Session, kinds: Collection[str], present: Collection[str], now: datetime) -> int:
    """Mark cleared the alerts of these kinds whose cause is gone (not in `present`)."""
    if not kinds:
        return 0
    rows = session.scalars(
        select(AlertRow).where(AlertRow.kind.in_(list(kinds)), AlertRow.cleared_at.is_(None))
    ).all()
    gone = [row for row in rows if row.dedup_key not in present]
    for row in gone:
        row.cleared_at = now
    return len(gone)


def claim_unsent(session: Session, now: datetime, lease: timedelta, limit: int) -> list[StoredAlert]:
    """Open, undelivered alerts nobody is sending now, claimed for `lease`."""
    query = (
        select(AlertRow)
        .where(
            AlertRow.sent_at.is_(None),
            AlertRow.cleared_at.is_(None),
            or_(AlertRow.claimed_until.is_(None), AlertRow.claimed_until < now),
        )
        .order_by(AlertRow.raised_at, AlertRow.dedup_key)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = session.scalars(query).all()
    for row in rows:
        row.claimed_until = now + lease
    return [StoredAlert.of(row) for row in rows]


def record_delivery(
    session: Session,
    key: str,
    delivered_to: Collection[str],
    error: str | None,
    complete: bool,
    now: datetime,
) -> None:
    session.execute(
        update(AlertRow)
        .where(AlertRow.dedup_key == key)
        .values(
            delivered_to=",".join(sorted(delivered_to)),
            attempts=AlertRow.attempts + 1,
            last_error=error,
            sent_at=now if complete else None,
            claimed_until=None,
        )
    )


def forget(session: Session, events: Collection[str], before: datetime) -> int:
    """Drop what can no longer matter: alerts cleared before `before`, and event alerts (of
    `events`, e.g. run failures, which never clear) sent before it."""
    result = session.execute(
        delete(AlertRow).where(
            or_(
                AlertRow.cleared_at < before,
                and_(AlertRow.kind.in_(list(events)), AlertRow.sent_at < before),
            )
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def stored_alerts(session: Session, include_cleared: bool) -> list[StoredAlert]:
    query = select(AlertRow).order_by(AlertRow.raised_at, AlertRow.dedup_key)
    if not include_cleared:
        query = query.where(AlertRow.cleared_at.is_(None))
    return [StoredAlert.of(row) for row in session.scalars(query).all()]
