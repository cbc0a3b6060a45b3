from __future__ import annotations

from decimal import Decimal

from qbsps_orchestration.lib.documents.order_ack.ack_changes import LineChange, ack_changes


def _ack(kind: str, *lines: dict) -> dict:
    return {
        "Header": {"OrderHeader": {"AcknowledgementType": kind}},
        "LineItem": [
            {
                "OrderLine": {"LineSequenceNumber": str(n), "BuyerPartNumber": f"B{n}"},
                "LineItemAcknowledgement": [a],
            }
            for n, a in enumerate(lines, start=1)
        ],
    }


def test_each_changed_field_of_each_line_is_one_row() -> None:
    before = _ack(
        "AD",
        {"ItemStatusCode": "IA", "ItemScheduleQty": Decimal(4), "ItemScheduleDate": "2026-12-10"},
        {"ItemStatusCode": "IA", "ItemScheduleQty": Decimal(2)},
    )
    after = _ack(
        "AC",
        {
            "ItemStatusCode": "IC",
            "ItemScheduleQty": "3",
            "PurchasePrice": "9.5",
            "ItemScheduleDate": "2026-12-10",
        },
        {"ItemStatusCode": "IR", "ItemScheduleQty": Decimal(0)},
    )
    assert ack_changes(before, after) == [
        LineChange("1", "B1", "status", "IA", "IC"),
        LineChange("1", "B1", "quantity", "4", "3"),
        LineChange("1", "B1", "price", None, "9.5"),
        LineChange("2", "B2", "status", "IA", "IR"),
        LineChange("2", "B2", "quantity", "2", "0"),
        LineChange("header", "", "acknowledgement type", "AD", "AC"),
    ]


def test_the_same_numbers_written_differently_are_no_change() -> None:
    before = _ack("AD", {"ItemStatusCode": "IA", "ItemScheduleQty": Decimal("4.00")})
    after = _ack("AD", {"ItemStatusCode": "IA", "ItemScheduleQty": "4"})
    assert ack_changes(before, after) == []
