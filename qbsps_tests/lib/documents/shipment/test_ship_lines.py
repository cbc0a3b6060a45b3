"""Which order lines an invoice ships: every SPS sample order, and one item on several lines."""

from __future__ import annotations

from decimal import Decimal

import pytest

from qbsps_orchestration.lib.documents.shipment.ship_notice import build_ship_notice

from .ship_support import assert_sendable, counter, invoice, make_config, sample_order, shipment_lines


def same_item_on_lines_2_and_3(data: dict) -> None:
    data["items"][2] = {"qbo_item": {"id": "20"}, "buyer_part_number": "SPSBuyerItem3"}


@pytest.mark.parametrize(
    ("shipped", "expected"),
    [
        (Decimal(4), {"2": (Decimal(2), "AC"), "3": (Decimal(2), "BP")}),  # fills line 2, then line 3
        (Decimal(1), {"2": (Decimal(1), "BP")}),
    ],
)
def test_one_invoice_item_fills_its_order_lines_in_order(shipped: Decimal, expected: dict) -> None:
    config, order = make_config(same_item_on_lines_2_and_3), sample_order()
    document = build_ship_notice(
        invoice([("20", shipped)]),
        partner=config.partner("SPSALLTESTID"),
        config=config,
        order=order,
        next_serial=counter(),
    )
    assert_sendable(document, order)
    got = {
        line["LineSequenceNumber"]: (line["ShipQty"], line["ItemStatusCode"])
        for line in shipment_lines(document)
    }
    assert got == expected


ITEM_BY_BUYER_PART = {"SPSBuyerItem1": "19", "SPSBuyerItem2": "20", "SPSBuyerItem3": "21"}


@pytest.mark.parametrize(
    "order_file",
    [
        "PO584615-1-v7.7-BulkImport.json",
        "PO584616-1-v7.7-DropShip.json",
        "PO112853-1-v7.7-CrossDock.json",
        "PO112855-1-v7.7-MultiStore.json",  # no header ST: the invoice's ShipAddr is used
    ],
)
def test_every_sample_order_shipped_complete_is_sendable(order_file: str) -> None:
    config, order = make_config(), sample_order(order_file)
    lines = [
        (ITEM_BY_BUYER_PART[item.OrderLine.BuyerPartNumber], item.OrderLine.OrderQty)
        for item in order.LineItem
    ]
    document = build_ship_notice(
        invoice(lines),
        partner=config.partner("SPSALLTESTID"),
        config=config,
        order=order,
        next_serial=counter(),
    )
    assert_sendable(document, order)
    shipped = {line["LineSequenceNumber"]: line["ShipQty"] for line in shipment_lines(document)}
    assert shipped == {item.OrderLine.LineSequenceNumber: item.OrderLine.OrderQty for item in order.LineItem}
