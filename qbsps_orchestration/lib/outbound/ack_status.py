"""Per-line acknowledgment status from the QBO document an order became (pure).

The mapping gives order line i the QBO LineNum i+1, and QBO keeps LineNum when a bookkeeper edits
or deletes other lines. So each order line is compared with the QBO line of its number: same
quantity → accepted; another quantity → IQ with the QBO quantity; gone → IR (rejected).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..rsx import Order
from .order_ack import LineAck

ITEM_DETAILS = ("ItemBasedExpenseLineDetail", "SalesItemLineDetail")


def ack_line_status(order: Order, qbo_document: dict[str, Any]) -> dict[int, LineAck]:
    by_number = {
        int(line["LineNum"]): line[line["DetailType"]]
        for line in qbo_document.get("Line", [])
        if line.get("DetailType") in ITEM_DETAILS and line.get("LineNum") is not None
    }
    statuses: dict[int, LineAck] = {}
    for index, item in enumerate(order.LineItem):
        detail = by_number.get(index + 1)
        if detail is None:
            statuses[index] = LineAck.rejected()
            continue
        quantity = Decimal(str(detail.get("Qty", 0)))
        if item.OrderLine.OrderQty is not None and quantity != item.OrderLine.OrderQty:
            statuses[index] = LineAck.quantity_changed(quantity)
    return statuses
