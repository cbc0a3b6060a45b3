"""Create, read, update (full and sparse) and delete, with SyncToken concurrency and change events."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from .. import faults
from ..timefmt import meta_time
from .lines import assign_line_ids
from .rules import check_fields, normalize, writable
from .schema import NAME_LISTS, TRANSACTIONS
from .store import RealmStore
from .values import boolean, text

# (realm_id, entity, entity_id, operation, when) -> None; operation is Create, Update or Delete.
ChangeListener = Callable[[str, str, str, str, datetime], None]


@dataclass(frozen=True)
class WriteOptions:
    allow_duplicate_doc_number: bool = False


class EntityService:
    def __init__(self, store: RealmStore, now: Callable[[], datetime], on_change: ChangeListener) -> None:
        self.store = store
        self._now = now
        self._on_change = on_change

    def now(self) -> datetime:
        return self._now()

    def read(self, entity: str, entity_id: str) -> dict:
        row = self.store.get(entity, entity_id)
        if row is None:
            raise faults.object_not_found(entity, entity_id)
        return row

    def create(self, entity: str, body: dict, options: WriteOptions = WriteOptions()) -> dict:  # noqa: B008
        check_fields(entity, body)
        record = writable(entity, copy.deepcopy(body))
        with self.store.lock:
            now = self._now()
            normalize(
                entity,
                record,
                self.store,
                now,
                own_id=None,
                allow_duplicate_doc_number=options.allow_duplicate_doc_number,
            )
            if entity in TRANSACTIONS:
                assign_line_ids(record["Line"], None)
            row = {
                "Id": self.store.new_id(),
                "SyncToken": "0",
                "domain": "QBO",
                "sparse": False,
                "MetaData": {"CreateTime": meta_time(now), "LastUpdatedTime": meta_time(now)},
                **record,
            }
            self.store.save(entity, row, now)
        self._on_change(self.store.realm_id, entity, row["Id"], "Create", now)
        return copy.deepcopy(row)

    def update(self, entity: str, body: dict, options: WriteOptions = WriteOptions()) -> dict:  # noqa: B008
        check_fields(entity, body)
        sparse = boolean(body.get("sparse", False), "sparse")
        with self.store.lock:
            current = self._current(entity, body)
            if sparse:
                # Only the fields sent change; a Line array sent replaces the whole collection.
                record = writable(entity, current)
                record.update(writable(entity, copy.deepcopy(body)))
            else:
                # Full update: writable fields left out are cleared, as QBO clears them.
                record = writable(entity, copy.deepcopy(body))
            now = self._now()
            normalize(
                entity,
                record,
                self.store,
                now,
                own_id=current["Id"],
                allow_duplicate_doc_number=options.allow_duplicate_doc_number,
            )
            if entity in TRANSACTIONS:
                assign_line_ids(record["Line"], current.get("Line"))
            row = {
                "Id": current["Id"],
                "SyncToken": str(int(current["SyncToken"]) + 1),
                "domain": "QBO",
                "sparse": False,
                "MetaData": {
                    "CreateTime": current["MetaData"]["CreateTime"],
                    "LastUpdatedTime": meta_time(now),
                },
                **record,
            }
            self.store.save(entity, row, now)
        self._on_change(self.store.realm_id, entity, row["Id"], "Update", now)
        return copy.deepcopy(row)

    def delete(self, entity: str, body: dict) -> dict:
        if entity in NAME_LISTS:
            # Name-list entities are made inactive (Active=false), never deleted.
            raise faults.unsupported_operation(f"Delete for {entity}")
        with self.store.lock:
            current = self._current(entity, body)
            now = self._now()
            self.store.delete(entity, current["Id"], now)
        self._on_change(self.store.realm_id, entity, current["Id"], "Delete", now)
        return {"Id": current["Id"], "status": "Deleted", "domain": "QBO"}

    def _current(self, entity: str, body: dict) -> dict:
        """The stored row an update or delete names, after the SyncToken check (5010 if stale)."""
        if body.get("Id") in (None, ""):
            raise faults.required_missing("Id")
        entity_id = text(body["Id"], "Id")
        current = self.store.get(entity, entity_id)
        if current is None:
            raise faults.object_not_found(entity, entity_id)
        token = body.get("SyncToken")
        if token is None or token == "":
            raise faults.required_missing("SyncToken")
        if text(token, "SyncToken") != current["SyncToken"]:
            raise faults.stale_object()
        return current
