"""The company file: a thread-safe, in-memory store of one realm's entities.

Ids are one counter across all entity types (as in QBO, where Ids are unique per company file).
Each row remembers when it last changed and deletions leave a tombstone, so change data capture
can report both. The store also keeps the realm's ``requestid`` replies, its preferences and its
``CompanyInfo`` (one per company file, outside the entity tables: it is never created or deleted).
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from .schema import ENTITIES, TRANSACTIONS

REQUEST_ID_MAX = 50
REPLY_CACHE_SIZE = 10_000  # requestid replies kept per realm; the oldest are forgotten first


@dataclass(frozen=True)
class StoredReply:
    status: int
    body: bytes
    media_type: str


@dataclass(frozen=True)
class Tombstone:
    entity_id: str
    deleted_at: datetime


class RealmStore:
    def __init__(self, realm_id: str) -> None:
        self.realm_id = realm_id
        # Reentrant: a service call validates, then saves, all under one hold of the lock.
        self.lock = threading.RLock()
        self._rows: dict[str, dict[str, dict]] = {entity: {} for entity in ENTITIES}
        self._touched: dict[str, dict[str, datetime]] = {entity: {} for entity in ENTITIES}
        self._tombstones: dict[str, dict[str, Tombstone]] = {entity: {} for entity in ENTITIES}
        self._next_id = 1
        self._doc_sequence: dict[str, int] = {}
        self._replies: OrderedDict[str, StoredReply] = OrderedDict()
        # Per transaction type: does a reused DocNumber fail with 6140? (QBO preference, default on)
        self.unique_doc_numbers: dict[str, bool] = dict.fromkeys(TRANSACTIONS, True)
        # A fault for tests (/_sandbox/qbo/query-paging): every query page starts at 1.
        self.ignore_start_position = False
        self._company_info: dict | None = None

    # --- ids --------------------------------------------------------------------------------

    def new_id(self) -> str:
        with self.lock:
            value = self._next_id
            self._next_id += 1
            return str(value)

    def next_doc_number(self, entity: str) -> str:
        """The next automatic number for a sales form, skipping numbers already used."""
        with self.lock:
            used = {row.get("DocNumber") for row in self._rows[entity].values()}
            number = self._doc_sequence.get(entity, 1000)
            while True:
                number += 1
                if str(number) not in used:
                    self._doc_sequence[entity] = number
                    return str(number)

    # --- rows -------------------------------------------------------------------------------

    def get(self, entity: str, entity_id: str) -> dict | None:
        with self.lock:
            row = self._rows[entity].get(str(entity_id))
            return copy.deepcopy(row) if row is not None else None

    def rows(self, entity: str, predicate: Callable[[dict], bool] | None = None) -> list[dict]:
        """Current rows of one entity matching ``predicate`` (all without one), in Id order, as
        copies; only the matches are copied, so a narrow look at a large company stays cheap."""
        with self.lock:
            rows = sorted(self._rows[entity].values(), key=lambda row: int(row["Id"]))
            return copy.deepcopy([row for row in rows if predicate is None or predicate(row)])

    def count(self, entity: str) -> int:
        with self.lock:
            return len(self._rows[entity])

    def first(self, entity: str, predicate: Callable[[dict], bool]) -> dict | None:
        """A copy of the first row (in Id order) matching ``predicate``, without copying the rest."""
        with self.lock:
            for row in sorted(self._rows[entity].values(), key=lambda r: int(r["Id"])):
                if predicate(row):
                    return copy.deepcopy(row)
            return None

    def save(self, entity: str, row: dict, when: datetime) -> None:
        with self.lock:
            self._rows[entity][row["Id"]] = copy.deepcopy(row)
            self._touched[entity][row["Id"]] = when

    def delete(self, entity: str, entity_id: str, when: datetime) -> None:
        with self.lock:
            self._rows[entity].pop(entity_id, None)
            self._touched[entity].pop(entity_id, None)
            self._tombstones[entity][entity_id] = Tombstone(entity_id, when)

    def changed_since(self, entity: str, since: datetime) -> tuple[list[dict], list[Tombstone]]:
        """Rows changed at or after ``since`` and deletions at or after it, oldest first."""
        with self.lock:
            touched = sorted(
                ((when, entity_id) for entity_id, when in self._touched[entity].items() if when >= since),
            )
            rows = [copy.deepcopy(self._rows[entity][entity_id]) for _, entity_id in touched]
            gone = sorted(
                (t for t in self._tombstones[entity].values() if t.deleted_at >= since),
                key=lambda t: t.deleted_at,
            )
            return rows, gone

    # --- the company's own profile ----------------------------------------------------------

    def company_info(self) -> dict | None:
        with self.lock:
            return copy.deepcopy(self._company_info)

    def set_company_info(self, row: dict) -> None:
        with self.lock:
            self._company_info = copy.deepcopy(row)

    # --- requestid replay -------------------------------------------------------------------

    def reply_for(self, request_id: str) -> StoredReply | None:
        with self.lock:
            return self._replies.get(request_id)

    def remember_reply(self, request_id: str, reply: StoredReply) -> None:
        with self.lock:
            self._replies[request_id] = reply
            self._replies.move_to_end(request_id)
            while len(self._replies) > REPLY_CACHE_SIZE:
                self._replies.popitem(last=False)
