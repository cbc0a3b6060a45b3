"""Asking QBO what changed, into the ledger inbox: the CDC poll (the webhooks' fallback) and the
time-window sweep behind both. What a change is, and its dedup identity, is lib/changes.py."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from .changes import (
    CDC_CURSOR,
    CDC_ENTITIES,
    CDC_FIRST_LOOKBACK,
    CDC_LOOKBACK_LIMIT,
    CDC_OVERLAP,
    ChangeEvent,
    ChangeInbox,
    ChangeLedger,
    ChangeParseError,
    from_cdc,
    from_query_rows,
)
from .qbo.query import updated_between

CDC_MAX_OBJECTS = 1000  # a CDC answer holds at most this many objects, across its entities


class ChangeQuery(Protocol):
    def query_all(self, entity: str, statement: str) -> Iterable[dict]: ...


class ChangeFeed(ChangeQuery, Protocol):
    def cdc(self, entities: list[str], changed_since: datetime) -> Mapping[str, list[dict]]: ...


@dataclass(frozen=True)
class CdcPoll:
    since: datetime
    events: list[ChangeEvent]
    new: int  # changes that now wait for a run and did not before
    cursor: str  # the next poll's `since`: persist it only after poll_cdc returned


@dataclass(frozen=True)
class Sweep:
    events: list[ChangeEvent]
    new: int  # changes that now wait for a run and did not before


def cdc_since(cursor: str | None, now: datetime, first_lookback: timedelta) -> datetime:
    """Where a CDC poll starts: the stored cursor, else `first_lookback` ago; never past CDC's limit."""
    since = datetime.fromisoformat(cursor) if cursor else now - first_lookback
    if since.tzinfo is None:
        raise ChangeParseError(f"CDC cursor {cursor!r} has no UTC offset")
    return max(since, now - CDC_LOOKBACK_LIMIT)


def poll_cdc(
    inbox: ChangeInbox,
    feed: ChangeFeed,
    realm_id: str,
    entities: Sequence[str],
    cursor: str | None,
    *,
    first_lookback: timedelta = CDC_FIRST_LOOKBACK,
    now: datetime | None = None,
) -> CdcPoll:
    """One CDC poll into the inbox. The next cursor is `now` (taken before asking QBO) less the
    overlap, and it is handed back only once the changes are committed: a crash or an error before
    that leaves the old cursor, so the next poll asks again and the inbox collapses the overlap."""
    now = now or datetime.now(UTC)
    since = cdc_since(cursor, now, first_lookback)
    answer = feed.cdc(list(entities), since)
    events = from_cdc(answer, realm_id)
    if sum(len(rows) for rows in answer.values()) >= CDC_MAX_OBJECTS:
        # QBO cut the answer off, and which objects it kept is not documented: the window is read
        # again by query, page by page, so no change in it is left out. (Deletions beyond the cut,
        # which no query shows, are lost; a deleted invoice or order has nothing to send.)
        events += changes_updated_between(feed, realm_id, entities, since, now)
    new = inbox.record_changes(events)  # one committed transaction
    return CdcPoll(since, events, new, (now - CDC_OVERLAP).isoformat())


def poll_changes(ledger: ChangeLedger, feed: ChangeFeed, realm_id: str) -> CdcPoll:
    """qbsps's one CDC poll, shared by ``qbo_cdc_job`` and `qbsps sync outbound`: invoices and
    orders since the ledger's cursor (else ``CDC_FIRST_LOOKBACK``), into the inbox; the cursor moves
    only once the changes are committed."""
    cursor = ledger.get_cursor(CDC_CURSOR)
    poll = poll_cdc(ledger, feed, realm_id, CDC_ENTITIES, cursor, first_lookback=CDC_FIRST_LOOKBACK)
    ledger.set_cursor(CDC_CURSOR, poll.cursor)
    return poll


def sweep_changes(
    inbox: ChangeInbox, qbo: ChangeQuery, realm_id: str, start: datetime, end: datetime
) -> Sweep:
    """The sweep behind CDC and webhooks: every invoice and order (the entities whose documents follow
    a bookkeeper's change) last updated in [start, end), into the inbox, which dedups what CDC or a
    webhook brought already."""
    events = changes_updated_between(qbo, realm_id, CDC_ENTITIES, start, end)
    return Sweep(events, inbox.record_changes(events))


def changes_updated_between(
    qbo: ChangeQuery, realm_id: str, entities: Sequence[str], start: datetime, end: datetime
) -> list[ChangeEvent]:
    """Every row of ``entities`` last updated in [start, end), paged by query."""
    events: list[ChangeEvent] = []
    for entity in entities:
        rows = qbo.query_all(entity, updated_between(entity, start, end))
        events += from_query_rows(entity, rows, realm_id)
    return events
