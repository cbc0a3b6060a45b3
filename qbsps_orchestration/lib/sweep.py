"""The sweep behind CDC and webhooks: QBO rows last updated in a time window, into the ledger inbox."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from .changes import CDC_ENTITIES, ChangeEvent, ChangeInbox, from_query_rows
from .qbo.query import updated_between


class ChangeQuery(Protocol):
    def query_all(self, entity: str, statement: str) -> Iterable[dict]: ...


@dataclass(frozen=True)
class Sweep:
    events: list[ChangeEvent]
    new: int  # changes that now wait for a run and did not before


def sweep_changes(
    inbox: ChangeInbox, qbo: ChangeQuery, realm_id: str, start: datetime, end: datetime
) -> Sweep:
    """The sweep behind CDC and webhooks: every invoice and order (the entities whose documents follow
    a bookkeeper's change) last updated in [start, end), into the inbox, which dedups what CDC or a
    webhook brought already."""
    events: list[ChangeEvent] = []
    for entity in CDC_ENTITIES:
        events += from_query_rows(
            entity, qbo.query_all(entity, updated_between(entity, start, end)), realm_id
        )
    return Sweep(events, inbox.record_changes(events))
