from __future__ import annotations

import json
from decimal import Decimal

from qbsps_orchestration.lib.outbound.ack_status import ack_line_status
from qbsps_orchestration.lib.outbound.order_ack import LineAck
from qbsps_orchestration.lib.rsx import read_rsx


def _order():  # noqa: ANN202
    lines = [
        {"OrderLine": {"BuyerPartNumber": f"B{n}", "OrderQty": qty, "PurchasePrice": "1.00"}}
        for n, qty in ((1, 5), (2, 7), (3, 9))
    ]
    raw = {
        "Header": {"OrderHeader": {"TradingPartnerId": "TP", "PurchaseOrderNumber": "PO1"}},
        "LineItem": lines,
    }
    return read_rsx(json.dumps(raw).encode(), source="t.json", doc_type="Order")[0].order


def _line(number: int, qty: int) -> dict:
    return {
        "LineNum": number,
        "DetailType": "ItemBasedExpenseLineDetail",
        "ItemBasedExpenseLineDetail": {"ItemRef": {"value": "1"}, "Qty": qty},
    }


def test_unchanged_lines_are_accepted() -> None:
    assert ack_line_status(_order(), {"Line": [_line(1, 5), _line(2, 7), _line(3, 9)]}) == {}


def test_changed_and_removed_lines_are_reported_by_their_line_number() -> None:
    allowance = {
        "LineNum": 4,
        "DetailType": "AccountBasedExpenseLineDetail",
        "AccountBasedExpenseLineDetail": {},
    }
    statuses = ack_line_status(_order(), {"Line": [_line(1, 5), _line(3, 4), allowance]})
    assert statuses == {1: LineAck.rejected(), 2: LineAck.quantity_changed(Decimal(4))}
