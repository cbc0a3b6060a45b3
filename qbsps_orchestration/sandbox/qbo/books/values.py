"""Reading values out of request bodies the way QBO's deserializer does, with QBO's errors.

Request JSON is parsed with ``parse_float=Decimal``, so money never passes through a float; numeric
strings are accepted as numbers (clients such as python-quickbooks send Decimals as strings).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .. import faults
from .store import RealmStore

CENT = Decimal("0.01")


def money(value: object, element: str) -> Decimal:
    if isinstance(value, bool):
        raise faults.invalid_value(element, f"{element} must be a number, not {value!r}")
    if isinstance(value, Decimal | int):
        return Decimal(value)
    if isinstance(value, float):  # only reachable for bodies parsed elsewhere; keep exact digits
        return Decimal(repr(value))
    if isinstance(value, str):
        try:
            parsed = Decimal(value.strip())
        except InvalidOperation:
            raise faults.invalid_value(element, f"{element} must be a number, not {value!r}") from None
        if parsed.is_finite():
            return parsed
    raise faults.invalid_value(element, f"{element} must be a number, not {value!r}")


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def optional_money(record: dict, key: str, element: str) -> Decimal | None:
    value = record.get(key)
    if value is None or value == "":
        return None
    return money(value, element)


def text(value: object, element: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise faults.invalid_value(element, f"{element} must be a string, not {value!r}")
    return str(value)


def check_length(record: dict, key: str, maximum: int, element: str | None = None) -> None:
    value = record.get(key)
    if value is None:
        return
    value = text(value, element or key)
    if len(value) > maximum:
        raise faults.string_too_long(element or key, maximum, len(value))


def boolean(value: object, element: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise faults.invalid_value(element, f"{element} must be true or false, not {value!r}")


def ref_id(record: dict, key: str, element: str | None = None) -> str | None:
    """The ``value`` of a ReferenceType field, or None when the field is absent."""
    ref = record.get(key)
    if ref is None:
        return None
    name = element or key
    if not isinstance(ref, dict):
        raise faults.invalid_value(name, f"{name} must be an object with a value")
    value = ref.get("value")
    if value is None or value == "":
        raise faults.required_missing(f"{name}.value")
    return text(value, f"{name}.value")


def resolve_ref(
    store: RealmStore,
    record: dict,
    key: str,
    entity: str,
    element: str | None = None,
    *,
    required: bool = False,
) -> dict | None:
    """Look up the entity a reference points at; 2500 when it does not exist or is inactive.

    Fills in the reference's ``name`` as QBO does in its responses."""
    name = element or key
    target_id = ref_id(record, key, name)
    if target_id is None:
        if required:
            raise faults.required_missing(name)
        return None
    target = store.get(entity, target_id)
    if target is None or target.get("Active") is False:
        raise faults.invalid_reference(name, entity, target_id)
    display = target.get("DisplayName") or target.get("FullyQualifiedName") or target.get("Name")
    ref = {k: v for k, v in record[key].items() if k != "type" or v}
    if display:
        ref["name"] = display
    record[key] = ref
    return target
