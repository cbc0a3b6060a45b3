"""``/batch``: up to 30 independent operations; each item answers with its entity, QueryResponse
or its own Fault, and one item's failure never stops the others."""

from __future__ import annotations

from . import faults
from .books.entities import EntityService, WriteOptions
from .books.schema import ENTITIES
from .query.execute import run_query

MAX_ITEMS = 30
BATCH_REQUEST_ID_MAX = 36
BATCH_ID_MAX_WITH_REQUEST_ID = 10
OPERATIONS = ("create", "update", "delete")


def run_batch(service: EntityService, body: object, *, request_id: str | None) -> list[dict]:
    """The ``BatchItemResponse`` list (raises QboError when the envelope itself is unacceptable)."""
    if not isinstance(body, dict) or not isinstance(body.get("BatchItemRequest"), list):
        raise faults.required_missing("BatchItemRequest")
    items = body["BatchItemRequest"]
    if not items:
        raise faults.required_missing("BatchItemRequest")
    if len(items) > MAX_ITEMS:
        raise faults.business_rule(
            f"The batch request has {len(items)} items; at most {MAX_ITEMS} are allowed.", "BatchItemRequest"
        )
    if request_id is not None and len(request_id) > BATCH_REQUEST_ID_MAX:
        raise faults.business_rule(
            f"You cannot enter more than {BATCH_REQUEST_ID_MAX} characters in the request_id field for a "
            f"batch. You tried entering {len(request_id)} characters.",
            "requestid",
        )
    return [_run_item(service, item, request_id) for item in items]


def _run_item(service: EntityService, item: object, request_id: str | None) -> dict:
    bid = item.get("bId") if isinstance(item, dict) else None
    try:
        if not isinstance(item, dict):
            raise faults.invalid_value("BatchItemRequest", "each BatchItemRequest must be an object")
        if bid in (None, ""):
            raise faults.required_missing("bId")
        if request_id is not None and len(str(bid)) > BATCH_ID_MAX_WITH_REQUEST_ID:
            raise faults.string_too_long("bId", BATCH_ID_MAX_WITH_REQUEST_ID, len(str(bid)))
        return {"bId": bid, **_execute(service, item)}
    except faults.QboError as error:
        return {"bId": bid, "Fault": error.fault()}


def _execute(service: EntityService, item: dict) -> dict:
    if "Query" in item:
        return {"QueryResponse": run_query(service.store, str(item["Query"]))}
    present = [name for name in ENTITIES if name in item]
    unknown = [key for key in item if key not in ("bId", "operation", "optionsData", "Query", *ENTITIES)]
    if unknown:
        raise faults.unrecognized_field("BatchItemRequest", unknown[0])
    if len(present) != 1:
        raise faults.required_missing("BatchItemRequest entity")
    entity = present[0]
    entity_body = item[entity]
    if not isinstance(entity_body, dict):
        raise faults.invalid_value(entity, f"{entity} must be an object")
    operation = str(item.get("operation") or "create").lower()
    if operation not in OPERATIONS:
        raise faults.unsupported_operation(f"{operation} in batch")
    # The batch form of ?include=allowduplicatedocnum travels in the item's optionsData.
    allow_duplicate = "allowduplicatedocnum" in str(item.get("optionsData", ""))
    options = WriteOptions(allow_duplicate_doc_number=allow_duplicate)
    if operation == "create":
        return {entity: service.create(entity, entity_body, options)}
    if operation == "update":
        return {entity: service.update(entity, entity_body, options)}
    return {entity: service.delete(entity, entity_body)}
