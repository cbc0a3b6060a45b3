from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from qbsps_orchestration.lib.documents.order_ack.ack_status import ack_line_status
from qbsps_orchestration.lib.documents.order_ack.order_ack import LineAck
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


def _priced(number: int, qty: int, price: str) -> dict:
    line = _line(number, qty)
    line["ItemBasedExpenseLineDetail"]["UnitPrice"] = price
    return line


def test_price_date_and_several_changes_have_their_own_codes() -> None:
    lines = [_priced(1, 5, "1.25"), _priced(2, 7, "1.00"), _priced(3, 8, "0.90")]
    statuses = ack_line_status(_order(), {"Line": lines})
    assert statuses == {
        0: LineAck("IP", price=Decimal("1.25")),
        2: LineAck("IC", quantity=Decimal(8), price=Decimal("0.90")),
    }
    later = ack_line_status(_order(), {"Line": [_priced(1, 5, "1.00")], "ExpectedDate": "2026-12-14"})
    assert later[0] == LineAck("DR", ship_date=date(2026, 12, 14))
    assert set(later) == {0, 1, 2}  # lines 2 and 3 are gone from QBO: rejected
    assert later[1] == LineAck.rejected()


def test_the_expected_date_qbsps_wrote_is_no_change() -> None:
    order = read_rsx(
        json.dumps(
            {
                "Header": {
                    "OrderHeader": {"TradingPartnerId": "TP", "PurchaseOrderNumber": "PO1"},
                    "Dates": [{"DateTimeQualifier": "010", "Date": "2026-12-10"}],
                },
                "LineItem": [{"OrderLine": {"BuyerPartNumber": "B1", "OrderQty": 5, "PurchasePrice": "1"}}],
            }
        ).encode(),
        source="t.json",
        doc_type="Order",
    )[0].order
    assert ack_line_status(order, {"Line": [_priced(1, 5, "1")], "ExpectedDate": "2026-12-10"}) == {}
    moved = ack_line_status(order, {"Line": [_priced(1, 5, "1")], "ExpectedDate": "2026-12-12"})
    assert moved == {0: LineAck("DR", ship_date=date(2026, 12, 12))}
