"""Snapshots of QBO reference data (Vendor, Customer, Item, Account) in the ledger.

A row's SyncToken says whether QBO changed it; a row older than the stored copy (an overlapping
CDC page, a slow query) never overwrites a newer one. Name-list rows are made inactive in QBO,
not deleted; CDC "Deleted" stubs (merged rows) and rows missing from a complete refresh are kept,
marked deleted, so a document that referred to them can still be explained.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...changes import ChangeParseError, parse_qbo_time
from ..errors import LedgerInputError
from ..storage.models import ReferenceEntity, utcnow
from .diff import ChangedEntity, ReferenceDiff

NAME_FIELD = {"Vendor": "DisplayName", "Customer": "DisplayName", "Item": "Name", "Account": "Name"}
REFERENCE_ENTITIES: tuple[str, ...] = tuple(NAME_FIELD)
# Bookkeeping that changes with every write; the diff reports fields a person changed.
_NOT_CONTENT = frozenset({"Id", "SyncToken", "MetaData", "domain", "sparse", "status"})
_CHUNK = 500  # ids per IN (...): far below SQLite's bound-parameter limit


def check_entity(entity: str) -> None:
    if entity not in NAME_FIELD:
        raise LedgerInputError(
            f"reference entity must be one of {', '.join(REFERENCE_ENTITIES)}, got {entity!r}"
        )


def exact_json(value: Any, where: str) -> Any:
    """`value` with every Decimal as its exact text ("20.00"); floats are refused (already inexact)."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise LedgerInputError(f"{where}: {value} is not a number")
        return format(value, "f")
    if isinstance(value, float):
        raise LedgerInputError(f"{where}: float {value!r} is not exact; read QBO JSON with Decimal numbers")
    if isinstance(value, Mapping):
        return {str(k): exact_json(v, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [exact_json(v, f"{where}[{i}]") for i, v in enumerate(value)]
    return value


@dataclass(frozen=True)
class _Incoming:
    qbo_id: str
    last_updated: datetime
    deleted: bool
    data: dict[str, Any]
    sync_token: str = ""
    name: str = ""
    active: bool = True


def _read_row(entity: str, position: int, row: Any) -> _Incoming:
    where = f"{entity} row {position}"
    if not isinstance(row, Mapping):
        raise LedgerInputError(f"{where}: expected an object, got {type(row).__name__}")
    qbo_id = row.get("Id")
    if qbo_id is None or str(qbo_id).strip() == "" or len(str(qbo_id)) > 64:
        raise LedgerInputError(f"{where}: Id must be 1-64 characters, got {qbo_id!r}")
    where = f"{entity} {qbo_id}"
    meta = row.get("MetaData")
    try:
        stamp = meta.get("LastUpdatedTime") if isinstance(meta, Mapping) else None
        last_updated = parse_qbo_time(stamp, f"{where} MetaData.LastUpdatedTime")
    except ChangeParseError as exc:
        raise LedgerInputError(str(exc)) from None
    data = exact_json(dict(row), where)
    if row.get("status") == "Deleted":
        return _Incoming(str(qbo_id), last_updated, True, data)
    sync_token = row.get("SyncToken")
    if sync_token is None or str(sync_token).strip() == "":
        raise LedgerInputError(f"{where}: missing SyncToken")
    name = row.get(NAME_FIELD[entity])
    if not isinstance(name, str) or not name.strip():
        raise LedgerInputError(f"{where}: missing {NAME_FIELD[entity]}")
    active = row.get("Active", True)
    if not isinstance(active, bool):
        raise LedgerInputError(f"{where}: Active must be true or false, got {active!r}")
    return _Incoming(str(qbo_id), last_updated, False, data, str(sync_token), name.strip(), active)


def changed_fields(entity: str, before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[str, ...]:
    fields = {
        k for k in before.keys() | after.keys() if k not in _NOT_CONTENT and before.get(k) != after.get(k)
    }
    if NAME_FIELD[entity] in fields:
        fields.discard("FullyQualifiedName")  # QBO derives it from the name: same change, said once
    return tuple(sorted(fields))


def upsert_reference(
    session: Session, entity: str, rows: Iterable[Any], realm_id: str, *, complete: bool = False
) -> ReferenceDiff:
    """Bring the snapshot up to date with `rows` (query rows or CDC rows, deleted stubs included).

    `complete`: `rows` is every row QBO has (a full refresh), so stored rows not among them are
    marked deleted."""
    check_entity(entity)
    if not realm_id or not realm_id.strip():
        raise LedgerInputError("reference rows need a realm_id")
    incoming: dict[str, _Incoming] = {}
    for position, row in enumerate(rows, start=1):
        parsed = _read_row(entity, position, row)
        kept = incoming.get(parsed.qbo_id)
        if kept is None or parsed.last_updated >= kept.last_updated:
            incoming[parsed.qbo_id] = parsed
    stored = _stored(session, entity, realm_id, None if complete else list(incoming))
    now = utcnow()
    added: list[str] = []
    changed: list[ChangedEntity] = []
    unchanged: list[str] = []
    deactivated: list[str] = []
    deleted: list[str] = []
    for qbo_id, new in incoming.items():
        old = stored.get(qbo_id)
        if old is None:
            if not new.deleted:  # a stub of a row never seen leaves nothing to remove
                session.add(_new_row(entity, realm_id, new, now))
                added.append(qbo_id)
            continue
        old.refreshed_at = now
        if new.last_updated < old.last_updated:
            unchanged.append(qbo_id)  # older than the copy we hold (overlapping pages)
        elif new.deleted:
            if old.deleted_at is None:
                old.deleted_at, old.active, old.last_updated = new.last_updated, False, new.last_updated
                deleted.append(qbo_id)
            else:
                unchanged.append(qbo_id)
        elif old.deleted_at is None and new.sync_token == old.sync_token:
            unchanged.append(qbo_id)
        else:
            fields = changed_fields(entity, old.data, new.data)
            was_active = old.active and old.deleted_at is None
            _overwrite(old, new)
            if was_active and not new.active:
                deactivated.append(qbo_id)
            else:
                changed.append(ChangedEntity(qbo_id, fields))
    if complete:
        for qbo_id, old in stored.items():
            if qbo_id not in incoming and old.deleted_at is None:
                old.deleted_at, old.active, old.refreshed_at = now, False, now
                deleted.append(qbo_id)
    session.flush()
    return ReferenceDiff(
        realm_id, entity, tuple(added), tuple(changed), tuple(unchanged), tuple(deactivated), tuple(deleted)
    )


def _stored(
    session: Session, entity: str, realm_id: str, ids: list[str] | None
) -> dict[str, ReferenceEntity]:
    base = select(ReferenceEntity).where(
        ReferenceEntity.realm_id == realm_id, ReferenceEntity.entity == entity
    )
    if ids is None:
        return {row.qbo_id: row for row in session.scalars(base)}
    found: dict[str, ReferenceEntity] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        found.update(
            (row.qbo_id, row) for row in session.scalars(base.where(ReferenceEntity.qbo_id.in_(chunk)))
        )
    return found


def _new_row(entity: str, realm_id: str, new: _Incoming, now: datetime) -> ReferenceEntity:
    return ReferenceEntity(
        realm_id=realm_id,
        entity=entity,
        qbo_id=new.qbo_id,
        sync_token=new.sync_token,
        name=new.name,
        active=new.active,
        data=new.data,
        last_updated=new.last_updated,
        refreshed_at=now,
    )


def _overwrite(row: ReferenceEntity, new: _Incoming) -> None:
    row.sync_token, row.name, row.active, row.data = new.sync_token, new.name, new.active, new.data
    row.last_updated, row.deleted_at = new.last_updated, None


def reference_rows(session: Session, entity: str, realm_id: str, active_only: bool) -> list[dict[str, Any]]:
    """The stored QBO rows of one entity, by name then Id; deleted rows never, inactive ones on request."""
    check_entity(entity)
    query = select(ReferenceEntity.data).where(
        ReferenceEntity.realm_id == realm_id,
        ReferenceEntity.entity == entity,
        ReferenceEntity.deleted_at.is_(None),
    )
    if active_only:
        query = query.where(ReferenceEntity.active.is_(True))
    return list(session.scalars(query.order_by(ReferenceEntity.name, ReferenceEntity.qbo_id)))


def reference_by_id(session: Session, entity: str, qbo_id: str, realm_id: str) -> dict[str, Any] | None:
    """The stored row (inactive included, so old documents still resolve), None if unknown or deleted."""
    check_entity(entity)
    return session.scalars(
        select(ReferenceEntity.data).where(
            ReferenceEntity.realm_id == realm_id,
            ReferenceEntity.entity == entity,
            ReferenceEntity.qbo_id == qbo_id,
            ReferenceEntity.deleted_at.is_(None),
        )
    ).one_or_none()


def reference_by_name(
    session: Session, entity: str, name: str, realm_id: str | None
) -> dict[str, Any] | None:
    """The row named `name` (DisplayName or Name, exact), active first; `realm_id` None means any
    realm, and then a name found in several realms is an error rather than a guess."""
    check_entity(entity)
    query = select(ReferenceEntity).where(
        ReferenceEntity.entity == entity,
        ReferenceEntity.name == name.strip(),
        ReferenceEntity.deleted_at.is_(None),
    )
    if realm_id is not None:
        query = query.where(ReferenceEntity.realm_id == realm_id)
    found = list(session.scalars(query))
    if not found:
        return None
    realms = sorted({row.realm_id for row in found})
    if len(realms) > 1:
        raise LedgerInputError(
            f"{entity} {name!r} exists in several QBO companies ({', '.join(realms)}); give realm_id"
        )
    # QBO lets an inactive row keep a name an active row now uses; the active one is meant.
    found.sort(key=lambda row: row.last_updated, reverse=True)
    found.sort(key=lambda row: not row.active)  # stable: newest active row first
    return found[0].data
