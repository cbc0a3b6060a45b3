"""The pydantic Order model: RSX names, single-or-list groups, extras kept, Decimal money."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from qbsps_orchestration.lib.rsx import Order, read_rsx, to_json

from .inline_documents import ORDER_XML

MINIMAL = {"Header": {"OrderHeader": {"TradingPartnerId": "T1", "PurchaseOrderNumber": "P1"}}}


def test_single_objects_are_accepted_where_lists_belong() -> None:
    order = Order.model_validate(
        {
            **MINIMAL,
            "Header": {**MINIMAL["Header"], "Address": {"AddressTypeCode": "ST", "City": "Fargo"}},
            "LineItem": {
                "OrderLine": {"OrderQty": "4", "PurchasePrice": 2, "ProductID": {"PartNumber": "X"}}
            },
        }
    )
    assert order.Header.Address[0].City == "Fargo"
    line = order.LineItem[0].OrderLine
    assert line.OrderQty == Decimal("4") and isinstance(line.OrderQty, Decimal)
    assert line.ProductID[0].PartNumber == "X"


def test_unknown_elements_survive_model_and_back() -> None:
    (doc,) = read_rsx(ORDER_XML.encode(), source="po.xml")
    order = doc.order
    assert order is not None
    assert order.Header.model_extra == {"FutureElement": "kept as is"}
    assert order.to_data() == doc.data  # nothing added (no empty groups), nothing lost


def test_changes_to_the_model_are_written() -> None:
    order = Order.model_validate(MINIMAL)
    order.header.Vendor = "V-9"
    order.header.PurchaseOrderDate = "2024-02-29"  # validated on assignment
    data = order.to_data()
    assert data["Header"]["OrderHeader"]["Vendor"] == "V-9"
    assert data["Header"]["OrderHeader"]["PurchaseOrderDate"] == "2024-02-29"
    assert b'"Vendor": "V-9"' in to_json("Order", data)
    with pytest.raises(ValidationError):
        order.header.PurchaseOrderDate = "2024-02-30"


def test_required_keys_and_limits() -> None:
    with pytest.raises(ValidationError, match="PurchaseOrderNumber"):
        Order.model_validate({"Header": {"OrderHeader": {"TradingPartnerId": "T1"}}})
    with pytest.raises(ValidationError, match="TradingPartnerId"):
        Order.model_validate(
            {"Header": {"OrderHeader": {"TradingPartnerId": "X" * 16, "PurchaseOrderNumber": "1"}}}
        )


def test_lookup_helpers() -> None:
    order = Order.model_validate(
        {
            **MINIMAL,
            "Header": {
                **MINIMAL["Header"],
                "Dates": [{"DateTimeQualifier": "002", "Date": "2024-05-01"}, {"DateTimeQualifier": "010"}],
                "Address": [{"AddressTypeCode": "BT"}, {"AddressTypeCode": "ST", "AddressName": "DC"}],
            },
        }
    )
    assert str(order.date("002").Date) == "2024-05-01"
    assert order.date("001") is None
    assert order.address("ST").AddressName == "DC"
