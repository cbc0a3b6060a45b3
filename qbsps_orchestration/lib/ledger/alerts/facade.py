"""`Ledger.alerts`: open, clear, claim and record alerts by dedup key (see rows.py)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime, timedelta

from ..storage.store import Store
from . import rows
from .rows import RaisedAlert, StoredAlert


class AlertLedger:
    """Which alerts are open, sent or cleared: an alert is sent once until its cause clears."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def raise_alerts(self, alerts: Iterable[RaisedAlert], now: datetime) -> list[str]:
        batch = list(alerts)
        return self._store.write_retrying(lambda s: rows.raise_alerts(s, batch, now))

    def clear_absent(self, kinds: Collection[str], present: Collection[str], now: datetime) -> int:
        """Alerts of `kinds` not in `present` (dedup keys) have lost their cause: cleared."""
        return self._store.write_retrying(lambda s: rows.clear_absent(s, kinds, set(present), now))

    def claim_unsent(
        self, now: datetime, lease: timedelta = timedelta(minutes=5), limit: int = 100
    ) -> list[StoredAlert]:
        return self._store.write_retrying(lambda s: rows.claim_unsent(s, now, lease, limit))

    def record_delivery(
        self, key: str, delivered_to: Collection[str], error: str | None, complete: bool, now: datetime
    ) -> None:
        """`complete`: every channel has it now (else it stays unsent and is tried next time)."""
        self._store.write_retrying(lambda s: rows.record_delivery(s, key, delivered_to, error, complete, now))

    def forget(self, events: Collection[str], before: datetime) -> int:
        """Delete alerts cleared before `before` and sent alerts of `events` older than it."""
        return self._store.write_retrying(lambda s: rows.forget(s, events, before))

    def stored(self, include_cleared: bool = False) -> list[StoredAlert]:
        with self._store.read() as session:
            return rows.stored_alerts(session, include_cleared)
