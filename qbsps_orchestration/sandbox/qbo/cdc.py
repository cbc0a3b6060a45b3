"""Change data capture: what changed in the requested entities since a moment (≤30 days back).

Deleted transactions come back as stubs (Id, ``status: "Deleted"``, MetaData.LastUpdatedTime). A
response holds at most 1,000 objects across all requested entities, oldest changes first.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from . import faults
from .books.schema import BY_PATH
from .books.store import RealmStore
from .timefmt import meta_time, parse_datetime

LOOKBACK = timedelta(days=30)
MAX_OBJECTS = 1000


def run_cdc(store: RealmStore, entities: str | None, changed_since: str | None, now: datetime) -> list[dict]:
    """The ``CDCResponse`` list for one call (raises QboError)."""
    if not entities or not entities.strip():
        raise faults.required_missing("entities")
    if not changed_since or not changed_since.strip():
        raise faults.required_missing("changedSince")
    names = []
    for raw in entities.split(","):
        name = BY_PATH.get(raw.strip().lower())
        if name is None:
            raise faults.query_validation_error(f"Invalid entity {raw.strip()!r}")
        if name not in names:
            names.append(name)
    try:
        since = parse_datetime(changed_since)
    except ValueError:
        detail = f"changedSince {changed_since!r} is not a date/time"
        raise faults.invalid_value("changedSince", detail) from None
    if since < now - LOOKBACK:
        raise faults.QboError(
            "500",
            "Unsupported Operation",
            f"Operation cdc with changedSince date {changed_since} which is older than fixed days is "
            "not supported.",
        )
    # Gather everything, then keep the oldest MAX_OBJECTS so a client can page by time.
    changes: list[tuple[datetime, str, dict]] = []
    for name in names:
        rows, tombstones = store.changed_since(name, since)
        changes += [(parse_datetime(row["MetaData"]["LastUpdatedTime"]), name, row) for row in rows]
        changes += [
            (
                t.deleted_at,
                name,
                {
                    "Id": t.entity_id,
                    "domain": "QBO",
                    "status": "Deleted",
                    "MetaData": {"LastUpdatedTime": meta_time(t.deleted_at)},
                },
            )
            for t in tombstones
        ]
    changes.sort(key=lambda change: change[0])
    kept = changes[:MAX_OBJECTS]
    blocks = []
    for name in names:
        objects = [obj for _, entity, obj in kept if entity == name]
        blocks.append({name: objects, "startPosition": 1, "maxResults": len(objects)} if objects else {})
    return [{"QueryResponse": blocks}]
