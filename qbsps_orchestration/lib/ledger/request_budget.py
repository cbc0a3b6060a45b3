"""A request budget shared by every process of one company: API calls claimed in the database.

Each allowed call leaves one row (budget name, time). A claim is one short write transaction that
holds the budget's lock, counts the rows inside each window and adds one when every limit has room;
otherwise it answers how long to wait and writes nothing. The lock is PostgreSQL's transaction-
scoped advisory lock on the budget name (other budgets and the rest of the ledger do not wait), on
SQLite the database write lock that ``BEGIN IMMEDIATE`` takes. Times come from the database server
on PostgreSQL (workers on several hosts share one clock) and from this host on SQLite (one file,
one host). Claims are stamped after the lock is held, so they are ordered and the count is exact.
Rows older than the longest window are deleted by the claims themselves: the table stays small.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Index, Integer, String, delete, func, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from .storage.models import Base
from .storage.store import Store


class RequestClaim(Base):
    """One call an API budget allowed (a process may not make a call without its row)."""

    __tablename__ = "request_claims"
    __table_args__ = (Index("ix_request_claims_budget_time", "budget", "claimed_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    budget: Mapped[str] = mapped_column(String(128))  # e.g. qbo:requests:<realm id>
    claimed_at: Mapped[datetime] = mapped_column()


@dataclass(frozen=True)
class Claim:
    """The outcome of one attempt: ``at`` when the call was allowed, else ``wait_seconds`` > 0."""

    at: datetime | None
    wait_seconds: float

    @property
    def allowed(self) -> bool:
        return self.at is not None


Limits = Sequence[tuple[int, float]]  # (max calls, window seconds) pairs that must all hold


def check_limits(limits: Limits) -> None:
    if not limits or any(calls < 1 or window <= 0 for calls, window in limits):
        raise ValueError(f"a request budget needs limits of >= 1 call per > 0 seconds, got {list(limits)}")


class RequestBudgets:
    """Claims against named budgets in the ledger's database."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def claim(self, budget: str, limits: Limits) -> Claim:
        """Claim one call of ``budget`` now if every limit allows it; else say how long to wait."""
        check_limits(limits)
        with self._store.write() as session:
            now = self._locked_now(session, budget)
            horizon = max(window for _, window in limits)
            session.execute(
                delete(RequestClaim).where(
                    RequestClaim.budget == budget, RequestClaim.claimed_at <= now - timedelta(seconds=horizon)
                )
            )
            wait = max(_wait(session, budget, now, calls, window) for calls, window in limits)
            if wait > 0:
                return Claim(None, wait)
            session.add(RequestClaim(budget=budget, claimed_at=now))
            return Claim(now, 0.0)

    def claims(self, budget: str) -> list[datetime]:
        """The calls still on record (those inside the longest window), oldest first."""
        with self._store.read() as session:
            query = select(RequestClaim.claimed_at).where(RequestClaim.budget == budget)
            return list(session.scalars(query.order_by(RequestClaim.claimed_at)))

    def _locked_now(self, session: Session, budget: str) -> datetime:
        if self._store.dialect == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _lock_key(budget)})
            # Read after the lock is held (clock_timestamp, not now(): the transaction's start).
            return session.execute(select(func.clock_timestamp())).scalar_one().astimezone(UTC)
        return datetime.now(UTC)  # SQLite: the write lock is already held (BEGIN IMMEDIATE)


def _wait(session: Session, budget: str, now: datetime, calls: int, window: float) -> float:
    """Seconds until the oldest of the last ``calls`` claims leaves the window (0: room now)."""
    oldest_counted = session.scalar(
        select(RequestClaim.claimed_at)
        .where(RequestClaim.budget == budget, RequestClaim.claimed_at > now - timedelta(seconds=window))
        .order_by(RequestClaim.claimed_at.desc())
        .offset(calls - 1)
        .limit(1)
    )
    if oldest_counted is None:
        return 0.0
    return max((oldest_counted + timedelta(seconds=window) - now).total_seconds(), 1e-6)


def _lock_key(budget: str) -> int:
    """A signed 64-bit advisory lock key from the budget name (a collision only serialises two)."""
    return int.from_bytes(hashlib.sha256(f"qbsps:budget:{budget}".encode()).digest()[:8], "big", signed=True)
