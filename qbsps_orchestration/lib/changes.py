"""Change events: one shape for a QBO change, whichever path saw it (webhook, CDC, time-window sweep).

The dedup identity of a change is (realm, entity, entity id, LastUpdatedTime), so the same change
reported by a webhook, a CDC poll and an hourly sweep collapses into one ledger inbox row. QBO's
``MetaData.LastUpdatedTime`` has whole seconds while webhooks stamp milliseconds, so the time is
cut to whole seconds in UTC before it becomes part of the identity.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, Protocol

ChangeSource = Literal["webhook", "cdc", "sweep"]
SOURCES: tuple[str, ...] = ("webhook", "cdc", "sweep")
# QBO's operation names (legacy webhooks); CloudEvents verbs map onto them in webhooks/events.py.
OPERATIONS: tuple[str, ...] = ("Create", "Update", "Delete", "Merge", "Void", "Emailed")
MAX_ID_LENGTH = 64
# Entities whose changes make outbound documents: a handled change of one is reopened when its
# document never reached SPS (ledger/inbox.py).
DOCUMENT_ENTITIES: tuple[str, ...] = ("Invoice",)
# What SPS orders become in QBO (per partner): a bookkeeper's change to one re-acknowledges it.
ORDER_ENTITIES: tuple[str, ...] = ("PurchaseOrder", "Estimate")
CDC_ENTITIES: tuple[str, ...] = (*DOCUMENT_ENTITIES, *ORDER_ENTITIES)
CDC_OVERLAP = timedelta(minutes=2)  # QBO's clock and ours differ a little; the inbox dedups overlap
CDC_LOOKBACK_LIMIT = timedelta(days=29)  # CDC refuses changedSince older than 30 days
CDC_CURSOR = "qbo.cdc.since"  # the ledger cursor of every CDC poll (job, `qbsps sync outbound`)
CDC_FIRST_LOOKBACK = timedelta(days=1)  # a first poll (no cursor yet) looks this far back


class ChangeParseError(ValueError):
    """A change report that cannot be read; the message names where and which field."""


@dataclass(frozen=True)
class ChangeEvent:
    realm_id: str
    entity: str  # QBO entity name as in the API: "Invoice", "PurchaseOrder"
    entity_id: str
    operation: str  # one of OPERATIONS
    occurred_at: datetime  # aware; normalised to UTC whole seconds (see the module docstring)
    event_id: str | None = None  # CloudEvents `id`; legacy bodies, CDC and sweeps have none
    source: ChangeSource = "webhook"
    # The entity's SyncToken when the report carries the row (CDC, sweep): it tells qbsps's own
    # write from a later one. Not part of the identity.
    sync_token: str | None = field(default=None, compare=False)
    identity: tuple[str, str, str, datetime] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name in ("realm_id", "entity", "entity_id"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise ChangeParseError(f"change event field {name} must be a non-empty string, got {value!r}")
            if len(value) > MAX_ID_LENGTH:
                raise ChangeParseError(f"change event field {name} is longer than {MAX_ID_LENGTH} characters")
        if self.operation not in OPERATIONS:
            raise ChangeParseError(
                f"change event for {self.entity} {self.entity_id}: operation {self.operation!r} "
                f"is not one of {', '.join(OPERATIONS)}"
            )
        if self.source not in SOURCES:
            raise ChangeParseError(f"change event source {self.source!r} is not one of {', '.join(SOURCES)}")
        if self.event_id is not None and not 0 < len(self.event_id) <= MAX_ID_LENGTH:
            raise ChangeParseError(f"change event id must be 1-{MAX_ID_LENGTH} characters")
        if not isinstance(self.occurred_at, datetime) or self.occurred_at.tzinfo is None:
            raise ChangeParseError(
                f"change event for {self.entity} {self.entity_id}: occurred_at must be timezone-aware"
            )
        normalised = self.occurred_at.astimezone(UTC).replace(microsecond=0)
        object.__setattr__(self, "occurred_at", normalised)
        object.__setattr__(self, "identity", (self.realm_id, self.entity, self.entity_id, normalised))


def parse_qbo_time(value: Any, where: str) -> datetime:
    """A QBO timestamp: ISO 8601 with an offset or ``Z`` (MetaData, CloudEvents ``time``), or epoch
    milliseconds, which Intuit warns legacy ``lastUpdated`` may carry (qbo.md §4.3)."""
    if isinstance(value, bool):
        raise ChangeParseError(f"{where}: {value!r} is not a timestamp")
    if isinstance(value, int | float) or (isinstance(value, str) and value.strip().isdigit()):
        try:
            return datetime.fromtimestamp(int(value) / 1000, UTC)
        except (OverflowError, OSError, ValueError):
            raise ChangeParseError(f"{where}: {value!r} is not epoch milliseconds") from None
    if not isinstance(value, str) or not value.strip():
        raise ChangeParseError(f"{where}: missing timestamp")
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ChangeParseError(f"{where}: {value!r} is not an ISO 8601 timestamp") from None
    if parsed.tzinfo is None:  # QBO always sends an offset; guessing a zone would shift the identity
        raise ChangeParseError(f"{where}: {value!r} has no UTC offset")
    return parsed


def from_cdc(cdc_response: Mapping[str, list[dict]], realm_id: str) -> list[ChangeEvent]:
    """Change events from a CDC answer as ``QboClient.cdc`` returns it: ``{entity: [rows]}``.

    Deleted objects come as stubs (``status: "Deleted"``, Id, MetaData.LastUpdatedTime) and become
    operation "Delete"."""
    events: list[ChangeEvent] = []
    for entity, rows in cdc_response.items():
        if not isinstance(rows, list):
            raise ChangeParseError(f"CDC response for {entity}: expected a list of objects")
        events += _from_rows(entity, rows, realm_id, "cdc")
    return events


def from_query_rows(entity: str, rows: Iterable[dict], realm_id: str) -> list[ChangeEvent]:
    """Change events from query rows of one entity (the hourly ``MetaData.LastUpdatedTime`` sweep)."""
    return _from_rows(entity, list(rows), realm_id, "sweep")


def _from_rows(entity: str, rows: list[dict], realm_id: str, source: ChangeSource) -> list[ChangeEvent]:
    events = []
    for position, row in enumerate(rows, start=1):
        where = f"{source} {entity} row {position}"
        if not isinstance(row, dict):
            raise ChangeParseError(f"{where}: expected an object")
        entity_id = row.get("Id")
        if entity_id is None or str(entity_id).strip() == "":
            raise ChangeParseError(f"{where}: missing Id")
        meta = row.get("MetaData")
        if not isinstance(meta, dict):
            raise ChangeParseError(f"{where} (Id {entity_id}): missing MetaData")
        updated = parse_qbo_time(
            meta.get("LastUpdatedTime"), f"{where} (Id {entity_id}) MetaData.LastUpdatedTime"
        )
        events.append(
            ChangeEvent(
                realm_id=realm_id,
                entity=entity,
                entity_id=str(entity_id),
                operation=_operation(row, meta),
                occurred_at=updated,
                source=source,
                sync_token=str(row["SyncToken"]) if row.get("SyncToken") is not None else None,
            )
        )
    return events


def _operation(row: dict, meta: dict) -> str:
    if row.get("status") == "Deleted":
        return "Delete"
    # A row never touched since it was made has CreateTime == LastUpdatedTime.
    created = meta.get("CreateTime")
    return "Create" if created is not None and created == meta.get("LastUpdatedTime") else "Update"


class ChangeInbox(Protocol):
    def record_changes(self, events: Iterable[ChangeEvent]) -> int: ...


class ChangeLedger(ChangeInbox, Protocol):
    def get_cursor(self, name: str) -> str | None: ...

    def set_cursor(self, name: str, value: str) -> None: ...
