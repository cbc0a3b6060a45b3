"""Refresh the ledger's snapshot of one QBO reference entity: fully by query, or incrementally by CDC.

A full refresh reads every row, inactive ones included (QBO's name-list queries hide inactive rows
unless the query filters on Active), and marks rows QBO no longer returns deleted. An incremental
refresh asks CDC what changed since a moment; CDC answers at most 1,000 objects per call, oldest
change first, so a full page is followed by another call from its newest change (overlap is harmless:
the ledger ignores copies it already holds). CDC reaches back 30 days; an older `since` refreshes
fully instead.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from ..changes import parse_qbo_time
from ..ledger import REFERENCE_ENTITIES, Ledger, ReferenceDiff
from ..qbo import QboClient

CDC_LOOKBACK = timedelta(days=30)
CDC_PAGE_LIMIT = 1000  # QBO's cap on objects in one CDC answer
# Margin inside the lookback: our clock and QBO's disagree a little, and a refused CDC call is a wasted read.
_LOOKBACK_MARGIN = timedelta(hours=1)
_MAX_CDC_CALLS = 50  # 50,000 changes; beyond that one full refresh is cheaper


class ReferenceRefreshError(RuntimeError):
    """A refresh that cannot be done as asked (wrong company, unknown entity)."""


def full_query(entity: str) -> str:
    return f"SELECT * FROM {entity} WHERE Active IN (true, false)"


def refresh_reference(
    qbo: QboClient,
    ledger: Ledger,
    realm_id: str,
    entity: str,
    *,
    since: datetime | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> ReferenceDiff:
    """Bring the ledger's snapshot of `entity` ("Vendor", "Customer", "Item" or "Account") of company
    `realm_id` up to date; `since` (aware) asks only for changes from then on, through CDC."""
    if entity not in REFERENCE_ENTITIES:
        raise ReferenceRefreshError(
            f"reference entity must be one of {', '.join(REFERENCE_ENTITIES)}, got {entity!r}"
        )
    if qbo.realm_id != realm_id:
        raise ReferenceRefreshError(
            f"the QBO client talks to company {qbo.realm_id}, not {realm_id}: refusing to mix snapshots"
        )
    if since is not None and since.tzinfo is None:
        raise ValueError("since must be timezone-aware")
    if since is None or since < now() - CDC_LOOKBACK + _LOOKBACK_MARGIN:
        return _full(qbo, ledger, realm_id, entity)
    return _incremental(qbo, ledger, realm_id, entity, since)


def _full(qbo: QboClient, ledger: Ledger, realm_id: str, entity: str) -> ReferenceDiff:
    rows = list(qbo.query_all(entity, full_query(entity)))
    return ledger.reference.upsert(entity, rows, realm_id, complete=True)


def _incremental(
    qbo: QboClient, ledger: Ledger, realm_id: str, entity: str, since: datetime
) -> ReferenceDiff:
    diff = ReferenceDiff(realm_id, entity)
    for _ in range(_MAX_CDC_CALLS):
        rows = qbo.cdc([entity], since)[entity]
        diff = diff.merge(ledger.reference.upsert(entity, rows, realm_id))
        if len(rows) < CDC_PAGE_LIMIT:
            return diff
        newest = max(
            parse_qbo_time(row.get("MetaData", {}).get("LastUpdatedTime"), f"CDC {entity} {row.get('Id')}")
            for row in rows
        )
        if newest <= since:
            break  # a full page within one second: CDC cannot page past it
        since = newest
    # Too many changes to page through: read everything once instead.
    return diff.merge(_full(qbo, ledger, realm_id, entity))


def refresh_since_last(
    qbo: QboClient, ledger: Ledger, realm_id: str, entity: str, *, full: bool = False
) -> tuple[ReferenceDiff, datetime | None]:
    """Refresh from where the last refresh of this entity started (a ledger cursor), or fully when
    asked or when there was none. Returns the diff and the `since` used (None: full)."""
    cursor = f"reference.{realm_id}.{entity}.refreshed_at"
    last = ledger.get_cursor(cursor)
    started = datetime.now(UTC)
    since = None if full or not last else datetime.fromisoformat(last)
    diff = refresh_reference(qbo, ledger, realm_id, entity, since=since)
    ledger.set_cursor(cursor, started.isoformat())
    return diff, since
