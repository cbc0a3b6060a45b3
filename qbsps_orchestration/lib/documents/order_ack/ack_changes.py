"""What an updated order acknowledgment (855) changes, line by line, against the one sent before.

Pure: two RSX OrderAck element trees in, one row per changed field out, for the run's metadata and
the audit trail. Lines are matched by position (the ack always lists every order line in order).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

# (column shown, where in an ack line): the fields a bookkeeper's change in QBO can move.
FIELDS: tuple[tuple[str, str, str], ...] = (
    ("status", "LineItemAcknowledgement", "ItemStatusCode"),
    ("quantity", "LineItemAcknowledgement", "ItemScheduleQty"),
    ("price", "LineItemAcknowledgement", "PurchasePrice"),
    ("ship date", "LineItemAcknowledgement", "ItemScheduleDate"),
)


@dataclass(frozen=True)
class LineChange:
    line: str  # LineSequenceNumber when the order has one, else the 1-based position
    item: str  # the buyer's or vendor's part number, UPC or GTIN: what the partner knows it by
    field: str
    before: str | None
    after: str | None


def ack_changes(before: dict[str, Any], after: dict[str, Any]) -> list[LineChange]:
    old_lines, new_lines = before.get("LineItem") or [], after.get("LineItem") or []
    changes: list[LineChange] = []
    for position in range(max(len(old_lines), len(new_lines))):
        old = old_lines[position] if position < len(old_lines) else {}
        new = new_lines[position] if position < len(new_lines) else {}
        line, item = _label(new or old, position)
        for name, group, key in FIELDS:
            was, now = _value(old, group, key), _value(new, group, key)
            if was != now:
                changes.append(LineChange(line, item, name, was, now))
    header_before = _header(before).get("AcknowledgementType")
    header_after = _header(after).get("AcknowledgementType")
    if header_before != header_after:
        changes.append(
            LineChange("header", "", "acknowledgement type", _text(header_before), _text(header_after))
        )
    return changes


def _label(line: dict[str, Any], position: int) -> tuple[str, str]:
    order_line = line.get("OrderLine") or {}
    number = order_line.get("LineSequenceNumber") or str(position + 1)
    names = ("BuyerPartNumber", "VendorPartNumber", "ConsumerPackageCode", "GTIN")
    item = next((str(order_line[n]) for n in names if order_line.get(n)), "")
    return str(number), item


def _value(line: dict[str, Any], group: str, key: str) -> str | None:
    node = line.get(group)
    if isinstance(node, list):
        node = node[0] if node else {}
    return _text((node or {}).get(key))


def _header(data: dict[str, Any]) -> dict[str, Any]:
    return (data.get("Header") or {}).get("OrderHeader") or {}


def _text(value: Any) -> str | None:
    """Compared as text, so a Decimal from the builder and a string read back from XML agree
    (``4`` and ``4.00`` too: numbers are normalised)."""
    if value is None or value == "":
        return None
    text = str(value)
    try:
        return format(Decimal(text).normalize(), "f")
    except InvalidOperation:
        return text
