"""Per-line acknowledgment status from the QBO document an order became (pure).

The mapping gives order line i the QBO LineNum i+1, and QBO keeps LineNum when a bookkeeper edits
or deletes other lines. So each order line is compared with the QBO line of its number: gone → IR
(rejected); another quantity → IQ, another unit price → IP, another expected date (the PO's
ExpectedDate against the order's requested ship date) → DR; more than one of those → IC.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from ...rsx import Order
from .order_ack import CHANGES_MADE, DATE_RESCHEDULED, PRICE_CHANGED, QUANTITY_CHANGED, LineAck

ITEM_DETAILS = ("ItemBasedExpenseLineDetail", "SalesItemLineDetail")
REQUESTED_SHIP = "010"


def ack_line_status(order: Order, qbo_document: dict[str, Any]) -> dict[int, LineAck]:
    by_number = {
        int(line["LineNum"]): line[line["DetailType"]]
        for line in qbo_document.get("Line", [])
        if line.get("DetailType") in ITEM_DETAILS and line.get("LineNum") is not None
    }
    rescheduled = _rescheduled(order, qbo_document)
    statuses: dict[int, LineAck] = {}
    for index, item in enumerate(order.LineItem):
        detail = by_number.get(index + 1)
        if detail is None:
            statuses[index] = LineAck.rejected()
            continue
        ordered = item.OrderLine
        quantity = _decimal(detail.get("Qty"))
        price = _decimal(detail.get("UnitPrice"))
        changed: dict[str, Any] = {}
        if quantity is not None and ordered.OrderQty is not None and quantity != ordered.OrderQty:
            changed[QUANTITY_CHANGED] = quantity
        if price is not None and ordered.PurchasePrice is not None and price != ordered.PurchasePrice:
            changed[PRICE_CHANGED] = price
        if rescheduled is not None and rescheduled != ordered.ShipDate:
            changed[DATE_RESCHEDULED] = rescheduled
        if changed:
            code = next(iter(changed)) if len(changed) == 1 else CHANGES_MADE
            statuses[index] = LineAck(
                code,
                quantity=changed.get(QUANTITY_CHANGED),
                ship_date=changed.get(DATE_RESCHEDULED),
                price=changed.get(PRICE_CHANGED),
            )
    return statuses


def _rescheduled(order: Order, qbo_document: dict[str, Any]) -> date | None:
    """The PO's ExpectedDate when a bookkeeper set one other than the order's requested ship date."""
    expected = qbo_document.get("ExpectedDate")
    if not expected:
        return None
    when = date.fromisoformat(str(expected)[:10])
    requested = order.date(REQUESTED_SHIP)
    return None if requested is not None and requested.Date == when else when


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))
