"""Read QBO webhook bodies, legacy ``eventNotifications`` or a CloudEvents 1.0 array (qbo.md §4.3-4.4),
into `ChangeEvent`s. Both carry identifiers only; the entity itself is re-read through the API later.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from ..changes import OPERATIONS, ChangeEvent, ChangeParseError, parse_qbo_time


class WebhookPayloadError(ChangeParseError):
    """A signed body qbsps cannot read; the message names the event and field."""


# CloudEvents `type` is qbo.<entity lower-case>.<verb>.v1; the API's entity names restore the case.
WEBHOOK_ENTITIES = (
    "Account",
    "Bill",
    "BillPayment",
    "Budget",
    "Class",
    "CreditMemo",
    "Currency",
    "Customer",
    "Department",
    "Deposit",
    "Employee",
    "Estimate",
    "Invoice",
    "Item",
    "JournalCode",
    "JournalEntry",
    "Payment",
    "PaymentMethod",
    "Preferences",
    "Purchase",
    "PurchaseOrder",
    "RefundReceipt",
    "SalesReceipt",
    "TaxAgency",
    "Term",
    "TimeActivity",
    "Transfer",
    "Vendor",
    "VendorCredit",
)
_ENTITY_BY_LOWER = {name.lower(): name for name in WEBHOOK_ENTITIES}
_OPERATION_BY_VERB = {
    "created": "Create",
    "updated": "Update",
    "deleted": "Delete",
    "merged": "Merge",
    "voided": "Void",
    "emailed": "Emailed",
}
_CLOUDEVENT_TYPE = re.compile(r"^qbo\.([a-z]+)\.([a-z]+)\.v\d+$", re.IGNORECASE)


def parse_webhook_body(body: bytes) -> list[ChangeEvent]:
    """Every change event in a webhook body, in the order sent (raises WebhookPayloadError)."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise WebhookPayloadError(f"webhook body is not JSON: {exc}") from None
    if isinstance(data, list):
        return [_cloudevent(item, n) for n, item in enumerate(data, start=1)]
    if isinstance(data, dict) and "eventNotifications" in data:
        return _legacy(data["eventNotifications"])
    shape = (
        "an object with keys " + ", ".join(sorted(data)[:5])
        if isinstance(data, dict)
        else type(data).__name__
    )
    raise WebhookPayloadError(
        f"webhook body is neither a CloudEvents array nor a legacy eventNotifications object (got {shape})"
    )


def _legacy(notifications: Any) -> list[ChangeEvent]:
    if not isinstance(notifications, list):
        raise WebhookPayloadError("legacy webhook: eventNotifications must be a list")
    events: list[ChangeEvent] = []
    for n, notification in enumerate(notifications, start=1):
        where = f"legacy webhook eventNotifications[{n}]"
        if not isinstance(notification, dict):
            raise WebhookPayloadError(f"{where}: expected an object")
        realm_id = _text(notification.get("realmId"), f"{where}.realmId")
        change = notification.get("dataChangeEvent")
        entities = change.get("entities") if isinstance(change, dict) else None
        if not isinstance(entities, list):
            raise WebhookPayloadError(f"{where}: dataChangeEvent.entities must be a list")
        for m, entity in enumerate(entities, start=1):
            item = f"{where}.dataChangeEvent.entities[{m}]"
            if not isinstance(entity, dict):
                raise WebhookPayloadError(f"{item}: expected an object")
            operation = _text(entity.get("operation"), f"{item}.operation")
            if operation not in OPERATIONS:
                raise WebhookPayloadError(
                    f"{item}.operation: {operation!r} is not one of {', '.join(OPERATIONS)}"
                )
            events.append(
                _event(
                    item,
                    realm_id=realm_id,
                    entity=_text(entity.get("name"), f"{item}.name"),
                    entity_id=_text(entity.get("id"), f"{item}.id"),
                    operation=operation,
                    occurred_at=_time(entity.get("lastUpdated"), f"{item}.lastUpdated"),
                    event_id=None,
                )
            )
    return events


def _cloudevent(item: Any, n: int) -> ChangeEvent:
    where = f"CloudEvents webhook event {n}"
    if not isinstance(item, dict):
        raise WebhookPayloadError(f"{where}: expected an object")
    event_id = _text(item.get("id"), f"{where}.id")
    where = f"CloudEvents webhook event {n} (id {event_id})"
    if item.get("specversion") != "1.0":
        raise WebhookPayloadError(f"{where}.specversion: {item.get('specversion')!r} is not '1.0'")
    event_type = _text(item.get("type"), f"{where}.type")
    match = _CLOUDEVENT_TYPE.match(event_type)
    if match is None:
        raise WebhookPayloadError(f"{where}.type: {event_type!r} is not qbo.<entity>.<verb>.v<n>")
    lower_entity, verb = (part.lower() for part in match.groups())
    operation = _OPERATION_BY_VERB.get(verb)
    if operation is None:
        known = ", ".join(_OPERATION_BY_VERB)
        raise WebhookPayloadError(f"{where}.type: verb {verb!r} is not one of {known}")
    return _event(
        where,
        realm_id=_text(item.get("intuitaccountid"), f"{where}.intuitaccountid"),
        # An entity qbsps does not know keeps Intuit's lower-case name: stored, never misread.
        entity=_ENTITY_BY_LOWER.get(lower_entity, lower_entity),
        entity_id=_text(item.get("intuitentityid"), f"{where}.intuitentityid"),
        operation=operation,
        occurred_at=_time(item.get("time"), f"{where}.time"),
        event_id=event_id,
    )


def _event(where: str, **fields: Any) -> ChangeEvent:
    try:
        return ChangeEvent(source="webhook", **fields)
    except WebhookPayloadError:
        raise
    except ChangeParseError as exc:
        raise WebhookPayloadError(f"{where}: {exc}") from None


def _time(value: Any, where: str) -> datetime:
    try:
        return parse_qbo_time(value, where)
    except ChangeParseError as exc:
        raise WebhookPayloadError(str(exc)) from None


def _text(value: Any, where: str) -> str:
    """Identifiers arrive as strings; tolerate numbers (ids, realm ids) but nothing else."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise WebhookPayloadError(f"{where}: missing or not a string")
    text = str(value).strip()
    if not text:
        raise WebhookPayloadError(f"{where}: empty")
    return text
